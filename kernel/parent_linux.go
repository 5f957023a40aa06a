package kernel

import (
	"errors"
	"log"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// watchParent closes gone when the process pid (JPY_PARENT_PID, set by
// Jupyter's kernel launcher) has exited, so that a kernel whose notebook
// server died does not linger; it returns at once when done closes. A
// dead process that nobody has reaped yet (a zombie) still answers
// kill(pid, 0), so exit is watched through a pidfd, which becomes readable
// when the process exits, reaped or not. Without pidfds (Linux before
// 5.3) it polls /proc for the process's state once a second.
func watchParent(pid int, done <-chan struct{}, gone chan<- struct{}, lg *log.Logger) {
	exited := func() {
		lg.Printf("the process that started the kernel (JPY_PARENT_PID %d) is gone: shutting down", pid)
		close(gone)
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if errors.Is(err, unix.ESRCH) {
		exited()
		return
	}
	if err != nil {
		pollParent(pid, done, exited)
		return
	}
	defer unix.Close(fd)
	// A pipe whose write end closes at shutdown wakes the poll below.
	r, w, err := os.Pipe()
	if err != nil {
		pollParent(pid, done, exited)
		return
	}
	defer r.Close()
	stop, stopped := make(chan struct{}), make(chan struct{})
	defer func() {
		close(stop)
		<-stopped
	}()
	go func() { // ends at shutdown or when watchParent returns, which waits for it
		defer close(stopped)
		select {
		case <-done:
		case <-stop:
		}
		w.Close()
	}()
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}, {Fd: int32(r.Fd()), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, -1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			lg.Printf("watching JPY_PARENT_PID %d: %v; polling instead", pid, err)
			pollParent(pid, done, exited)
			return
		}
		if fds[1].Revents != 0 {
			return // shutdown
		}
		if fds[0].Revents != 0 {
			exited()
			return
		}
	}
}

// alive reports whether pid is a process that has not exited: it exists
// and /proc does not show it as a zombie (Z) or dead (X).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return unix.Kill(pid, 0) != unix.ESRCH
	}
	// The state follows the command name, which is in parentheses and
	// may itself contain ") ".
	s := string(b)
	i := strings.LastIndex(s, ") ")
	if i < 0 || i+2 >= len(s) {
		return true
	}
	return s[i+2] != 'Z' && s[i+2] != 'X'
}
