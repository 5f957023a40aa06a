// Package eval turns notebook cells into running Go code: it splits a cell
// into declarations and statements, drops repeated imports, instruments the
// source with check points, hands it to a yaegi interpreter with the right
// symbol tables, and maps errors and panics back to the cell's own lines.
//
// The same evaluator serves the kernel's main interpreter, every isolate and
// every worker process; what differs between them (symbol tables, output
// sinks, the lock) is injected through Options and Hooks, never imported.
//
// Use it like this:
//
//	in, err := eval.New(eval.Options{Stdout: w, Stderr: w})
//	res, err := in.Eval(ctx, `x := 6 * 7; x`)   // res.Value is 42
//
// Eval runs the cell on a goroutine of its own (yaegi needs that to cancel a
// blocked cell); Hooks therefore must not assume the goroutine that called
// Eval is the one running interpreted code.
package eval

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
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
	// resume is called after it.
	Block() (resume func())
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

// Policy says where check points go.
type Policy int

const (
	// Py310 puts check points at function entry, loop-body start and before
	// goto, like CPython 3.10+ evaluates its eval-breaker on back edges and calls.
	Py310 Policy = iota
	// Py39 also puts one before every statement, modelling CPython <= 3.9's
	// "check every N instructions".
	Py39

	// policyOff inserts no check points (benchmarks' baseline only).
	policyOff Policy = -1
)

// String returns the policy's name.
func (p Policy) String() string {
	if p == Py39 {
		return "py39"
	}
	return "py310"
}

// Options configure a new Interpreter.
type Options struct {
	// Symbols are extra symbol tables besides yaegi's stdlib (for example
	// runtime/symbols.Symbols). They are loaded after the stdlib, so an entry
	// such as Symbols[0]["time/time"]["Sleep"] replaces the stdlib one for
	// this interpreter only.
	Symbols []interp.Exports
	// Stdout and Stderr receive interpreted output: fmt.Print*, print,
	// println, os.Stdout/os.Stderr writes, log. Nil means os.Stdout/os.Stderr.
	Stdout, Stderr io.Writer
	// Stdin feeds fmt.Scan* and os.Stdin. Nil means os.Stdin.
	Stdin io.Reader
	// Hooks connect the execution model. Nil means FreeHooks.
	Hooks Hooks
	// Policy is the check-point policy (default Py310).
	Policy Policy
}

// Result is the value of a cell's trailing expression.
type Result struct {
	Value reflect.Value
	Has   bool // false when the cell does not end in an expression with one value
}

// An Interpreter evaluates cells one at a time and keeps their state.
type Interpreter struct {
	yi     *interp.Interpreter
	policy Policy
	stdout io.Writer
	stderr *panicTap

	hooks atomic.Pointer[hooksBox]
	flag  checkFlag
	req   atomic.Bool // check points requested by the hooks (the GIL)
	intr  atomic.Bool // interrupt pending: the next check point panics
	flagM sync.Mutex  // orders writes of the flag

	mu      sync.Mutex // one Eval at a time
	running atomic.Pointer[context.CancelFunc]
	cells   int

	state notebook // imports, declarations, chan names so far

	filesM sync.RWMutex
	files  map[string]*cellFile // yaegi file name -> how to map it back

	pkgs map[string]map[string]reflect.Value // binary packages by import path, for completion

	funcsM sync.RWMutex
	funcs  map[string]reflect.Value // top-level funcs for Call
}

type hooksBox struct{ h Hooks }

// ErrInterrupted is what Eval returns (and what check points panic with)
// after Interrupt.
var ErrInterrupted = &Error{Name: "KeyboardInterrupt", Value: "interrupted"}

// hostPath is the import path of the per-interpreter host symbols the
// instrumentation calls. The package name is deliberately unspeakable.
const (
	hostPath = "corelab.eval/_clh"
	hostKey  = hostPath + "/_clh"
)

