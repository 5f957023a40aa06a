package kernel

import (
	"os/exec"
	"testing"
	"time"
)

// The polling watch, which is all macOS and Windows have (and Linux's
// fallback without pidfds), notices a parent that exited and stops when
// told to.
func TestPollParent(t *testing.T) {
	parent := exec.Command("sleep", "1000")
	if err := parent.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	defer parent.Process.Kill()
	done, exited, returned := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() { // ends when pollParent returns: after exited, or when done closes below
		defer close(returned)
		pollParent(parent.Process.Pid, done, func() { close(exited) })
	}()
	if !alive(parent.Process.Pid) {
		t.Fatal("a running parent counts as gone")
	}
	parent.Process.Kill()
	parent.Wait()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("the polling watch did not notice the parent's exit within 30 s")
	}
	<-returned

	// A watch on a live process ends when done closes, without calling exited.
	live := exec.Command("sleep", "1000")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	stop, ended := make(chan struct{}), make(chan struct{})
	go func() { // ends when stop closes
		defer close(ended)
		pollParent(live.Process.Pid, stop, func() { t.Error("a live parent reported gone") })
	}()
	close(stop)
	<-ended
}
