// Hooks: how check points, go statements and blocking operations in
// interpreted code reach the execution model, and interrupts.

package interp

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// Hooks is how an execution model (the runtime) reaches interpreted code.
// It is injected, never imported, so eval stays below runtime.
type Hooks interface {
	// Checkpoint is called from interpreted code at a check point while the
	// check-point flag is set (see RequestCheckpoint).
	Checkpoint()
	// Go runs the body of a rewritten go statement on a new goroutine. fn
	// already recovers and reports its own panics; Go should still not let
	// anything escape that would kill the process.
	Go(fn func())
	// Block is called before a channel operation that may block (send,
	// receive, select without default, range over a channel); the returned
	// resume is called once, after it, on the same goroutine.
	Block() (resume func())
}

// A CellRunner is Hooks that must see the goroutine a cell runs on: yaegi
// runs each cell on a goroutine of its own, and RunCell is called on it
// with the cell's code, before any of that code runs. The runtime binds
// the cell's thread of the lock to the goroutine there (and unbinds it
// after), instead of guessing later which goroutine is the cell's.
type CellRunner interface {
	RunCell(run func())
}

// A CellHolder is Hooks that can tell whether the goroutine a cell runs on
// holds the lock right now. After an interrupt, Eval returns at once when
// the cell's goroutine is parked in a blocking operation that released the
// lock (it takes the lock back through the lock's own queue when the
// operation ends, like any goroutine), but waits for one that holds the
// lock in a host call no interrupt reaches: returning would let the next
// cell run beside it. Hooks without the method are taken to hold nothing.
type CellHolder interface {
	CellHolds() bool
}

// FreeHooks are the default Hooks: plain goroutines, no lock.
type FreeHooks struct{}

// Checkpoint does nothing.
func (FreeHooks) Checkpoint() {}

// Go starts fn on a plain goroutine. fn owns its lifetime: it ends when the
// interpreted goroutine body returns (or panics, which fn recovers).
func (FreeHooks) Go(fn func()) {
	go func() {
		defer func() { _ = recover() }() // fn reports its own panics; this is a safety net
		fn()
	}()
}

// Block returns a resume that does nothing.
func (FreeHooks) Block() func() { return noop }

func noop() {}

type hooksBox struct{ h Hooks }

// SetHooks swaps the hooks; check points and goroutines started afterwards
// use the new ones. Safe while a cell runs.
func (in *Interpreter) SetHooks(h Hooks) {
	if h == nil {
		h = FreeHooks{}
	}
	in.hooks.Store(&hooksBox{h})
}

// Hooks returns the current hooks.
func (in *Interpreter) Hooks() Hooks { return in.hooks.Load().h }

// RequestCheckpoint turns the check-point flag on or off: while it is on,
// every check point in interpreted code calls Hooks.Checkpoint. The GIL
// turns it on when a waiter wants the lock.
func (in *Interpreter) RequestCheckpoint(on bool) {
	in.req.Store(on)
	in.updateFlag()
}

// Interrupt makes the next check point (in the cell or in any interpreted
// goroutine) panic with ErrInterrupted, so Eval returns it; until the next
// Eval starts, every check point reached panics, so background goroutines
// stop too. Host code that calls interpreted functions on goroutines of its
// own must recover that panic. A cell blocked without reaching a check point
// (a channel receive nobody sends to) is stopped after a short grace period
// through yaegi's cancellation, which stops everything the interpreter runs.
// A cell whose goroutine holds the lock in a host call (see CellHolder) is
// not: Eval waits until the call returns and the cell reaches a check
// point. Earlier state stays usable.
func (in *Interpreter) Interrupt() {
	in.intr.Store(true)
	in.updateFlag()
	if c := in.running.Load(); c != nil {
		in.escalate(c)
	}
}

// escalate cancels the running cell c through yaegi interruptGrace from
// now, unless c has ended by then. A cell whose goroutine holds the lock
// (CellHolder) is not cancelled: that would make Eval return and let the
// next cell run beside a goroutine stuck in a host call. It is looked at
// again each interruptGrace until it reaches a check point, parks in a
// blocking call, or its supervisor ends the process.
func (in *Interpreter) escalate(c *context.CancelFunc) {
	time.AfterFunc(interruptGrace, func() { // ends at once
		switch {
		case in.running.Load() != c:
		case in.cellHolds():
			in.escalate(c)
		default:
			(*c)()
		}
	})
}

