package gil

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// spin runs n check points, recording whether anyone else held the lock
// while this thread believed it held it.
func spin(t *Thread, n int, owner *atomic.Pointer[Thread], bad *atomic.Int64) {
	for i := 0; i < n; i++ {
		if o := owner.Load(); o != t {
			owner.Store(t)
		}
		for j := 0; j < 50; j++ {
			if owner.Load() != t {
				bad.Add(1)
			}
		}
		t.Checkpoint()
	}
}

func TestMutualExclusionAndHandovers(t *testing.T) {
	g := New(50 * time.Microsecond)
	var owner atomic.Pointer[Thread]
	var bad atomic.Int64
	var wg sync.WaitGroup
	var seen [4]atomic.Int64
	g.SetObserver(func(th *Thread, s State) {
		if s == Running {
			seen[th.ID()-1].Add(1)
		}
	})
	// A starter holds the lock until all three wait, so they contend from
	// the first iteration even on a loaded machine.
	starter := g.NewThread("starter")
	starter.Acquire()
	// The workers spin until every one of them has had the lock three times,
	// or until a deadline that only a starving lock would reach: a fixed
	// amount of work can end before a random hand-off picks everyone.
	var stop atomic.Bool
	for i := 0; i < 3; i++ {
		th := g.NewThread("w")
		wg.Add(1)
		go func() {
			defer wg.Done()
			th.Acquire()
			defer th.Exit()
			for !stop.Load() {
				spin(th, 1000, &owner, &bad)
			}
		}()
	}
	for g.Waiters() < 3 {
		time.Sleep(50 * time.Microsecond)
	}
	starter.Exit()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (seen[1].Load() < 3 || seen[2].Load() < 3 || seen[3].Load() < 3) {
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d times another thread ran while one held the lock", bad.Load())
	}
	h, d := g.Stats()
	if h == 0 || d == 0 {
		t.Fatalf("handovers=%d dropRequests=%d, want both > 0", h, d)
	}
	for i := 1; i < len(seen); i++ { // 0 is the starter
		if seen[i].Load() < 3 {
			t.Errorf("thread %d got the lock %d times in 10 s, want it back after hand-overs", i+1, seen[i].Load())
		}
	}
	if g.Holder() != nil || g.Waiters() != 0 {
		t.Fatalf("lock not free at the end: holder %v, %d waiters", g.Holder(), g.Waiters())
	}
}

func TestNoDropWithoutWaiter(t *testing.T) {
	g := New(time.Microsecond)
	th := g.NewThread("alone")
	th.Acquire()
	for i := 0; i < 1000; i++ {
		th.Checkpoint()
	}
	time.Sleep(time.Millisecond)
	th.Exit()
	if h, d := g.Stats(); h != 0 || d != 0 {
		t.Fatalf("handovers=%d dropRequests=%d with a single thread", h, d)
	}
}

func TestForcedSwitchGoesToAnotherThread(t *testing.T) {
	g := New(time.Millisecond)
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	got := make(chan *Thread, 1)
	go func() {
		b.Acquire()
		got <- g.Holder()
		b.Exit()
	}()
	for !g.DropRequested() {
		time.Sleep(100 * time.Microsecond)
	}
	a.Checkpoint() // must hand over to b and wait for it
	if h := <-got; h != b {
		t.Fatalf("after the drop the holder was %v, want b", h)
	}
	if !a.Holds() {
		t.Fatal("a did not get the lock back after b exited")
	}
	a.Exit()
}

func TestReleaseLetsOthersRun(t *testing.T) {
	g := New(time.Hour) // no drop requests: only the release can let b in
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	ran := make(chan struct{})
	go func() {
		b.Acquire()
		close(ran)
		b.Exit()
	}()
	for g.Waiters() == 0 {
		time.Sleep(50 * time.Microsecond)
	}
	a.Blocking(func() { <-ran })
	if !a.Holds() {
		t.Fatal("Blocking did not retake the lock")
	}
	a.Exit()
}

func TestPickWeights(t *testing.T) {
	g := New(time.Millisecond)
	g.SetSeed(1)
	ths := []*Thread{g.NewThread("req"), g.NewThread("x"), g.NewThread("y")}
	count := map[*Thread]int{}
	const n = 30000
	for i := 0; i < n; i++ {
		g.waiters = append(g.waiters[:0], ths...)
		for j, th := range ths {
			th.idx = j
		}
		g.requester = ths[0]
		count[g.pick()]++
	}
	// Expected shares: 1.5/3.5, 1/3.5, 1/3.5.
	if c := count[ths[0]]; c < n*40/100 || c > n*46/100 {
		t.Errorf("requester won %d of %d draws, want about 43%%", c, n)
	}
	for _, th := range ths[1:] {
		if c := count[th]; c < n*26/100 || c > n*31/100 {
			t.Errorf("%s won %d of %d draws, want about 28.6%%", th.name, c, n)
		}
	}
}

