package bench

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	rt "corelab/runtime"
	"corelab/runtime/host"
	"corelab/runtime/symbols"
)

func TestMain(m *testing.M) {
	if os.Getenv(host.WorkerEnv) == "1" {
		os.Exit(host.WorkerMain(symbols.Symbols))
	}
	os.Exit(m.Run())
}

// setup points worker processes at this test binary. The quick table is
// used unless CORELAB_BENCH_FULL=1 (then the test prints the full table:
// CORELAB_BENCH_FULL=1 go test -run TestRuntimeTable -v ./runtime/bench).
func setup(tb testing.TB) *bencher {
	tb.Helper()
	b, err := newBencher(Options{Quick: os.Getenv("CORELAB_BENCH_FULL") != "1"})
	if err != nil {
		tb.Fatal(err)
	}
	exe, _ := os.Executable()
	host.New(host.Env{NewInterpreter: newInterpreter, Executable: exe, WorkerArgs: []string{"-test.run=^$"}}).Attach(b.in)
	return b
}

// TestRuntimeTable runs the quick table and asserts the verdicts that hold on
// any machine (rows marked exact: what the lock allows, not how fast); the
// timed rows are for `corelab bench runtime` and are only printed here.
func TestRuntimeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every model for several seconds")
	}
	b := setup(t)
	rows, err := b.rows()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := printRows(&buf, rows); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	t.Log("\n" + out)
	for _, want := range []string{"cores used", "counter++", "tick", "isolate creation", "speed-up", "process start-up", "emulation | CPython 3."} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	exact := 0
	for _, r := range rows {
		if !r.exact {
			continue
		}
		exact++
		if !r.ok {
			t.Errorf("%s: measured %s, target %s", r.what, r.got, r.target)
		}
	}
	if exact == 0 {
		t.Error("no row has a machine-independent verdict to check")
	}
}

func BenchmarkGILTwoSpinWorkers(b *testing.B) {
	setup(b)
	for b.Loop() {
		r := rt.Run(rt.GIL, 2, rt.Spin, 50*time.Millisecond)
		m := r.Measurement
		b.ReportMetric(float64(m.CPU()-m.GC)/float64(m.Wall), "cores")
		if m.Handovers > 0 {
			b.ReportMetric(float64(m.Wall.Microseconds())/float64(m.Handovers), "µs/handover")
		}
	}
}

func BenchmarkGILTwoInterpretedWorkers(b *testing.B) {
	bn := setup(b)
	n := bn.calibrate(100 * time.Millisecond)
	for b.Loop() {
		m := rt.Run(rt.GIL, 2, "busy", n).Measurement
		b.ReportMetric(float64(m.CPU()-m.GC)/float64(m.Wall), "cores")
	}
}

func BenchmarkIsolateCreate(b *testing.B) {
	setup(b)
	for b.Loop() {
		c := rt.MeasureIsolates(1)
		b.ReportMetric(float64(c.Memory), "heap-bytes/isolate")
	}
}

func BenchmarkProcessStart(b *testing.B) {
	setup(b)
	for b.Loop() {
		r := rt.Run(rt.Processes, 1, rt.Fib, 1)
		b.ReportMetric(float64(r.StartupMean().Microseconds()), "µs-startup")
		b.ReportMetric(float64(r.MemoryMean())/1e6, "MB-rss")
	}
}

func BenchmarkFibCompiled(b *testing.B) {
	for _, m := range []rt.Model{rt.GIL, rt.Free} {
		b.Run(string(m), func(b *testing.B) {
			setup(b)
			for b.Loop() {
				rt.Run(m, 1, rt.Fib, 25)
			}
		})
	}
}

// BenchmarkTickLateness reports how late a 10 ms tick wakes beside N
// CPU-bound jobs under the GIL (CPython: N=1 5.3/5.5 ms, N=2 5.5–10.5/47,
// N=3 8.8–9.5/67–108 ms p50/p99).
func BenchmarkTickLateness(b *testing.B) {
	setup(b)
	for _, jobs := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("gil-%d-jobs", jobs), func(b *testing.B) {
			for b.Loop() {
				l := rt.Responsiveness([]rt.Model{rt.GIL}, jobs, 2*time.Second).Results[1]
				b.ReportMetric(float64(l.P(50))/1e6, "p50-ms")
				b.ReportMetric(float64(l.P(99))/1e6, "p99-ms")
			}
		})
	}
}