// New returns an interpreter with yaegi's stdlib, opts.Symbols and the
// check-point prelude loaded.
func New(opts Options) (*Interpreter, error) {
	in := &Interpreter{
		policy: opts.Policy,
		files:  map[string]*cellFile{},
		funcs:  map[string]reflect.Value{},
	}
	in.state.init()
	h := opts.Hooks
	if h == nil {
		h = FreeHooks{}
	}
	in.hooks.Store(&hooksBox{h})
	in.stdout = opts.Stdout
	if in.stdout == nil {
		in.stdout = os.Stdout
	}
	errw := opts.Stderr
	if errw == nil {
		errw = os.Stderr
	}
	in.stderr = &panicTap{w: errw, traces: map[uint64][]string{}}
	stdin := opts.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	in.yi = interp.New(interp.Options{Stdout: in.stdout, Stderr: in.stderr, Stdin: stdin})
	if err := in.yi.Use(stdlib.Symbols); err != nil {
		return nil, fmt.Errorf("load stdlib symbols: %w", err)
	}
	in.pkgs = map[string]map[string]reflect.Value{}
	addPkgs(in.pkgs, stdlib.Symbols)
	for _, s := range opts.Symbols {
		if err := in.yi.Use(s); err != nil {
			return nil, fmt.Errorf("load symbols: %w", err)
		}
		addPkgs(in.pkgs, s)
	}
	if err := in.yi.Use(in.stdioSymbols(opts.Stdout, opts.Stderr, opts.Stdin)); err != nil {
		return nil, fmt.Errorf("load stdio symbols: %w", err)
	}
	if err := in.yi.Use(interp.Exports{hostKey: in.hostSymbols()}); err != nil {
		return nil, fmt.Errorf("load hook symbols: %w", err)
	}
	if err := in.runPrelude(); err != nil {
		return nil, fmt.Errorf("prelude: %w", err)
	}
	v, err := in.yi.Eval("&" + flagVar)
	if err != nil {
		return nil, fmt.Errorf("prelude flag: %w", err)
	}
	p, ok := v.Interface().(*bool)
	if !ok {
		return nil, fmt.Errorf("prelude flag: got %s, want *bool", v.Type())
	}
	in.flag.bind(p)
	return in, nil
}

// addPkgs merges symbol tables keyed "path/name" into pkgs keyed by path.
func addPkgs(pkgs map[string]map[string]reflect.Value, ex interp.Exports) {
	for k, syms := range ex {
		i := strings.LastIndex(k, "/")
		if i < 0 || strings.HasPrefix(k, "github.com/traefik/yaegi") {
			continue
		}
		path := k[:i]
		if pkgs[path] == nil {
			pkgs[path] = map[string]reflect.Value{}
		}
		for n, v := range syms {
			pkgs[path][n] = v
		}
	}
}

// stdioSymbols makes os.Stdout/os.Stderr/os.Stdin of interpreted code write
// to (read from) the interpreter's streams when those are not real files.
// yaegi only does this for *os.File streams; for any other writer its
// os.Stdout stays the process's, which would bypass the notebook.
func (in *Interpreter) stdioSymbols(out, errw io.Writer, stdin io.Reader) interp.Exports {
	m := map[string]reflect.Value{}
	if out != nil {
		if _, isFile := out.(*os.File); !isFile {
			f := &File{w: out, name: "/dev/stdout", fd: 1}
			m["Stdout"] = reflect.ValueOf(&f).Elem()
		}
	}
	if errw != nil {
		if _, isFile := errw.(*os.File); !isFile {
			f := &File{w: errw, name: "/dev/stderr", fd: 2}
			m["Stderr"] = reflect.ValueOf(&f).Elem()
		}
	}
	if stdin != nil {
		if _, isFile := stdin.(*os.File); !isFile {
			f := &File{r: stdin, name: "/dev/stdin", fd: 0}
			m["Stdin"] = reflect.ValueOf(&f).Elem()
		}
	}
	if len(m) == 0 {
		return interp.Exports{}
	}
	return interp.Exports{"os/os": m}
}

// File stands in for os.Stdin/os.Stdout/os.Stderr in interpreted code when
// the interpreter's streams are not files. It has the methods programs
// usually call on them.
type File struct {
	w    io.Writer
	r    io.Reader
	name string
	fd   uintptr
}

// Write writes to the interpreter's stream.
func (f *File) Write(p []byte) (int, error) {
	if f.w == nil {
		return 0, fmt.Errorf("write %s: bad file descriptor", f.name)
	}
	return f.w.Write(p)
}

