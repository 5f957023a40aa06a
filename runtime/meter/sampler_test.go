package meter

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	data := []byte("cpu  100 0 50 800 10 0 0 0 0 0\n" +
		"cpu0 60 5 20 400 5 3 2 1 7 0\n" +
		"cpu2 40 0 30 400 5 0 0 0\n" + // cpu1 offline; short line (old kernel)
		"intr 1\n")
	s, err := parseProcStat(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.cpus) != 2 || s.cpus[0] != 0 || s.cpus[1] != 2 {
		t.Fatalf("cpus = %v", s.cpus)
	}
	// busy = user+nice+system+irq+softirq+steal; guest is inside user already
	if s.busy[0] != 60+5+20+3+2+1 || s.total[0] != 91+400+5 {
		t.Errorf("cpu0 busy %d total %d", s.busy[0], s.total[0])
	}
	if s.busy[1] != 70 || s.total[1] != 475 {
		t.Errorf("cpu2 busy %d total %d", s.busy[1], s.total[1])
	}
	for _, bad := range []string{"", "cpu 1 2 3\n", "cpu0 1 2\n", "cpuX 1 2 3 4 5\n", "cpu0 1 x 3 4 5\n"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("parseProcStat(%q) succeeded", bad)
		}
	}
}

func TestParseSelfStat(t *testing.T) {
	// comm with a space and a parenthesis, as a process can name itself
	line := "1234 (my (odd) prog) R 1 1234 1234 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 3 0 100 1000 10 ...\n"
	got, err := parseSelfStat([]byte(line))
	if err != nil || got != 287 {
		t.Fatalf("parseSelfStat = %d, %v; want 287", got, err)
	}
	if _, err := parseSelfStat([]byte("1 (x) R 1 2")); err == nil {
		t.Error("short line parsed")
	}
}

// fakeProc produces /proc readings from cumulative per-CPU counters.
type fakeProc struct {
	cpus  []int
	busy  []uint64
	total []uint64
	proc  uint64
	thr   uint64 // cgroup throttled ns
}

func (f *fakeProc) snap() statSnap {
	return statSnap{cpus: f.cpus, busy: append([]uint64(nil), f.busy...),
		total: append([]uint64(nil), f.total...), proc: f.proc, thr: f.thr}
}

// step advances every CPU by ticks, busy by the given fractions.
func (f *fakeProc) step(ticks uint64, busy ...float64) {
	for i := range f.cpus {
		b := uint64(math.Round(busy[i] * float64(ticks)))
		f.busy[i] += b
		f.total[i] += ticks
		f.proc += b
	}
}

func newFake(n int) *fakeProc {
	f := &fakeProc{cpus: make([]int, n), busy: make([]uint64, n), total: make([]uint64, n)}
	for i := range f.cpus {
		f.cpus[i] = i
	}
	return f
}

// startFake starts s on f without the sampling goroutine's timing mattering:
// the interval is long, and the test calls add directly.
func startFake(t *testing.T, s *Sampler, f *fakeProc) {
	t.Helper()
	s.Interval = 5 * time.Second
	s.read = func() (statSnap, error) { return f.snap(), nil }
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
}

func TestSamplerOneCoreAndMany(t *testing.T) {
	for _, n := range []int{1, 2, 64} {
		f := newFake(n)
		var s Sampler
		startFake(t, &s, f)
		fr := make([]float64, n)
		for i := range fr {
			fr[i] = float64(i%2) * 0.5 // even CPUs idle, odd CPUs half busy
		}
		if n == 1 {
			fr[0] = 1
		}
		for k := 1; k <= 10; k++ {
			f.step(2, fr...)
			s.mu.Lock()
			s.add(f.snap(), time.Duration(k)*20*time.Millisecond)
			s.mu.Unlock()
		}
		series := s.Snapshot()
		if len(series) != n {
			t.Fatalf("%d cpus: %d series", n, len(series))
		}
		for i, cs := range series {
			if len(cs.Levels) != 10 {
				t.Fatalf("cpu %d: %d levels", i, len(cs.Levels))
			}
			if math.Abs(cs.Mean-fr[i]) > 1e-9 {
				t.Errorf("%d cpus: cpu %d mean %v, want %v", n, i, cs.Mean, fr[i])
			}
			if cs.Levels[3].Start != 60*time.Millisecond || cs.Levels[3].End != 80*time.Millisecond {
				t.Errorf("level 3 spans %v..%v", cs.Levels[3].Start, cs.Levels[3].End)
			}
		}
	}
}

