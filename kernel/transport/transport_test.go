package transport

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// bound is how long a test waits for something that should happen at
// once; reaching it is a failure, never a measurement.
const bound = 20 * time.Second

// logs collects the transport's log lines for a test.
type logs struct {
	mu    sync.Mutex
	lines []string
	added chan struct{} // closed and replaced when a line is added
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
	if l.added != nil {
		close(l.added)
		l.added = nil
	}
	l.mu.Unlock()
}

// waitFor waits until a line containing s is logged, and reports whether
// one was within bound.
func (l *logs) waitFor(s string) bool {
	timeout := time.After(bound)
	for {
		l.mu.Lock()
		for _, line := range l.lines {
			if strings.Contains(line, s) {
				l.mu.Unlock()
				return true
			}
		}
		if l.added == nil {
			l.added = make(chan struct{})
		}
		added := l.added
		l.mu.Unlock()
		select {
		case <-added:
		case <-timeout:
			return false
		}
	}
}

func (l *logs) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// setup registers tcpg with opts (plus a log collector) for one test.
func setup(t testing.TB, opts Options) *logs {
	t.Helper()
	l := &logs{}
	opts.Logf = l.logf
	if err := Register(opts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { Register(Options{Logf: func(string, ...any) {}}) })
	return l
}

// kinds are the socket types a kernel binds, with the client type that
// talks to each.
var kinds = []struct {
	name         string
	server       func(context.Context, ...zmq4.Option) zmq4.Socket
	client       func(context.Context, ...zmq4.Option) zmq4.Socket
	clientType   string
	exchangeWith func(server, client zmq4.Socket) error
}{
	{"ROUTER", zmq4.NewRouter, zmq4.NewDealer, "DEALER", exchangeRouter},
	{"REP", zmq4.NewRep, zmq4.NewReq, "REQ", exchangeRep},
	{"PUB", zmq4.NewPub, zmq4.NewSub, "SUB", exchangePub},
}

// listen binds a server socket of kind on a free loopback port of
// transport network and returns it with its tcp:// address.
func listen(t testing.TB, newSock func(context.Context, ...zmq4.Option) zmq4.Socket, network string) (zmq4.Socket, string) {
	t.Helper()
	s := newSock(context.Background(), zmq4.WithLogger(quietLogger()))
	if err := s.Listen(network + "://127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, s.Addr().String()
}

// within runs f and fails the test if it returns an error or does not
// return within bound. (f must not call t's methods: after a timeout it
// may still be running when the test has ended.)
func within(t testing.TB, what string, f func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(bound):
		t.Fatalf("%s: still blocked after %v", what, bound)
	}
}

// checkClient dials a real zmq4 client of kind k to addr over plain tcp,
// as a Jupyter client would, and checks it can exchange messages.
func checkClient(t *testing.T, k int, server zmq4.Socket, addr string) {
	t.Helper()
	kind := kinds[k]
	within(t, kind.name+": a real client connects and exchanges messages", func() error {
		c := kind.client(context.Background(), zmq4.WithLogger(quietLogger()), zmq4.WithDialerMaxRetries(0))
		defer c.Close()
		if err := c.Dial("tcp://" + addr); err != nil {
			return err
		}
		return kind.exchangeWith(server, c)
	})
}

func exchangeRouter(router, dealer zmq4.Socket) error {
	if err := dealer.Send(zmq4.NewMsgFrom([]byte("hello"), []byte("kernel"))); err != nil {
		return err
	}
	req, err := router.Recv()
	if err != nil || len(req.Frames) != 3 || string(req.Frames[1]) != "hello" {
		return fmt.Errorf("router got %q, %v", req.Frames, err)
	}
	if err := router.Send(zmq4.NewMsgFrom(req.Frames[0], []byte("world"))); err != nil {
		return err
	}
	rep, err := dealer.Recv()
	if err != nil || string(rep.Frames[0]) != "world" {
		return fmt.Errorf("dealer got %q, %v", rep.Frames, err)
	}
	return nil
}

