package gil

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultInterval is CPython's default switch interval
// (sys.getswitchinterval() == 0.005).
const DefaultInterval = 5 * time.Millisecond

// DefaultRequesterWeight is the weight of the waiter that made the drop
// request when the next holder is drawn; every other waiter weighs 1.
const DefaultRequesterWeight = 1.5

// State is what a thread is doing, as far as the lock is concerned.
type State uint8

// The states a thread goes through; an Observer sees every change.
const (
	Running State = iota // holds the lock
	Waiting              // waits for the lock
	Blocked              // released the lock for a blocking operation
	Done                 // exited
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Waiting:
		return "waiting"
	case Blocked:
		return "blocked"
	case Done:
		return "done"
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Observer is told of every state change of every thread of a GIL. It is
// called with the GIL's internal mutex held: it must be quick and must not
// call back into the GIL.
type Observer func(t *Thread, s State)

// GIL is one interpreter lock. The zero value is not usable; call New.
type GIL struct {
	// dropReq is the hot flag read by Checkpoint without locking.
	dropReq atomic.Bool

	interval atomic.Int64 // time.Duration

	handovers    atomic.Int64
	dropRequests atomic.Int64

	mu        sync.Mutex
	holder    *Thread
	waiters   []*Thread   // in no order; each knows its index (Thread.idx)
	timed     timedHeap   // the waiters' interval-long waits, earliest deadline first
	timer     *time.Timer // fires at the first pending deadline (see tick)
	armed     bool        // timer is set (or its tick is about to run)
	fireAt    time.Time   // when the armed timer fires
	switches  uint64      // bumped at every hand-over (CPython's switch_number)
	requester *Thread     // waiter that set the pending drop request
	weight    float64
	rng       *rand.Rand
	onDrop    func(bool)
	observer  Observer
	nthreads  int
	free      bool // NewFree: never locks
}

// New returns an unlocked GIL with the given switch interval
// (0 means DefaultInterval).
func New(interval time.Duration) *GIL {
	if interval <= 0 {
		interval = DefaultInterval
	}
	g := &GIL{
		weight: DefaultRequesterWeight,
		rng:    rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15)),
	}
	g.interval.Store(int64(interval))
	return g
}

// NewFree returns a lock that never locks: its threads run in parallel and
// Checkpoint never yields, but they are tracked exactly like threads of a
// real GIL (Current, Go, observer states). It models free-threaded CPython.
func NewFree() *GIL {
	g := New(0)
	g.free = true
	return g
}

// Free reports whether g was made by NewFree.
func (g *GIL) Free() bool { return g.free }

// SetInterval sets the switch interval, like sys.setswitchinterval. It
// applies from the next wait on. Values below 1 µs are raised to 1 µs.
func (g *GIL) SetInterval(d time.Duration) {
	if d < time.Microsecond {
		d = time.Microsecond
	}
	g.interval.Store(int64(d))
}

// Interval returns the switch interval.
func (g *GIL) Interval() time.Duration { return time.Duration(g.interval.Load()) }

// SetSeed makes the choice of the next holder reproducible (for tests).
func (g *GIL) SetSeed(seed uint64) {
	g.mu.Lock()
	g.rng = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	g.mu.Unlock()
}

// SetRequesterWeight sets how much more likely the waiter that made the drop
// request is to get the lock than any other waiter (1 = uniform; the
// default is DefaultRequesterWeight).
func (g *GIL) SetRequesterWeight(w float64) {
	if w <= 0 {
		w = 1
	}
	g.mu.Lock()
	g.weight = w
	g.mu.Unlock()
}

// OnDropRequest registers fn, called with true when a drop request is set
// and with false when it is cleared (the evaluator uses it to switch its
// interpreted check-point flag). fn runs with the GIL's mutex held.
func (g *GIL) OnDropRequest(fn func(on bool)) {
	g.mu.Lock()
	g.onDrop = fn
	g.mu.Unlock()
}

// SetObserver registers o to be told of every thread state change.
func (g *GIL) SetObserver(o Observer) {
	g.mu.Lock()
	g.observer = o
	g.mu.Unlock()
}

// Holder returns the thread holding the lock, or nil.
func (g *GIL) Holder() *Thread {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.holder
}

// Waiters returns how many threads wait for the lock.
func (g *GIL) Waiters() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.waiters)
}

