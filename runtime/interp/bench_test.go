package interp

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The benchmarks compare the same code in plain yaegi (no instrumentation)
// and through the evaluator (instrumented, free mode, flag off). Run
//
//	go test ./runtime/interp -run '^$' -bench . -benchtime 3x
//
// BenchmarkRatios prints the ratios in one table.

const benchDecls = `
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func loop(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}
`

type runner func(src string) error

func plainRunner(b testing.TB) runner {
	yi := yaegi.New(yaegi.Options{Stdout: io.Discard, Stderr: io.Discard})
	if err := yi.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	if _, err := yi.Eval(benchDecls); err != nil {
		b.Fatal(err)
	}
	return func(src string) error { _, err := yi.Eval(src); return err }
}

func evalRunner(b testing.TB, p Policy) runner {
	in, err := New(Options{Stdout: io.Discard, Stderr: io.Discard, Policy: p})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := in.Eval(context.Background(), benchDecls); err != nil {
		b.Fatal(err)
	}
	return func(src string) error { _, err := in.Eval(context.Background(), src); return err }
}

func benchCell(b *testing.B, r runner, src string) {
	b.Helper()
	for i := 0; i < b.N; i++ {
		if err := r(src); err != nil {
			b.Fatal(err)
		}
	}
}

var benchCases = []struct{ name, src string }{
	{"fib27", "fib(27)"},
	{"loop10M", "loop(10000000)"},
	{"empty", "1"},
}

func BenchmarkCells(b *testing.B) {
	for _, c := range benchCases {
		b.Run(c.name+"/yaegi", func(b *testing.B) { benchCell(b, plainRunner(b), c.src) })
		b.Run(c.name+"/off", func(b *testing.B) { benchCell(b, evalRunner(b, policyOff), c.src) })
		b.Run(c.name+"/py310", func(b *testing.B) { benchCell(b, evalRunner(b, Py310), c.src) })
		b.Run(c.name+"/py39", func(b *testing.B) { benchCell(b, evalRunner(b, Py39), c.src) })
	}
}

// BenchmarkRatios measures, in the same run, plain yaegi, the evaluator
// without check points (eval-off: same goroutine, context and rewriting of
// everything else) and with them (py310, py39), and prints their times and
// ratios; the goals are py310 within 1.10x of yaegi on fib and 1.20x on the
// loop. It runs them interleaved and counts CPU time (see interleave), so
// load on a shared machine moves the ratios little:
//
//	go test ./runtime/interp -run '^$' -bench Ratios -benchtime 1x -count 5
//
// best is each one's fastest run; py310/y and py39/y are the medians over
// rounds of the ratio to yaegi in the same round; py310/off is best to best.
func BenchmarkRatios(b *testing.B) {
	if testing.Short() {
		b.Skip("slow: interleaved rounds")
	}
	var tab strings.Builder
	fmt.Fprintf(&tab, "\n%-8s %10s %10s %10s %10s %8s %8s %9s\n", "cell", "yaegi", "eval-off", "py310", "py39", "py310/y", "py39/y", "py310/off")
	for _, c := range ratioCases {
		var runs []func() error
		for _, r := range []runner{plainRunner(b), evalRunner(b, policyOff), evalRunner(b, Py310), evalRunner(b, Py39)} {
			runs = append(runs, func() error { return r(c.src) })
		}
		best, _, paired := interleave(b, runs, 10*time.Second)
		r := func(d time.Duration) time.Duration { return d.Round(time.Microsecond / 10) }
		fmt.Fprintf(&tab, "%-8s %10v %10v %10v %10v %8.3f %8.3f %9.3f\n", c.name, r(best[0]), r(best[1]), r(best[2]), r(best[3]),
			paired[2], paired[3], float64(best[2])/float64(best[1]))
	}
	fmt.Print(tab.String()) // b.Log would cut it at ten lines
}

// ratioCases are benchCases made short enough for many rounds.
var ratioCases = []struct{ name, src string }{
	{"fib22", "fib(22)"},
	{"loop2M", "loop(2000000)"},
	{"empty", "1"},
}

// BenchmarkNew is the cost of a fresh interpreter (what an isolate pays
// before replaying Decls).
func BenchmarkNew(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := New(Options{Stdout: io.Discard, Stderr: io.Discard}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCall is the cost of Call on a trivial interpreted func.
func BenchmarkCall(b *testing.B) {
	in, err := New(Options{Stdout: io.Discard, Stderr: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := in.Eval(context.Background(), "func id(n int) int { return n }"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := in.Call("id", i); err != nil {
			b.Fatal(err)
		}
	}
}