// WriteString writes s to the interpreter's stream.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Read reads from the interpreter's input.
func (f *File) Read(p []byte) (int, error) {
	if f.r == nil {
		return 0, fmt.Errorf("read %s: bad file descriptor", f.name)
	}
	return f.r.Read(p)
}

// Name returns the file's conventional name, like os.File.Name.
func (f *File) Name() string { return f.name }

// Fd returns the conventional descriptor number (0, 1 or 2).
func (f *File) Fd() uintptr { return f.fd }

// Sync does nothing; writes are not buffered here.
func (f *File) Sync() error { return nil }

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

// SetPolicy changes the check-point policy for cells evaluated afterwards.
func (in *Interpreter) SetPolicy(p Policy) {
	in.mu.Lock()
	in.policy = p
	in.mu.Unlock()
}

// RequestCheckpoint turns the check-point flag on or off: while it is on,
// every check point in interpreted code calls Hooks.Checkpoint. The GIL
// turns it on when a waiter wants the lock.
func (in *Interpreter) RequestCheckpoint(on bool) {
	in.req.Store(on)
	in.updateFlag()
}

// Interrupt makes the next check point (in the cell or in any interpreted
// goroutine) panic with ErrInterrupted, so Eval returns it. A cell blocked
// without reaching a check point (a channel receive nobody sends to) is
// stopped after a short grace period. Earlier state stays usable.
func (in *Interpreter) Interrupt() {
	in.intr.Store(true)
	in.updateFlag()
	if c := in.running.Load(); c != nil {
		cancel := *c
		time.AfterFunc(interruptGrace, cancel)
	}
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
	return map[string]reflect.Value{
		"Tick":     reflect.ValueOf(in.tick),
		"Pending":  reflect.ValueOf(in.flag.pending),
		"Block":    reflect.ValueOf(in.block),
		"Go":       reflect.ValueOf(in.goStmt),
		"GoCall":   reflect.ValueOf(in.goCall),
		"GoSpread": reflect.ValueOf(in.goSpread),
		"Panic":    reflect.ValueOf(in.panicAt),
	}
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

// panicAt runs a rewritten panic(v): it notes the cell position for this
// goroutine's traceback and panics with v.
func (in *Interpreter) panicAt(cell, line, col int, v any) {
	in.stderr.notePanic(goid(), panicPos{cell, line, col})
	panic(v)
}

// goCall runs a rewritten `go f(args...)`: f and args were evaluated by
// the go statement; f is called with args converted to its parameters.
func (in *Interpreter) goCall(f any, args ...any) {
	fn, vals, err := bindCall(f, args, false)
	if err != nil {
		panic(err)
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
	in.goStmt(func() { fn.CallSlice(vals) })
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
			e := in.panicError(r, in.stderr.take(goid()))
			fmt.Fprintf(in.stderr.w, "panic in goroutine: %s\n%s\n", e.Value, strings.Join(e.Traceback, "\n"))
		}()
		fn()
	})
}

// Eval evaluates one cell. Declarations and imports are evaluated first, then
// the statements; the value of a trailing expression statement is the Result.
// Errors are *Error: CompileError, Panic or ErrInterrupted. Cancelling ctx
// interrupts the cell like Interrupt.
func (in *Interpreter) Eval(ctx context.Context, src string) (Result, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.intr.Store(false)
	in.updateFlag()
	in.cells++
	n := in.cells

	c, err := splitCell(src, n, &in.state)
	if err != nil {
		return Result{}, err
	}
	// yaegi gets a context of its own: cancelling it stops everything the
	// interpreter runs, so it is only cancelled by Interrupt's escalation.
	yctx, ycancel := context.WithCancel(context.Background())
	defer ycancel()
	in.running.Store(&ycancel)
	defer in.running.Store(nil)
	stop := context.AfterFunc(ctx, in.Interrupt)
	defer stop()
	ctx = yctx

	in.state.addChans(c.chans)
	if c.imps != "" {
		if _, err := in.run(ctx, c, c.imps, fileName(n, 'i'), false); err != nil {
			return Result{}, err
		}
		in.state.commitImports(c)
	}
	if c.decls != "" {
		if _, err := in.run(ctx, c, c.decls, fileName(n, 'd'), false); err != nil {
			in.state.commitTypes(c)
			return Result{}, err
		}
		in.state.commit(c)
		in.resolveFuncs(c.funcNames)
	}
	if c.stmts == "" {
		return Result{}, nil
	}
	v, err := in.run(ctx, c, c.stmts, fileName(n, 's'), true)
	if err != nil {
		return Result{}, err
	}
	if !c.trailingExpr || !v.IsValid() || isVoid(v) || in.results(c.trailingCall) >= 0 && in.results(c.trailingCall) != 1 {
		return Result{}, nil
	}
	return Result{Value: v, Has: true}, nil
}

