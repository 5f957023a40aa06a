package runtime

import (
	"corelab/runtime/gil"
	"corelab/runtime/limits"
)

// On one core the runtime keeps a second P while a run, a server or a
// cell is active (gil.HoldProcs; every live thread of a lock holds one
// too), so that a woken goroutine — a GIL waiter asking for the lock, a UI
// tick — runs on time, as the OS would run a CPython thread, instead of
// after Go's ~10 ms preemption. Whether the budget is one core is read
// from the OS (gil.OSCores, which host.New points at limits.Read).
// Reports state the real GOMAXPROCS.

// boostProcs ensures at least two Ps on a one-core budget until the
// returned func is called.
func boostProcs() (restore func()) { return gil.HoldProcs() }

// realProcs returns GOMAXPROCS without the extra P.
func realProcs() int { return gil.RealProcs() }

// budget reads the core budget with the real GOMAXPROCS, not the extra P
// a run adds on one core.
func budget() limits.Budget {
	b := limits.Read()
	b.GOMAXPROCS = realProcs()
	return b
}