func exchangeRep(rep, req zmq4.Socket) error {
	if err := req.Send(zmq4.NewMsgString("ping")); err != nil {
		return err
	}
	m, err := rep.Recv()
	if err != nil || string(m.Frames[0]) != "ping" {
		return fmt.Errorf("rep got %q, %v", m.Frames, err)
	}
	if err := rep.Send(zmq4.NewMsgString("pong")); err != nil {
		return err
	}
	m, err = req.Recv()
	if err != nil || string(m.Frames[0]) != "pong" {
		return fmt.Errorf("req got %q, %v", m.Frames, err)
	}
	return nil
}

// exchangePub publishes until the subscriber hears one message (a SUB
// only receives what is sent after its subscription arrived).
func exchangePub(pub, sub zmq4.Socket) error {
	if err := sub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		return err
	}
	defer keepPublishing(pub, []byte("status"), []byte("idle"))()
	m, err := sub.Recv()
	if err != nil || len(m.Frames) != 2 || string(m.Frames[1]) != "idle" {
		return fmt.Errorf("sub got %q, %v", m.Frames, err)
	}
	return nil
}

// keepPublishing publishes frames every 10 ms until the returned stop is
// called: a subscription reaches a PUB some time after the SUB connects,
// and what is published before it arrives is not delivered.
func keepPublishing(pub zmq4.Socket, frames ...[]byte) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() { // ends when stop is called, which waits for it
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
				pub.Send(zmq4.NewMsgFrom(frames...))
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// quietLogger silences zmq4's own logging (it reports every refused peer).
func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func TestRealClients(t *testing.T) {
	setup(t, Options{})
	for i, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			server, addr := listen(t, k.server, Name)
			for range 3 {
				checkClient(t, i, server, addr)
			}
		})
	}
}

// rawPeer dials addr, sends the first n bytes of a greeting (and, for
// n < 0, completes the whole NULL handshake as sockType) and returns the
// connection. rcvbuf > 0 shrinks its receive buffer before connecting.
func rawPeer(t testing.TB, addr string, n int, sockType string, rcvbuf int) net.Conn {
	t.Helper()
	d := net.Dialer{Timeout: bound}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			return rc.Control(func(fd uintptr) {
				setRcvbuf(fd, rcvbuf)
			})
		}
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	g := ourGreeting
	if n >= 0 {
		if _, err := c.Write(g[:n]); err != nil {
			t.Fatal(err)
		}
		return c
	}
	c.SetDeadline(time.Now().Add(bound))
	defer c.SetDeadline(time.Time{})
	if _, err := c.Write(g[:]); err != nil {
		t.Fatal(err)
	}
	var peer [greetingLen]byte
	if _, err := io.ReadFull(c, peer[:]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(readyFrame(sockType)); err != nil {
		t.Fatal(err)
	}
	var hdr [2]byte
	if _, err := io.ReadFull(c, hdr[:]); err != nil || hdr[0] != flagCommand {
		t.Fatalf("server READY header % x, %v", hdr, err)
	}
	if _, err := io.ReadFull(c, make([]byte, hdr[1])); err != nil {
		t.Fatal(err)
	}
	return c
}

// readyFrame is a NULL-mechanism READY command for sockType.
func readyFrame(sockType string) []byte { return readyWith("Socket-Type", sockType) }

// readyWith is a READY command with properties (name, value, ...).
func readyWith(kv ...string) []byte {
	body := []byte("\x05READY")
	for i := 0; i+1 < len(kv); i += 2 {
		key, value := kv[i], kv[i+1]
		body = append(body, byte(len(key)))
		body = append(body, key...)
		body = binary.BigEndian.AppendUint32(body, uint32(len(value)))
		body = append(body, value...)
	}
	return append([]byte{flagCommand, byte(len(body))}, body...)
}

// longFrame is the 9-byte header of a message frame announcing size bytes.
func longFrame(size uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{flagLong}, size)
}

