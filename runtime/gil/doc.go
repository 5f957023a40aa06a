// Package gil emulates CPython's global interpreter lock (the "new GIL" of
// CPython 3.2+, as in Python/ceval_gil.c) for Go code.
//
// One GIL is shared by the threads (goroutines) of one interpreter. A
// thread must hold the lock to run interpreted code. The holder gives it up
// only at check points (Thread.Checkpoint), and only when a waiter has asked:
// a thread that has waited one switch interval (5 ms by default, see
// SetInterval) without any hand-over in between sets the drop request. The
// holder drops at its next check point and, as in CPython's forced
// switching, waits until another thread has taken the lock before it queues
// again. Blocking operations release the lock (Thread.Release) and take it
// back (Thread.Acquire) after.
//
// Who gets the lock after a drop is not first-come first-served. CPython
// waits on a condition variable, and the waiter the OS wakes is arbitrary;
// in practice the waiter that just made the drop request (it is awake, on a
// CPU) wins more often than one that has waited longer. Go's own primitives
// would give a different order: sync.Cond and channel waiters are FIFO, and
// sync.Mutex favours the goroutine that is running. So the GIL keeps its
// waiters itself and draws the next holder at random, giving the requester
// a larger weight (see SetRequesterWeight). With the default weight a
// goroutine waking from a 10 ms sleep beside N CPU-bound threads is late by
// about what CPython measures: N=1 ≈ 1 interval, N=2 ≈ 1–2 intervals at the
// median with a tail of ~9 intervals at p99, N=3 ≈ 2 intervals and ~13 at
// p99.
//
// Usage:
//
//	g := gil.New(5 * time.Millisecond)
//	t := g.NewThread("worker 1")
//	t.Acquire()
//	defer t.Exit()
//	for i := 0; i < n; i++ {
//		work()
//		t.Checkpoint() // cheap unless a waiter asked for the lock
//	}
package gil