// EvalWithContext is Eval; the name matches yaegi's for readers who know it.
func (in *Interpreter) EvalWithContext(ctx context.Context, src string) (Result, error) {
	return in.Eval(ctx, src)
}

// results is the number of results of a trailing call when it is known
// (yaegi returns the first of several, which a notebook should not show as
// the cell's value: fmt.Println would print its byte count), else -1.
func (in *Interpreter) results(call *ast.CallExpr) int {
	if call == nil {
		return -1
	}
	switch f := unparen(call.Fun).(type) {
	case *ast.Ident:
		if e, ok := in.state.lookup(f.Name); ok && e.kind == "func" {
			return e.results
		}
	case *ast.SelectorExpr:
		id, ok := f.X.(*ast.Ident)
		if !ok {
			break
		}
		path, ok := in.state.importPath(id.Name)
		if !ok {
			break
		}
		v, ok := in.pkgs[path][f.Sel.Name]
		if ok && v.IsValid() && v.Kind() == reflect.Func {
			return v.Type().NumOut()
		}
	}
	return -1
}

// fileName names the file yaegi sees for part kind of cell n. yaegi scopes
// imports by the file's base name, so every file has the same base name
// ("cell.go") and imports stay visible to later cells; the directory tells
// the cells apart.
func fileName(n int, kind byte) string { return fmt.Sprintf("_c%d%c/cell.go", n, kind) }

// runPrelude declares the check-point flag and helpers in the interpreter,
// under the file base name cells use, so they see its import too.
func (in *Interpreter) runPrelude() error {
	f, err := parser.ParseFile(in.yi.FileSet(), fileName(0, 'p'), prelude, 0)
	if err != nil {
		return err
	}
	p, err := in.compile(f)
	if err != nil {
		return err
	}
	_, err = in.yi.Execute(p)
	return err
}

// isVoid reports whether v is what yaegi returns for a call without results
// (its internal *interface{} node value holding nil).
func isVoid(v reflect.Value) bool {
	if v.Kind() != reflect.Pointer || v.Type().Elem().Kind() != reflect.Interface || v.IsNil() {
		return false
	}
	return v.Type().Elem().NumMethod() == 0 && v.Elem().IsNil()
}

// run instruments one half of a cell (prefix+blanked source), compiles it
// under name and executes it.
func (in *Interpreter) run(ctx context.Context, c *cell, text, name string, stmts bool) (res reflect.Value, err error) {
	fset := in.yi.FileSet()
	rw, err := rewriteText(text, in.policy, &in.state, c)
	if err != nil {
		return res, c.parseError(err)
	}
	cf := &cellFile{cell: c.n, src: c.src, prefix: len(cellPrefix), edits: rw.edits}
	in.filesM.Lock()
	in.files[name] = cf
	in.filesM.Unlock()

	f, err := parser.ParseFile(fset, name, rw.text, parser.ParseComments)
	if err != nil {
		return res, in.mapCompileError(err)
	}
	var node ast.Node = f
	if stmts {
		node = f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body
	}
	prog, err := in.compile(node)
	if err != nil {
		err = in.mapCompileError(err)
		if e, ok := err.(*Error); ok && strings.HasSuffix(e.Value, "nil type") && strings.Contains(c.src, "range") {
			e.Value += " (yaegi v0.16 cannot range over an integer or a function: write for i := 0; i < n; i++)"
			e.Traceback = append(e.Traceback, e.Value)
		}
		return res, err
	}
	return in.execute(ctx, prog)
}