func TestSamplerSkipsIntervalsWithoutTicks(t *testing.T) {
	f := newFake(2)
	var s Sampler
	startFake(t, &s, f)
	s.mu.Lock()
	s.add(f.snap(), 5*time.Millisecond) // no tick yet: not stored
	f.step(1, 1, 0)
	s.add(f.snap(), 12*time.Millisecond)
	s.mu.Unlock()
	series := s.Snapshot()
	if len(series[0].Levels) != 1 {
		t.Fatalf("levels = %+v", series[0].Levels)
	}
	if l := series[0].Levels[0]; l.Start != 0 || l.End != 12*time.Millisecond || l.Busy != 1 {
		t.Errorf("level = %+v", l)
	}
}

func TestSamplerBoundedMemory(t *testing.T) {
	f := newFake(4)
	s := Sampler{MaxSamples: 64}
	startFake(t, &s, f)
	for k := 1; k <= 10000; k++ {
		f.step(4, 1, 0.5, 0, 0.25)
		s.mu.Lock()
		s.add(f.snap(), time.Duration(k)*20*time.Millisecond)
		s.mu.Unlock()
	}
	series := s.Snapshot()
	n := len(series[0].Levels)
	if n >= 64 || n < 16 {
		t.Errorf("kept %d levels with MaxSamples 64", n)
	}
	last := series[0].Levels[n-1]
	if series[0].Levels[0].Start != 0 || last.End != 10000*20*time.Millisecond {
		t.Errorf("span %v..%v lost after merging", series[0].Levels[0].Start, last.End)
	}
	for i, want := range []float64{1, 0.5, 0, 0.25} {
		if math.Abs(series[i].Mean-want) > 1e-9 {
			t.Errorf("cpu %d mean %v, want %v", i, series[i].Mean, want)
		}
	}
	if s.period != maxPeriod {
		t.Errorf("period %v, want it capped at %v", s.period, maxPeriod)
	}
	if got, want := s.ProcessCPU(), time.Duration(10000*(4+2+0+1))*time.Second/clockTicks; got != want {
		t.Errorf("ProcessCPU = %v, want %v", got, want)
	}
}

func TestSamplerCPUGoesOffline(t *testing.T) {
	f := newFake(3)
	var s Sampler
	startFake(t, &s, f)
	f.step(2, 1, 1, 1)
	// cpu1 disappears from /proc/stat
	g := &fakeProc{cpus: []int{0, 2}, busy: []uint64{f.busy[0], f.busy[2]}, total: []uint64{f.total[0], f.total[2]}}
	s.mu.Lock()
	s.add(g.snap(), 20*time.Millisecond)
	s.mu.Unlock()
	series := s.Snapshot()
	if len(series) != 3 {
		t.Fatalf("series = %d", len(series))
	}
	if series[1].Mean != 0 || series[0].Mean != 1 || series[2].Mean != 1 {
		t.Errorf("means %v %v %v", series[0].Mean, series[1].Mean, series[2].Mean)
	}
}

func TestSamplerStartErrors(t *testing.T) {
	s := Sampler{read: func() (statSnap, error) { return statSnap{}, ErrNoProcStat }}
	if err := s.Start(); !errors.Is(err, ErrNoProcStat) {
		t.Fatalf("Start = %v", err)
	}
	if got := s.Stop(); got != nil {
		t.Errorf("Stop after failed Start = %v", got)
	}
}

func TestSamplerRealProc(t *testing.T) {
	var s Sampler
	s.Interval = 10 * time.Millisecond
	if err := s.Start(); err != nil {
		t.Skip("no /proc/stat:", err)
	}
	if err := s.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	time.Sleep(120 * time.Millisecond)
	series := s.Stop()
	if len(series) < 1 {
		t.Fatal("no cores")
	}
	for _, cs := range series {
		if cs.Mean < 0 || cs.Mean > 1 {
			t.Errorf("cpu %d mean %v", cs.CPU, cs.Mean)
		}
		for _, l := range cs.Levels {
			if l.End <= l.Start || l.Busy < 0 || l.Busy > 1 {
				t.Errorf("cpu %d level %+v", cs.CPU, l)
			}
		}
	}
	if s.Stop() != nil {
		t.Error("second Stop returned data")
	}
}
