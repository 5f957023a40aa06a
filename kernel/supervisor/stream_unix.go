//go:build unix

package supervisor

import "syscall"

// run reads the pipe until it ends.
func (s *stream) run() {
	if s.rc == nil {
		return
	}
	err := s.rc.Read(func(fd uintptr) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		for len(s.buf) >= maxPending && !s.eof {
			s.room.Wait()
		}
		s.readLocked(int(fd))
		s.signal()
		return s.eof
	})
	if err != nil {
		s.mu.Lock()
		s.eof = true
		s.mu.Unlock()
		s.signal()
	}
}

// readLocked reads what the pipe holds, without blocking; s.mu is held.
func (s *stream) readLocked(fd int) {
	for !s.eof {
		n, err := syscall.Read(fd, s.buf64k)
		switch {
		case n > 0:
			s.buf = append(s.buf, s.buf64k[:n]...)
		case err == syscall.EINTR:
		case err == syscall.EAGAIN:
			return
		default: // EOF or a real error: the pipe is finished
			s.eof = true
		}
	}
}
