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

// Write coalescing: body chunks at least directWrite long go to the socket
// without a copy; buffered bytes are flushed before they pass maxBuffered.
const (
	directWrite = 16 << 10
	maxBuffered = 64 << 10
)

// Read states: the peer's greeting, its first (handshake) command, frames.
const (
	readGreeting = iota
	readHandshake
	readFrames
)

// conn is the net.Conn zmq4 gets. Reads pass through a ZMTP frame parser
// that checks each header before zmq4 sees it; writes are buffered up to
// the end of a message and flushed with a deadline.
//
// zmq4 reads a connection from one goroutine at a time (its Open, then one
// reader goroutine), so the read side needs no lock; writes can come from
// several goroutines (socket writers, a PONG from the reader) and take wmu.
type conn struct {
	net.Conn
	opts Options
	br   *bufio.Reader

	// read side
	rstate    int
	rleft     uint64   // bytes zmq4 may read before the next header check
	held      [][]byte // a large frame read ahead in full; zmq4 reads it first
	msgSize   uint64   // bytes so far in the current multipart message
	msgFrames int      // frames so far in the current multipart message
	rerr      error    // sticky: the guard closed the connection
	peerType  string   // the peer's READY Socket-Type

	// write side
	wmu    sync.Mutex
	wskip  int // greeting bytes zmq4 writes that were already sent for it
	wpass  int // greeting bytes to send as they come (dialed connections)
	whdr   [9]byte
	whn    int    // bytes of an outgoing frame header seen so far
	wleft  uint64 // bytes left in the outgoing frame body
	wmore  bool   // the outgoing frame has the MORE flag
	wcmd   bool   // the outgoing frame is a command
	wready bool   // zmq4's first command (READY) went out
	wbuf   []byte
	vec    [2][]byte
	bufs   net.Buffers
	werr   error // sticky: a write failed and the connection is closed
	closed sync.Once
}

// newConn wraps c. An accepted connection had the greeting sent for it by
// the listener (zmq4's copy is dropped); a dialed one sends zmq4's own.
func newConn(c net.Conn, opts Options, accepted bool) *conn {
	g := &conn{Conn: c, opts: opts, br: bufio.NewReaderSize(c, readBufSize)}
	if accepted {
		g.wskip = greetingLen
	} else {
		g.wpass = greetingLen
	}
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
	c.peerType, err = checkCommand(b[off+hlen:])
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
	if c.msgSize > uint64(c.opts.MaxMessage) {
		return fmt.Errorf("%w: more than %d bytes", ErrMessageTooLarge, c.opts.MaxMessage)
	}
	if c.msgFrames > c.opts.MaxFrames {
		return fmt.Errorf("%w: more than %d frames", ErrMessageTooLarge, c.opts.MaxFrames)
	}
	if flags&flagMore == 0 {
		c.msgSize, c.msgFrames = 0, 0
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

// readFailed closes the connection when the guard refused the peer's
// input; network errors pass through for zmq4 to handle as before.
func (c *conn) readFailed(err error) error {
	if !errors.Is(err, ErrProtocol) && !errors.Is(err, ErrFrameTooLarge) && !errors.Is(err, ErrMessageTooLarge) {
		return err
	}
	c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), err)
	c.Close()
	return c.opError("read", err)
}

// Write takes zmq4's output, tracks the frame boundaries in it, and sends
// each complete message (or a large piece of one) with one writev.
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
		c.wbuf = append(c.wbuf, p[:k]...)
		p = p[k:]
		if c.wpass == 0 {
			if err := c.flush(nil); err != nil {
				return 0, err
			}
		}
	}
	for len(p) > 0 {
		if c.wleft == 0 { // a frame header, byte by byte
			c.whdr[c.whn] = p[0]
			c.whn++
			c.wbuf = append(c.wbuf, p[0])
			p = p[1:]
			flags, size, _, need := frameHeader(c.whdr[:c.whn])
			if need > 0 {
				continue
			}
			c.whn, c.wleft, c.wmore = 0, size, flags&flagMore != 0
			c.wcmd = flags&flagCommand != 0
			if size == 0 && !c.wmore {
				if err := c.flush(nil); err != nil {
					return 0, err
				}
			}
			continue
		}
		chunk := p[:min(uint64(len(p)), c.wleft)]
		p = p[len(chunk):]
		c.wleft -= uint64(len(chunk))
		if len(chunk) >= directWrite || len(c.wbuf)+len(chunk) > maxBuffered {
			if err := c.flush(chunk); err != nil {
				return 0, err
			}
		} else {
			c.wbuf = append(c.wbuf, chunk...)
		}
		if c.wleft == 0 && c.wcmd && !c.wready {
			c.wready = true
			c.checkPeerType()
		}
		if c.wleft == 0 && !c.wmore && len(c.wbuf) > 0 {
			if err := c.flush(nil); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// checkPeerType runs when zmq4's READY is about to go out on an accepted
// connection (in zmq4's accept loop, which prefetch handed the connection
// to, so peerType is set). If the two socket types cannot talk, zmq4's Open
// will fail, and its accept loop does not close connections it fails to
// open; closing it here keeps a mismatched client from leaking a socket.
func (c *conn) checkPeerType() {
	if c.peerType == "" {
		return // a dialed connection: the peer's READY comes later
	}
	_, _, hlen, need := frameHeader(c.wbuf)
	if need > 0 {
		return
	}
	ours, err := checkCommand(c.wbuf[hlen:])
	if err != nil || ours == "" {
		return
	}
	if !zmq4.SocketType(ours).IsCompatible(zmq4.SocketType(c.peerType)) {
		c.opts.Logf("tcpg: dropping %s: a %s cannot talk to this %s", c.RemoteAddr(), c.peerType, ours)
		c.Close()
	}
}

// flush sends the buffered bytes and then extra, within WriteTimeout.
func (c *conn) flush(extra []byte) error {
	c.bufs = c.vec[:0]
	if len(c.wbuf) > 0 {
		c.bufs = append(c.bufs, c.wbuf)
	}
	if len(extra) > 0 {
		c.bufs = append(c.bufs, extra)
	}
	if c.opts.WriteTimeout > 0 {
		c.Conn.SetWriteDeadline(time.Now().Add(c.opts.WriteTimeout))
	}
	_, err := c.bufs.WriteTo(c.Conn)
	c.wbuf = c.wbuf[:0]
	c.vec = [2][]byte{}
	if err != nil {
		return c.writeFailed(err)
	}
	return nil
}

// writeFailed closes the connection after a failed write. A timeout is
// reported to zmq4 as a non-timeout error: zmq4 ignores timeouts, and
// only a hard error makes it drop the peer.
func (c *conn) writeFailed(err error) error {
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		err = fmt.Errorf("%w: a message did not go out within %v", ErrWriteStalled, c.opts.WriteTimeout)
		c.opts.Logf("tcpg: dropping %s: %v", c.RemoteAddr(), err)
		err = c.opError("write", err)
	}
	c.werr = err
	c.Close()
	return err
}

func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: Name, Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}

// Close closes the underlying connection once.
func (c *conn) Close() error {
	err := net.ErrClosed
	c.closed.Do(func() { err = c.Conn.Close() })
	return err
}
