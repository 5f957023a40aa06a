package runtime

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"corelab/runtime/gil"
	"corelab/runtime/interp"
)

// Model is an execution model: how workers share the machine's cores.
type Model string

// The four execution models.
const (
	// GIL runs workers as goroutines under one lock, like CPython 3.10+
	// threads: one runs at a time, switching every switch interval.
	GIL Model = "gil"
	// Isolates runs each worker in its own interpreter with its own lock,
	// like CPython 3.12+ sub-interpreters (PEP 684/734): parallel, nothing
	// shared but a Queue and a SharedBuffer.
	Isolates Model = "isolates"
	// Free runs workers as plain goroutines with no lock, like free-threaded
	// CPython (PEP 703): parallel, races are real.
	Free Model = "free"
	// Processes runs each worker in a `corelab worker` child process, like
	// multiprocessing: parallel, start-up and memory paid per process.
	Processes Model = "processes"
)

// Models lists all four models, in the order reports show them.
var Models = []Model{GIL, Isolates, Free, Processes}

// Checkpoint policies for SetCheckpoints.
const (
	// Py310 puts check points where CPython 3.10+ has them: function entry,
	// loop back-edges, after calls.
	Py310 = "py310"
	// Py39 puts a check point before every statement, like CPython ≤ 3.9.
	Py39 = "py39"
)

// String returns the model's name, as %mode takes it.
func (m Model) String() string { return string(m) }

// ParseModel turns "gil", "isolates", "free" or "processes" (any case,
// also "threads" for GIL and "nogil" for Free) into a Model.
func ParseModel(s string) (Model, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "gil", "threads":
		return GIL, nil
	case "isolates", "isolate", "interpreters", "subinterpreters":
		return Isolates, nil
	case "free", "nogil", "free-threaded":
		return Free, nil
	case "processes", "process", "multiprocessing":
		return Processes, nil
	}
	return "", fmt.Errorf("unknown model %q: want one of gil, isolates, free, processes", s)
}

func (m Model) check() error {
	switch m {
	case GIL, Isolates, Free, Processes:
		return nil
	}
	return fmt.Errorf("unknown model %q: use rt.GIL, rt.Isolates, rt.Free or rt.Processes", string(m))
}

// Env is what the program embedding the runtime injects (see Setup): the
// runtime cannot import the generated symbol tables (they import it), so
// the factory that builds interpreters with them comes from outside.
type Env struct {
	// NewInterpreter builds an interpreter with the notebook's symbol tables
	// (corelab/runtime/symbols and the like) added to opts.Symbols. Isolates
	// need it.
	NewInterpreter func(opts interp.Options) (*interp.Interpreter, error)
	// Main is the notebook's interpreter (optional; Attach does the same).
	Main *interp.Interpreter
	// Executable is the corelab binary started as `corelab worker` for the
	// Processes model ("" = os.Executable()).
	Executable string
	// WorkerArgs are the arguments that make Executable a worker
	// (nil = []string{"worker"}).
	WorkerArgs []string
}

// lab is the process-wide state of the runtime.
var lab struct {
	mu     sync.Mutex
	env    Env
	main   *interp.Interpreter
	hooks  *hooks
	mode   Model
	policy string
	cell   atomic.Pointer[gil.Thread] // the running cell's thread
}

// mainGIL is the notebook's lock: the main interpreter's cells and
// goroutines hold it in the GIL model.
var mainGIL = gil.New(gil.DefaultInterval)

// freeLock tracks the main interpreter's threads in the Free model.
var freeLock = gil.NewFree()

// interrupted is set by Interrupt and cleared by CellStart; compiled
// workloads check it at their check points.
var interrupted atomic.Bool

func init() {
	lab.mode = GIL
	lab.policy = Py310
	gil.SetPanicHandler(func(v any, stack []byte) {
		fmt.Fprintf(os.Stderr, "panic in goroutine: %v\n", v)
	})
}

// Setup installs what the embedding program provides. Call it once at
// start-up, before any cell runs.
func Setup(e Env) {
	lab.mu.Lock()
	lab.env = e
	lab.mu.Unlock()
	if e.Main != nil {
		Attach(e.Main)
	}
}

// Attach makes in the notebook's main interpreter: the runtime installs its
// hooks (goroutines attach to the lock, blocking channel operations release
// it) and connects the GIL's drop requests to in's check-point flag. The
// interpreter must have been built with gil.Symbols among its symbols for
// time.Sleep and sync waits to release the lock.
func Attach(in *interp.Interpreter) {
	h := &hooks{main: true}
	lab.mu.Lock()
	lab.main = in
	lab.hooks = h
	pol := lab.policy
	lab.mu.Unlock()
	mainGIL.OnDropRequest(in.RequestCheckpoint)
	in.SetHooks(h)
	in.SetPolicy(policyOf(pol))
}

// Main returns the interpreter given to Attach (nil before).
func Main() *interp.Interpreter {
	lab.mu.Lock()
	defer lab.mu.Unlock()
	return lab.main
}

// CellStart is called by the evaluator before each cell. In the GIL model
// the cell takes the notebook's lock (waiting, like any thread, for
// goroutines of earlier cells that hold it). Call the returned done when
// the cell has finished: it releases the lock; goroutines the cell started
// keep their own threads. The cell's code runs on a goroutine yaegi starts,
// which the hooks bind to the cell's thread (RunCell). If done is called
// while that goroutine still runs (an interrupted cell stuck in a host
// call), the lock stays with it until it returns: an interrupt never makes
// two holders; the evaluator's supervisor restarts an evaluator whose cell
// does not stop.
func CellStart() (done func()) {
	interrupted.Store(false)
	lock := mainGIL
	if Mode() == Free {
		lock = freeLock
	}
	unboost := boostProcs() // a woken goroutine runs on time on one core
	t := lock.NewThread("cell")
	lab.cell.Store(t)
	t.Acquire()
	return func() {
		lab.cell.CompareAndSwap(t, nil)
		t.Exit() // deferred to RunCell's Unbind while the cell's goroutine runs
		unboost()
	}
}

