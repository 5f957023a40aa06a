package runtime_test

import (
	"context"
	goruntime "runtime"
	"testing"

	rt "corelab/runtime"
	"corelab/runtime/host"
	"corelab/runtime/interp"
)

// isolateDecls is a small notebook without imports: a type with a method,
// package state and a few funcs, the shape of `corelab bench runtime`'s.
const isolateDecls = `
type point struct{ x, y int }

func (p point) add(q point) point { return point{p.x + q.x, p.y + q.y} }

var total int

const step = 3

func walk(n int) point {
	p := point{}
	for i := 0; i < n; i++ {
		p = p.add(point{step, 1})
		total++
	}
	return p
}

func sum(xs []int) (s int) {
	for _, x := range xs {
		s += x
	}
	return s
}
`

// BenchmarkNewIsolate is the full cost of one isolate, from scratch: a
// fresh interpreter from the kernel's factory (the same symbol tables)
// plus the notebook's declarations replayed. Nothing is pre-made: every
// iteration builds an independent interpreter, and the last few stay alive
// (as a run's isolates do) so the collector has their heap to scan.
// heap-bytes/isolate is the Go heap each of 10 more isolates keeps alive,
// measured after a collection, as MeasureIsolates does.
//
// The notebooks: "decls" has no imports; "imports" adds what the
// workshop notebooks import, whose symbol tables each isolate then loads;
// "net-http" imports net/http, which brings other packages along.
//
//	go test ./runtime -run '^$' -bench NewIsolate -benchmem -count 5
func BenchmarkNewIsolate(b *testing.B) {
	for _, nb := range []struct{ name, src string }{
		{"decls", isolateDecls},
		{"imports", `import (
	rt "corelab/runtime"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var _ = rt.Fib
var _ = fmt.Sprint
var _ = strings.ToUpper
var _ sync.Mutex
var _ atomic.Int64
var _ = time.Second
` + isolateDecls},
		{"net-http", `import "net/http"

var _ = http.Get
` + isolateDecls},
	} {
		b.Run(nb.name, func(b *testing.B) { benchIsolate(b, nb.src) })
	}
}

func benchIsolate(b *testing.B, decls string) {
	cellMu.Lock()
	defer cellMu.Unlock()
	main, err := newInterpreter(interp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := main.Eval(context.Background(), decls); err != nil {
		b.Fatal(err)
	}
	host.New(host.Env{NewInterpreter: newInterpreter}).Attach(main)
	defer rt.InstallTestLab()
	var live [10]any
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		iso, err := rt.NewIsolateForTest()
		if err != nil {
			b.Fatal(err)
		}
		live[i%len(live)] = iso
	}
	b.StopTimer()
	live = [10]any{}
	h0 := heapAfterGC()
	for i := range live {
		if live[i], err = rt.NewIsolateForTest(); err != nil {
			b.Fatal(err)
		}
	}
	if h1 := heapAfterGC(); h1 > h0 {
		b.ReportMetric(float64(h1-h0)/float64(len(live)), "heap-bytes/isolate")
	}
	goruntime.KeepAlive(live)
}

func heapAfterGC() uint64 {
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