// interruptGrace is how long Interrupt waits for a check point before it
// cancels the cell through yaegi (which stops everything the interpreter
// runs, blocked channel operations included).
const interruptGrace = 300 * time.Millisecond

func (in *Interpreter) updateFlag() {
	in.flagM.Lock()
	in.flag.set(in.req.Load() || in.intr.Load())
	in.flagM.Unlock()
}

// tick is what a check point calls when the flag is set.
func (in *Interpreter) tick() {
	if in.intr.Load() {
		panic(ErrInterrupted)
	}
	in.hooks.Load().h.Checkpoint()
}

// hostSymbols are the host functions the prelude and the instrumentation
// call, bound to this interpreter.
func (in *Interpreter) hostSymbols() map[string]reflect.Value {
	syms := map[string]reflect.Value{
		"Tick":         reflect.ValueOf(in.tick),
		"Pending":      reflect.ValueOf(in.flag.pending),
		"Block":        reflect.ValueOf(in.block),
		"Go":           reflect.ValueOf(in.goClosure),
		"GoCall":       reflect.ValueOf(in.goCall),
		"GoNamed":      reflect.ValueOf(in.goNamed),
		"GoSpread":     reflect.ValueOf(in.goSpread),
		"Panic":        reflect.ValueOf(in.panicAt),
		"Sync":         reflect.ValueOf(in.syncWait),
		"Blocking":     reflect.ValueOf(in.blocking),
		"BlockingFunc": reflect.ValueOf(in.blockingFunc),
		"Run":          reflect.ValueOf(in.runCell),
		"Closed":       reflect.ValueOf(closedLike),
	}
	in.marks.addSymbols(syms)
	return syms
}

// runCell is what the driver program calls on the goroutine yaegi runs
// the cell on: it notes that goroutine (a panic's traceback lines are kept
// per goroutine) and runs the cell's programs under the hooks' RunCell.
func (in *Interpreter) runCell() {
	in.stderr.cell.Store(goid())
	if r, ok := in.hooks.Load().h.(CellRunner); ok {
		r.RunCell(in.runPending)
		return
	}
	in.runPending()
}

// block calls Hooks.Block and returns a resume that acts once: the
// instrumentation resumes at every place execution may continue from (each
// select case, each branch after a comma-ok receive, after a loop), and only
// the first of those must reach the hooks.
func (in *Interpreter) block() func() {
	resume := in.hooks.Load().h.Block()
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			resume()
		}
	}
}

// syncWait runs a rewritten mu.Lock(), mu.RLock(), wg.Wait() or
// cond.Wait(): p points (through any number of pointers) at the sync
// value. A lock that is free is taken without releasing anything.
func (in *Interpreter) syncWait(p any, op string) {
	v := reflect.ValueOf(p)
	for v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case *sync.Mutex:
		if !x.TryLock() {
			resume := in.block()
			x.Lock()
			resume()
		}
		return
	case *sync.RWMutex:
		if op == "RLock" {
			if !x.TryRLock() {
				resume := in.block()
				x.RLock()
				resume()
			}
			return
		}
		if !x.TryLock() {
			resume := in.block()
			x.Lock()
			resume()
		}
		return
	case *sync.WaitGroup:
		resume := in.block()
		x.Wait()
		resume()
		return
	case *sync.Cond:
		resume := in.block()
		x.Wait()
		resume()
		return
	}
	m := v.MethodByName(op)
	if !m.IsValid() {
		panic(fmt.Sprintf("%s has no method %s", v.Type(), op))
	}
	m.Call(nil)
}

// panicAt runs a rewritten panic(v): it notes the cell position for this
// goroutine's traceback and panics with v.
func (in *Interpreter) panicAt(cell, line, col int, v any) {
	in.stderr.notePanic(goid(), panicPos{cell, line, col})
	panic(v)
}