// Stats returns how many times the lock passed from one thread to another
// and how many drop requests waiters made.
func (g *GIL) Stats() (handovers, dropRequests int64) {
	return g.handovers.Load(), g.dropRequests.Load()
}

// ResetStats zeroes the counters returned by Stats.
func (g *GIL) ResetStats() {
	g.handovers.Store(0)
	g.dropRequests.Store(0)
}

// DropRequested reports whether a drop request is pending.
func (g *GIL) DropRequested() bool { return g.dropReq.Load() }

// Thread is one thread of execution under a GIL, like CPython's
// PyThreadState. A Thread is used by one goroutine at a time.
type Thread struct {
	g    *GIL
	name string
	id   int
	wake chan struct{} // receives one token when the lock is handed over

	// Data is free for the owner (the runtime keeps its lane number here).
	Data any

	live    atomic.Bool // between its first Acquire and Exit (holds a P, see HoldProcs)
	holds   atomic.Bool // holds the lock
	exited  atomic.Bool // Exit was called: it never takes the lock again
	active  bool        // in g.waiters or holding; guarded by g.mu
	goid    int64       // id of the goroutine bound to t (0: none); guarded by g.mu
	idx     int         // index in g.waiters, -1 when not waiting; guarded by g.mu
	wseq    uint64      // counts t's waits, to tell its timed waits apart; guarded by g.mu
	exitReq bool        // Exit was called elsewhere while bound; guarded by g.mu
}

// NewThread returns a new thread of g that does not hold the lock.
func (g *GIL) NewThread(name string) *Thread {
	g.mu.Lock()
	g.nthreads++
	id := g.nthreads
	g.mu.Unlock()
	return &Thread{g: g, name: name, id: id, idx: -1, wake: make(chan struct{}, 1)}
}

// GIL returns the lock t belongs to.
func (t *Thread) GIL() *GIL { return t.g }

// Name returns the name given to NewThread.
func (t *Thread) Name() string { return t.name }

// ID returns t's number within its GIL, counting from 1.
func (t *Thread) ID() int { return t.id }

// Holds reports whether t holds the lock (for a thread of a NewFree lock:
// whether it has acquired it and not released it).
func (t *Thread) Holds() bool { return t.holds.Load() }

// String returns the thread's name.
func (t *Thread) String() string { return t.name }

// Acquire takes the lock, waiting as CPython's take_gil does: each time a
// switch interval passes with no hand-over, it sets the drop request.
// Acquire on a thread that already holds the lock, or that has exited,
// does nothing (a goroutine that outlives its thread, like a cancelled
// cell still unwinding, must not take the lock and die holding it).
func (t *Thread) Acquire() {
	if t.exited.Load() {
		return
	}
	if !t.live.Load() && t.live.CompareAndSwap(false, true) {
		procsInc()
		if t.exited.Load() && t.live.CompareAndSwap(true, false) {
			procsDec() // Exit ran meanwhile
			return
		}
	}
	g := t.g
	g.mu.Lock()
	if g.free {
		if !t.holds.Load() {
			t.holds.Store(true)
			g.observe(t, Running)
		}
		g.mu.Unlock()
		return
	}
	if g.holder == t {
		g.mu.Unlock()
		return
	}
	if g.holder == nil {
		g.take(t)
		g.mu.Unlock()
		return
	}
	g.enqueue(t)
	g.wait(t) // unlocks g.mu
}

// abandoned reports whether Exit was called on t from another goroutine
// while t's goroutine still ran (see Exit): its cell was interrupted while
// the goroutine waited in host code.
func (t *Thread) abandoned() bool {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	return t.exitReq
}

// Release gives up the lock for a blocking operation (the observer sees
// Blocked) and hands it to a waiter, if any. Release on a thread that does
// not hold the lock does nothing.
func (t *Thread) Release() { t.release(Blocked) }

// Exit releases the lock if held and marks t Done. After Exit, t never
// takes the lock again. Exit called on another goroutine than the one t is
// bound to (see Bind) does not touch the lock, which that goroutine may be
// running with: t exits when that goroutine unbinds it. So a cell that is
// given up while its goroutine is stuck in a host call keeps the lock
// until the call returns, and no two goroutines ever run holding it.
func (t *Thread) Exit() {
	g := t.g
	g.mu.Lock()
	if t.goid != 0 && t.goid != gid() {
		t.exitReq = true
		g.mu.Unlock()
		return
	}
	g.mu.Unlock()
	t.exited.Store(true)
	t.release(Done)
	if t.live.CompareAndSwap(true, false) {
		procsDec()
	}
}

