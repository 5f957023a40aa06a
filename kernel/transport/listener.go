package transport

import (
	"errors"
	"net"
	"sync"
	"time"
)

// maxPending caps connections in their greeting at once; more are refused
// until some finish (each finishes within GreetingTimeout).
const maxPending = 1024

// listener accepts TCP connections on its own goroutine and gives each a
// goroutine that runs the greeting under a deadline (conn.prefetch).
// zmq4's accept loop, which calls Accept, only ever sees connections whose
// handshake input is already buffered. Close stops every goroutine it
// started and waits for them.
type listener struct {
	net.Listener
	opts  Options
	ready chan *conn
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once

	mu      sync.Mutex
	pending map[net.Conn]struct{} // in prefetch; closed by Close
}

func newListener(l net.Listener, opts Options) *listener {
	ln := &listener{
		Listener: l,
		opts:     opts,
		ready:    make(chan *conn),
		done:     make(chan struct{}),
		pending:  make(map[net.Conn]struct{}),
	}
	ln.wg.Add(1)
	go ln.serve()
	return ln
}

// serve accepts connections until Close.
func (l *listener) serve() {
	defer l.wg.Done()
	var backoff time.Duration
	for {
		raw, err := l.Listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) || l.isClosed() {
				return
			}
			// Out of file descriptors and the like: wait, as net/http does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			l.opts.Logf("tcpg: accept on %s: %v; retrying in %v", l.Addr(), err, backoff)
			select {
			case <-l.done:
				return
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		if !l.track(raw) {
			l.opts.Logf("tcpg: refusing %s: %d connections already in their greeting", raw.RemoteAddr(), maxPending)
			raw.Close()
			continue
		}
		l.wg.Add(1)
		go l.handshake(raw)
	}
}

// handshake prefetches raw's greeting and first command and queues the
// connection for Accept, or closes it.
func (l *listener) handshake(raw net.Conn) {
	defer l.wg.Done()
	c := newConn(raw, l.opts, true)
	err := c.prefetch(l.opts.GreetingTimeout)
	l.untrack(raw)
	if err != nil {
		if !l.isClosed() {
			l.opts.Logf("tcpg: dropping %s before the handshake: %v", raw.RemoteAddr(), err)
		}
		c.Close()
		return
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.Close()
	}
}

func (l *listener) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pending == nil || len(l.pending) >= maxPending {
		return false
	}
	l.pending[c] = struct{}{}
	return true
}

func (l *listener) untrack(c net.Conn) {
	l.mu.Lock()
	delete(l.pending, c)
	l.mu.Unlock()
}

func (l *listener) isClosed() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// Accept returns the next connection whose greeting has arrived.
func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops listening, closes connections still in their greeting and
// waits for the listener's goroutines.
func (l *listener) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
		l.mu.Lock()
		for c := range l.pending {
			c.Close()
		}
		l.pending = nil
		l.mu.Unlock()
		l.wg.Wait()
	})
	return err
}
