package transport

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/security/null"
)

// streamConn is a net.Conn whose peer sent a fixed byte stream and reads
// nothing back.
type streamConn struct {
	r *bytes.Reader
}

func (c streamConn) Read(p []byte) (int, error)     { return c.r.Read(p) }
func (streamConn) Write(p []byte) (int, error)      { return len(p), nil }
func (streamConn) Close() error                     { return nil }
func (streamConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (streamConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (streamConn) SetDeadline(time.Time) error      { return nil }
func (streamConn) SetReadDeadline(time.Time) error  { return nil }
func (streamConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzConn feeds an arbitrary peer byte stream (after a valid greeting)
// through the guard into zmq4's own handshake and frame reader, both as an
// accepted and as a dialed connection. zmq4 must never panic or allocate
// more than the frame limit allows.
func FuzzConn(f *testing.F) {
	ready := readyFrame("ROUTER")
	f.Add(ready)
	f.Add(append(append([]byte{}, ready...), 1, 3, 'a', 'b', 'c', 0, 1, 'x'))
	f.Add(append(append([]byte{}, ready...), longFrame(1<<62)...))
	f.Add(append(append([]byte{}, ready...), longFrame(1<<40)...))
	f.Add(append(append([]byte{}, ready...), flagCommand, 5, 4, 'P', 'I', 'N', 'G'))
	f.Add([]byte{flagCommand, 8, 5, 'R', 'E', 'A', 'D', 'Y', 11, 'S'})
	opts := Options{MaxFrame: 1 << 20, MaxMessage: 1 << 20, MaxFrames: 64, Logf: func(string, ...any) {}}.withDefaults()
	f.Fuzz(func(t *testing.T, data []byte) {
		stream := append(append([]byte{}, ourGreeting[:]...), data...)
		for _, accepted := range []bool{true, false} {
			c := newConn(streamConn{bytes.NewReader(stream)}, opts, nil)
			defer c.Close()
			if accepted && c.prefetch(time.Second) != nil {
				continue
			}
			zc, err := zmq4.Open(c, null.Security(), zmq4.Dealer, zmq4.SocketIdentity("fuzz"), accepted, nil)
			if err != nil {
				continue
			}
			for range 100 {
				if _, err := zc.RecvMsg(); err != nil {
					break
				}
			}
		}
	})
}

var _ io.Reader = streamConn{}
