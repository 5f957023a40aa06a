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
//   - Writes are coalesced up to message boundaries (one writev per
//     message) and each flush has Options.WriteTimeout to complete; a
//     peer that does not take a message in time is disconnected, and zmq4
//     removes it and carries on with the others.
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
	// ErrWriteStalled: the peer did not take a message within WriteTimeout.
	ErrWriteStalled = errors.New("tcpg: peer stopped reading")
)

// Options tune the guards. Zero fields take the defaults above.
type Options struct {
	// GreetingTimeout bounds the ZMTP greeting and the peer's first
	// handshake command on accepted connections.
	GreetingTimeout time.Duration
	// WriteTimeout bounds each flush of (at most) one message to a peer;
	// a negative value disables it.
	WriteTimeout time.Duration
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
	return newConn(c, options(), false), nil
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