func (t *Thread) release(s State) {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.free {
		if t.holds.Load() || s == Done {
			t.holds.Store(false)
			g.observe(t, s)
		}
		return
	}
	if g.holder != t {
		switch {
		case s == Done && t.active:
			// Exit from another goroutine while t waits: withdraw it and
			// wake its goroutine, which returns without the lock.
			if t.idx >= 0 {
				g.remove(t.idx)
			}
			if g.requester == t {
				g.requester = nil
			}
			t.active = false
			g.observe(t, Done)
			select {
			case t.wake <- struct{}{}:
			default:
			}
		case s == Done:
			g.observe(t, Done)
		}
		return
	}
	if t.goid != 0 && t.goid != gid() {
		// Only the goroutine running with the lock gives it up: released
		// from elsewhere, that goroutine would go on as a second holder.
		return
	}
	g.holder = nil
	t.holds.Store(false)
	t.active = false
	g.observe(t, s)
	if len(g.waiters) > 0 {
		g.handTo(g.pick())
	}
}

// Blocking runs fn with the lock released and takes it back after, the way
// CPython wraps blocking calls in Py_BEGIN/END_ALLOW_THREADS. If t does not
// hold the lock, fn just runs.
func (t *Thread) Blocking(fn func()) {
	if !t.Holds() {
		fn()
		return
	}
	t.Release()
	defer t.Acquire()
	fn()
}

// Checkpoint is a check point: if a drop request is pending and t holds
// the lock, t hands the lock to a waiter and waits to get it back. When no
// request is pending it costs one atomic load (a few nanoseconds).
func (t *Thread) Checkpoint() {
	if t.g.dropReq.Load() {
		t.yield()
	}
}

func (t *Thread) yield() {
	g := t.g
	g.mu.Lock()
	if g.holder != t || !g.dropReq.Load() {
		g.mu.Unlock()
		return
	}
	if len(g.waiters) == 0 {
		g.clearDrop()
		g.mu.Unlock()
		return
	}
	// Forced switching: the lock goes straight to another thread, so this
	// one cannot take it back before someone else has run.
	g.holder = nil
	t.holds.Store(false)
	g.handTo(g.pick())
	g.enqueue(t)
	g.wait(t)
}

// Waiting reports whether t waits for the lock.
func (t *Thread) Waiting() bool {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	return t.active && t.g.holder != t
}

// enqueue adds t to the waiters and starts its timed wait. g.mu held.
func (g *GIL) enqueue(t *Thread) {
	t.active = true
	t.idx = len(g.waiters)
	g.waiters = append(g.waiters, t)
	t.wseq++
	g.startTimed(t, time.Now())
	g.observe(t, Waiting)
}

// remove takes the waiter at index i out of the waiters. g.mu held.
func (g *GIL) remove(i int) *Thread {
	n := len(g.waiters)
	t := g.waiters[i]
	g.waiters[i] = g.waiters[n-1]
	g.waiters[i].idx = i
	g.waiters[n-1] = nil
	g.waiters = g.waiters[:n-1]
	t.idx = -1
	return t
}

// wait blocks t until it is handed the lock (or withdrawn by Exit). g.mu
// is held on entry and released on return.
func (g *GIL) wait(t *Thread) {
	g.mu.Unlock()
	<-t.wake
}

// The switch interval's timed waits. In CPython each waiting thread waits
// on the GIL's condition variable for one interval at a time; when such a
// wait times out and no switch happened since it began, the thread sets the
// drop request; then it waits again. Here the waits are entries of one
// min-heap by deadline served by one timer, not a timer per waiter: 100,000
// goroutines waiting for the lock would otherwise wake 20 million times a
// second. A heap, not a FIFO, because the interval can change between
// waits (SetInterval): a wait begun under a 10 s interval must not hold back
// the 50 µs waits begun after it.

// timedWait is one interval-long wait of a waiter.
type timedWait struct {
	t        *Thread
	seq      uint64 // t.wseq when it began: t still waits the same wait
	saved    uint64 // g.switches when it began
	deadline time.Time
}

// stale reports whether w's waiter has got the lock or was withdrawn since
// w began. g.mu held.
func (w timedWait) stale() bool { return w.t.idx < 0 || w.t.wseq != w.seq }

