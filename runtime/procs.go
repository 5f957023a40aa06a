package runtime

import (
	"os"
	goruntime "runtime"
	"sync"

	"corelab/runtime/meter"
)

// With GOMAXPROCS=1 (one core, e.g. Binder or `taskset -c 0`) Go has one
// P: a goroutine whose timer fires while another goroutine runs CPU-bound
// code waits for the scheduler to preempt that goroutine (about 10 ms),
// whereas the OS wakes a CPython thread as soon as its timed wait ends. The
// GIL's waiter would then ask for the lock late and irregularly, and a UI
// tick beside any CPU-bound job would be ~10 ms late. So while a model run
// or a cell is active the runtime keeps at least two Ps: the lock still
// lets one interpreted thread run (and the OS still has one core to share),
// the second P only lets a woken goroutine run on time, as an OS thread
// would. GOMAXPROCS is put back when the last run ends, and reports state
// the budget with the real GOMAXPROCS (see budget).

var procs struct {
	mu    sync.Mutex
	n     int // active boosts
	base  int // GOMAXPROCS before the first boost (0: not boosted)
	fixed bool
}

// boostProcs ensures at least two Ps until the returned func is called.
// Boosts nest; the last one restores the previous GOMAXPROCS.
func boostProcs() (restore func()) {
	procs.mu.Lock()
	procs.n++
	if procs.n == 1 {
		if n := goruntime.GOMAXPROCS(0); n < 2 {
			procs.base = n
			goruntime.GOMAXPROCS(2)
		}
	}
	procs.mu.Unlock()
	var once sync.Once
	return func() { once.Do(unboostProcs) }
}

func unboostProcs() {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	procs.n--
	if procs.n > 0 || procs.base == 0 {
		return
	}
	base := procs.base
	procs.base = 0
	if goruntime.GOMAXPROCS(0) != 2 {
		return // changed by someone else meanwhile: leave it
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// Back to the runtime's default (cgroup- and affinity-derived,
		// updated automatically), unless that differs from what it was.
		goruntime.SetDefaultGOMAXPROCS()
		if goruntime.GOMAXPROCS(0) == base {
			return
		}
	}
	goruntime.GOMAXPROCS(base)
}

// realProcs returns GOMAXPROCS as it is outside boosts.
func realProcs() int {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	if procs.base > 0 {
		return procs.base
	}
	return goruntime.GOMAXPROCS(0)
}

// budget reads the core budget with the real GOMAXPROCS, not the extra P
// a run adds on one core.
func budget() meter.Budget {
	b := meter.ReadBudget()
	b.GOMAXPROCS = realProcs()
	return b
}
