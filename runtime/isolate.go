package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"

	"corelab/runtime/eval"
	"corelab/runtime/gil"
	"corelab/runtime/meter"
)

// An isolate is one worker of the Isolates model: its own interpreter,
// with its own lock and its own copy of the notebook's declarations and
// package state, like a CPython sub-interpreter with its own GIL.
type isolate struct {
	in   *eval.Interpreter
	lock *gil.GIL
}

// newIsolate builds an isolate: a fresh interpreter from the injected
// factory, loaded with the notebook's declarations.
func newIsolate() (*isolate, error) {
	lab.mu.Lock()
	factory := lab.env.NewInterpreter
	main := lab.main
	pol := lab.policy
	lab.mu.Unlock()
	if factory == nil {
		return nil, fmt.Errorf("no interpreter factory: the program must call runtime.Setup(runtime.Env{NewInterpreter: ...}) (the corelab kernel does)")
	}
	lock := newLock(Isolates)
	in, err := factory(eval.Options{
		Symbols: []interp.Exports{gil.Symbols},
		Hooks:   &hooks{},
		Policy:  policyOf(pol),
	})
	if err != nil {
		return nil, fmt.Errorf("create interpreter: %w", err)
	}
	lock.OnDropRequest(in.RequestCheckpoint)
	if main != nil {
		if decls := main.Decls(); decls != "" {
			if _, err := in.Eval(context.Background(), decls); err != nil {
				return nil, fmt.Errorf("load the notebook's declarations: %w", err)
			}
		}
	}
	return &isolate{in: in, lock: lock}, nil
}

// call runs the top-level func name in the isolate, on the calling
// goroutine, holding the isolate's own lock. Arguments and results cross
// as copies.
func (iso *isolate) call(t *gil.Thread, name string, args []any) ([]any, error) {
	cargs, err := copyAll(args)
	if err != nil {
		return nil, err
	}
	out, err := iso.in.Call(name, cargs...)
	if err != nil {
		return nil, err
	}
	return copyAll(out)
}

type isolateRunner struct {
	j    *job
	isos []*isolate
	// memory is measured once for all isolates: the Go heap they added.
	memOnce  sync.Once
	heap0    uint64
	stop     func()
	stopOnce sync.Once
}

func newIsolateRunner(j *job, n int) *isolateRunner {
	ir := &isolateRunner{j: j, isos: make([]*isolate, n)}
	ir.heap0 = heapInUse()
	ir.stop = addStopper(func() {
		for _, iso := range ir.isos {
			if iso != nil {
				iso.in.Interrupt()
			}
		}
	})
	return ir
}

func (ir *isolateRunner) prepare(i int) (uint64, error) {
	iso, err := newIsolate()
	if err != nil {
		return 0, err
	}
	ir.isos[i] = iso
	return 0, nil
}

// memory fills in the memory per isolate once all are built.
func (ir *isolateRunner) memory(r *Report) {
	added := heapInUse()
	per := uint64(0)
	if added > ir.heap0 {
		per = (added - ir.heap0) / uint64(len(ir.isos))
	}
	for i := range r.Memory {
		r.Memory[i] = per
	}
}

func (ir *isolateRunner) work(i int, rec *meter.Recorder, ln int) ([]any, error) {
	iso := ir.isos[i]
	t := iso.lock.NewThread(fmt.Sprintf("isolate %d", i+1))
	t.Data = &lane{rec, ln}
	t.Bind()
	defer t.Unbind()
	t.Acquire()
	defer t.Exit()
	if ir.j.comp != nil {
		return ir.j.call(t)
	}
	return iso.call(t, ir.j.name, ir.j.args)
}

func (ir *isolateRunner) stats() (h, d int64) {
	for _, iso := range ir.isos {
		if iso != nil {
			a, b := iso.lock.Stats()
			h, d = h+a, d+b
		}
	}
	return
}

func (ir *isolateRunner) close() {
	ir.stopOnce.Do(ir.stop)
}

// heapInUse is the Go heap in use after a collection: what live objects
// take.
func heapInUse() uint64 {
	goruntime.GC()
	var ms goruntime.MemStats
	goruntime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// IsolateCost is what creating one isolate costs, measured now.
type IsolateCost struct {
	N       int           // isolates created
	Startup time.Duration // mean time to create one and load the notebook's declarations
	Memory  uint64        // mean Go heap each keeps alive, in bytes
}

// MeasureIsolates creates n isolates one after another, measures the mean
// time and memory each costs, and drops them.
func MeasureIsolates(n int) IsolateCost {
	if n < 1 || n > 200 {
		usage("rt.MeasureIsolates(%d): want 1..200", n)
	}
	h0 := heapInUse()
	keep := make([]*isolate, 0, n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		iso, err := newIsolate()
		if err != nil {
			usage("rt.MeasureIsolates: %v", err)
		}
		keep = append(keep, iso)
	}
	el := time.Since(t0)
	h1 := heapInUse()
	goruntime.KeepAlive(keep)
	c := IsolateCost{N: n, Startup: el / time.Duration(n)}
	if h1 > h0 {
		c.Memory = (h1 - h0) / uint64(n)
	}
	return c
}

// String summarises the cost.
func (c IsolateCost) String() string {
	return fmt.Sprintf("%d isolates: %s and %s each", c.N, fmtDur(c.Startup), meter.FormatBytes(c.Memory))
}