// TestStalledGreeting: peers that connect and say nothing, or stop inside
// the greeting, must not keep a real client from connecting. The greeting
// timeout is longer than the test's bound, so a pass means the client did
// not wait for the stalled peers at all.
func TestStalledGreeting(t *testing.T) {
	setup(t, Options{GreetingTimeout: 2 * bound})
	for i, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			server, addr := listen(t, k.server, Name)
			for _, n := range []int{0, 10, 11, 64} {
				rawPeer(t, addr, n, "", 0)
			}
			checkClient(t, i, server, addr)
		})
	}
}

// TestGreetingTimeout: a stalled peer is disconnected after the timeout.
func TestGreetingTimeout(t *testing.T) {
	logs := setup(t, Options{GreetingTimeout: 200 * time.Millisecond})
	_, addr := listen(t, zmq4.NewRouter, Name)
	c := rawPeer(t, addr, 10, "", 0)
	expectClosed(t, c)
	if !logs.has("before the handshake") {
		t.Errorf("no log line for the dropped peer; logs:\n%s", logs)
	}
}

// expectClosed reads c until the server closes it, discarding what the
// server sent first (its greeting).
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(bound))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("server did not close the connection within %v", bound)
	}
}

// TestHugeFrame: a peer announcing a 2^62- or 2^40-byte frame is cut off
// before zmq4 allocates; the process survives and real clients still work.
func TestHugeFrame(t *testing.T) {
	for _, size := range []uint64{1 << 62, 1 << 40, DefaultMaxFrame + 1} {
		for i, k := range kinds {
			t.Run(fmt.Sprintf("%s/%d", k.name, size), func(t *testing.T) {
				checkRefused(t, i, Options{}, true, longFrame(size), "frame too large")
			})
		}
	}
}

// checkRefused connects a raw peer to a fresh tcpg server of kind k (after
// a whole handshake when handshake is set), sends input, and checks that
// the server closes that connection, logs wantLog, and still serves a real
// client.
func checkRefused(t *testing.T, k int, opts Options, handshake bool, input []byte, wantLog string) {
	t.Helper()
	logs := setup(t, opts)
	server, addr := listen(t, kinds[k].server, Name)
	greet := 0
	if handshake {
		greet = -1
	}
	c := rawPeer(t, addr, greet, kinds[k].clientType, 0)
	// The server may close before it has read all of input: a write
	// error is one way to see the connection closed.
	if _, err := c.Write(input); err == nil {
		expectClosed(t, c)
	}
	if !logs.has(wantLog) {
		t.Errorf("log does not say %q:\n%s", wantLog, logs)
	}
	checkClient(t, k, server, addr)
}

// TestMessageLimits: per-message byte and frame caps, and bad framing.
func TestMessageLimits(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		input []byte
		log   string
	}{
		{"frame over MaxFrame", Options{MaxFrame: 100}, []byte{0, 101}, "frame too large"},
		{"message over MaxMessage", Options{MaxMessage: 300},
			append(append([]byte{flagMore, 200}, make([]byte, 200)...), 0, 200), "message too large"},
		{"too many frames", Options{MaxFrames: 3}, []byte{1, 0, 1, 0, 1, 0, 1, 0}, "more than 3 frames"},
		{"reserved flags", Options{}, []byte{0x80, 0}, "reserved frame flag"},
		{"command with MORE", Options{}, []byte{flagCommand | flagMore, 0}, "command frame with MORE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRefused(t, 0, tt.opts, true, tt.input, tt.log) })
	}
}

