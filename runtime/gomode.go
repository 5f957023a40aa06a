package runtime

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	goruntime "runtime"
	"strings"

	"corelab/runtime/gil"
	"corelab/runtime/internal/invoke"
	"corelab/runtime/interp"
)

// go statements under %mode isolates and %mode processes.
//
// A cell always runs in the notebook's own interpreter, under its lock
// (CPython's main interpreter keeps its GIL too). What the mode changes is
// where `go work(args)` runs: in a new isolate (its own interpreter, lock
// and copy of the declarations, like interpreters.create().call_in_thread)
// or in a new worker process (like multiprocessing.Process(...).start()).
// Arguments cross as copies; only a Queue or a SharedBuffer is shared, and
// only with isolates. A func literal or a method value would share the
// cell's variables, so it is refused with an error that says what to write
// instead.

// goRouter runs a go statement of the notebook's interpreter in a new
// isolate or worker process (see the comment above). SetMode gives it to
// the lab for those two modes; the lab's hooks offer it the main
// interpreter's go statements, never an isolate's or a worker's.
type goRouter struct{}

// RouteGo runs c in a new isolate or worker process, as the mode says.
func (goRouter) RouteGo(c interp.GoCall) (bool, error) {
	m := Mode()
	if m != Isolates && m != Processes {
		return false, nil
	}
	args := goArgs(c)
	noun := "isolate"
	if m == Processes {
		noun = "worker process"
	}
	if host := hostFuncName(c.Func); host != "" {
		return true, goCompiled(m, host, c, args)
	}
	if c.Name == "" || !hasFunc(theLab().Main(), c.Name) {
		return false, &UsageError{Msg: fmt.Sprintf("%%mode %s: `go` runs a top-level func in a new %s, which shares nothing with "+
			"this cell; a func literal, method value or func variable would share the cell's variables. "+
			"Declare `func work(...)` and write `go work(args)`, sending results back through an rt.Queue "+
			"(or use %%mode gil / %%mode free for goroutines that share memory)", m, noun)}
	}
	if m == Isolates {
		return true, goIsolate(c.Name, args)
	}
	return true, goProcess(c.Name, args)
}

// goArgs turns a go statement's arguments into values, spreading the
// slice of `go f(xs...)`.
func goArgs(c interp.GoCall) []any {
	var args []any
	for i, v := range c.Args {
		if c.Spread && i == len(c.Args)-1 {
			for j := 0; j < v.Len(); j++ {
				args = append(args, v.Index(j).Interface())
			}
			break
		}
		args = append(args, v.Interface())
	}
	return args
}

// hostFuncName returns the package-qualified name of a compiled function
// (rt.Fib, strings.Repeat), or "" for an interpreted one, which reaches
// the host as a function made by reflect.
func hostFuncName(fn reflect.Value) string {
	f := goruntime.FuncForPC(fn.Pointer())
	if f == nil {
		return ""
	}
	name := f.Name()
	if strings.HasPrefix(name, "reflect.") || strings.Contains(name, ".func") || strings.Contains(name, "-fm") {
		return "" // a reflect stub, a closure or a method value: interpreted or capturing
	}
	return name
}

// goCompiled runs a compiled function started by a go statement: in an
// isolate it runs on a lock of its own (a C function in a sub-interpreter);
// a worker process can run only the runtime's compiled workloads.
func goCompiled(m Model, host string, c interp.GoCall, args []any) error {
	short := host[strings.LastIndex(host, ".")+1:]
	if m == Processes {
		// A worker process finds rt's workloads by the name the table
		// gives them ("rt.Fib"); any other host func cannot cross.
		w, ok := compiledOf(c.Func.Interface())
		if !ok {
			return &UsageError{Msg: fmt.Sprintf("%%mode processes: a worker process can run a func the notebook declares "+
				"or one of rt's workloads, not %s; wrap it: func work() { ... } and `go work()`", host)}
		}
		return goProcess(w.name, args)
	}
	cargs, err := copyAll(args)
	if err != nil {
		return err
	}
	vals, err := convertArgs(short, c.Func.Type(), cargs)
	if err != nil {
		return err
	}
	n := theLab().Spawned.Add(1)
	lock := newLock(Isolates)
	go func() { // ends with the call; Interrupt stops compiled workloads at their check points
		err := invoke.Catch(func() {
			onThread(lock, fmt.Sprintf("isolate %d", n), nil, func(*gil.Thread) {
				c.Func.Call(vals) // goArgs spread xs... already
			})
		})
		reportGo("isolate", n, short, err)
	}()
	return nil
}

// goIsolate starts name(args...) in a new isolate, on a goroutine of its
// own holding the isolate's lock. The arguments are copied now, into the
// isolate's types, so a value that cannot cross fails the go statement and
// later changes in the notebook do not reach the isolate.
func goIsolate(name string, args []any) error {
	iso, err := newIsolate()
	if err != nil {
		return fmt.Errorf("go %s: %w", name, err)
	}
	cargs, err := iso.copyArgs(name, args)
	if err != nil {
		return err
	}
	n := theLab().Spawned.Add(1)
	stop := theLab().AddStopper(func() { iso.in.Interrupt() })
	go func() { // ends when the call returns or is interrupted
		defer stop()
		var err error
		onThread(iso.lock, fmt.Sprintf("isolate %d", n), nil, func(*gil.Thread) {
			_, err = iso.in.Call(name, cargs...)
		})
		reportGo("isolate", n, name, err)
	}()
	return nil
}

// goProcess starts a worker process with the notebook's declarations and
// calls name(args...) in it. The process starts before the go statement
// returns (as Process.start() does), so start-up errors fail it.
func goProcess(name string, args []any) error {
	enc, err := encodeArgs(args) // now: what cannot be sent fails the go statement
	if err != nil {
		return err
	}
	decls := ""
	if in := theLab().Main(); in != nil {
		decls = in.Decls()
	}
	p, _, err := startProc(decls)
	if err != nil {
		return fmt.Errorf("go %s: %w", name, err)
	}
	n := theLab().Spawned.Add(1)
	stop := theLab().AddStopper(p.kill)
	go func() { // ends when the call returns or the process is killed
		defer stop()
		_, _, _, err := p.callEncoded(name, enc)
		p.close()
		reportGo("worker process", n, name, err)
	}()
	return nil
}

// reportGo tells the notebook how a spawned call ended badly, as a panic
// in a goroutine is told; an interrupt is not news.
func reportGo(where string, n int64, name string, err error) {
	if err == nil || interrupted() {
		return
	}
	var ee *interp.Error
	if errors.As(err, &ee) && ee.Traceback != nil {
		os.Stderr.WriteString(ee.Report(fmt.Sprintf("go %s in %s %d", name, where, n)))
		return
	}
	fmt.Fprintf(os.Stderr, "go %s in %s %d: %v\n", name, where, n, err)
}