// compile wraps yaegi's CompileAST: yaegi reports some errors by panicking.
func (in *Interpreter) compile(n ast.Node) (p *interp.Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal interpreter error: %v", r)
		}
	}()
	return in.yi.CompileAST(n)
}

func (in *Interpreter) execute(ctx context.Context, p *interp.Program) (reflect.Value, error) {
	v, err := in.yi.ExecuteWithContext(ctx, p)
	if err == nil {
		return v, nil
	}
	var pe interp.Panic
	if errors.As(err, &pe) {
		lines := in.stderr.take(stackGoid(pe.Stack))
		if e, ok := pe.Value.(*Error); ok && e == ErrInterrupted {
			return v, ErrInterrupted
		}
		return v, in.panicError(pe.Value, lines)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return v, ErrInterrupted
	}
	return v, in.mapCompileError(err)
}

// Decls returns the source of every top-level declaration and import
// evaluated so far, latest definition first wins, as one cell an isolate or
// worker can Eval to get the same functions, types, constants and package
// variables. Variables made by := in statements are not included (they are
// results of running code, not declarations).
func (in *Interpreter) Decls() string {
	return in.state.source()
}

// Call calls the top-level func name with args converted to its parameter
// types and returns its results. A panic in the function is returned as *Error.
func (in *Interpreter) Call(name string, args ...any) (out []any, err error) {
	in.funcsM.RLock()
	fn, ok := in.funcs[name]
	in.funcsM.RUnlock()
	if !ok {
		return nil, fmt.Errorf("eval: no top-level func %q", name)
	}
	t := fn.Type()
	if t.IsVariadic() && len(args) < t.NumIn()-1 || !t.IsVariadic() && len(args) != t.NumIn() {
		return nil, fmt.Errorf("eval: %s takes %d arguments, got %d", name, t.NumIn(), len(args))
	}
	in2 := make([]reflect.Value, len(args))
	for i, a := range args {
		var pt reflect.Type
		if t.IsVariadic() && i >= t.NumIn()-1 {
			pt = t.In(t.NumIn() - 1).Elem()
		} else {
			pt = t.In(i)
		}
		v, err := convertArg(a, pt)
		if err != nil {
			return nil, fmt.Errorf("eval: %s argument %d: %w", name, i+1, err)
		}
		in2[i] = v
	}
	defer func() {
		if r := recover(); r != nil {
			lines := in.stderr.take(goid())
			if e, ok := r.(*Error); ok && e == ErrInterrupted {
				err = ErrInterrupted
				return
			}
			err = in.panicError(r, lines)
		}
	}()
	res := fn.Call(in2)
	out = make([]any, len(res))
	for i, r := range res {
		out[i] = r.Interface()
	}
	return out, nil
}

func convertArg(a any, t reflect.Type) (reflect.Value, error) {
	if a == nil {
		return reflect.Zero(t), nil
	}
	v := reflect.ValueOf(a)
	switch {
	case v.Type().AssignableTo(t):
		return v, nil
	case v.Type().ConvertibleTo(t):
		return v.Convert(t), nil
	}
	return reflect.Value{}, fmt.Errorf("cannot use %s as %s", v.Type(), t)
}

// resolveFuncs caches the values of newly defined top-level funcs for Call,
// so Call never compiles (it may run while a cell runs).
func (in *Interpreter) resolveFuncs(names []string) {
	for _, name := range names {
		v, err := in.yi.Eval(name)
		in.funcsM.Lock()
		if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
			delete(in.funcs, name)
		} else {
			in.funcs[name] = v
		}
		in.funcsM.Unlock()
	}
}

// Funcs lists the top-level funcs Call can call, sorted.
func (in *Interpreter) Funcs() []string {
	in.funcsM.RLock()
	defer in.funcsM.RUnlock()
	names := make([]string, 0, len(in.funcs))
	for n := range in.funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Globals returns the notebook's package-level variables and constants.
func (in *Interpreter) Globals() map[string]reflect.Value {
	g := in.yi.Globals()
	for k := range g {
		if strings.HasPrefix(k, "_cl") {
			delete(g, k)
		}
	}
	return g
}