// TestBadHandshake: peers that break the handshake are dropped before zmq4
// sees them (a short READY property would panic zmq4's parser).
func TestBadHandshake(t *testing.T) {
	shortProp := append([]byte{flagCommand, 8}, "\x05READY\x0bS"...)
	plain := ourGreeting
	copy(plain[12:32], "PLAIN")
	tests := []struct {
		name  string
		input []byte
		log   string
	}{
		{"bad signature", bytes.Repeat([]byte{0xAA}, greetingLen), "not a ZMTP 3 signature"},
		{"ZMTP 2", append(append([]byte{}, ourGreeting[:10]...), append([]byte{1}, make([]byte, 53)...)...), "ZMTP version 1"},
		{"PLAIN mechanism", plain[:], "only NULL"},
		{"message before READY", append(ourGreeting[:], 0, 1, 'x'), "message frame before the handshake"},
		{"short READY property", append(ourGreeting[:], shortProp...), "READY property truncated"},
		{"huge READY", append(ourGreeting[:], append([]byte{flagCommand | flagLong}, longFrame(1 << 20)[1:]...)...), "handshake command"},
		{"empty command", append(ourGreeting[:], flagCommand, 0), "malformed command"},
		{"READY without Socket-Type", append(ourGreeting[:], flagCommand, 6, 5, 'R', 'E', 'A', 'D', 'Y'), `socket type ""`},
		{"unknown socket type", append(ourGreeting[:], readyFrame("dealer")...), `socket type "dealer"`},
		{"SOCKET-TYPE (zmq4 would not find it)", append(ourGreeting[:], readyWith("SOCKET-TYPE", "DEALER")...), `socket type ""`},
		{"non-ASCII property name", append(ourGreeting[:], readyWith("\u017focket-type", "DEALER")...), "property name"},
		{"incompatible socket type", append(ourGreeting[:], readyFrame("PUB")...), "a PUB cannot talk to this ROUTER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRefused(t, 0, Options{}, false, tt.input, tt.log) })
	}
}

// TestStalledSubscriber: a subscriber that stops reading is dropped after
// WriteTimeout, and a healthy subscriber receives every message.
func TestStalledSubscriber(t *testing.T) {
	logs := setup(t, Options{WriteTimeout: 300 * time.Millisecond})
	stalledSubscriber(t)
	if !logs.waitFor("peer stopped reading") {
		t.Errorf("the stalled subscriber was not dropped; logs:\n%s", logs)
	}
}

// TestStalledSubscriberDelaysNobody: while a subscriber that stopped
// reading is still connected (its WriteTimeout is longer than the test's
// bound), a healthy subscriber receives the whole stream without waiting
// for it. zmq4's PUB writes to its peers one after another, so a blocking
// write to the stuck one would hold everyone's output for WriteTimeout.
func TestStalledSubscriberDelaysNobody(t *testing.T) {
	setup(t, Options{WriteTimeout: 2 * bound})
	stalledSubscriber(t)
}

// stalledSubscriber connects a subscriber that stops reading and a healthy
// one, publishes more than any socket buffer holds, and checks the
// healthy one receives all of it within bound.
func stalledSubscriber(t *testing.T) {
	t.Helper()
	pub, addr := listen(t, zmq4.NewPub, Name)

	// The stalled peer: handshake, subscribe to everything, read until
	// messages flow, then never read again.
	stalled := rawPeer(t, addr, -1, "SUB", 4096)
	if _, err := stalled.Write([]byte{0, 1, 1}); err != nil {
		t.Fatal(err)
	}
	sub := zmq4.NewSub(context.Background(), zmq4.WithLogger(quietLogger()))
	defer sub.Close()
	if err := sub.Dial("tcp://" + addr); err != nil {
		t.Fatal(err)
	}
	within(t, "both subscribers hear the warm-up", func() error { return exchangePub(pub, sub) })
	within(t, "the stalled peer hears the warm-up", func() error {
		_, err := stalled.Read(make([]byte, 1))
		return err
	})
	// Drain warm-up messages still queued for the healthy subscriber.
	pub.Send(zmq4.NewMsgFrom([]byte("status"), []byte("start")))
	within(t, "warm-up drained", func() error {
		for {
			m, err := sub.Recv()
			if err != nil || string(m.Frames[1]) == "start" {
				return err
			}
		}
	})

	const n = 200
	payload := bytes.Repeat([]byte("x"), 64<<10) // 12.8 MB in all: more than any socket buffer
	go func() {
		for i := range n {
			pub.Send(zmq4.NewMsgFrom([]byte("stream"), fmt.Appendf(nil, "%d", i), payload))
		}
	}()
	within(t, "the healthy subscriber receives the whole stream", func() error {
		for i := range n {
			m, err := sub.Recv()
			if err != nil {
				return fmt.Errorf("message %d: %v", i, err)
			}
			if len(m.Frames) != 3 || string(m.Frames[1]) != fmt.Sprint(i) || len(m.Frames[2]) != len(payload) {
				return fmt.Errorf("message %d: got %d frames, seq %q", i, len(m.Frames), m.Frames[1])
			}
		}
		return nil
	})
}

// TestDial: a tcpg client talks to a tcpg server and to a plain one.
func TestDial(t *testing.T) {
	setup(t, Options{})
	for _, network := range []string{Name, "tcp"} {
		t.Run(network, func(t *testing.T) {
			router, addr := listen(t, zmq4.NewRouter, network)
			within(t, "tcpg dealer exchange", func() error {
				d := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()))
				defer d.Close()
				if err := d.Dial(Name + "://" + addr); err != nil {
					return err
				}
				return exchangeRouter(router, d)
			})
		})
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		transport, ip string
		port          int
		want          string
	}{
		{"tcp", "127.0.0.1", 5555, "tcpg://127.0.0.1:5555"},
		{"tcp", "0.0.0.0", 1, "tcpg://0.0.0.0:1"},
		{"tcp", "::1", 9000, "tcpg://[::1]:9000"},
		{"ipc", "/tmp/kernel-abc", 3, "ipc:///tmp/kernel-abc-3"},
		{"ipc", "kernel-ipc", 4, "ipc://kernel-ipc-4"},
	}
	for _, tt := range tests {
		if got := Endpoint(tt.transport, tt.ip, tt.port); got != tt.want {
			t.Errorf("Endpoint(%q, %q, %d) = %q, want %q", tt.transport, tt.ip, tt.port, got, tt.want)
		}
	}
}

