package transport

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"
)

// Writes are queued: zmq4's Write returns once the bytes are copied, and a
// goroutine per connection sends them with one writev per batch. Queued
// bytes are handed to that goroutine at message boundaries, or in pieces
// of handOver bytes for a large message. Small writes share segments of
// segSize bytes (one is kept for reuse); a write of ownSegment bytes or
// more is copied once into a segment of its own.
const (
	handOver   = 64 << 10
	segSize    = 16 << 10
	ownSegment = 4 << 10
)

// Read states: the peer's greeting, its first (handshake) command, frames.
const (
	readGreeting = iota
	readHandshake
	readFrames
)

// conn is the net.Conn zmq4 gets. Reads pass through a ZMTP frame parser
// that checks each header before zmq4 sees it; writes are queued and sent
// by the connection's own goroutine (writeLoop), so a peer that stops
// reading blocks nobody: it is dropped when it takes nothing for
// WriteTimeout or lets more than MaxQueued bytes pile up.
//
// zmq4 reads a connection from one goroutine at a time (its Open, then one
// reader goroutine), so the read side needs no lock; writes can come from
// several goroutines and take wmu.
type conn struct {
	net.Conn
	opts Options
	br   *bufio.Reader
	ln   *listener // the listener that accepted the connection; nil if dialed

	// read side
	rstate    int
	rleft     uint64   // bytes zmq4 may read before the next header check
	held      [][]byte // a large frame read ahead in full; zmq4 reads it first
	msgSize   uint64   // bytes so far in the current multipart message
	msgFrames int      // frames so far in the current multipart message
	rerr      error    // sticky: the guard closed the connection
	peerType  string   // the peer's READY Socket-Type (accepted connections)
	peerID    string   // the peer's READY Identity (accepted connections)
	peerReady []byte   // the peer's READY body (accepted connections)
	maxMsg    int64    // MaxMessage, or the local socket type's limit
	subOnly   bool     // the local socket is a PUB: only (un)subscriptions are legal
	topics    map[string]struct{}

	// write side, under wmu
	wmu      sync.Mutex
	wcond    *sync.Cond // the writer waits here for bytes or Close
	wskip    int        // greeting bytes zmq4 writes that were already sent for it
	wpass    int        // greeting bytes to send as they come (dialed connections)
	whdr     [9]byte
	whn      int      // bytes of an outgoing frame header seen so far
	wleft    uint64   // bytes left in the outgoing frame body
	wmore    bool     // the outgoing frame has the MORE flag
	wcmd     bool     // the outgoing frame is a command
	wready   bool     // zmq4's first command (READY) went out
	wcmdBody []byte   // the body of that first command, as it is written
	ourType  string   // the local socket's type, from that READY
	override []byte   // a READY frame zmq4 reads instead of the peer's
	wq       [][]byte // segments queued for the writer, in order
	wqBytes  int64    // bytes in wq
	wopen    bool     // small writes may still be appended to wq's last segment
	wsend    int      // segments at the front of wq the writer may take
	wheld    int      // bytes queued since the last hand-over
	wbacklog bool     // wq held earlier messages when the current one began
	spare    []byte   // a small segment to reuse
	werr     error    // sticky: the connection failed or was closed
	closing  bool     // Close was called: send what is queued, then close
	wdone    chan struct{}

	claimed string // the identity this connection holds on its listener, under ln.mu
}

// newConn wraps c and starts its writer. An accepted connection (ln not
// nil) had the greeting sent for it by the listener (zmq4's copy is
// dropped), and ln tracks it until its writer ends; a dialed one sends
// zmq4's own greeting.
func newConn(c net.Conn, opts Options, ln *listener) *conn {
	g := &conn{Conn: c, opts: opts, ln: ln, br: bufio.NewReaderSize(c, readBufSize), maxMsg: opts.MaxMessage,
		wdone: make(chan struct{})}
	g.wcond = sync.NewCond(&g.wmu)
	if ln != nil {
		g.wskip = greetingLen
	} else {
		g.wpass = greetingLen
	}
	go g.writeLoop() // owned by g: ends when g is closed or fails; ln waits for it
	return g
}

