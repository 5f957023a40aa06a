package eval

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// The benchmarks compare the same code in plain yaegi (no instrumentation)
// and through the evaluator (instrumented, free mode, flag off). Run
//
//	go test ./runtime/eval -run '^$' -bench . -benchtime 3x
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
	yi := interp.New(interp.Options{Stdout: io.Discard, Stderr: io.Discard})
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
		b.Run(c.name+"/plain", func(b *testing.B) { benchCell(b, plainRunner(b), c.src) })
		b.Run(c.name+"/py310", func(b *testing.B) { benchCell(b, evalRunner(b, Py310), c.src) })
		b.Run(c.name+"/py39", func(b *testing.B) { benchCell(b, evalRunner(b, Py39), c.src) })
	}
}

// BenchmarkRatios measures plain yaegi and the instrumented evaluator in the
// same run and prints instrumented/plain time ratios (goals: fib +10 %,
// loop +20 %).
func BenchmarkRatios(b *testing.B) {
	var tab strings.Builder
	fmt.Fprintf(&tab, "\n%-8s %14s %14s %14s %8s %8s\n", "cell", "plain", "py310", "py39", "py310/", "py39/")
	for _, c := range benchCases {
		plain := testing.Benchmark(func(b *testing.B) { benchCell(b, plainRunner(b), c.src) })
		p310 := testing.Benchmark(func(b *testing.B) { benchCell(b, evalRunner(b, Py310), c.src) })
		p39 := testing.Benchmark(func(b *testing.B) { benchCell(b, evalRunner(b, Py39), c.src) })
		fmt.Fprintf(&tab, "%-8s %12dns %12dns %12dns %8.3f %8.3f\n", c.name,
			plain.NsPerOp(), p310.NsPerOp(), p39.NsPerOp(),
			float64(p310.NsPerOp())/float64(plain.NsPerOp()), float64(p39.NsPerOp())/float64(plain.NsPerOp()))
	}
	b.Log(tab.String())
	for i := 0; i < b.N; i++ {
	}
}
