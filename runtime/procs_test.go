package runtime

import (
	goruntime "runtime"
	"testing"

	"corelab/runtime/gil"
)

// On one P a woken goroutine waits for the CPU-bound holder to be
// preempted; runs keep a second P and report the real GOMAXPROCS.
func TestRunKeepsTwoProcsOnOneCore(t *testing.T) {
	old := goruntime.GOMAXPROCS(1)
	defer goruntime.GOMAXPROCS(old)
	oldCores := gil.OSCores
	gil.OSCores = func() float64 { return 1 } // as on a 1-core machine (taskset -c 0, a 1-CPU cgroup)
	defer func() { gil.OSCores = oldCores }()
	for _, m := range []Model{GIL, Free} {
		r := Run(m, 2, func() int { return goruntime.GOMAXPROCS(0) })
		for i, res := range r.Results {
			if got := res[0].(int); got < 2 {
				t.Errorf("%s worker %d: GOMAXPROCS %d during the run, want ≥ 2", m, i, got)
			}
		}
		if got := goruntime.GOMAXPROCS(0); got != 1 {
			t.Errorf("%s: GOMAXPROCS %d after the run, want 1 restored", m, got)
		}
		if got := r.Measurement.Budget.GOMAXPROCS; got != 1 {
			t.Errorf("%s: report states GOMAXPROCS %d, want the real 1", m, got)
		}
	}
	done := testLab.CellStart()
	if got := goruntime.GOMAXPROCS(0); got < 2 {
		t.Errorf("GOMAXPROCS %d during a cell, want ≥ 2", got)
	}
	if got := Budget().GOMAXPROCS; got != 1 {
		t.Errorf("Budget() in a cell states GOMAXPROCS %d, want 1", got)
	}
	done()
	if got := goruntime.GOMAXPROCS(0); got != 1 {
		t.Errorf("GOMAXPROCS %d after the cell, want 1", got)
	}
}

// GOMAXPROCS=1 set by hand on a machine with more cores is left alone.
func TestNoExtraProcBeyondTheOSBudget(t *testing.T) {
	old := goruntime.GOMAXPROCS(1)
	defer goruntime.GOMAXPROCS(old)
	oldCores := gil.OSCores
	gil.OSCores = func() float64 { return 4 }
	defer func() { gil.OSCores = oldCores }()
	r := Run(Free, 2, func() int { return goruntime.GOMAXPROCS(0) })
	if got := r.Results[0][0].(int); got != 1 {
		t.Errorf("GOMAXPROCS %d during the run, want 1 (set by hand)", got)
	}
}