func TestCurrent(t *testing.T) {
	if Current() != nil {
		t.Fatal("Current() != nil on an unbound goroutine")
	}
	g := New(0)
	th := g.NewThread("x")
	th.Bind()
	if Current() != th {
		t.Fatal("Current() is not the bound thread")
	}
	done := make(chan *Thread)
	go func() { done <- Current() }()
	if other := <-done; other != nil {
		t.Fatal("another goroutine sees the bound thread")
	}
	th.Unbind()
	if Current() != nil {
		t.Fatal("Current() != nil after Unbind")
	}
}

// TestBlockingReplacementsDoNotDeadlock runs, on one GIL, goroutines that
// wait for each other through every GIL-aware replacement while the others
// spin: without the release each would deadlock.
func TestBlockingReplacementsDoNotDeadlock(t *testing.T) {
	g := New(100 * time.Microsecond)
	main := g.NewThread("main")
	main.Bind()
	defer main.Unbind()
	main.Acquire()
	defer main.Exit()

	// Mutex held across check points by one goroutine, wanted by another.
	var mu Mutex
	var wg WaitGroup
	counter := 0
	for i := 0; i < 2; i++ {
		wg.Go(func() {
			th := Current()
			for j := 0; j < 2000; j++ {
				mu.Lock()
				v := counter
				th.Checkpoint()
				th.Checkpoint()
				counter = v + 1
				mu.Unlock()
				th.Checkpoint()
			}
		})
	}
	wg.Wait()
	if counter != 4000 {
		t.Fatalf("counter = %d under Mutex, want 4000", counter)
	}

	// Cond: a consumer waits for a producer that needs the lock.
	var cmu Mutex
	c := NewCond(&cmu)
	ready := false
	Go(func() {
		Sleep(time.Millisecond)
		cmu.Lock()
		ready = true
		cmu.Unlock()
		c.Broadcast()
	})
	cmu.Lock()
	for !ready {
		c.Wait()
	}
	cmu.Unlock()

	// Once: a second caller waits while the first sleeps inside f.
	var once Once
	calls := 0
	var wg2 WaitGroup
	for i := 0; i < 3; i++ {
		wg2.Go(func() {
			once.Do(func() {
				Sleep(time.Millisecond)
				calls++
			})
		})
	}
	wg2.Wait()
	if calls != 1 {
		t.Fatalf("Once ran f %d times", calls)
	}

	// RWMutex: a writer waits for a reader that sleeps.
	var rw RWMutex
	rw.RLock()
	var wg3 WaitGroup
	wg3.Go(func() { rw.Lock(); rw.Unlock() })
	Sleep(time.Millisecond)
	rw.RUnlock()
	wg3.Wait()

	// Channel via Block: the receiver blocks with the lock released.
	ch := make(chan int)
	Go(func() { ch <- 42 })
	resume := Block()
	v := <-ch
	resume()
	if v != 42 || !main.Holds() {
		t.Fatalf("got %d, holds=%v", v, main.Holds())
	}

	// AfterFunc runs attached to the lock.
	fired := make(chan bool, 1)
	AfterFunc(time.Millisecond, func() { fired <- Current() != nil && Current().Holds() })
	resume = Block()
	ok := <-fired
	resume()
	if !ok {
		t.Fatal("AfterFunc's function did not run holding the lock")
	}
}

func TestGoRecoversPanics(t *testing.T) {
	got := make(chan any, 1)
	SetPanicHandler(func(v any, _ []byte) { got <- v })
	defer SetPanicHandler(nil)
	g := New(0)
	g.Go(func() { panic("boom") })
	if v := <-got; v != "boom" {
		t.Fatalf("panic value %v", v)
	}
	for g.Holder() != nil {
		time.Sleep(100 * time.Microsecond)
	}
}

func TestFreeRunsInParallel(t *testing.T) {
	g := NewFree()
	var states []State
	var mu sync.Mutex
	g.SetObserver(func(_ *Thread, s State) { mu.Lock(); states = append(states, s); mu.Unlock() })
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	b.Acquire() // would block on a real GIL
	if !a.Holds() || !b.Holds() {
		t.Fatal("free threads do not both run")
	}
	a.Blocking(func() {})
	a.Exit()
	b.Exit()
	want := []State{Running, Running, Blocked, Running, Done, Done}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Fatalf("states %v, want %v", states, want)
	}
}

