package runtime

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"corelab/display"
	"corelab/runtime/gil"
	"corelab/runtime/internal/invoke"
	"corelab/runtime/internal/lab"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
)

// Report is what Run measured: the meter's measurement (wall, CPU, cores
// used, per-core usage, per-worker lanes, lock hand-overs) plus each
// worker's results, start-up cost and errors. Shown as a cell's value it
// renders as charts, a table and a text summary.
type Report struct {
	Model       Model
	Workers     int
	Func        string          // what ran, e.g. "rt.Fib(30)" or "work(1000)"
	Interval    time.Duration   // GIL switch interval in force (GIL model)
	Results     [][]any         // per worker: the function's results
	Errors      []error         // per worker: nil, or why it failed
	Startup     []time.Duration // per worker: creating the isolate/process until ready (0 for goroutines)
	Memory      []uint64        // per worker: bytes its isolate/process added (0 for goroutines)
	Measurement meter.Measurement
}

// Wall returns the wall-clock time of the run (start-up excluded).
func (r *Report) Wall() time.Duration { return r.Measurement.Wall }

// Cores returns the cores used: CPU time / wall time.
func (r *Report) Cores() float64 { return r.Measurement.CoresUsed }

// Result returns the first result of worker 0 (nil if none).
func (r *Report) Result() any {
	if len(r.Results) == 0 || len(r.Results[0]) == 0 {
		return nil
	}
	return r.Results[0][0]
}

// Err returns the first worker error, or nil.
func (r *Report) Err() error {
	for _, e := range r.Errors {
		if e != nil {
			return e
		}
	}
	return nil
}

// StartupMean returns the mean start-up time per worker (0 for goroutines).
func (r *Report) StartupMean() time.Duration {
	if len(r.Startup) == 0 {
		return 0
	}
	var s time.Duration
	for _, d := range r.Startup {
		s += d
	}
	return s / time.Duration(len(r.Startup))
}

// MemoryMean returns the mean memory per worker in bytes (0 for goroutines).
func (r *Report) MemoryMean() uint64 {
	if len(r.Memory) == 0 {
		return 0
	}
	var s uint64
	for _, m := range r.Memory {
		s += m
	}
	return s / uint64(len(r.Memory))
}

// Run runs fn with args on the given number of workers under model m, all
// at once, waits for them, and reports what happened to the cores.
//
// fn is one of:
//   - a compiled workload, by value: rt.Fib, rt.CountPrimes, rt.Spin,
//     rt.Wait, or rt.NoGIL(rt.Fib) — works in every model;
//   - the name of a top-level func of the notebook, as a string ("work") —
//     works in every model (isolates and processes get a copy of the
//     notebook's declarations and call it there);
//   - an interpreted func value (work) — GIL and Free only: another
//     interpreter cannot run this interpreter's closures, so Isolates and
//     Processes say to pass the name instead.
//
// Every worker gets the same args. Example:
//
//	rt.Run(rt.GIL, 2, rt.Fib, 30)
//	rt.Run(rt.Isolates, 2, "countPrimes", 0, 200000)
func Run(m Model, workers int, fn any, args ...any) *Report {
	if err := m.check(); err != nil {
		usage("%v", err)
	}
	if workers < 1 || workers > 512 {
		usage("rt.Run: %d workers; want 1..512", workers)
	}
	j := newJob(m, fn, args)
	return j.run(m, workers)
}

// job is one resolved thing to run.
type job struct {
	label string
	comp  *compiled     // compiled workload
	fv    reflect.Value // interpreted func value (GIL/Free)
	name  string        // top-level func name
	args  []any
	cargs []reflect.Value // converted args for comp/fv
	quiet bool            // no live progress line (Compare and Scale show their own)
}

func newJob(m Model, fn any, args []any) *job {
	j := &job{args: args}
	if c, ok := compiledOf(fn); ok {
		cargs, err := convertArgs(c.name, c.fn.Type(), args)
		if err != nil {
			usage("%v", err)
		}
		j.comp, j.cargs, j.label = &c, cargs, c.name+argList(args)
		return j
	}
	switch f := fn.(type) {
	case string:
		if f == "" {
			usage("rt.Run: empty function name")
		}
		j.name, j.label = f, f+argList(args)
		if c, ok := compiledByName(f); ok {
			return newJob(m, c.fn.Interface(), args)
		}
		if m == Isolates {
			if _, err := copyAll(args); err != nil {
				panic(err) // *NotShareable, before any isolate starts
			}
		}
		in := theLab().Main()
		if in == nil && (m == GIL || m == Free) {
			usage("rt.Run(%s, %q): no notebook interpreter attached", m, f)
		}
		if in != nil && !hasFunc(in, f) {
			usage("rt.Run: no top-level func %q in the notebook (declared funcs: %s)", f, strings.Join(in.Funcs(), ", "))
		}
		return j
	case nil:
		usage("rt.Run: fn is nil")
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		usage("rt.Run: fn is a %T; want a func, its name as a string, or a compiled workload like rt.Fib", fn)
	}
	if m == Isolates || m == Processes {
		usage("rt.Run(rt.%s, ...): pass the function's name as a string, e.g. rt.Run(rt.%s, 2, \"work\", ...): "+
			"each %s has its own copy of the notebook's declarations and cannot call a func value of this interpreter",
			exported(m), exported(m), strings.TrimSuffix(string(m), "s"))
	}
	cargs, err := convertArgs("fn", v.Type(), args)
	if err != nil {
		usage("rt.Run: %v", err)
	}
	j.fv, j.cargs, j.label = v, cargs, "func"+argList(args)
	return j
}