// Interrupt stops the running cell: interpreted check points and compiled
// workloads panic with KeyboardInterrupt, blocked workers are stopped.
// Code stuck in a host call that does not release the lock keeps it (see
// CellStart).
func Interrupt() {
	interrupted.Store(true)
	if in := Main(); in != nil {
		in.Interrupt()
	}
	stopAll()
}

// SetMode sets the model for the cells that follow (what %mode does).
// GIL: cells and their goroutines share the notebook's lock. Free: no
// lock. Isolates and Processes: cells still run under the notebook's lock
// (CPython's main interpreter keeps its GIL), and `go work(args)` starts
// the top-level func work in a new isolate or worker process with copies
// of args. Run, Compare and Scale take their model as an argument and
// ignore the mode.
func SetMode(m Model) error {
	if err := m.check(); err != nil {
		return err
	}
	lab.mu.Lock()
	lab.mode = m
	lab.mu.Unlock()
	return nil
}

func exported(m Model) string {
	switch m {
	case GIL:
		return "GIL"
	case Isolates:
		return "Isolates"
	case Free:
		return "Free"
	case Processes:
		return "Processes"
	}
	return string(m)
}

// Mode returns the model set by SetMode (GIL at start).
func Mode() Model {
	lab.mu.Lock()
	defer lab.mu.Unlock()
	return lab.mode
}

// SetSwitchInterval sets the GIL switch interval, like
// sys.setswitchinterval (CPython's default is 5 ms). It applies to the
// notebook's lock and to every lock created afterwards.
func SetSwitchInterval(d time.Duration) error {
	if d < time.Microsecond || d > 10*time.Second {
		return fmt.Errorf("switch interval %v out of range [1µs, 10s]", d)
	}
	mainGIL.SetInterval(d)
	return nil
}

// SwitchInterval returns the GIL switch interval.
func SwitchInterval() time.Duration { return mainGIL.Interval() }

// SetCheckpoints sets where interpreted code has check points: rt.Py310
// ("py310": function entry, loop back-edges — CPython 3.10+) or rt.Py39
// ("py39": before every statement — CPython ≤ 3.9). It applies to cells
// evaluated afterwards: re-run the cell that declares a function to
// re-instrument it.
func SetCheckpoints(policy string) error {
	p := strings.ToLower(strings.TrimSpace(policy))
	switch p {
	case "py310", "3.10", "310", "py3.10":
		p = Py310
	case "py39", "3.9", "39", "py3.9":
		p = Py39
	default:
		return fmt.Errorf("unknown check-point policy %q: want rt.Py310 or rt.Py39", policy)
	}
	lab.mu.Lock()
	lab.policy = p
	in := lab.main
	lab.mu.Unlock()
	if in != nil {
		in.SetPolicy(policyOf(p))
	}
	return nil
}

// Checkpoints returns the check-point policy, "py310" or "py39".
func Checkpoints() string {
	lab.mu.Lock()
	defer lab.mu.Unlock()
	return lab.policy
}

func policyOf(p string) interp.Policy {
	if p == Py39 {
		return interp.Py39
	}
	return interp.Py310
}

// hooks connect an interpreter to the threads of its goroutines. What a
// goroutine does is decided by its thread (gil.Current): a thread of a real
// lock yields and releases it, a thread of a free lock runs free, and a
// goroutine with no thread (started by host code) runs free.
type hooks struct {
	main bool // the notebook's interpreter: go statements follow %mode
}

// Checkpoint yields the lock if the calling thread holds it and a waiter
// asked for it.
func (*hooks) Checkpoint() {
	if t := current(); t != nil {
		t.Checkpoint()
	}
}

// Go starts fn on a new goroutine with a new thread of the parent's lock.
func (*hooks) Go(fn func()) {
	if p := current(); p != nil {
		var data any
		if l, ok := p.Data.(*lane); ok {
			data = &lane{worker: l.worker} // same worker, no lane of its own
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
func (*hooks) Block() func() {
	t := current()
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
func (h *hooks) RunCell(run func()) {
	t := lab.cell.Load()
	if !h.main || t == nil {
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
func (h *hooks) CellHolds() bool {
	t := lab.cell.Load()
	return h.main && t != nil && t.Holds()
}

// current returns the calling goroutine's thread.
func current() *gil.Thread { return gil.Current() }

// UsageError is the error of a call that cannot work as written (a wrong
// model, a func value where a name is needed, ...). The rt functions panic
// with it so that the cell shows it.
type UsageError struct{ Msg string }

// Error returns the explanation.
func (e *UsageError) Error() string { return e.Msg }

// ErrorName is the name the cell's error takes: UsageError, not Panic.
func (e *UsageError) ErrorName() string { return "UsageError" }

func usage(format string, args ...any) {
	panic(&UsageError{Msg: fmt.Sprintf(format, args...)})
}

// ErrInterrupted is the panic value of a compiled workload stopped by
// Interrupt (it is interp.ErrInterrupted, shown as KeyboardInterrupt).
var ErrInterrupted error = interp.ErrInterrupted

// block releases the calling goroutine's lock for a blocking operation and
// returns the function that takes it back.
func block() (resume func()) { return (&hooks{}).Block() }
