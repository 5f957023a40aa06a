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
// everything else) and with them, and prints the instrumented/eval-off
// ratios (goals: fib +10 %, loop +20 %). Best of several interleaved runs.
// It times by itself: testing.Benchmark cannot nest.
func BenchmarkRatios(b *testing.B) {
	var tab strings.Builder
	fmt.Fprintf(&tab, "\n%-8s %12s %12s %12s %12s %7s %7s\n", "cell", "yaegi", "eval-off", "py310", "py39", "py310x", "py39x")
	for _, c := range benchCases {
		// interleave the three so drift in machine load hits all alike
		rs := []runner{plainRunner(b), evalRunner(b, policyOff), evalRunner(b, Py310), evalRunner(b, Py39)}
		best := []time.Duration{1 << 62, 1 << 62, 1 << 62, 1 << 62}
		deadline := time.Now().Add(6 * time.Second)
		for round := 0; round < 200 && (round < 3 || time.Now().Before(deadline)); round++ {
			for k, r := range rs {
				start := time.Now()
				if err := r(c.src); err != nil {
					b.Fatal(err)
				}
				best[k] = min(best[k], time.Since(start))
			}
		}
		fmt.Fprintf(&tab, "%-8s %12v %12v %12v %12v %7.3f %7.3f\n", c.name, best[0].Round(time.Microsecond/10), best[1].Round(time.Microsecond/10),
			best[2].Round(time.Microsecond/10), best[3].Round(time.Microsecond/10),
			float64(best[2])/float64(best[1]), float64(best[3])/float64(best[1]))
	}
	b.Log(tab.String())
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
