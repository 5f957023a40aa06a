// Package transport registers "tcpg", a guarded TCP transport for zmq4
// sockets, so that no single peer can stall, crash or starve a kernel.
//
// zmq4 v0.17.0 trusts its peers: its listener runs each ZMTP greeting and
// handshake inline in the accept loop with no deadline, so one silent
// connection blocks every later client (heartbeat included); it allocates
// whatever frame length a peer announces (2^62 bytes panics, 2^40 runs out
// of memory); it panics on a READY command with a short property or an
// unknown socket type; and a peer that stops reading blocks its writer,
// under a lock other peers share. tcpg fixes these without changing zmq4,
// by wrapping each net.Conn zmq4 is given:
//
//   - The listener sends the greeting and reads the peer's greeting and
//     first handshake command (READY) on a goroutine per connection, under
//     Options.GreetingTimeout, and checks them; zmq4's accept loop only
//     gets connections whose handshake it can run from memory. A peer
//     whose socket type cannot talk to the listening socket is closed
//     (zmq4 would refuse it but leave it open).
//   - Reads parse the ZMTP framing before zmq4 sees a frame header: frames
//     over Options.MaxFrame, messages over Options.MaxMessage bytes or
//     Options.MaxFrames frames, and framing errors close the connection.
//     Frames over 64 KiB are read in full before zmq4 sees their header,
//     so memory follows the bytes a peer sent, not the size it announced.
//     Commands after the handshake (PING, ...) are dropped.
//   - A PUB socket's peers may only send subscriptions (single frames
//     starting with 1 or 0) with topics up to 1 KiB, at most 64 per peer:
//     zmq4 queues anything else for a Recv that PUB never calls, and the
//     peer's reader then blocks forever holding its memory and socket.
//     Options.SocketLimits caps messages by the local socket's type (the
//     kernel's heartbeat only gets short pings).
//   - Writes are queued per connection and sent by its own goroutine, up
//     to message boundaries (one write per message), so zmq4's writers,
//     which serve peers one after another under a lock, never wait for the
//     network. A peer that takes nothing for Options.WriteTimeout, or lets
//     more than Options.MaxQueued bytes pile up, is disconnected, and
//     zmq4 removes it; the other peers are not delayed at all. On Close,
//     what is queued is sent within Options.Linger, and closing the
//     listening socket waits for that.
//   - On a ROUTER, a peer claiming the identity of a connected peer is
//     given a fresh one (zmq4 would send it copies of the other's
//     replies); see conn.checkPeer for why it is not refused.
//   - At most Options.MaxPending connections may be in their greeting at
//     once; when a new one arrives at the cap, the oldest is dropped, so a
//     flood of silent connections cannot lock real clients out.
//
// Only the NULL security mechanism is supported (what Jupyter uses).
//
// Use:
//
//	if err := transport.Register(transport.Options{}); err != nil { ... }
//	sock.Listen(transport.Endpoint(cf.Transport, cf.IP, cf.ShellPort))
package transport

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	zmqtransport "github.com/go-zeromq/zmq4/transport"
)

// Name is the zmq4 transport name Register installs ("tcpg://host:port").
const Name = "tcpg"

// Defaults for zero Options fields.
const (
	DefaultGreetingTimeout = 5 * time.Second
	DefaultWriteTimeout    = 10 * time.Second
	DefaultMaxFrame        = 256 << 20
	DefaultMaxMessage      = 256 << 20
	DefaultMaxFrames       = 1 << 14
	DefaultMaxQueued       = 256 << 20
	DefaultLinger          = time.Second
	DefaultMaxPending      = 1024
)

// Errors that end a connection; they reach zmq4 (and the log) wrapped in a
// *net.OpError.
var (
	// ErrProtocol: the peer broke ZMTP (bad greeting, reserved flag bits,
	// malformed READY metadata, a security mechanism other than NULL).
	ErrProtocol = errors.New("tcpg: ZMTP protocol error")
	// ErrFrameTooLarge: the peer announced a frame over MaxFrame.
	ErrFrameTooLarge = errors.New("tcpg: frame too large")
	// ErrMessageTooLarge: a multipart message exceeded MaxMessage bytes or
	// MaxFrames frames.
	ErrMessageTooLarge = errors.New("tcpg: message too large")
	// ErrWriteStalled: the peer took nothing within WriteTimeout, or let
	// more than MaxQueued bytes pile up.
	ErrWriteStalled = errors.New("tcpg: peer stopped reading")
)

