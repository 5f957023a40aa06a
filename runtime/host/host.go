// Package host is the lab's side for the program that embeds it — the
// kernel's evaluator, `corelab worker`, a test binary: it creates the lab,
// attaches the notebook's interpreter, brackets every cell and interrupts
// it. Cells never import it; they call corelab/runtime, which reaches the
// lab created here.
//
//	l := host.New(host.Env{NewInterpreter: factory})
//	l.Attach(in)
//	done := l.CellStart() // around every cell
//	... in.Eval(ctx, cell) ...
//	done()
//
// The lab is a value rather than package state so that its owner decides
// when it exists and a test can make a fresh one; cell-facing functions are
// plain package functions (yaegi exports no receivers), so they reach the
// one installed lab through an atomic pointer that New sets.
package host

import (
	"corelab/runtime/internal/lab"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
	"corelab/runtime/report"
)

// Env is what the program embedding the lab injects: the lab cannot import
// the generated symbol tables (they import corelab/runtime), so the factory
// that builds interpreters with them comes from outside.
type Env struct {
	// NewInterpreter builds an interpreter with the notebook's symbol tables
	// (corelab/runtime/symbols and the like) added to opts.Symbols. Isolates
	// need it.
	NewInterpreter func(opts interp.Options) (*interp.Interpreter, error)
	// Executable is the corelab binary started as `corelab worker` for the
	// Processes model ("" = os.Executable()).
	Executable string
	// WorkerArgs are the arguments that make Executable a worker
	// (nil = []string{"worker"}).
	WorkerArgs []string
}

// Lab is one lab: the notebook's interpreter and locks, the execution mode,
// the interrupt flag, the running isolates and processes.
type Lab struct{ l *lab.Lab }

// New creates a lab in the GIL model and installs it: corelab/runtime's
// functions use it from now on. It also sets the gil package's
// process-wide hooks (a panic escaping a goroutine is printed; the
// one-core boost reads the OS's core budget).
func New(e Env) *Lab {
	l := &Lab{l: lab.New(e.NewInterpreter, e.Executable, e.WorkerArgs)}
	l.Install()
	return l
}

// Install makes l the lab corelab/runtime's functions use again (a test
// that made another lab puts its own back).
func (l *Lab) Install() { lab.Install(l.l) }

// Attach makes in the notebook's main interpreter: the lab installs its
// hooks (goroutines attach to the lock, blocking channel operations release
// it) and connects the GIL's drop requests to in's check-point flag. The
// interpreter must have been built with gil.Symbols among its symbols for
// time.Sleep and sync waits to release the lock.
func (l *Lab) Attach(in *interp.Interpreter) { l.l.Attach(in) }

// CellStart is called by the evaluator before each cell. In the GIL model
// the cell takes the notebook's lock (waiting, like any thread, for
// goroutines of earlier cells that hold it). Call the returned done when
// the cell has finished: it releases the lock; goroutines the cell started
// keep their own threads. The cell's code runs on a goroutine yaegi starts,
// which the hooks bind to the cell's thread. If done is called while that
// goroutine still runs (an interrupted cell stuck in a host call), the
// lock stays with it until it returns: an interrupt never makes two
// holders; the evaluator's supervisor restarts an evaluator whose cell
// does not stop.
func (l *Lab) CellStart() (done func()) { return l.l.CellStart() }

// Interrupt stops the running cell: interpreted check points and compiled
// workloads panic with KeyboardInterrupt, running isolates, processes and
// servers are stopped. Code stuck in a host call that does not release the
// lock keeps it (see CellStart).
func (l *Lab) Interrupt() { l.l.Interrupt() }

// CoreSummary is the one-line core-usage summary %cores appends to a cell.
func CoreSummary(m meter.Measurement) string { return report.OneLine(m) }
