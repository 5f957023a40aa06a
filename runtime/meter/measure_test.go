package meter

import (
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"corelab/runtime/limits"
)

// burn does a fixed amount of arithmetic (work, not time) and returns a
// value so the compiler cannot drop it.
func burn(iters int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < iters; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

var sink uint64

// TestCoresAgreeWithRusage is the meter's acceptance test: two goroutines
// burn a fixed amount of CPU; the cores used from the sampler's
// /proc/self/stat readings must agree with getrusage within 10 %, and the
// machine-wide /proc/stat busy time must account for at least that much
// (other processes can only add to it). Ratios only, no wall-clock limits.
func TestCoresAgreeWithRusage(t *testing.T) {
	if testing.Short() {
		t.Skip("burns about a CPU-second")
	}
	const iters = 400_000_000 // ~0.5 s per goroutine on a 2020s x86 core
	m := MeasureWith(Options{Interval: 10 * time.Millisecond}, func(rec *Recorder) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for g := 0; g < 2; g++ {
			w := rec.AddWorker("burner")
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec.Record(w, Running)
				v := burn(iters)
				mu.Lock()
				sink ^= v
				mu.Unlock()
				rec.Record(w, Done)
			}()
		}
		wg.Wait()
	})
	if m.Cores == nil {
		t.Skip("no /proc/stat here")
	}
	if m.Wall <= 0 || m.CPU() <= 0 {
		t.Fatalf("measurement %+v", m)
	}
	procCPU := 0.0
	for _, l := range m.Process {
		procCPU += l.Busy * (l.End - l.Start).Seconds()
	}
	sampledWall := m.Process[len(m.Process)-1].End.Seconds()
	sampled := procCPU / sampledWall
	ratio := sampled / m.CoresUsed
	t.Logf("wall %v cpu %v: rusage cores %.3f, sampled process cores %.3f (ratio %.3f), machine cores %.3f, budget %s",
		m.Wall, m.CPU(), m.CoresUsed, sampled, ratio, m.MachineCores, limits.FormatCPUs(m.Budget.Cores()))
	if math.Abs(ratio-1) > 0.10 {
		t.Errorf("sampled cores %.3f vs rusage cores %.3f: ratio %.3f outside 1±0.10", sampled, m.CoresUsed, ratio)
	}
	if m.MachineCores < 0.85*m.CoresUsed {
		t.Errorf("machine-wide busy %.3f cores is below this process's %.3f", m.MachineCores, m.CoresUsed)
	}
	if want := math.Min(2, m.Budget.Cores()); m.CoresUsed > want*1.1+0.1 {
		t.Errorf("cores used %.3f above the budget %.2f", m.CoresUsed, want)
	}
	if len(m.Lanes) != 2 || m.Lanes[0].Running <= 0 || m.Lanes[0].Share(Running) != 1 {
		t.Errorf("lanes %+v", m.Lanes)
	}
	if m.GC < 0 || m.GC > m.CPU() {
		t.Errorf("GC CPU %v of %v", m.GC, m.CPU())
	}
}

func TestMeasureCountsAndLanes(t *testing.T) {
	m := MeasureWith(Options{NoSampler: true}, func(rec *Recorder) {
		a, b := rec.AddWorker("a"), rec.AddWorker("b")
		rec.Record(a, Running)
		rec.Record(b, Waiting)
		rec.AddCounts(0, 1)
		rec.Record(a, Waiting)
		rec.Record(b, Running)
		rec.AddCounts(1, 0)
		rec.Record(b, Blocked)
		rec.Record(a, Done)
		rec.Record(b, Done)
	})
	if m.Cores != nil || m.Process != nil {
		t.Error("NoSampler still sampled")
	}
	if m.Handovers != 1 || m.DropRequests != 1 {
		t.Errorf("counts %d %d", m.Handovers, m.DropRequests)
	}
	if len(m.Lanes) != 2 || m.Lanes[0].Name != "a" || m.Lanes[1].Name != "b" {
		t.Fatalf("lanes %+v", m.Lanes)
	}
	if m.Budget.NumCPU < 1 || m.MaxRSS == 0 {
		t.Errorf("budget %+v maxrss %d", m.Budget, m.MaxRSS)
	}
}

func TestMeasureStopsOnPanic(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("panic swallowed")
		}
	}()
	Measure(func(*Recorder) { panic("boom") })
}

func TestMeterSnapshotThenStop(t *testing.T) {
	m := Start(Options{Interval: 10 * time.Millisecond})
	w := m.Recorder().AddWorker("x")
	m.Recorder().Record(w, Running)
	burn(20_000_000)
	snap := m.Snapshot()
	if snap.Wall <= 0 || len(snap.Lanes) != 1 {
		t.Errorf("snapshot %+v", snap)
	}
	final := m.Stop()
	if final.Wall < snap.Wall {
		t.Errorf("final wall %v < snapshot %v", final.Wall, snap.Wall)
	}
	again := m.Stop() // a second Stop must not hang or panic
	if again.Cores != nil {
		t.Error("second Stop returned core data")
	}
}

// Where the system gives no per-core times (a reader that fails, as on a
// system without /proc/stat or its equivalents), a measurement still
// reports wall and CPU time and says, as a caveat, what it could not see.
func TestMeasureWithoutPerCoreTimes(t *testing.T) {
	noCores := func() (statSnap, error) { return statSnap{}, ErrNoProcStat }
	m := start(Options{}, noCores)
	sink := burn(5_000_000)
	got := m.Stop()
	if sink == 0 {
		t.Log("burn returned 0")
	}
	if len(got.Cores) != 0 || len(got.Process) != 0 {
		t.Errorf("per-core data without a reader: %d cores, %d process levels", len(got.Cores), len(got.Process))
	}
	if got.CPU() <= 0 || got.CoresUsed <= 0 {
		t.Errorf("CPU %v, cores used %v: process times must not depend on the per-core reader", got.CPU(), got.CoresUsed)
	}
	if !strings.Contains(got.Unmeasured, "per-core busy time") {
		t.Errorf("Unmeasured = %q, want it to name the per-core busy time", got.Unmeasured)
	}
	var said bool
	for _, c := range got.Caveats() {
		said = said || strings.HasPrefix(c, "Not measured on this system: ") && strings.Contains(c, "per-core busy time")
	}
	if !said {
		t.Errorf("caveats %q do not say what was not measured", got.Caveats())
	}
	if ok := Start(Options{}).Stop(); ok.Unmeasured != "" && runtime.GOOS == "linux" {
		t.Errorf("on Linux with /proc the meter misses %q", ok.Unmeasured)
	}
}