// timedHeap is a binary min-heap of waits by deadline.
type timedHeap []timedWait

func (h *timedHeap) push(w timedWait) {
	*h = append(*h, w)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].deadline.Before(q[p].deadline) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

func (h *timedHeap) pop() timedWait {
	q := *h
	top := q[0]
	n := len(q) - 1
	q[0] = q[n]
	q[n] = timedWait{}
	q = q[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && q[l].deadline.Before(q[m].deadline) {
			m = l
		}
		if r := l + 1; r < n && q[r].deadline.Before(q[m].deadline) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}

// startTimed begins an interval-long wait of t at now. g.mu held.
func (g *GIL) startTimed(t *Thread, now time.Time) {
	// A waiter that got the lock before its deadline leaves its entry
	// behind; drop such entries once they outnumber the live ones, so the
	// heap stays as large as the set of waiters.
	if len(g.timed) > 2*len(g.waiters)+64 {
		live := g.timed[:0]
		for _, w := range g.timed {
			if !w.stale() {
				live = append(live, w)
			}
		}
		clear(g.timed[len(live):])
		g.timed = nil
		for _, w := range live {
			g.timed.push(w)
		}
	}
	w := timedWait{t: t, seq: t.wseq, saved: g.switches, deadline: now.Add(time.Duration(g.interval.Load()))}
	g.timed.push(w)
	if !g.armed || w.deadline.Before(g.fireAt) {
		g.arm(now, w.deadline)
	}
}

// arm sets the timer to fire at the deadline. g.mu held.
func (g *GIL) arm(now, deadline time.Time) {
	g.armed = true
	g.fireAt = deadline
	d := max(deadline.Sub(now), 0)
	if g.timer == nil {
		g.timer = time.AfterFunc(d, g.tick)
		return
	}
	g.timer.Reset(d)
}

// tick ends the timed waits whose interval has passed: a waiter that saw
// no switch during its wait sets the drop request, as CPython's take_gil
// does; each still waiting waits again.
func (g *GIL) tick() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.armed = false
	now := time.Now()
	// A wait begun here ends at least a microsecond after now (SetInterval's
	// floor), so the loop never meets it again.
	for len(g.timed) > 0 && !g.timed[0].deadline.After(now) {
		w := g.timed.pop()
		if w.stale() {
			continue // it got the lock, or was withdrawn, since
		}
		if g.switches == w.saved && g.holder != nil {
			g.requester = w.t
			g.dropRequests.Add(1)
			if !g.dropReq.Load() {
				g.dropReq.Store(true)
				if g.onDrop != nil {
					g.onDrop(true)
				}
			}
		}
		g.startTimed(w.t, now)
	}
	if len(g.timed) > 0 && (!g.armed || g.timed[0].deadline.Before(g.fireAt)) {
		g.arm(now, g.timed[0].deadline)
	}
}

// pick removes and returns the next holder from the waiters: a weighted
// random draw, the requester weighing g.weight, the others 1. It costs the
// same with 100,000 waiters as with two. g.mu held.
func (g *GIL) pick() *Thread {
	n := len(g.waiters)
	i := 0
	if n > 1 {
		req := -1
		if r := g.requester; r != nil && r.idx >= 0 {
			req = r.idx
		}
		if req < 0 {
			i = min(int(g.rng.Float64()*float64(n)), n-1)
		} else {
			x := g.rng.Float64() * (float64(n-1) + g.weight)
			if x < g.weight {
				i = req
			} else {
				i = min(int(x-g.weight), n-2)
				if i >= req {
					i++
				}
			}
		}
	}
	return g.remove(i)
}

// handTo makes t, just removed from the waiters, the holder and wakes it.
// g.mu held.
func (g *GIL) handTo(t *Thread) {
	g.take(t)
	g.handovers.Add(1)
	t.wake <- struct{}{}
}

// take makes t the holder. g.mu held.
func (g *GIL) take(t *Thread) {
	g.holder = t
	g.switches++
	t.active = true
	t.holds.Store(true)
	if g.requester == t {
		g.requester = nil
	}
	g.clearDrop()
	g.observe(t, Running)
}

func (g *GIL) clearDrop() {
	if g.dropReq.Load() {
		g.dropReq.Store(false)
		if g.onDrop != nil {
			g.onDrop(false)
		}
	}
}

func (g *GIL) observe(t *Thread, s State) {
	if g.observer != nil {
		g.observer(t, s)
	}
}