func hasFunc(in *interp.Interpreter, name string) bool {
	for _, f := range in.Funcs() {
		if f == name {
			return true
		}
	}
	return false
}

func argList(args []any) string {
	s := make([]string, len(args))
	for i, a := range args {
		if str, ok := a.(string); ok {
			s[i] = fmt.Sprintf("%q", str)
		} else if printable(a, 64) {
			s[i] = fmt.Sprint(a)
		} else {
			s[i] = fmt.Sprintf("%T", a) // cyclic or large: fmt would not end, or end late
		}
		if len(s[i]) > 20 {
			s[i] = s[i][:17] + "..."
		}
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// interpreted reports whether the job runs code of the main interpreter.
func (j *job) interpreted() bool { return j.comp == nil }

// call runs the job once on the calling goroutine, whose thread is t.
func (j *job) call(t *gil.Thread) ([]any, error) {
	var out []any
	err := invoke.Catch(func() {
		switch {
		case j.comp != nil && j.comp.releases && t != nil && t.Holds():
			t.Blocking(func() {
				lab.MarkReleased(t)
				out = invoke.Values(j.comp.fn.Call(j.cargs))
			})
		case j.comp != nil:
			out = invoke.Values(j.comp.fn.Call(j.cargs))
		case j.fv.IsValid():
			out = invoke.Values(j.fv.Call(j.cargs))
		default:
			var err error
			out, err = theLab().Main().Call(j.name, j.args...)
			if err != nil {
				panic(err)
			}
		}
	})
	return out, err
}

// newLock returns a fresh lock for model m with the current interval.
func newLock(m Model) *gil.GIL {
	var g *gil.GIL
	if m == Free {
		g = gil.NewFree()
	} else {
		g = gil.New(SwitchInterval())
	}
	g.SetObserver(lab.ObserveLanes)
	return g
}

// runner runs one model's workers. prepare creates what worker i needs
// (an isolate, a process) and returns its start-up memory; work runs the
// job on it. Both run on the worker's goroutine.
type runner interface {
	prepare(i int) (mem uint64, err error)
	work(i int, rec *meter.Recorder, lane int) ([]any, error)
	close()
}

// run runs j on workers under m: start-up first (isolates, processes), then
// the measured run with every worker released at once.
func (j *job) run(m Model, workers int) *Report {
	r := &Report{
		Model: m, Workers: workers, Func: j.label, Interval: SwitchInterval(),
		Results: make([][]any, workers), Errors: make([]error, workers),
	}
	defer boostProcs()() // timely wake-ups on one core (see procs.go)
	var rn runner
	switch m {
	case GIL, Free:
		rn = newThreadRunner(m, j)
	case Isolates:
		rn = newIsolateRunner(j, workers)
	case Processes:
		rn = newProcessRunner(j, workers)
	}
	defer rn.close()

	// The caller's lock is released while the workers run, as a Python
	// thread blocked in join() releases the GIL.
	resume := block()
	defer resume()

	// Phase 1: start-up (isolates and processes), not in the measurement.
	if m == Isolates || m == Processes {
		r.Startup = make([]time.Duration, workers)
		r.Memory = make([]uint64, workers)
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() { // joined by wg.Wait below
				defer wg.Done()
				t0 := time.Now()
				mem, err := rn.prepare(i)
				r.Startup[i], r.Memory[i], r.Errors[i] = time.Since(t0), mem, err
			}()
		}
		wg.Wait()
		if mr, ok := rn.(interface{ memory(*Report) }); ok && r.Err() == nil {
			mr.memory(r)
		}
		if err := r.Err(); err != nil {
			if errors.Is(err, interp.ErrInterrupted) || interrupted() {
				panic(ErrInterrupted)
			}
			usage("rt.Run(rt.%s): start-up failed: %v", exported(m), err)
		}
	}

	// Phase 2: the measured run.
	start := make(chan struct{})
	var wg sync.WaitGroup
	rec := meter.NewRecorder()
	lanes := make([]int, workers)
	for i := range lanes {
		lanes[i] = rec.AddWorker(fmt.Sprintf("%s %d", workerNoun(m), i)) // numbered as rt.Worker() numbers it
	}
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() { // joined by wg.Wait below
			defer wg.Done()
			<-start
			r.Results[i], r.Errors[i] = rn.work(i, rec, lanes[i])
			rec.Record(lanes[i], meter.Done)
		}()
	}
	h0, d0 := statsOf(rn)
	mt := meter.Start(meter.Options{Recorder: rec})
	stopProgress := func() {}
	if !j.quiet {
		stopProgress = liveProgress(r, mt)
	}
	close(start)
	wg.Wait()
	h1, d1 := statsOf(rn)
	rec.AddCounts(h1-h0, d1-d0)
	r.Measurement = mt.Stop()
	r.Measurement.Budget.GOMAXPROCS = realProcs()
	stopProgress()
	if c, ok := rn.(interface {
		childCPU() (time.Duration, time.Duration)
	}); ok {
		// Worker processes are reaped after the measurement: add the CPU
		// they reported for their calls.
		u, s := c.childCPU()
		m := &r.Measurement
		m.User, m.Sys, m.Children = m.User+u, m.Sys+s, m.Children+u+s
		if m.Wall > 0 {
			m.CoresUsed = float64(m.User+m.Sys) / float64(m.Wall)
		}
	}

	if interrupted() {
		panic(ErrInterrupted)
	}
	failed := 0
	for _, e := range r.Errors {
		if e != nil {
			failed++
		}
	}
	if failed == workers {
		panic(r.Errors[0])
	}
	return r
}

