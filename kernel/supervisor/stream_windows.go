package supervisor

import (
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// pipePoll is how often a stream looks for output on Windows, whose
// anonymous pipes cannot be waited on without a blocking read.
const pipePoll = 5 * time.Millisecond

var peekNamedPipe = windows.NewLazySystemDLL("kernel32.dll").NewProc("PeekNamedPipe")

// run reads the pipe until it ends. Windows cannot wait for an anonymous
// pipe to become readable, and a blocking read would hold s.mu (which
// take(now) needs), so it looks every pipePoll for what is waiting.
func (s *stream) run() {
	if s.rc == nil {
		return
	}
	t := time.NewTicker(pipePoll)
	defer t.Stop()
	for {
		s.mu.Lock()
		for len(s.buf) >= maxPending && !s.eof {
			s.room.Wait()
		}
		before := len(s.buf)
		if err := s.rc.Control(func(fd uintptr) { s.readLocked(int(fd)) }); err != nil {
			s.eof = true
		}
		eof, got := s.eof, len(s.buf) > before
		s.mu.Unlock()
		if got || eof {
			s.signal()
		}
		if eof {
			return
		}
		<-t.C
	}
}

// readLocked reads what the pipe holds without blocking (PeekNamedPipe
// says how much); s.mu is held. A broken pipe is the end of the stream.
func (s *stream) readLocked(fd int) {
	h := windows.Handle(fd)
	for !s.eof {
		var avail uint32
		r, _, _ := peekNamedPipe.Call(uintptr(h), 0, 0, 0, uintptr(unsafe.Pointer(&avail)), 0)
		if r == 0 {
			s.eof = true
			return
		}
		if avail == 0 {
			return
		}
		var n uint32
		if err := windows.ReadFile(h, s.buf64k[:min(int(avail), len(s.buf64k))], &n, nil); err != nil || n == 0 {
			s.eof = true
			return
		}
		s.buf = append(s.buf, s.buf64k[:n]...)
	}
}
