// Package lab holds the state of one lab — the notebook's interpreter and
// locks, the mode, the interrupt flag, what an interrupt must stop — and
// the host's lifecycle over it, shared by corelab/runtime (what cells call)
// and corelab/runtime/host (what the program embedding the lab calls).
//
// A Lab is a value the host creates (host.New) and installs; the cell-facing
// functions, which yaegi exports as plain package functions and so cannot
// take a receiver, reach it through the one installed pointer (Current).
package lab

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"corelab/runtime/gil"
	"corelab/runtime/interp"
	"corelab/runtime/limits"
)

// Modes and check-point policies as the lab stores them (corelab/runtime
// names them rt.GIL, rt.Free, rt.Py310, rt.Py39).
const (
	ModeGIL  = "gil"
	ModeFree = "free"
	Py310    = "py310"
	Py39     = "py39"
)

// Lab is the state of one lab. The zero value is not usable: call New.
type Lab struct {
	// NewInterpreter, Executable and WorkerArgs are what the embedding
	// program gave New (see host.Env); they do not change.
	NewInterpreter func(opts interp.Options) (*interp.Interpreter, error)
	Executable     string
	WorkerArgs     []string

	// GIL is the notebook's lock: the main interpreter's cells and
	// goroutines hold it in the GIL model.
	GIL *gil.GIL
	// Free tracks the main interpreter's threads in the Free model.
	Free *gil.GIL
	// Interrupted is set by Interrupt and cleared by CellStart; compiled
	// workloads check it at their check points.
	Interrupted atomic.Bool
	// Spawned numbers the isolates and processes that go statements start.
	Spawned atomic.Int64
	// ProcWorker is rt.Worker() in a worker process while it serves a call
	// of a run (nil otherwise).
	ProcWorker atomic.Pointer[int]

	cell atomic.Pointer[gil.Thread] // the running cell's thread

	mu     sync.Mutex
	main   *interp.Interpreter
	mode   string
	router interp.GoRouter // how go statements leave the notebook in mode (nil: they do not)
	policy string

	stopMu   sync.Mutex
	stoppers map[*func()]struct{}
}

// New returns a lab in the GIL model with CPython 3.10's check points. It
// also points the gil package's process-wide hooks at the lab's needs: a
// panic that escapes a goroutine is printed, and the one-core boost reads
// the OS budget (affinity, NumCPU, cgroup quota).
func New(newInterpreter func(interp.Options) (*interp.Interpreter, error), executable string, workerArgs []string) *Lab {
	l := &Lab{NewInterpreter: newInterpreter, Executable: executable, WorkerArgs: workerArgs,
		GIL: gil.New(gil.DefaultInterval), Free: gil.NewFree(), mode: ModeGIL, policy: Py310}
	l.GIL.SetObserver(ObserveLanes)
	l.Free.SetObserver(ObserveLanes)
	gil.SetPanicHandler(func(v any, stack []byte) {
		fmt.Fprintf(os.Stderr, "panic in goroutine: %v\n", v)
	})
	gil.OSCores = func() float64 {
		b := limits.Read()
		b.GOMAXPROCS = 0
		return b.Cores()
	}
	return l
}

var installed atomic.Pointer[Lab]

// Install makes l the lab the cell-facing functions use.
func Install(l *Lab) { installed.Store(l) }

// Current returns the installed lab, or nil.
func Current() *Lab { return installed.Load() }

// Attach makes in the notebook's main interpreter: the lab installs its
// hooks (goroutines attach to the lock, blocking channel operations release
// it) and connects the notebook's lock's drop requests to in's check-point
// flag.
func (l *Lab) Attach(in *interp.Interpreter) {
	h := &Hooks{lab: l}
	l.mu.Lock()
	l.main = in
	pol := l.policy
	l.mu.Unlock()
	l.GIL.OnDropRequest(in.RequestCheckpoint)
	in.SetHooks(h)
	in.SetPolicy(PolicyOf(pol))
}

// Main returns the interpreter given to Attach (nil before).
func (l *Lab) Main() *interp.Interpreter {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.main
}

// CellStart takes the notebook's lock for a cell (see host.Lab.CellStart).
func (l *Lab) CellStart() (done func()) {
	l.Interrupted.Store(false)
	lock := l.GIL
	if l.Mode() == ModeFree {
		lock = l.Free
	}
	unboost := gil.HoldProcs() // a woken goroutine runs on time on one core
	t := lock.NewThread("cell")
	l.cell.Store(t)
	t.Acquire()
	return func() {
		l.cell.CompareAndSwap(t, nil)
		t.Exit() // deferred to RunCell's Unbind while the cell's goroutine runs
		unboost()
	}
}

// Interrupt stops the running cell and what it started (see
// host.Lab.Interrupt).
func (l *Lab) Interrupt() {
	l.Interrupted.Store(true)
	if in := l.Main(); in != nil {
		in.Interrupt()
	}
	l.stopAll()
}

// Mode returns the mode's name ("gil" at start).
func (l *Lab) Mode() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.mode
}

// SetMode sets the mode and the router the main interpreter's go
// statements are offered in it (nil: they run as goroutines here).
func (l *Lab) SetMode(mode string, r interp.GoRouter) {
	l.mu.Lock()
	l.mode, l.router = mode, r
	l.mu.Unlock()
}

// Policy returns the check-point policy, Py310 or Py39.
func (l *Lab) Policy() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.policy
}

// SetPolicy sets the check-point policy and applies it to the main
// interpreter.
func (l *Lab) SetPolicy(p string) {
	l.mu.Lock()
	l.policy = p
	in := l.main
	l.mu.Unlock()
	if in != nil {
		in.SetPolicy(PolicyOf(p))
	}
}

// PolicyOf is the interpreter's policy for p.
func PolicyOf(p string) interp.Policy {
	if p == Py39 {
		return interp.Py39
	}
	return interp.Py310
}

// AddStopper registers fn to be called by Interrupt until remove is
// called: running isolates, processes and servers.
func (l *Lab) AddStopper(fn func()) (remove func()) {
	l.stopMu.Lock()
	defer l.stopMu.Unlock()
	if l.stoppers == nil {
		l.stoppers = map[*func()]struct{}{}
	}
	p := &fn
	l.stoppers[p] = struct{}{}
	return func() {
		l.stopMu.Lock()
		delete(l.stoppers, p)
		l.stopMu.Unlock()
	}
}

func (l *Lab) stopAll() {
	l.stopMu.Lock()
	fns := make([]func(), 0, len(l.stoppers))
	for p := range l.stoppers {
		fns = append(fns, *p)
	}
	l.stopMu.Unlock()
	for _, fn := range fns {
		fn()
	}
}
