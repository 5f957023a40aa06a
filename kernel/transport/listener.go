package transport

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// listener accepts TCP connections on its own goroutine and gives each a
// goroutine that runs the greeting under a deadline (conn.prefetch).
// zmq4's accept loop, which calls Accept, only ever sees connections whose
// handshake input is already buffered. The listener also keeps the
// connections it accepted (for the identities a ROUTER has in use) until
// their writers end. Close stops every goroutine it or its connections
// started and waits for them.
type listener struct {
	net.Listener
	opts  Options
	ready chan *conn
	done  chan struct{}
	wg    sync.WaitGroup // serve, handshakes, and the writers of accepted connections
	once  sync.Once

	mu      sync.Mutex
	closed  bool
	pending map[*conn]time.Time // in prefetch, since when
	live    map[*conn]struct{}  // accepted, writer still running
	ids     map[string]*conn    // identities of a ROUTER's peers
}

func newListener(l net.Listener, opts Options) *listener {
	ln := &listener{
		Listener: l,
		opts:     opts,
		ready:    make(chan *conn),
		done:     make(chan struct{}),
		pending:  make(map[*conn]time.Time),
		live:     make(map[*conn]struct{}),
		ids:      make(map[string]*conn),
	}
	ln.wg.Add(1)
	go ln.serve() // ends at Close
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
		if !l.admit(raw) {
			raw.Close()
			return
		}
	}
}

// admit wraps raw and starts its handshake. At the MaxPending cap the
// connection that has waited longest in its greeting makes room: a real
// client finishes its greeting in a round trip, so the oldest is the one
// least likely to be one. It reports false once the listener is closed.
func (l *listener) admit(raw net.Conn) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	var oldest *conn
	if len(l.pending) >= l.opts.MaxPending {
		for p, since := range l.pending {
			if oldest == nil || since.Before(l.pending[oldest]) {
				oldest = p
			}
		}
		delete(l.pending, oldest)
	}
	l.wg.Add(2) // the handshake, and the connection's writer
	c := newConn(raw, l.opts, l)
	l.pending[c] = time.Now()
	l.live[c] = struct{}{}
	l.mu.Unlock()
	if oldest != nil {
		l.opts.Logf("tcpg: dropping %s: %d connections in their greeting, and it waited longest", oldest.RemoteAddr(), l.opts.MaxPending)
		oldest.abort(oldest.opError("read", ErrProtocol))
	}
	go l.handshake(c) // ends within GreetingTimeout, or at Close
	return true
}

// handshake prefetches c's greeting and first command and queues the
// connection for Accept, or closes it.
func (l *listener) handshake(c *conn) {
	defer l.wg.Done()
	err := c.prefetch(l.opts.GreetingTimeout)
	l.mu.Lock()
	_, evicted := l.pending[c]
	evicted = !evicted
	delete(l.pending, c)
	l.mu.Unlock()
	if err != nil {
		if !l.isClosed() && !evicted {
			l.opts.Logf("tcpg: dropping %s before the handshake: %v", c.RemoteAddr(), err)
		}
		c.abort(c.opError("read", err))
		return
	}
	select {
	case l.ready <- c:
	case <-l.done:
		c.abort(c.opError("read", net.ErrClosed))
	}
}

// claimID records id as c's and returns it, or, if another live
// connection holds id, a fresh identity derived from it.
func (l *listener) claimID(id string, c *conn) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	claim := id
	for n := 1; ; n++ {
		if other, ok := l.ids[claim]; !ok || other == c {
			break
		}
		claim = fmt.Sprintf("%s~%d", id, n)
	}
	l.ids[claim] = c
	c.claimed = claim
	return claim
}

// release forgets c when its writer has ended.
func (l *listener) release(c *conn) {
	l.mu.Lock()
	delete(l.live, c)
	delete(l.pending, c)
	if c.claimed != "" && l.ids[c.claimed] == c {
		delete(l.ids, c.claimed)
	}
	l.mu.Unlock()
	l.wg.Done()
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

// Close stops listening, closes connections still in their greeting,
// closes the accepted ones (each sends what is queued within Linger) and
// waits for all their goroutines.
func (l *listener) Close() error {
	err := net.ErrClosed
	l.once.Do(func() {
		close(l.done)
		err = l.Listener.Close()
		l.mu.Lock()
		l.closed = true
		var pending, live []*conn
		for c := range l.pending {
			pending = append(pending, c)
		}
		for c := range l.live {
			if _, ok := l.pending[c]; !ok {
				live = append(live, c)
			}
		}
		l.mu.Unlock()
		for _, c := range pending {
			c.abort(c.opError("read", net.ErrClosed))
		}
		for _, c := range live {
			c.Close()
		}
		l.wg.Wait()
	})
	return err
}