func TestRegisterIdempotent(t *testing.T) {
	for range 3 {
		if err := Register(Options{}); err != nil {
			t.Fatal(err)
		}
	}
	found := false
	for _, name := range zmq4.Transports() {
		found = found || name == Name
	}
	if !found {
		t.Errorf("zmq4.Transports() = %v, no %s", zmq4.Transports(), Name)
	}
}

// TestLibzmqClients talks to tcpg servers from libzmq (pyzmq), the library
// Jupyter clients use. libzmq sends its greeting in steps (signature, then
// the rest once it has seen ours), which the listener's greeting must allow.
func TestLibzmqClients(t *testing.T) {
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import zmq").Run(); err != nil {
		t.Skipf("pyzmq not available: %v", err)
	}
	setup(t, Options{GreetingTimeout: 2 * bound})
	router, raddr := listen(t, zmq4.NewRouter, Name)
	rep, paddr := listen(t, zmq4.NewRep, Name)
	pub, baddr := listen(t, zmq4.NewPub, Name)
	// A stalled peer on each socket first: libzmq must get through anyway.
	for _, a := range []string{raddr, paddr, baddr} {
		rawPeer(t, a, 10, "", 0)
	}

	script := `
import sys, zmq
ctx = zmq.Context()
raddr, paddr, baddr = sys.argv[1:4]
d = ctx.socket(zmq.DEALER); d.connect("tcp://" + raddr)
d.send_multipart([b"hello", b"from libzmq"])
print("dealer", d.recv_multipart())
r = ctx.socket(zmq.REQ); r.connect("tcp://" + paddr)
r.send(b"ping")
print("req", r.recv())
s = ctx.socket(zmq.SUB); s.connect("tcp://" + baddr); s.setsockopt(zmq.SUBSCRIBE, b"")
print("sub", s.recv_multipart())
sys.stdout.flush()
`
	cmd := exec.Command(py, "-c", script, raddr, paddr, baddr)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	within(t, "libzmq DEALER -> ROUTER", func() error {
		m, err := router.Recv()
		if err != nil || len(m.Frames) != 3 || string(m.Frames[2]) != "from libzmq" {
			return fmt.Errorf("router got %q, %v", m.Frames, err)
		}
		return router.Send(zmq4.NewMsgFrom(m.Frames[0], []byte("world")))
	})
	within(t, "libzmq REQ -> REP", func() error {
		m, err := rep.Recv()
		if err != nil || string(m.Frames[0]) != "ping" {
			return fmt.Errorf("rep got %q, %v", m.Frames, err)
		}
		return rep.Send(zmq4.NewMsgString("pong"))
	})
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	within(t, "libzmq SUB <- PUB", func() error {
		for {
			select {
			case err := <-exited:
				if err != nil {
					return fmt.Errorf("python: %v\n%s", err, out.String())
				}
				return nil
			case <-time.After(10 * time.Millisecond):
				pub.Send(zmq4.NewMsgFrom([]byte("status"), []byte("idle")))
			}
		}
	})
	want := "dealer [b'world']\nreq b'pong'\nsub [b'status', b'idle']\n"
	if out.String() != want {
		t.Errorf("libzmq side printed:\n%s\nwant:\n%s", out.String(), want)
	}
}

