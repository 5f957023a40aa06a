package cpython

import (
	"os"
	"os/exec"
	"runtime"
)

// started is a running interpreter: exited is closed once it has exited,
// and state is set then.
type started struct {
	exited chan struct{}
	state  *os.ProcessState
}

// startTied starts cmd and waits for it on a goroutine of its own (owned
// by the caller: it ends when the process exits, which the caller ensures
// by killing it). On Linux the process also gets SIGKILL when this process
// dies (Pdeathsig); the kernel sends that when the OS thread that started
// the child exits, so the goroutine keeps its thread for the child's life.
func startTied(cmd *exec.Cmd) (*started, error) {
	s := &started{exited: make(chan struct{})}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tieToParent(cmd)
		if err := cmd.Start(); err != nil {
			errc <- err
			return
		}
		errc <- nil
		_ = cmd.Wait()
		s.state = cmd.ProcessState
		close(s.exited)
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return s, nil
}