// TestReturnFromBlockingHasNoPriority checks CPython's hand-off order: a
// thread coming back from a blocking call queues like any waiter. It gets
// the lock only through a drop request at the holder's check point, never
// by barging in when the holder is not asked to drop.
func TestReturnFromBlockingHasNoPriority(t *testing.T) {
	g := New(time.Hour) // no drop request will come from the interval
	cpu, io := g.NewThread("cpu"), g.NewThread("io")
	io.Acquire()
	back := make(chan struct{})
	gotLock := make(chan struct{})
	go func() {
		io.Blocking(func() { <-back })
		close(gotLock)
		io.Exit()
	}()
	for g.Holder() != nil { // io released the lock
		time.Sleep(50 * time.Microsecond)
	}
	cpu.Acquire()
	close(back) // io returns from its blocking call and waits
	for g.Waiters() == 0 {
		time.Sleep(50 * time.Microsecond)
	}
	for i := 0; i < 100000; i++ {
		cpu.Checkpoint()
	}
	select {
	case <-gotLock:
		t.Fatal("the thread back from a blocking call took the lock without a drop request")
	default:
	}
	if g.Holder() != cpu {
		t.Fatalf("holder %v, want cpu", g.Holder())
	}
	cpu.Exit() // a release hands the lock over
	<-gotLock
}

// TestExitElsewhereLeavesTheHolder: a goroutine holds the lock, stuck in a
// call that does not release it, while another goroutine gives its thread
// up (as the evaluator gives up an interrupted cell) and a waiter wants the
// lock. The lock stays with the stuck goroutine (never two holders) until
// that goroutine comes back and unbinds; then the thread exits and the
// waiter gets the lock.
func TestExitElsewhereLeavesTheHolder(t *testing.T) {
	g := New(100 * time.Microsecond)
	stuck, cell := g.NewThread("stuck"), g.NewThread("cell")
	bound := make(chan struct{})
	unblock := make(chan struct{})
	stuckDone := make(chan struct{})
	go func() {
		defer close(stuckDone)
		stuck.Bind()
		defer stuck.Unbind()
		stuck.Acquire()
		close(bound)
		<-unblock // a blocking call that keeps the lock
		if !stuck.Holds() || g.Holder() != stuck {
			t.Error("the stuck goroutine lost the lock while it ran")
		}
	}()
	<-bound
	got := make(chan struct{})
	go func() {
		cell.Acquire()
		close(got)
	}()
	for !cell.Waiting() {
		time.Sleep(50 * time.Microsecond)
	}
	stuck.Exit()    // from another goroutine: must not take the lock away
	stuck.Release() // nor may a release from here
	if h := g.Holder(); h != stuck || !stuck.Holds() || cell.Holds() {
		t.Fatalf("holder %v after Exit elsewhere, want stuck (cell holds: %v)", h, cell.Holds())
	}
	close(unblock)
	<-stuckDone // Unbind completed the Exit: the lock went to cell
	<-got
	if g.Holder() != cell {
		t.Fatalf("holder %v, want cell", g.Holder())
	}
	stuck.Acquire()
	if stuck.Holds() {
		t.Fatal("the exited thread took the lock back")
	}
	cell.Exit()
	if g.Holder() != nil {
		t.Fatalf("lock still held by %v", g.Holder())
	}
}

func TestExitedThreadNeverTakesTheLock(t *testing.T) {
	g := New(0)
	a := g.NewThread("a")
	a.Acquire()
	a.Exit()
	a.Acquire()
	if a.Holds() || g.Holder() != nil {
		t.Fatal("an exited thread took the lock")
	}
}

func TestExitWhileWaiting(t *testing.T) {
	g := New(time.Hour)
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	returned := make(chan struct{})
	go func() {
		b.Acquire() // waits; Exit from here below withdraws it
		close(returned)
	}()
	for !b.Waiting() {
		time.Sleep(50 * time.Microsecond)
	}
	b.Exit()
	<-returned
	if b.Holds() || g.Waiters() != 0 {
		t.Fatalf("b holds=%v, %d waiters", b.Holds(), g.Waiters())
	}
	a.Exit()
	if g.Holder() != nil {
		t.Fatal("the withdrawn thread got the lock")
	}
}

// TestShorterIntervalAfterLongWait: a wait begun under a long interval must
// not hold back the waits begun after the interval was shortened (what
// %switchinterval does between two runs on the notebook's lock).
func TestShorterIntervalAfterLongWait(t *testing.T) {
	g := New(10 * time.Second)
	a, b := g.NewThread("a"), g.NewThread("b")
	a.Acquire()
	got := make(chan struct{})
	go func() {
		b.Acquire() // starts a 10 s wait, then gets the lock at a's Exit
		close(got)
		b.Exit()
	}()
	for g.Waiters() < 1 {
		runtime.Gosched()
	}
	a.Exit()
	<-got

	g.SetInterval(50 * time.Microsecond)
	c, d := g.NewThread("c"), g.NewThread("d") // threads are one-shot: new ones
	c.Acquire()
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Acquire()
		d.Exit()
	}()
	// c spins at check points until d's 50 µs wait asks for the lock and c
	// hands it over; with the 10 s wait still first in line, no drop request
	// would come for 10 s.
	deadline := time.Now().Add(5 * time.Second)
	for _, d := g.Stats(); d == 0; _, d = g.Stats() {
		if time.Now().After(deadline) {
			t.Fatal("no drop request within 5 s at a 50 µs interval: the old 10 s wait held the new one back")
		}
		c.Checkpoint()
	}
	c.Exit()
	<-done
}
