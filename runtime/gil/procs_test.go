package gil

import (
	"runtime"
	"testing"
)

// On one core a live thread keeps a second P, so a waiter's timer fires on
// time instead of after the holder is preempted; the last Exit restores it.
func TestLiveThreadsKeepTwoProcsOnOneCore(t *testing.T) {
	old := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(old)
	oldCores := OSCores
	OSCores = func() float64 { return 1 }
	defer func() { OSCores = oldCores }()

	g := New(0)
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Fatalf("GOMAXPROCS %d with a live thread, want 2", n)
	}
	if n := RealProcs(); n != 1 {
		t.Errorf("RealProcs %d, want 1", n)
	}
	done := make(chan struct{})
	go func() { b.Run(func() {}); close(done) }()
	a.Exit()
	<-done
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS %d after every thread exited, want 1", n)
	}
}
