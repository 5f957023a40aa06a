package runtime

import (
	"fmt"
	"strings"
	"time"

	"corelab/runtime/gil"
	"corelab/runtime/internal/lab"
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

// theLab returns the installed lab, the state every rt function works on
// (see package host).
func theLab() *lab.Lab {
	l := lab.Current()
	if l == nil {
		usage("no lab: the program must create one with host.New (the corelab kernel and `corelab run` do)")
	}
	return l
}

// interrupted reports whether the lab was interrupted since its cell
// started: long-running rt functions stop at their next check.
func interrupted() bool { return theLab().Interrupted.Load() }

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
	var r interp.GoRouter // go statements of the notebook's cells stay goroutines
	if m == Isolates || m == Processes {
		r = goRouter{}
	}
	theLab().SetMode(string(m), r)
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
func Mode() Model { return Model(theLab().Mode()) }

// SetSwitchInterval sets the GIL switch interval, like
// sys.setswitchinterval (CPython's default is 5 ms). It applies to the
// notebook's lock and to every lock created afterwards.
func SetSwitchInterval(d time.Duration) error {
	if d < time.Microsecond || d > 10*time.Second {
		return fmt.Errorf("switch interval %v out of range [1µs, 10s]", d)
	}
	theLab().GIL.SetInterval(d)
	return nil
}

// SwitchInterval returns the GIL switch interval.
func SwitchInterval() time.Duration { return theLab().GIL.Interval() }

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
	theLab().SetPolicy(p)
	return nil
}

// Checkpoints returns the check-point policy, "py310" or "py39".
func Checkpoints() string { return theLab().Policy() }

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
func block() (resume func()) { return (&lab.Hooks{}).Block() }