// goCall runs a rewritten `go f(args...)`: f and args were evaluated by
// the go statement; f is called with args converted to its parameters.
func (in *Interpreter) goCall(f any, args ...any) { in.goNamed("", f, args...) }

// goNamed is goCall for `go name(args...)` where name is a top-level
// function: the hooks may run it elsewhere by name (see GoRouter).
func (in *Interpreter) goNamed(name string, f any, args ...any) {
	fn, vals, err := bindCall(f, args, false)
	if err != nil {
		panic(err)
	}
	if in.route(GoCall{Name: name, Func: fn, Args: vals}) {
		return
	}
	in.goStmt(func() { fn.Call(vals) })
}

// goSpread runs a rewritten `go f(a, xs...)`: the last argument is the
// slice to spread.
func (in *Interpreter) goSpread(f any, args ...any) {
	fn, vals, err := bindCall(f, args, true)
	if err != nil {
		panic(err)
	}
	if in.route(GoCall{Func: fn, Args: vals, Spread: true}) {
		return
	}
	in.goStmt(func() { fn.CallSlice(vals) })
}

// goClosure runs a go statement rewritten as `_clGo(func(){ call })`
// (a builtin or a generic function, which cannot be passed as values).
func (in *Interpreter) goClosure(fn func()) {
	if in.route(GoCall{Func: reflect.ValueOf(fn)}) {
		return
	}
	in.goStmt(fn)
}

// GoCall is a go statement's call, evaluated at the go statement as Go
// evaluates it, before the new goroutine starts.
type GoCall struct {
	// Name is the top-level function called by name (`go work(x)`), ""
	// for any other function value: a func literal, a method value, a
	// local variable, a package's function.
	Name string
	// Func is the function value, as this interpreter sees it.
	Func reflect.Value
	// Args are the arguments converted to Func's parameter types; with
	// Spread the last one is the slice of a `go f(xs...)`.
	Args   []reflect.Value
	Spread bool
}

// A GoRouter is Hooks that may run a go statement somewhere other than on
// a new goroutine of this interpreter: in another interpreter, in a worker
// process. RouteGo is offered each go statement; it returns handled=false
// to let Hooks.Go run it here, or an error that the go statement panics
// with (a go statement that cannot work in the current model says why).
type GoRouter interface {
	RouteGo(c GoCall) (handled bool, err error)
}

// route offers c to the hooks' router, if they have one.
func (in *Interpreter) route(c GoCall) bool {
	r, ok := in.hooks.Load().h.(GoRouter)
	if !ok {
		return false
	}
	handled, err := r.RouteGo(c)
	if err != nil {
		panic(err)
	}
	return handled
}

// bindCall converts args to f's parameter types.
func bindCall(f any, args []any, spread bool) (reflect.Value, []reflect.Value, error) {
	fn := reflect.ValueOf(f)
	if fn.Kind() != reflect.Func {
		return fn, nil, fmt.Errorf("go: %T is not a function", f)
	}
	t := fn.Type()
	n := t.NumIn()
	if !spread && (t.IsVariadic() && len(args) < n-1 || !t.IsVariadic() && len(args) != n) || spread && len(args) != n {
		return fn, nil, fmt.Errorf("go: %s called with %d arguments", t, len(args))
	}
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		pt := t.In(min(i, n-1))
		if t.IsVariadic() && i >= n-1 && !spread {
			pt = pt.Elem()
		}
		v, err := convertArg(a, pt)
		if err != nil {
			return fn, nil, fmt.Errorf("go: argument %d: %w", i+1, err)
		}
		vals[i] = v
	}
	return fn, vals, nil
}

// goStmt runs the body of a rewritten go statement under Hooks.Go and
// reports its panic on Stderr instead of killing the process.
func (in *Interpreter) goStmt(fn func()) {
	in.hooks.Load().h.Go(func() {
		defer func() {
			r := recover()
			if r == nil {
				return
			}
			if e, ok := r.(*Error); ok && e == ErrInterrupted {
				in.stderr.take(goid())
				return
			}
			io.WriteString(in.stderr.w, in.panicError(r, in.stderr.take(goid())).Report("panic in goroutine"))
		}()
		fn()
	})
}
