package runtime

import (
	"strings"
	"testing"
	"time"

	"corelab/display"
	"corelab/runtime/limits"
	"corelab/runtime/meter"
)

var twoCores = limits.Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 2, Affinity: 2}

// A speed-up above the core budget (04 once showed isolates at 2.87× on 2
// cores beside other load) is never presented as a result: the table marks
// it, the chart draws it hollow off the line, and the verdict names it.
func TestScaleFlagsSpeedupsAboveBudget(t *testing.T) {
	s := &Scaling{Func: "rt.CountPrimes(2, 1000000)", Workers: []int{1, 2}, Models: []Model{GIL, Free, Isolates},
		Speedup: map[Model][]float64{GIL: {1, 1.02}, Free: {1, 1.95}, Isolates: {1, 2.87}},
		Low:     map[Model][]float64{GIL: {1, 0.98}, Free: {1, 1.9}, Isolates: {1, 1.9}},
		High:    map[Model][]float64{GIL: {1, 1.04}, Free: {1, 1.97}, Isolates: {1, 3.1}},
		Budget:  twoCores}
	_, rows := s.rows()
	if cell := rows[1][3]; !strings.Contains(cell, "2.87×") || !strings.Contains(cell, "⚠") {
		t.Errorf("isolates at 2 workers: %q, want it marked", cell)
	}
	if cell := rows[1][2]; strings.Contains(cell, "⚠") || !strings.Contains(cell, "1.90–1.97") {
		t.Errorf("free at 2 workers: %q, want a plain result with its range", cell)
	}
	v := s.Verdict()
	for _, want := range []string{"Scaled to about the budget of 2 cores: free 1.95× at 2 workers",
		"Did not scale: gil (at most 1.02×)", "Not results — above the budget of 2", "isolates at 2 workers (up to 2.87×)"} {
		if !strings.Contains(v, want) {
			t.Errorf("verdict lacks %q:\n%s", want, v)
		}
	}
	svg := s.DisplayBundle()[display.MIMESVG].(string)
	if strings.Count(svg, `class="void"`) != 1 || !strings.Contains(svg, "not a result") {
		t.Errorf("chart: want one hollow point labelled not a result")
	}
	if strings.Count(svg, `class="spread"`) != 3 {
		t.Errorf("chart: want a range bar for each 2-worker point, got %d", strings.Count(svg, `class="spread"`))
	}

	s.Budget = limits.Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 2, CgroupCPUs: 1}
	v = s.Verdict()
	if !strings.Contains(v, "cannot show a parallel speed-up") || !strings.Contains(v, "free at 2 workers (up to 1.95×)") {
		t.Errorf("one-core budget verdict:\n%s", v)
	}
}

// Compare's speed-up over the GIL is per round, and one above what the
// budget allows is marked, not presented (issue 14: free 1.73× vs GIL with
// one worker under a one-CPU quota).
func TestCompareFlagsSpeedupsAboveBudget(t *testing.T) {
	ms := time.Millisecond
	c := &Comparison{Workers: 1, Func: "rt.Fib(34)", Budget: limits.Budget{NumCPU: 2, Online: 2, CgroupCPUs: 1},
		Walls: map[Model][]time.Duration{GIL: {86 * ms, 90 * ms, 84 * ms}, Free: {49 * ms, 52 * ms, 50 * ms}, Isolates: {88 * ms, 91 * ms, 83 * ms}}}
	for _, m := range []Model{GIL, Free, Isolates} {
		c.Reports = append(c.Reports, &Report{Model: m, Workers: 1, Measurement: meter.Measurement{Wall: c.Walls[m][0], Budget: c.Budget}})
	}
	med, lo, hi := c.Speedup(Free)
	if med < 1.7 || lo > med || hi < med {
		t.Fatalf("free speed-up %v (%v–%v)", med, lo, hi)
	}
	out := c.String()
	if !strings.Contains(out, "not a result") || !strings.Contains(c.Says(), "Not results: free") {
		t.Errorf("free 1.7× on a budget of 1 not marked:\n%s", out)
	}
	if strings.Contains(c.Says(), "Not results: isolates") || !strings.Contains(c.Says(), "isolates 0.99×") {
		t.Errorf("isolates is a result:\n%s", c.Says())
	}
}

// Compare and Scale measure every case Rounds times and keep the spread.
func TestCompareAndScaleRepeat(t *testing.T) {
	c := Compare([]Model{GIL, Free}, 2, Spin, 5*time.Millisecond)
	for _, m := range []Model{GIL, Free} {
		if len(c.Walls[m]) != Rounds {
			t.Errorf("%s: %d walls, want %d", m, len(c.Walls[m]), Rounds)
		}
	}
	if c.Says() == "" {
		t.Error("comparison says nothing")
	}
	s := Scale([]Model{Free}, 2, Spin, 5*time.Millisecond)
	if lo, med, hi := s.Low[Free][1], s.Speedup[Free][1], s.High[Free][1]; !(lo <= med && med <= hi) {
		t.Errorf("2 workers: %v ≤ %v ≤ %v does not hold", lo, med, hi)
	}
	if s.Verdict() == "" {
		t.Error("no verdict")
	}
}

// Workers of a workload that releases the lock (rt.NoGIL) are recorded as
// running with the lock released, not as blocked or waiting, and the
// report says so.
func TestNoGILLanesShowLockReleased(t *testing.T) {
	r := Run(GIL, 2, NoGIL(Spin), 30*time.Millisecond)
	for _, l := range r.Measurement.Lanes {
		if l.Share(meter.Released) < 0.5 || l.Waiting > l.Released/10 {
			t.Errorf("%s: released %v, waiting %v, running %v", l.Name, l.Released, l.Waiting, l.Running)
		}
	}
	if !strings.Contains(r.Says(), "running with the lock released") {
		t.Errorf("report says: %s", r.Says())
	}
}

// When other processes took CPU during most runs, the verdict does not
// call any model scaled or flat: it says the numbers are the load's.
func TestVerdictInconclusiveOnBusyMachine(t *testing.T) {
	s := &Scaling{Func: "rt.Fib(34)", Workers: []int{1, 2}, Models: []Model{GIL, Free},
		Speedup: map[Model][]float64{GIL: {1, 1.89}, Free: {1, 0.69}}, Budget: twoCores,
		cond: conditions{runs: 16, busy: 15, other: 1.8}}
	v := s.Verdict()
	if !strings.Contains(v, "Inconclusive: other processes took up to 1.80 cores during 15 of 16 runs") ||
		strings.Contains(v, "Scaled") || strings.Contains(v, "Did not scale") {
		t.Errorf("busy-machine verdict:\n%s", v)
	}
	s.cond = conditions{runs: 16, busy: 2, other: 0.5}
	if v := s.Verdict(); !strings.Contains(v, "Scaled to about the budget of 2 cores: gil 1.89×") || !strings.Contains(v, "during 2 of 16 runs") {
		t.Errorf("mostly quiet verdict:\n%s", v)
	}
}
