package gil

import (
	"os"
	"runtime"
	"sync"
)

// With GOMAXPROCS=1 (one core: Binder, `taskset -c 0`, a 1-CPU cgroup) Go
// has one P, and a goroutine whose timer fires while another goroutine
// runs CPU-bound code waits until the scheduler preempts that goroutine
// (about 10 ms). CPython's waiting thread is woken by the OS at once. A
// waiter would then ask for the lock late and irregularly. So while any
// thread of any lock is live (from its first Acquire to Exit) the package
// keeps at least two Ps: the lock still lets one thread run and the OS
// still has one core to share; the second P only lets a woken goroutine
// run on time, as an OS thread would. GOMAXPROCS is restored when the last
// thread exits.

var procs struct {
	mu   sync.Mutex
	n    int // live holds
	base int // GOMAXPROCS before the first hold (0: not raised)
}

// OSCores returns the cores the OS gives the process, GOMAXPROCS apart
// (CPU affinity, cgroup quota). Only when it is below 2 does HoldProcs add
// a P; GOMAXPROCS=1 chosen by hand on a bigger machine is left alone (a
// second P would add a core). The default trusts Go's own GOMAXPROCS
// (derived from affinity and cgroup) unless the GOMAXPROCS variable is
// set; the runtime package replaces it with its budget reader.
var OSCores = func() float64 {
	if os.Getenv("GOMAXPROCS") != "" {
		return float64(runtime.NumCPU())
	}
	return float64(runtime.GOMAXPROCS(0))
}

// HoldProcs ensures at least two Ps on a one-core budget until release is
// called. Holds nest; the last release restores GOMAXPROCS.
func HoldProcs() (release func()) {
	procsInc()
	var once sync.Once
	return func() { once.Do(procsDec) }
}

func procsInc() {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	procs.n++
	if procs.n == 1 {
		if n := runtime.GOMAXPROCS(0); n < 2 && OSCores() < 2 {
			procs.base = n
			runtime.GOMAXPROCS(2)
		}
	}
}

func procsDec() {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	procs.n--
	if procs.n > 0 || procs.base == 0 {
		return
	}
	base := procs.base
	procs.base = 0
	if runtime.GOMAXPROCS(0) != 2 {
		return // changed by someone else meanwhile: leave it
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// Back to Go's default (affinity- and cgroup-derived, updated
		// automatically) when that is what it was.
		runtime.SetDefaultGOMAXPROCS()
		if runtime.GOMAXPROCS(0) == base {
			return
		}
	}
	runtime.GOMAXPROCS(base)
}

// RealProcs returns GOMAXPROCS as it is without the extra P of HoldProcs:
// what reports should state.
func RealProcs() int {
	procs.mu.Lock()
	defer procs.mu.Unlock()
	if procs.base > 0 {
		return procs.base
	}
	return runtime.GOMAXPROCS(0)
}
