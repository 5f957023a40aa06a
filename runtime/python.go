package runtime

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"corelab/runtime/cpython"
)

// PythonRun is what the last %%python cell of the notebook measured, for a
// Go cell to set beside the emulation's numbers:
//
//	py := rt.Python()
//	fmt.Printf("CPython %s lost %d of %d updates\n", py.Version, py.Int("lost"), py.Int("total"))
//
// The cell's global names that hold numbers, booleans, short strings or
// lists of numbers are kept (Num, Int, Str, Nums read them); Wall, CPU,
// CoresUsed and Threads are what the meter saw of the Python process.
type PythonRun struct {
	Version   string // "3.11.2", or "3.14.0t" for a free-threaded build
	Path      string // the interpreter
	GIL       bool   // the GIL was enabled (always, before 3.13t)
	Wall, CPU time.Duration
	CoresUsed float64 // CPU / Wall
	Threads   int     // OS threads of the process, most at once (0 where not sampled)
	Error     string  // the cell's exception ("ZeroDivisionError: division by zero"), "" if none
	vars      map[string]any
}

// Python returns the last %%python cell's run. It panics when no %%python
// cell has run since the kernel started.
func Python() PythonRun {
	r := cpython.Last()
	if r == nil {
		usage("rt.Python: no %%%%python cell has run in this kernel yet: run the cell with the CPython experiment first")
	}
	p := PythonRun{Version: r.Interpreter.Name(), Path: r.Interpreter.Path, GIL: !r.Interpreter.FreeThreaded || r.Interpreter.GIL == "on",
		Wall: r.Measurement.Wall, CPU: r.Measurement.CPU(), CoresUsed: r.Measurement.CoresUsed, Threads: r.Threads, vars: r.Vars}
	if r.Error != nil {
		p.Error = r.Error.Error()
	}
	return p
}

// Has reports whether the cell left a value named name.
func (p PythonRun) Has(name string) bool {
	_, ok := p.vars[name]
	return ok
}

// Num returns the cell's number name (an int, float or bool as 0/1). It
// panics, naming what the cell left, when there is none.
func (p PythonRun) Num(name string) float64 {
	switch v := p.vars[name].(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	case bool:
		if v {
			return 1
		}
		return 0
	}
	panic(&UsageError{Msg: p.missing(name, "number")})
}

// Int is Num rounded to an int.
func (p PythonRun) Int(name string) int {
	f := p.Num(name)
	if f < 0 {
		return int(f - 0.5)
	}
	return int(f + 0.5)
}

// Str returns the cell's string name; it panics when there is none.
func (p PythonRun) Str(name string) string {
	if s, ok := p.vars[name].(string); ok {
		return s
	}
	panic(&UsageError{Msg: p.missing(name, "string")})
}

// Nums returns the cell's list of numbers name; it panics when there is
// none.
func (p PythonRun) Nums(name string) []float64 {
	l, ok := p.vars[name].([]any)
	if !ok {
		panic(&UsageError{Msg: p.missing(name, "list of numbers")})
	}
	out := make([]float64, 0, len(l))
	for _, v := range l {
		switch x := v.(type) {
		case int64:
			out = append(out, float64(x))
		case float64:
			out = append(out, x)
		}
	}
	return out
}

func (p PythonRun) missing(name, kind string) string {
	names := make([]string, 0, len(p.vars))
	for k := range p.vars {
		names = append(names, k)
	}
	sort.Strings(names)
	left := "no values (only numbers, booleans, short strings and lists of numbers in global names are kept)"
	if len(names) > 0 {
		left = strings.Join(names, ", ")
	}
	why := ""
	if p.Error != "" {
		why = " (it ended with " + p.Error + ")"
	}
	return fmt.Sprintf("rt.Python: the last %%%%python cell (CPython %s) left no %s named %q%s; it left: %s", p.Version, kind, name, why, left)
}

// String is a one-line summary of the run.
func (p PythonRun) String() string {
	return fmt.Sprintf("CPython %s: wall %v, CPU %v, %.2f cores used, %d threads", p.Version,
		p.Wall.Round(time.Millisecond), p.CPU.Round(time.Millisecond), p.CoresUsed, p.Threads)
}
