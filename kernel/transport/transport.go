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
