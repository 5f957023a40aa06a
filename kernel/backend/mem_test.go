package backend

import (
	"context"
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkRetainedPerCell reports the live heap one more executed cell
// leaves behind (retained-B/cell), measured after a full GC. Issue 9 found
// the evaluator growing 20-24 KB per cell; a heap profile of this benchmark
// shows what is kept (mostly yaegi's compiled nodes, which yaegi keeps for
// the interpreter's life).
func BenchmarkRetainedPerCell(b *testing.B) {
	be, err := New(&fakeHost{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	heap := func() uint64 {
		runtime.GC()
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	be.Execute(ctx, "x := 0")
	before := heap()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if o := be.Execute(ctx, fmt.Sprintf("x := %d", i)); o.Status != "ok" {
			b.Fatalf("%+v", o)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(int64(heap()-before))/float64(b.N), "retained-B/cell")
}
