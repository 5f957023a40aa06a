package transport

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// openStream runs zmq4's client handshake over a peer byte stream that
// follows a valid greeting and a ROUTER's READY.
func openStream(t *testing.T, opts Options, after []byte) *zmq4.Conn {
	t.Helper()
	stream := append(append(ourGreeting[:], readyFrame("ROUTER")...), after...)
	opts.Logf = func(string, ...any) {}
	c := newConn(streamConn{bytes.NewReader(stream)}, opts.withDefaults(), nil)
	zc, err := zmq4.Open(c, null.Security(), zmq4.Dealer, zmq4.SocketIdentity("t"), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return zc
}

// frame encodes one message frame.
func frame(body []byte, more bool) []byte {
	var flags byte
	if more {
		flags |= flagMore
	}
	if len(body) > 255 {
		return append(binary.BigEndian.AppendUint64([]byte{flags | flagLong}, uint64(len(body))), body...)
	}
	return append([]byte{flags, byte(len(body))}, body...)
}

// TestLargeFramesIntact: frames of every size class (short, long, and
// over holdOver, which are read ahead in full) arrive unchanged, and
// commands after the handshake are dropped.
func TestLargeFramesIntact(t *testing.T) {
	sizes := []int{0, 1, 255, 256, holdOver, holdOver + 1, 3 << 20}
	var stream []byte
	var want [][]byte
	for i, n := range sizes {
		body := bytes.Repeat([]byte{byte(i + 1)}, n)
		want = append(want, body)
		stream = append(stream, frame(body, i < len(sizes)-1)...)
	}
	stream = append(append([]byte{flagCommand, 5, 4, 'P', 'I', 'N', 'G'}, stream...), frame([]byte("next"), false)...)
	zc := openStream(t, Options{}, stream)
	m, err := zc.RecvMsg()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Frames) != len(want) {
		t.Fatalf("got %d frames, want %d", len(m.Frames), len(want))
	}
	for i := range want {
		if !bytes.Equal(m.Frames[i], want[i]) {
			t.Errorf("frame %d (%d bytes) changed", i, len(want[i]))
		}
	}
	m, err = zc.RecvMsg()
	if err != nil || len(m.Frames) != 1 || string(m.Frames[0]) != "next" {
		t.Errorf("second message %q, %v", m.Frames, err)
	}
}

// TestAnnouncedSizeNotAllocated: a peer that announces a 200 MiB frame
// (under MaxFrame) and sends 1 KiB of it costs about 1 KiB, not 200 MiB:
// zmq4, which allocates the announced size, never sees that header.
func TestAnnouncedSizeNotAllocated(t *testing.T) {
	stream := append(longFrame(200<<20), make([]byte, 1024)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	zc := openStream(t, Options{}, stream)
	if _, err := zc.RecvMsg(); err == nil {
		t.Fatal("a truncated frame was received")
	}
	runtime.ReadMemStats(&after)
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("allocated %d MiB for a 1 KiB partial frame", got>>20)
	}
}

// TestBigMessageOverSockets: a multi-megabyte multipart message crosses
// real tcpg sockets both ways.
func TestBigMessageOverSockets(t *testing.T) {
	setup(t, Options{})
	router, addr := listen(t, zmq4.NewRouter, Name)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	within(t, "a 4 MiB message each way", func() error {
		d := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()))
		defer d.Close()
		if err := d.Dial("tcp://" + addr); err != nil {
			return err
		}
		if err := d.SendMulti(zmq4.NewMsgFrom([]byte("small"), big, []byte("tail"))); err != nil {
			return err
		}
		m, err := router.Recv()
		if err != nil || len(m.Frames) != 4 || !bytes.Equal(m.Frames[2], big) || string(m.Frames[3]) != "tail" {
			return fmt.Errorf("router got %d frames, %v", len(m.Frames), err)
		}
		if err := router.Send(zmq4.NewMsgFrom(m.Frames[0], big, big)); err != nil {
			return err
		}
		m, err = d.Recv()
		if err != nil || len(m.Frames) != 2 || !bytes.Equal(m.Frames[0], big) || !bytes.Equal(m.Frames[1], big) {
			return fmt.Errorf("dealer got %d frames, %v", len(m.Frames), err)
		}
		return nil
	})
}
