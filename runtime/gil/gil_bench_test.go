package gil

import (
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCheckpointNoRequest is the cost of a check point while nobody
// waits: what compiled workloads pay at every call and back-edge.
func BenchmarkCheckpointNoRequest(b *testing.B) {
	g := New(0)
	t := g.NewThread("x")
	t.Acquire()
	defer t.Exit()
	for b.Loop() {
		t.Checkpoint()
	}
}

// BenchmarkAcquireRelease is an uncontended take and release (a blocking
// call's overhead when no other thread wants the lock).
func BenchmarkAcquireRelease(b *testing.B) {
	g := New(0)
	t := g.NewThread("x")
	for b.Loop() {
		t.Acquire()
		t.Release()
	}
}

// BenchmarkBlockingHandover measures a blocking release that hands the
// lock to a waiter, and taking it back: two threads ping-pong.
func BenchmarkBlockingHandover(b *testing.B) {
	g := New(time.Hour)
	a, c := g.NewThread("a"), g.NewThread("c")
	var stop atomic.Bool
	done := make(chan struct{})
	c.Acquire()
	go func() {
		defer close(done)
		for !stop.Load() {
			c.Release()
			c.Acquire()
		}
		c.Exit()
	}()
	a.Acquire()
	for b.Loop() {
		a.Release()
		a.Acquire()
	}
	stop.Store(true)
	a.Exit()
	<-done
	h, _ := g.Stats()
	b.ReportMetric(float64(h)/float64(b.N), "handovers/op")
}

// BenchmarkCurrent is the goroutine-id lookup behind hooks and blocking
// replacements.
func BenchmarkCurrent(b *testing.B) {
	g := New(0)
	t := g.NewThread("x")
	t.Bind()
	defer t.Unbind()
	for b.Loop() {
		if Current() != t {
			b.Fatal("lost binding")
		}
	}
}

// BenchmarkManyWaiters is one holder starting 20,000 goroutines that each
// take the lock once, as `go f()` in a loop does under %mode gil: what it
// costs is how the lock scales with its number of waiters.
func BenchmarkManyWaiters(b *testing.B) {
	const n = 20000
	for b.Loop() {
		g := New(0)
		main := g.NewThread("main")
		main.Bind()
		main.Acquire()
		var wg WaitGroup
		for i := 0; i < n; i++ {
			wg.Add(1)
			g.Go(func() {
				defer wg.Done()
				Current().Checkpoint()
			})
			main.Checkpoint()
		}
		wg.Wait()
		main.Exit()
		main.Unbind()
	}
}