// TestStalledRouterClient: a shell client that sends requests but never
// reads replies is dropped after WriteTimeout (Send to it never blocks,
// and fails once it is gone), and other clients are served.
func TestStalledRouterClient(t *testing.T) {
	logs := setup(t, Options{WriteTimeout: 300 * time.Millisecond})
	router, addr := listen(t, zmq4.NewRouter, Name)
	stalled := rawPeer(t, addr, -1, "DEALER", 4096)
	if _, err := stalled.Write([]byte{0, 7, 'r', 'e', 'q', 'u', 'e', 's', 't'}); err != nil {
		t.Fatal(err)
	}
	var id []byte
	within(t, "the request of the stalled client arrives", func() error {
		m, err := router.Recv()
		if err != nil || len(m.Frames) != 2 {
			return fmt.Errorf("router got %q, %v", m.Frames, err)
		}
		id = m.Frames[0]
		return nil
	})
	big := make([]byte, 64<<10)
	within(t, "replies to the stalled client never block, and it is dropped", func() error {
		for range 100000 {
			if err := router.Send(zmq4.NewMsgFrom(id, big)); err != nil || logs.has("peer stopped reading") {
				return nil
			}
		}
		return fmt.Errorf("100000 replies of 64 KiB went to a client that reads nothing")
	})
	if !logs.waitFor("peer stopped reading") {
		t.Errorf("no log line for the stalled client; logs:\n%s", logs)
	}
	checkClient(t, 0, router, addr)
}

func TestCheckCommand(t *testing.T) {
	body := func(frame []byte) []byte { return frame[2:] }
	tests := []struct {
		name    string
		body    []byte
		want    string
		wantErr bool
	}{
		{"READY", body(readyFrame("DEALER")), "DEALER", false},
		{"lower-case name, as zmq4 title-cases it", body(readyWith("socket-type", "REQ")), "REQ", false},
		{"Socket-type", body(readyWith("Socket-type", "SUB")), "SUB", false},
		{"upper-case name", body(readyWith("SOCKET-TYPE", "REQ")), "", true},
		{"other command", []byte("\x04PING"), "", false},
		{"name too long", []byte("\x09PING"), "", true},
		{"empty", nil, "", true},
		{"value truncated", body(readyFrame("DEALER"))[:20], "", true},
		{"empty property name", body(readyWith("", "x")), "", true},
	}
	for _, tt := range tests {
		got, err := checkCommand(tt.body)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: checkCommand = %q, %v; want %q, error %v", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestIdleClientSurvives: the greeting deadline ends with the handshake;
// a client that stays quiet longer than GreetingTimeout (and WriteTimeout)
// afterwards is still served.
func TestIdleClientSurvives(t *testing.T) {
	setup(t, Options{GreetingTimeout: 100 * time.Millisecond, WriteTimeout: 100 * time.Millisecond})
	router, addr := listen(t, zmq4.NewRouter, Name)
	d := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()))
	defer d.Close()
	if err := d.Dial("tcp://" + addr); err != nil {
		t.Fatal(err)
	}
	within(t, "first exchange", func() error { return exchangeRouter(router, d) })
	time.Sleep(500 * time.Millisecond)
	within(t, "exchange after idling", func() error { return exchangeRouter(router, d) })
}
