package transport

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// pubKind is the index of PUB in kinds.
const pubKind = 2

// TestPubTakesOnlySubscriptions: a peer of a PUB socket that sends
// anything but a subscription, or subscriptions beyond the caps, is
// dropped at once, and subscribers are still served. zmq4 would queue
// those messages for a Recv that PUB never calls; after ten of them each
// such peer's reader blocks for good, holding its message and socket.
func TestPubTakesOnlySubscriptions(t *testing.T) {
	sub := func(topic string) []byte { return frame(append([]byte{1}, topic...), false) }
	var manyTopics []byte
	for i := range maxTopics + 1 {
		manyTopics = append(manyTopics, sub(fmt.Sprint(i))...)
	}
	tests := []struct {
		name  string
		input []byte
	}{
		{"a message", append(frame([]byte("status"), true), frame([]byte("x"), false)...)},
		{"a frame that is not a subscription", frame([]byte("\x02ping"), false)},
		{"an empty frame", frame(nil, false)},
		{"a 32 MiB frame", frame(make([]byte, 32<<20), false)},
		{"a topic over the cap", sub(strings.Repeat("t", maxTopic+1))},
		{"too many topics", manyTopics},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRefused(t, pubKind, Options{}, true, tt.input, "subscri")
		})
	}
}

// TestPubKeepsSubscriptions: subscriptions and cancellations up to the
// caps pass, and the peer receives what it subscribed to.
func TestPubKeepsSubscriptions(t *testing.T) {
	setup(t, Options{})
	pub, addr := listen(t, zmq4.NewPub, Name)
	c := rawPeer(t, addr, -1, "SUB", 0)
	var in []byte
	for i := range maxTopics {
		in = append(in, frame(append([]byte{1}, fmt.Sprint("t", i)...), false)...)
	}
	in = append(in, frame([]byte("\x00t0"), false)...)                                    // cancel one,
	in = append(in, frame(append([]byte{1}, strings.Repeat("s", maxTopic)...), false)...) // take another
	if _, err := c.Write(in); err != nil {
		t.Fatal(err)
	}
	want := frame([]byte("t1"), false)
	within(t, "the subscriber hears its topic", func() error {
		defer keepPublishing(pub, []byte("t1"))()
		got := make([]byte, len(want))
		c.SetReadDeadline(time.Now().Add(bound))
		if _, err := c.Read(got); err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("got % x, want % x", got, want)
		}
		return nil
	})
}

// TestSocketLimits: a REP socket (the kernel's heartbeat) with a small
// limit drops a peer sending a bigger message and still answers others.
func TestSocketLimits(t *testing.T) {
	opts := Options{SocketLimits: map[zmq4.SocketType]int64{zmq4.Rep: 64}}
	repKind := 1
	checkRefused(t, repKind, opts, true, append(frame(nil, true), frame(make([]byte, 65), false)...), "more than 64 bytes")
}

// TestPendingCap: a full set of silent connections in their greeting does
// not lock a real client out: the one that waited longest makes room.
// (The greeting timeout is longer than the test's bound.)
func TestPendingCap(t *testing.T) {
	logs := setup(t, Options{GreetingTimeout: 2 * bound})
	for i, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			server, addr := listen(t, k.server, Name)
			for range DefaultMaxPending {
				rawPeer(t, addr, 0, "", 0)
			}
			checkClient(t, i, server, addr)
		})
	}
	if !logs.has("waited longest") {
		t.Errorf("no log line for a dropped silent connection; logs:\n%s", logs)
	}
}

// TestDuplicateIdentity: a second peer claiming the identity of a
// connected ROUTER peer gets a fresh identity of its own: it receives its
// own replies and none of the first peer's (zmq4 alone sends it copies of
// them); the identity is whole again once the first has gone.
func TestDuplicateIdentity(t *testing.T) {
	logs := setup(t, Options{})
	router, addr := listen(t, zmq4.NewRouter, Name)
	dealer := func() zmq4.Socket {
		d := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()), zmq4.WithID(zmq4.SocketIdentity("same")))
		if err := d.Dial("tcp://" + addr); err != nil {
			t.Fatal(err)
		}
		return d
	}
	first := dealer()
	within(t, "the first peer exchanges", func() error { return exchangeRouter(router, first) })
	second := dealer()
	defer second.Close()
	within(t, "each peer gets only its own replies", func() error {
		if err := second.Send(zmq4.NewMsgString("from second")); err != nil {
			return err
		}
		m, err := router.Recv()
		if err != nil {
			return err
		}
		if string(m.Frames[0]) == "same" {
			return fmt.Errorf("the second peer has the first one's identity")
		}
		if err := router.Send(zmq4.NewMsgFrom([]byte("same"), []byte("for first"))); err != nil {
			return err
		}
		if err := router.Send(zmq4.NewMsgFrom(m.Frames[0], []byte("for second"))); err != nil {
			return err
		}
		got, err := second.Recv()
		if err != nil || string(got.Frames[0]) != "for second" {
			return fmt.Errorf("the second peer got %q, %v", got.Frames, err)
		}
		got, err = first.Recv()
		if err != nil || string(got.Frames[0]) != "for first" {
			return fmt.Errorf("the first peer got %q, %v", got.Frames, err)
		}
		return nil
	})
	if !logs.has(`claims the identity "same" of a connected peer`) {
		t.Errorf("no log line for the second peer; logs:\n%s", logs)
	}
	first.Close()
	within(t, "the identity is free once its holder has gone", func() error {
		for { // until the server has seen the first peer go
			third := dealer()
			err := third.Send(zmq4.NewMsgString("third"))
			var m zmq4.Msg
			if err == nil {
				m, err = router.Recv()
			}
			third.Close()
			if err != nil {
				return err
			}
			if string(m.Frames[0]) == "same" {
				return nil
			}
		}
	})
}

func TestReadyProperty(t *testing.T) {
	body := func(frame []byte) []byte { return frame[2:] }
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"identity", body(readyWith("Socket-Type", "DEALER", "Identity", "abc")), "abc"},
		{"lower-case name, as zmq4 title-cases it", body(readyWith("identity", "x")), "x"},
		{"the last one wins, as in zmq4", body(readyWith("Identity", "a", "Identity", "b")), "b"},
		{"none", body(readyFrame("DEALER")), ""},
		{"another command", []byte("\x04PING\x08Identity\x00\x00\x00\x01x"), ""},
		{"truncated", body(readyWith("Identity", "abc"))[:12], ""},
	}
	for _, tt := range tests {
		if got := readyProperty(tt.body, isIdentityKey); got != tt.want {
			t.Errorf("%s: readyProperty = %q, want %q", tt.name, got, tt.want)
		}
	}
}
