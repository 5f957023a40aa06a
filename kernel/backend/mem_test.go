package backend

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkRetainedPerCell reports the live heap one more executed cell
// leaves behind (retained-B/cell), measured after a full GC, for a few
// shapes of cell. Issue 9 found the evaluator growing 20-24 KB per cell; a
// heap profile of this benchmark shows what is kept:
//
//	go test ./kernel/backend -run '^$' -bench RetainedPerCell -benchtime 3000x \
//	    -memprofile mem.prof -memprofilerate 512
//	go tool pprof -sample_index=inuse_space -top backend.test mem.prof
//
// Most of it is yaegi's compiled nodes, which yaegi keeps for the
// interpreter's life (Interpreter.roots, for its debugger), and the
// positions of every parsed file in yaegi's FileSet.
func BenchmarkRetainedPerCell(b *testing.B) {
	cells := []struct {
		name, setup, cell string // cell is a format with one %d, the cell's number
	}{
		{"assign", "x := 0", "x := %d"},
		{"print", "import \"fmt\"\nx := 1", "fmt.Sprint(x + %d)"},
		{"loop", "s := 0", "for i := 0; i < %d%%3; i++ {\n\ts += i\n}\ns"},
		{"func", "", "func f%d(n int) int { return n + 1 }"},
		{"funcs", "", "func a%d() int { return 1 }\nfunc b%[1]d() int { return 2 }\nfunc c%[1]d() int { return 3 }"},
	}
	for _, c := range cells {
		b.Run(c.name, func(b *testing.B) {
			be, err := New(&fakeHost{})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			if c.setup != "" {
				if o := be.Execute(ctx, c.setup); o.Status != "ok" {
					b.Fatalf("%+v", o)
				}
			}
			heap := func() uint64 {
				runtime.GC()
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapAlloc
			}
			before := heap()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if o := be.Execute(ctx, fmt.Sprintf(c.cell, i)); o.Status != "ok" {
					b.Fatalf("%+v", o)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(int64(heap()-before))/float64(b.N), "retained-B/cell")
		})
	}
}
