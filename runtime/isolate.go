package runtime

import (
	"context"
	"fmt"
	goruntime "runtime"
	"sync"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/display"
	"corelab/runtime/gil"
	"corelab/runtime/internal/lab"
	"corelab/runtime/interp"
	"corelab/runtime/limits"
	"corelab/runtime/meter"
	"corelab/runtime/report"
)

// An isolate is one worker of the Isolates model: its own interpreter,
// with its own lock and its own copy of the notebook's declarations and
// package state, like a CPython sub-interpreter with its own GIL.
type isolate struct {
	in   *interp.Interpreter
	lock *gil.GIL
}

// newIsolate builds an isolate: a fresh interpreter from the injected
// factory, loaded with the notebook's declarations. Nothing is pooled or
// shared but read-only symbol tables: the cost is the whole of it,
// including the tables of the packages the notebook imports, which reach
// the interpreter when its declarations import them.
func newIsolate() (*isolate, error) {
	l := theLab()
	factory, main, pol := l.NewInterpreter, l.Main(), l.Policy()
	if factory == nil {
		return nil, fmt.Errorf("no interpreter factory: the program must create the lab with host.New(host.Env{NewInterpreter: ...}) (the corelab kernel does)")
	}
	lock := newLock(Isolates)
	in, err := factory(interp.Options{
		Symbols: []yaegi.Exports{gil.Symbols},
		Hooks:   &lab.Hooks{},
		Policy:  lab.PolicyOf(pol),
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
func (iso *isolate) call(name string, args []any) ([]any, error) {
	cargs, err := iso.copyArgs(name, args)
	if err != nil {
		return nil, err
	}
	out, err := iso.in.Call(name, cargs...)
	if err != nil {
		return nil, err
	}
	return copyAll(out)
}

// copyArgs copies args for a call of name, each into the isolate's own
// type for its parameter (see copier.into).
func (iso *isolate) copyArgs(name string, args []any) ([]any, error) {
	ft, _ := iso.in.FuncType(name) // no such func: Call says so
	return copyInto(args, paramTypes(ft, len(args)))
}

type isolateRunner struct {
	j        *job
	isos     []*isolate
	heap0    uint64 // Go heap before the isolates were built
	stop     func()
	stopOnce sync.Once
}

func newIsolateRunner(j *job, n int) *isolateRunner {
	ir := &isolateRunner{j: j, isos: make([]*isolate, n)}
	ir.heap0 = heapInUse()
	ir.stop = theLab().AddStopper(func() {
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

func (ir *isolateRunner) work(i int, rec *meter.Recorder, ln int) (out []any, err error) {
	iso := ir.isos[i]
	onThread(iso.lock, fmt.Sprintf("isolate %d", i), &lab.Lane{Rec: rec, I: ln, Worker: i}, func(t *gil.Thread) {
		if ir.j.comp != nil {
			out, err = ir.j.call(t)
		} else {
			out, err = iso.call(ir.j.name, ir.j.args)
		}
	})
	return out, err
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

// MeasureIsolates creates n isolates one after another, from scratch (see
// newIsolate), measures the mean time and memory each costs, and drops
// them.
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
	return fmt.Sprintf("%d isolates: %s and %s each", c.N, fmtDur(c.Startup), limits.FormatBytes(c.Memory))
}

// StartupCost is what starting one worker of each kind costs, measured now.
type StartupCost struct {
	N    int
	Rows []StartupRow
}

// StartupRow is one kind of worker: mean start-up time and memory each.
type StartupRow struct {
	Kind    string // "goroutine (GIL/Free)", "isolate", "process"
	Startup time.Duration
	Memory  uint64 // goroutines: stack; isolates: Go heap kept alive; processes: RSS when ready
	Note    string
}

// StartupCosts starts n goroutines, n isolates and n worker processes
// (one after another), and reports the mean start-up time and memory of
// each kind, beside CPython's figures.
//
//	rt.StartupCosts(4)
func StartupCosts(n int) *StartupCost {
	if n < 1 || n > 32 {
		usage("rt.StartupCosts(%d): want 1..32", n)
	}
	resume := block()
	defer resume()
	c := &StartupCost{N: n}

	// Goroutines: start, run to a barrier (so all are alive), measure.
	var ms0, ms1 goruntime.MemStats
	goruntime.ReadMemStats(&ms0)
	var started, release sync.WaitGroup
	release.Add(1)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		started.Add(1)
		go func() { // ends at release.Done below
			started.Done()
			release.Wait()
		}()
	}
	started.Wait()
	el := time.Since(t0)
	goruntime.ReadMemStats(&ms1)
	release.Done()
	stack := uint64(0)
	if ms1.StackInuse > ms0.StackInuse {
		stack = (ms1.StackInuse - ms0.StackInuse) / uint64(n)
	}
	note := "CPython thread ≈100 µs (PEP 703)"
	if stack == 0 {
		note = "stacks came from the runtime's cache (a goroutine starts with 8 KiB); " + note
	}
	c.Rows = append(c.Rows, StartupRow{Kind: "goroutine (GIL, Free)", Startup: el / time.Duration(n), Memory: stack, Note: note})

	iso := MeasureIsolates(n)
	c.Rows = append(c.Rows, StartupRow{Kind: "isolate", Startup: iso.Startup, Memory: iso.Memory,
		Note: "CPython sub-interpreter 10–14 ms, ≈2.3 MB"})

	var decls string
	if in := theLab().Main(); in != nil {
		decls = in.Decls()
	}
	var total time.Duration
	var rss uint64
	for i := 0; i < n; i++ {
		t0 := time.Now()
		p, m, err := startProc(decls)
		if err != nil {
			usage("rt.StartupCosts: %v", err)
		}
		total += time.Since(t0)
		rss += m
		p.close()
	}
	c.Rows = append(c.Rows, StartupRow{Kind: "process", Startup: total / time.Duration(n), Memory: rss / uint64(n),
		Note: "CPython spawn 50–80 ms, fork 4–7 ms"})
	return c
}

func (c *StartupCost) rows() (header []string, rows [][]string) {
	header = []string{"worker", "start-up", "memory", "CPython"}
	var startups []time.Duration
	for _, r := range c.Rows {
		startups = append(startups, r.Startup)
	}
	su := report.UnitFor(startups...)
	for _, r := range c.Rows {
		rows = append(rows, []string{r.Kind, su.Format(r.Startup), limits.FormatBytes(r.Memory), r.Note})
	}
	return header, rows
}

// String is the table as text.
func (c *StartupCost) String() string {
	return fmt.Sprintf("Start-up cost per worker (mean of %d)\n", c.N) + report.TextTable(c.rows())
}

// DisplayBundle shows start-up times as bars (log scale) and the table.
func (c *StartupCost) DisplayBundle() display.Bundle {
	bars := make([]report.Bar, len(c.Rows))
	for i, r := range c.Rows {
		bars[i] = report.Bar{Label: r.Kind, Value: float64(r.Startup) / 1e6, Note: limits.FormatBytes(r.Memory)}
	}
	svg := report.Bars(bars, report.Options{Title: fmt.Sprintf("Start-up cost per worker (mean of %d)", c.N), Unit: "ms", Log: true})
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: svg + report.Table(c.rows()), display.MIMEText: c.String()}
}