// prefetch runs on a listener's per-connection goroutine: it sends our
// greeting and buffers the peer's greeting and first command, all within
// timeout, so that zmq4's handshake on this connection never waits for the
// network. libzmq sends only its 10-byte signature before it hears ours,
// which is why the greeting goes out first.
func (c *conn) prefetch(timeout time.Duration) error {
	c.Conn.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Conn.Write(ourGreeting[:]); err != nil {
		return fmt.Errorf("send greeting: %w", err)
	}
	g, err := c.br.Peek(greetingLen)
	if err != nil {
		return fmt.Errorf("read greeting (%d of %d bytes): %w", len(g), greetingLen, err)
	}
	if err := checkGreeting(g); err != nil {
		return err
	}
	if _, err := c.firstCommand(greetingLen); err != nil {
		return fmt.Errorf("read handshake: %w", err)
	}
	return c.Conn.SetDeadline(time.Time{})
}

// peekHeader decodes the frame header at offset off of the read buffer,
// reading just enough to hold it.
func (c *conn) peekHeader(off int) (flags byte, size uint64, hlen int, err error) {
	need := 2
	for {
		b, err := c.br.Peek(off + need)
		if err != nil {
			return 0, 0, 0, err
		}
		flags, size, hlen, need = frameHeader(b[off:])
		if need == 0 {
			break
		}
	}
	if flags&^flagsKnown != 0 {
		return 0, 0, 0, fmt.Errorf("%w: reserved frame flag bits set (%#02x)", ErrProtocol, flags)
	}
	if flags&flagCommand != 0 && flags&flagMore != 0 {
		return 0, 0, 0, fmt.Errorf("%w: command frame with MORE set", ErrProtocol)
	}
	if size > uint64(c.opts.MaxFrame) {
		return 0, 0, 0, fmt.Errorf("%w: peer announced %d bytes, limit %d", ErrFrameTooLarge, size, c.opts.MaxFrame)
	}
	return flags, size, hlen, nil
}

// firstCommand buffers and checks the handshake command at offset off and
// returns its length on the wire.
func (c *conn) firstCommand(off int) (int, error) {
	flags, size, hlen, err := c.peekHeader(off)
	if err != nil {
		return 0, err
	}
	if flags&flagCommand == 0 {
		return 0, fmt.Errorf("%w: message frame before the handshake", ErrProtocol)
	}
	if size > maxHandshake {
		return 0, fmt.Errorf("%w: %d-byte handshake command, limit %d", ErrProtocol, size, maxHandshake)
	}
	n := hlen + int(size)
	b, err := c.br.Peek(off + n)
	if err != nil {
		return 0, err
	}
	body := b[off+hlen:]
	c.peerType, err = checkCommand(body)
	if err == nil && c.ln != nil {
		c.peerID = readyProperty(body, isIdentityKey)
		c.peerReady = append([]byte(nil), body...)
	}
	return n, err
}

// Read gives zmq4 at most the rest of the current greeting or frame, after
// checking each frame header against the limits.
func (c *conn) Read(p []byte) (int, error) {
	if c.rerr != nil {
		return 0, c.rerr
	}
	if len(p) == 0 {
		return 0, nil
	}
	for c.rleft == 0 && len(c.held) == 0 {
		if err := c.next(); err != nil {
			// Sticky: after an error the stream position is lost.
			c.rerr = c.readFailed(err)
			return 0, c.rerr
		}
	}
	if len(c.held) > 0 {
		n := copy(p, c.held[0])
		if c.held[0] = c.held[0][n:]; len(c.held[0]) == 0 {
			c.held[0] = nil // let the chunk go as soon as zmq4 has it
			c.held = c.held[1:]
		}
		return n, nil
	}
	if uint64(len(p)) > c.rleft {
		p = p[:c.rleft]
	}
	n, err := c.br.Read(p)
	c.rleft -= uint64(n)
	return n, err
}