// Options tune the guards. Zero fields take the defaults above.
type Options struct {
	// GreetingTimeout bounds the ZMTP greeting and the peer's first
	// handshake command on accepted connections.
	GreetingTimeout time.Duration
	// WriteTimeout is how long a peer may take no bytes at all while
	// output is queued for it; a negative value disables it.
	WriteTimeout time.Duration
	// MaxQueued caps the bytes queued for one peer beyond the message
	// being queued (a single message of any size is always taken).
	MaxQueued int64
	// Linger bounds sending what is queued when a connection closes.
	Linger time.Duration
	// MaxPending caps connections in their greeting at once.
	MaxPending int
	// SocketLimits caps the size of a message a peer may send, by the
	// local socket's type, below MaxMessage.
	SocketLimits map[zmq4.SocketType]int64
	// MaxFrame caps the size a peer may announce for one frame.
	MaxFrame int64
	// MaxMessage caps the total size of a multipart message from a peer.
	MaxMessage int64
	// MaxFrames caps the number of frames in a multipart message.
	MaxFrames int
	// Logf reports dropped connections and why; nil means log.Printf.
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() Options {
	if o.GreetingTimeout <= 0 {
		o.GreetingTimeout = DefaultGreetingTimeout
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.MaxFrame <= 0 {
		o.MaxFrame = DefaultMaxFrame
	}
	if o.MaxMessage <= 0 {
		o.MaxMessage = DefaultMaxMessage
	}
	if o.MaxFrames <= 0 {
		o.MaxFrames = DefaultMaxFrames
	}
	if o.MaxQueued <= 0 {
		o.MaxQueued = DefaultMaxQueued
	}
	if o.Linger <= 0 {
		o.Linger = DefaultLinger
	}
	if o.MaxPending <= 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.Logf == nil {
		o.Logf = log.Printf
	}
	return o
}

var (
	registerOnce sync.Once
	registerErr  error
	// current holds the options new listeners and dialed connections use.
	current atomic.Pointer[Options]
)

// Register installs the "tcpg" transport in zmq4 with opts. It may be
// called more than once: the transport is registered the first time, and
// every call replaces the options that sockets listening or dialing
// afterwards use.
func Register(opts Options) error {
	o := opts.withDefaults()
	current.Store(&o)
	registerOnce.Do(func() {
		registerErr = zmq4.RegisterTransport(Name, guarded{})
	})
	return registerErr
}

// Endpoint returns the zmq4 endpoint for a Jupyter connection file's
// transport, ip and port: "tcp" becomes the guarded "tcpg://ip:port";
// "ipc" (and anything else) follows Jupyter's "transport://ip-port" form
// and is not guarded.
func Endpoint(connFileTransport, ip string, port int) string {
	if connFileTransport == "tcp" {
		return Name + "://" + net.JoinHostPort(ip, strconv.Itoa(port))
	}
	return fmt.Sprintf("%s://%s-%d", connFileTransport, ip, port)
}

func options() Options {
	if o := current.Load(); o != nil {
		return *o
	}
	return Options{}.withDefaults()
}

// guarded is the zmq4 transport.Transport behind "tcpg".
type guarded struct{}

var tcp = zmqtransport.New("tcp")

// Dial connects to addr over TCP and guards the connection's reads and
// writes (the handshake runs in zmq4's Dial, which only blocks its caller).
func (guarded) Dial(ctx context.Context, d zmqtransport.Dialer, addr string) (net.Conn, error) {
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newConn(c, options(), nil), nil
}

// Listen listens on addr over TCP; see listener.
func (guarded) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return newListener(l, options()), nil
}

// Addr resolves an endpoint address as zmq4's tcp transport does
// ("*" is every interface, port "*" or "" is any port).
func (guarded) Addr(ep string) (string, error) { return tcp.Addr(ep) }

var _ zmqtransport.Transport = guarded{}