func workerNoun(m Model) string {
	switch m {
	case Isolates:
		return "isolate"
	case Processes:
		return "process"
	}
	return "worker"
}

// statsOf reads the hand-over counters of the runner's lock(s).
func statsOf(rn runner) (handovers, drops int64) {
	if s, ok := rn.(interface{ stats() (int64, int64) }); ok {
		return s.stats()
	}
	return 0, 0
}

// threadRunner runs workers as goroutines with threads of one lock: the
// notebook's lock for interpreted code under GIL, a fresh lock for compiled
// workloads, a free lock for Free.
type threadRunner struct {
	lock *gil.GIL
	j    *job
}

func newThreadRunner(m Model, j *job) *threadRunner {
	lock := newLock(m)
	if m == GIL && j.interpreted() {
		// Interpreted code yields only when the main interpreter's
		// check-point flag is set, which only the notebook's lock does.
		lock = theLab().GIL
	}
	return &threadRunner{lock: lock, j: j}
}

func (tr *threadRunner) prepare(int) (uint64, error) { return 0, nil }

func (tr *threadRunner) work(i int, rec *meter.Recorder, ln int) (out []any, err error) {
	onThread(tr.lock, fmt.Sprintf("worker %d", i), &lab.Lane{Rec: rec, I: ln, Worker: i}, func(t *gil.Thread) {
		out, err = tr.j.call(t)
	})
	return out, err
}

// Worker returns the index, 0 to n−1, of the worker of the current Run,
// Compare or Scale that calls it, in every model: the goroutine of a GIL or
// Free worker (and goroutines it starts), the isolate, or the worker
// process. Outside a run — in a cell, a server request, a goroutine a
// cell started — it returns -1. The run's lanes and tables use the same
// numbers: Worker() == 1 runs in the lane labelled "worker 1" (see the
// package doc for why workers count from 0).
//
// Each worker can take its own share of the work:
//
//	func part(n int) int {
//		w := rt.Worker() // 0 or 1 under rt.Run(m, 2, "part", n)
//		return rt.CountPrimes(w*n/2, (w+1)*n/2)
//	}
//	rt.Run(rt.Isolates, 2, "part", 200000)
func Worker() int {
	if t := current(); t != nil {
		if l, ok := t.Data.(*lab.Lane); ok {
			return l.Worker
		}
	}
	if w := theLab().ProcWorker.Load(); w != nil {
		return int(*w) // a worker process, during a call
	}
	return -1
}

// onThread runs fn on the calling goroutine as a new thread of lock,
// holding the lock. ln is the thread's lane (nil: not recorded).
func onThread(lock *gil.GIL, name string, ln *lab.Lane, fn func(t *gil.Thread)) {
	t := lock.NewThread(name)
	if ln != nil {
		t.Data = ln
	}
	t.Bind()
	defer t.Unbind()
	t.Acquire()
	defer t.Exit()
	fn(t)
}

func (tr *threadRunner) stats() (int64, int64) { return tr.lock.Stats() }

func (tr *threadRunner) close() {}

// liveProgress shows a progress line that updates while a run lasts more
// than a second. The returned stop ends its goroutine and clears the line.
func liveProgress(r *Report, mt *meter.Meter) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() { // stopped by stop
		defer close(finished)
		select {
		case <-done:
			return
		case <-time.After(time.Second):
		}
		h := display.New()
		defer h.Clear() // the report that follows says it all
		show := h.Show
		tick := time.NewTicker(500 * time.Millisecond)
		defer tick.Stop()
		for {
			s := mt.Snapshot()
			show(display.TextBundle(fmt.Sprintf("%s · %d %s(s) · %s: %.1f s, %.2f cores …",
				r.Func, r.Workers, workerNoun(r.Model), r.Model, s.Wall.Seconds(), s.CoresUsed)))
			show = h.Update
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}