// next checks what comes next on the read side and sets rleft to its
// length. Commands after the handshake (PING, ...) are dropped: zmq4's
// socket readers would pass them to the application as messages.
func (c *conn) next() error {
	switch c.rstate {
	case readGreeting:
		g, err := c.br.Peek(greetingLen)
		if err != nil {
			return err
		}
		if err := checkGreeting(g); err != nil {
			return err
		}
		c.rstate, c.rleft = readHandshake, greetingLen
		return nil
	case readHandshake:
		n, err := c.firstCommand(0)
		if err != nil {
			return err
		}
		c.rstate, c.rleft = readFrames, uint64(n)
		c.wmu.Lock()
		override := c.override
		c.wmu.Unlock()
		if override != nil {
			if _, err := c.br.Discard(n); err != nil {
				return err
			}
			c.rleft, c.held = 0, [][]byte{override}
		}
		c.setLimits()
		return nil
	}

	flags, size, hlen, err := c.peekHeader(0)
	if err != nil {
		return err
	}
	if flags&flagCommand != 0 {
		_, err := c.br.Discard(hlen + int(size))
		return err
	}
	c.msgSize += size
	c.msgFrames++
	if c.msgSize > uint64(c.maxMsg) {
		return fmt.Errorf("%w: more than %d bytes", ErrMessageTooLarge, c.maxMsg)
	}
	if c.msgFrames > c.opts.MaxFrames {
		return fmt.Errorf("%w: more than %d frames", ErrMessageTooLarge, c.opts.MaxFrames)
	}
	if flags&flagMore == 0 {
		c.msgSize, c.msgFrames = 0, 0
	}
	if c.subOnly {
		return c.subscription(flags, size, hlen)
	}
	if size > holdOver {
		return c.hold(uint64(hlen) + size)
	}
	c.rleft = uint64(hlen) + size
	return nil
}

// hold reads a large frame (header and body, n bytes) in full before zmq4
// sees its header: zmq4 allocates the announced size at once, so a peer
// that announces MaxFrame bytes and sends a few would cost MaxFrame per
// connection. The frame is kept in chunks of growing size, allocated only
// as bytes arrive, and Read hands them to zmq4 without another copy.
func (c *conn) hold(n uint64) error {
	size := uint64(holdOver)
	for n > 0 {
		size = min(2*size, n, maxHoldChunk)
		chunk := make([]byte, size)
		if _, err := io.ReadFull(c.br, chunk); err != nil {
			c.held = nil
			return err
		}
		c.held = append(c.held, chunk)
		n -= size
	}
	return nil
}

// setLimits runs when the handshake has been read, after zmq4 sent its
// READY (NULL handshakes send before they receive): the local socket's
// type is known from then on.
func (c *conn) setLimits() {
	c.wmu.Lock()
	ours := zmq4.SocketType(c.ourType)
	c.wmu.Unlock()
	if m, ok := c.opts.SocketLimits[ours]; ok && m > 0 && m < c.maxMsg {
		c.maxMsg = m
	}
	c.subOnly = ours == zmq4.Pub
}

// subscription checks a frame from a subscriber to a PUB socket: the only
// thing a SUB may send is a single-frame SUBSCRIBE (1, topic) or CANCEL
// (0, topic). zmq4's PUB queues anything else for a Recv that PUB sockets
// never call, and its reader then blocks for good, holding the message and
// the connection; topics are kept per connection, so their size and
// number are capped too.
func (c *conn) subscription(flags byte, size uint64, hlen int) error {
	if flags&flagMore != 0 || size == 0 || size > 1+maxTopic {
		return fmt.Errorf("%w: a subscriber sent a %d-byte frame (more=%v), not a subscription", ErrProtocol, size, flags&flagMore != 0)
	}
	b, err := c.br.Peek(hlen + int(size))
	if err != nil {
		return err
	}
	body := b[hlen:]
	topic := string(body[1:])
	switch body[0] {
	case 1:
		if _, ok := c.topics[topic]; !ok && len(c.topics) >= maxTopics {
			return fmt.Errorf("%w: a subscriber asked for more than %d topics", ErrProtocol, maxTopics)
		}
		if c.topics == nil {
			c.topics = make(map[string]struct{})
		}
		c.topics[topic] = struct{}{}
	case 0:
		delete(c.topics, topic)
	default:
		return fmt.Errorf("%w: a subscriber sent a message that is not a subscription (first byte %#02x)", ErrProtocol, body[0])
	}
	c.rleft = uint64(hlen) + size
	return nil
}

// readFailed closes the connection when the guard refused the peer's
// input; network errors pass through for zmq4 to handle as before.
func (c *conn) readFailed(err error) error {
	if !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrFrameTooLarge) && !errors.Is(err, ErrMessageTooLarge) {
		return err
	}
	c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), err)
	err = c.opError("read", err)
	c.abort(err)
	return err
}

