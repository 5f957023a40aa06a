package lab

import (
	"corelab/runtime/gil"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
)

// Hooks connect an interpreter to the threads of its goroutines. What a
// goroutine does is decided by its thread (gil.Current): a thread of a real
// lock yields and releases it, a thread of a free lock runs free, and a
// goroutine with no thread (started by host code) runs free. The zero
// value serves an interpreter that is not the notebook's (an isolate's, a
// worker's before Attach); Attach gives the main one hooks bound to its lab.
type Hooks struct {
	lab *Lab // the notebook's interpreter: cells bind to the lab's cell thread, go statements follow its mode
}

// Checkpoint yields the lock if the calling thread holds it and a waiter
// asked for it.
func (*Hooks) Checkpoint() {
	if t := gil.Current(); t != nil {
		t.Checkpoint()
	}
}

// Go starts fn on a new goroutine with a new thread of the parent's lock.
func (*Hooks) Go(fn func()) {
	if p := gil.Current(); p != nil {
		var data any
		if l, ok := p.Data.(*Lane); ok {
			data = &Lane{Worker: l.Worker} // same worker, no lane of its own
		}
		p.GIL().GoWith(data, fn)
		return
	}
	go func() { // owned by fn, which recovers its own panics
		defer func() { _ = recover() }()
		fn()
	}()
}

// Block releases the calling thread's lock around a blocking operation.
func (*Hooks) Block() func() {
	t := gil.Current()
	if t == nil || !t.Holds() {
		return func() {}
	}
	t.Release()
	return t.Acquire
}

// RunCell runs a cell of the notebook's interpreter on the goroutine
// yaegi started for it, bound to the cell's thread (see CellStart).
// Other interpreters' cells (an isolate loading declarations) run
// without a thread.
func (h *Hooks) RunCell(run func()) {
	if h.lab == nil {
		run()
		return
	}
	t := h.lab.cell.Load()
	if t == nil {
		run()
		return
	}
	t.Bind()
	defer t.Unbind()
	run()
}

// CellHolds reports whether the running cell's goroutine holds its lock
// (interp.CellHolder): after an interrupt, a cell stuck holding it in a host
// call is waited for, and so ends in the evaluator's restart, never beside
// the next cell; one parked in a blocking call that released it is not.
func (h *Hooks) CellHolds() bool {
	if h.lab == nil {
		return false
	}
	t := h.lab.cell.Load()
	return t != nil && t.Holds()
}

// RouteGo offers a go statement of the notebook's interpreter to the
// router of the lab's mode (see SetMode).
func (h *Hooks) RouteGo(c interp.GoCall) (bool, error) {
	if h.lab == nil {
		return false, nil // inside an isolate or a worker: its own threads
	}
	h.lab.mu.Lock()
	r := h.lab.router
	h.lab.mu.Unlock()
	if r == nil {
		return false, nil
	}
	return r.RouteGo(c)
}

// Lane ties a thread to its lane in a run's recorder (Rec nil: not
// recorded) and to the index of the worker it runs for (rt.Worker).
type Lane struct {
	Rec    *meter.Recorder
	I      int
	Worker int
}

// ObserveLanes is the observer of every lock the lab makes: it records the
// state changes of threads that belong to a run.
func ObserveLanes(t *gil.Thread, s gil.State) {
	if l, ok := t.Data.(*Lane); ok && l.Rec != nil {
		l.Rec.Record(l.I, meterState(s))
	}
}

// MarkReleased records that t runs with its lock released (rt.NoGIL), so
// its lane shows the lock released rather than blocked or waiting.
func MarkReleased(t *gil.Thread) {
	if l, ok := t.Data.(*Lane); ok && l.Rec != nil {
		l.Rec.Record(l.I, meter.Released)
	}
}

func meterState(s gil.State) meter.State {
	switch s {
	case gil.Running:
		return meter.Running
	case gil.Waiting:
		return meter.Waiting
	case gil.Blocked:
		return meter.Blocked
	}
	return meter.Done
}
