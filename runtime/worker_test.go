package runtime

import (
	"fmt"
	"strings"
	"testing"

	"corelab/runtime/limits"
)

func TestWorkerIndex(t *testing.T) {
	if w := Worker(); w != -1 {
		t.Errorf("Worker() outside a run = %d, want -1", w)
	}
	for _, m := range []Model{GIL, Free} {
		r := Run(m, 3, Worker)
		if got := fmt.Sprint(r.Results); got != "[[0] [1] [2]]" {
			t.Errorf("%s: compiled Worker per worker = %s, want [[0] [1] [2]]", m, got)
		}
	}
	nb := newNotebook(t)
	nb.eval(`
import rt "corelab/runtime"
func who() int { return rt.Worker() }
func whoGo() int {
	c := make(chan int)
	go func() { c <- rt.Worker() }()
	return <-c
}`)
	if w := nb.int(`rt.Worker()`); w != -1 {
		t.Errorf("Worker() in a cell = %d, want -1", w)
	}
	for _, m := range []Model{GIL, Free, Isolates, Processes} {
		for _, fn := range []string{"who", "whoGo"} {
			r := Run(m, 3, fn)
			if err := r.Err(); err != nil {
				t.Fatalf("%s %s: %v", m, fn, err)
			}
			if got := fmt.Sprint(r.Results); got != "[[0] [1] [2]]" {
				t.Errorf("%s: %s per worker = %s, want [[0] [1] [2]]", m, fn, got)
			}
		}
	}
}

// Workers of RefCounts start together and run until all have done their
// ops, so they overlap even for a short run; immortal counts are CPython's.
func TestRefCountsOverlapAndImmortal(t *testing.T) {
	for _, m := range []Model{GIL, Free, Isolates} {
		r := RefCounts(m, 3, 100, []RefKind{PlainRef, ImmortalRef})
		for _, x := range r.Results {
			if !x.Overlapped() {
				t.Errorf("%s %s: workers did not overlap (overlap %.2f)", m, x.Kind, x.Overlap)
			}
		}
		if x := r.Results[1]; m != Isolates && (x.Final != 4294967295 || x.Expected != 4294967295) {
			t.Errorf("%s immortal: final %d expected %d, want 4294967295 (sys.getrefcount(None) on 3.12)", m, x.Final, x.Expected)
		}
		if s := r.String(); !strings.Contains(s, "overlapped") || !strings.Contains(s, "2**32−1") {
			t.Errorf("%s: table lacks the overlap column or the immortal label:\n%s", m, s)
		}
	}
}

// Scale's ideal column never promises more than the core budget.
func TestScaleIdealCappedAtBudget(t *testing.T) {
	s := &Scaling{Func: "rt.Fib(20)", Workers: []int{1, 2, 3}, Models: []Model{GIL},
		Speedup: map[Model][]float64{GIL: {1, 1, 1}},
		Budget:  limits.Budget{GOMAXPROCS: 1, NumCPU: 1, Affinity: 1}}
	_, rows := s.rows()
	for _, r := range rows {
		if got := r[len(r)-1]; got != "1×" {
			t.Errorf("%s workers on 1 core: ideal %s, want 1×", r[0], got)
		}
	}
	s.Budget = limits.Budget{GOMAXPROCS: 2, NumCPU: 4, Affinity: 4, CgroupCPUs: 1.5}
	_, rows = s.rows()
	if got := rows[2][2]; got != "1.5×" {
		t.Errorf("3 workers on 1.5 cores: ideal %s, want 1.5×", got)
	}
	if got := rows[0][2]; got != "1×" {
		t.Errorf("1 worker: ideal %s, want 1×", got)
	}
}