// Write takes zmq4's output, tracks the frame boundaries in it, and queues
// it for the writer, which gets each complete message (or a large piece of
// one) at once. It never waits for the network.
func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return 0, c.werr
	}
	n := len(p)
	if c.wskip > 0 {
		k := min(c.wskip, len(p))
		c.wskip -= k
		p = p[k:]
	}
	if c.wpass > 0 && len(p) > 0 {
		k := min(c.wpass, len(p))
		c.wpass -= k
		c.queue(p[:k])
		p = p[k:]
		if c.wpass == 0 {
			c.handOver()
		}
	}
	for len(p) > 0 {
		if c.wleft == 0 { // a frame header, byte by byte
			if c.whn == 0 && !c.wmore {
				c.wbacklog = c.wqBytes > 0
			}
			c.whdr[c.whn] = p[0]
			c.whn++
			c.queue(p[:1])
			p = p[1:]
			flags, size, _, need := frameHeader(c.whdr[:c.whn])
			if need > 0 {
				continue
			}
			c.whn, c.wleft, c.wmore = 0, size, flags&flagMore != 0
			c.wcmd = flags&flagCommand != 0
			if size == 0 && !c.wmore {
				c.handOver()
			}
			continue
		}
		chunk := p[:min(uint64(len(p)), c.wleft)]
		p = p[len(chunk):]
		c.wleft -= uint64(len(chunk))
		c.queue(chunk)
		if c.wcmd && !c.wready {
			c.wcmdBody = append(c.wcmdBody, chunk...)
			if c.wleft == 0 {
				c.wready = true
				if err := c.checkPeer(); err != nil {
					return 0, err
				}
			}
		}
		if c.wleft == 0 && !c.wmore || c.wheld >= handOver {
			c.handOver()
		}
	}
	if c.wbacklog && c.wqBytes > c.opts.MaxQueued {
		err := fmt.Errorf("%w: more than %d bytes queued for it", ErrWriteStalled, c.opts.MaxQueued)
		c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), err)
		err = c.opError("write", err)
		c.failLocked(err)
		return 0, err
	}
	return n, nil
}

// queue copies b to the end of the queue.
func (c *conn) queue(b []byte) {
	c.wqBytes += int64(len(b))
	c.wheld += len(b)
	if len(b) >= ownSegment {
		c.wq = append(c.wq, append([]byte(nil), b...))
		c.wopen = false
		return
	}
	if n := len(c.wq); c.wopen && len(c.wq[n-1])+len(b) <= cap(c.wq[n-1]) {
		c.wq[n-1] = append(c.wq[n-1], b...)
		return
	}
	seg := c.spare
	c.spare = nil
	if seg == nil {
		seg = make([]byte, 0, segSize)
	}
	c.wq = append(c.wq, append(seg, b...))
	c.wopen = true
}

// handOver lets the writer take everything queued so far.
func (c *conn) handOver() {
	c.wsend, c.wopen, c.wheld = len(c.wq), false, 0
	c.wcond.Signal()
}

// checkPeer runs when zmq4's READY has been queued, in zmq4's Open (for an
// accepted connection, in its accept loop, after prefetch read the peer's
// READY, and before zmq4 reads it). It learns the local socket's type,
// refuses a peer whose socket type cannot talk to ours (zmq4's Open would
// fail and leave the connection open), and on a ROUTER gives a peer that
// claims the identity of a connected peer a fresh one: zmq4 would send
// that peer copies of the other's replies. (libzmq ignores such a peer
// until the identity is free; jupyter_client gives every client of one
// KernelManager the same identity, so ignoring or refusing would cut off
// a second client that means no harm.)
func (c *conn) checkPeer() error {
	body := c.wcmdBody
	c.wcmdBody = nil
	ours, err := checkCommand(body)
	if err != nil || ours == "" {
		return nil
	}
	c.ourType = ours
	if c.peerType == "" {
		return nil // a dialed connection: the peer's READY comes later
	}
	if !zmq4.SocketType(ours).IsCompatible(zmq4.SocketType(c.peerType)) {
		refuse := fmt.Errorf("%w: a %s cannot talk to this %s", ErrProtocol, c.peerType, ours)
		c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), refuse)
		err = c.opError("write", refuse)
		c.failLocked(err)
		return err
	}
	if zmq4.SocketType(ours) == zmq4.Router && c.peerID != "" && c.ln != nil {
		if id := c.ln.claimID(c.peerID, c); id != c.peerID {
			c.opts.Logf("tcpg: %s claims the identity %q of a connected peer; it is known as %q instead", c.RemoteAddr(), c.peerID, id)
			c.override = commandFrame(withProperty(c.peerReady, isIdentityKey, "Identity", id))
		}
	}
	return nil
}

// writeLoop sends what Write queued until the connection is closed: on
// Close it sends what is left, within Options.Linger, then closes.
func (c *conn) writeLoop() {
	defer c.ended()
	var linger time.Time
	var batch [][]byte
	for {
		c.wmu.Lock()
		for c.wsend == 0 && !c.closing && c.werr == nil {
			c.wcond.Wait()
		}
		if c.werr != nil {
			c.wmu.Unlock()
			return
		}
		if c.closing {
			if linger.IsZero() {
				linger = time.Now().Add(c.opts.Linger)
			}
			c.wsend, c.wopen = len(c.wq), false
			if c.wsend == 0 {
				c.werr = c.opError("write", net.ErrClosed)
				c.wmu.Unlock()
				c.Conn.Close()
				return
			}
		}
		batch = append(batch[:0], c.wq[:c.wsend]...)
		c.wq = append(c.wq[:0], c.wq[c.wsend:]...)
		c.wsend = 0
		c.wmu.Unlock()

		err := c.send(batch, linger)

		c.wmu.Lock()
		if c.werr == nil {
			for _, seg := range batch {
				c.wqBytes -= int64(len(seg))
			}
		}
		if last := batch[len(batch)-1]; cap(last) == segSize && c.spare == nil {
			c.spare = last[:0]
		}
		clear(batch)
		if err != nil {
			c.failLocked(c.writeError(err, linger))
			c.wmu.Unlock()
			return
		}
		c.wmu.Unlock()
	}
}

// send writes segs to the network with writev. Each write may take
// WriteTimeout (or what is left of the linger); a write that times out
// having sent something is retried: the peer is slow, not stuck.
func (c *conn) send(segs [][]byte, linger time.Time) error {
	bufs := net.Buffers(append([][]byte(nil), segs...))
	for len(bufs) > 0 {
		var deadline time.Time
		if c.opts.WriteTimeout > 0 {
			deadline = time.Now().Add(c.opts.WriteTimeout)
		}
		if !linger.IsZero() && (deadline.IsZero() || linger.Before(deadline)) {
			deadline = linger
		}
		c.Conn.SetWriteDeadline(deadline)
		n, err := bufs.WriteTo(c.Conn)
		if err != nil {
			if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() && n > 0 && (linger.IsZero() || time.Now().Before(linger)) {
				continue
			}
			return err
		}
	}
	return nil
}

// writeError turns a failed send into what zmq4 gets: a timeout becomes a
// non-timeout error, since zmq4 ignores timeouts and only a hard error
// makes it drop the peer.
func (c *conn) writeError(err error, linger time.Time) error {
	ne, ok := errors.AsType[net.Error](err)
	if !ok || !ne.Timeout() {
		return err
	}
	if !linger.IsZero() {
		c.opts.Logf("tcpg: %s took nothing within the linger (%v) at close; unsent bytes dropped", c.RemoteAddr(), c.opts.Linger)
		return c.opError("write", net.ErrClosed)
	}
	err = fmt.Errorf("%w: nothing went out within %v", ErrWriteStalled, c.opts.WriteTimeout)
	c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), err)
	return c.opError("write", err)
}

func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: Name, Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// abort closes the connection now, dropping what is queued.
func (c *conn) abort(err error) {
	c.wmu.Lock()
	c.failLocked(err)
	c.wmu.Unlock()
}

// failLocked makes err sticky, drops the queue and closes the network
// connection, which also unblocks a writer in the middle of a send.
func (c *conn) failLocked(err error) {
	if c.werr != nil {
		return
	}
	c.werr = err
	c.wq, c.wsend, c.wqBytes, c.spare = nil, 0, 0, nil
	c.Conn.Close()
	c.wcond.Broadcast()
}

// ended runs when the writer has stopped: the connection is closed.
func (c *conn) ended() {
	if c.ln != nil {
		c.ln.release(c)
	}
	close(c.wdone)
}

// Close stops reading at once and lets the writer send what is queued
// (within Options.Linger) before it closes the connection. For a dialed
// connection Close waits for that; an accepted one's listener waits for
// its connections when it closes, so that zmq4, which closes a socket's
// connections one by one, does not wait for each in turn.
func (c *conn) Close() error {
	c.wmu.Lock()
	was := c.closing || c.werr != nil
	c.closing = true
	c.wcond.Broadcast()
	c.wmu.Unlock()
	if cr, ok := c.Conn.(interface{ CloseRead() error }); ok {
		cr.CloseRead()
	}
	if c.ln == nil {
		<-c.wdone
	}
	if was {
		return net.ErrClosed
	}
	return nil
}
