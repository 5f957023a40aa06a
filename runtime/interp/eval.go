// The evaluator proper: Interpreter, Options, Hooks, Eval, Call.

package interp

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log"
	"maps"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	yaegi "github.com/traefik/yaegi/interp"
)

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
	Symbols []yaegi.Exports
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
	// Methods holds what the value's own DisplayBundle, String and Error
	// return when its type is a notebook type that declares them (host
	// code cannot call them: yaegi gives it the bare value).
	Methods map[string]any
}

// An Interpreter evaluates cells one at a time and keeps their state.
type Interpreter struct {
	yi     *yaegi.Interpreter
	policy atomic.Int32    // a Policy
	useM   sync.Mutex      // serialises Use and the loading of tables
	layers []*layer        // symbol tables, in the order given; under useM
	loaded map[string]bool // import paths whose tables yaegi has; under useM
	stdout io.Writer
	stderr *panicTap
	std    stdFiles   // os.Stdout and os.Stderr of interpreted code, when the streams are files; under mu
	shown  shownCache // under mu

	hooks atomic.Pointer[hooksBox]
	flag  checkFlag
	marks posMarks    // position markers, for a panic's line
	req   atomic.Bool // check points requested by the hooks (the GIL)
	intr  atomic.Bool // interrupt pending: the next check point panics
	flagM sync.Mutex  // orders writes of the flag

	mu      sync.Mutex // one Eval at a time
	running atomic.Pointer[context.CancelFunc]
	cells   int
	label   atomic.Pointer[string] // SetLabel's name for the next cell

	state notebook // imports, declarations, chan names so far

	driver  *yaegi.Program         // `_clRun()`: runs pending on a yaegi goroutine
	pending atomic.Pointer[func()] // the current cell's programs, set by execute, taken by runPending

	filesM sync.RWMutex
	files  map[string]*cellFile // yaegi file name -> how to map it back

	pkgs    map[string]map[string]reflect.Value // binary packages by import path, for completion
	ownPkgs map[string]bool                     // pkgs entries this interpreter copied (see addPkgs)

	generics atomic.Bool // yaegi's generic stdlib sources are compiled (see compileGenerics)

	funcsM sync.RWMutex
	funcs  map[string]reflect.Value // top-level funcs for Call
}

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
		files: map[string]*cellFile{},
		funcs: map[string]reflect.Value{},
	}
	in.policy.Store(int32(opts.Policy))
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
	in.yi = yaegi.New(yaegi.Options{Stdout: in.stdout, Stderr: in.stderr, Stdin: stdin})
	// Tables reach yaegi package by package, when a cell imports one
	// (see layer); completion sees them all at once.
	in.pkgs = maps.Clone(stdTables().pkgs)
	in.ownPkgs = map[string]bool{}
	in.loaded = map[string]bool{}
	fixes, err := newLayer(stdlibFixes(stdin, in.stdout, in.stderr), false)
	if err != nil {
		return nil, fmt.Errorf("load stdlib symbols: %w", err)
	}
	in.layers = []*layer{stdTables().layer, fixes}
	for _, s := range opts.Symbols {
		l, err := newLayer(s, true)
		if err != nil {
			return nil, fmt.Errorf("load symbols: %w", err)
		}
		in.layers = append(in.layers, l)
		in.addPkgs(s)
	}
	in.noteSync()
	stdio, err := newLayer(in.stdioSymbols(opts.Stdout, opts.Stderr, opts.Stdin), false)
	if err != nil {
		return nil, fmt.Errorf("load stdio symbols: %w", err)
	}
	host, err := newLayer(yaegi.Exports{hostKey: in.hostSymbols()}, false)
	if err != nil {
		return nil, fmt.Errorf("load hook symbols: %w", err)
	}
	in.layers = append(in.layers, stdio, host)
	if err := in.startTables(); err != nil {
		return nil, fmt.Errorf("load symbols: %w", err)
	}
	if err := in.runPrelude(); err != nil {
		return nil, fmt.Errorf("prelude: %w", err)
	}
	in.driver, err = in.compileDriver()
	if err != nil {
		return nil, fmt.Errorf("prelude driver: %w", err)
	}
	// The prelude's variables, by address: reading them from Globals costs
	// nothing, where an Eval("&_clFlag") compiled and ran a program each.
	g := in.yi.Globals()
	p, ok := addrOf(g[flagVar]).(*bool)
	if !ok {
		return nil, fmt.Errorf("prelude flag: got %v, want *bool", g[flagVar])
	}
	in.flag.bind(p)
	pa, ok1 := addrOf(g["_clAt"]).(*int)
	pt, ok2 := addrOf(g["_clTop"]).(*int)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("prelude markers: got %v, %v, want *int", g["_clAt"], g["_clTop"])
	}
	in.marks.bind(pa, pt)
	return in, nil
}

// addrOf returns a pointer to the variable v is, or nil.
func addrOf(v reflect.Value) any {
	if !v.IsValid() || !v.CanAddr() {
		return nil
	}
	return v.Addr().Interface()
}

// noteSync records whether sync.Mutex is still the standard one.
func (in *Interpreter) noteSync() {
	v, ok := in.pkgs["sync"]["Mutex"]
	in.state.hostSync.Store(ok && v.Type() != reflect.TypeOf((*sync.Mutex)(nil)))
}

// Use adds or replaces host symbols (keys "import/path/name", like
// Options.Symbols), for example a runtime's GIL-aware time.Sleep. Cells
// compiled afterwards see them, also for packages imported earlier; code
// already compiled keeps what it had. It may be called between cells or by
// host code a running cell calls, not while another goroutine's Eval is
// compiling.
func (in *Interpreter) Use(ex yaegi.Exports) error {
	in.useM.Lock()
	defer in.useM.Unlock()
	l, err := newLayer(ex, true)
	if err != nil {
		return err
	}
	if _, isFmt := ex["fmt/fmt"]; isFmt || l.ownMapTypes() {
		// yaegi's Use redoes its fixStdlib over all it has for fmt (and
		// compiles its generic sources), and MapTypes may name any
		// package: give yaegi everything, then ex, as before tables were
		// loaded lazily
		if err := in.loadAllLocked(); err != nil {
			return err
		}
		in.layers = append(in.layers, l)
		in.addPkgs(ex)
		in.noteSync()
		for p := range l.paths {
			in.loaded[p] = true
		}
		if isFmt {
			in.generics.Store(true)
		}
		return in.yi.Use(ex)
	}
	in.layers = append(in.layers, l)
	in.addPkgs(ex)
	in.noteSync()
	// The packages yaegi has take the new entries now (and the packages
	// their types need); the others when a cell imports them.
	var loaded, deps []string
	for p, keys := range l.paths {
		if in.loaded[p] {
			loaded = append(loaded, p)
			for _, k := range keys {
				deps = append(deps, ifaceDeps(ex[k])...)
			}
		}
	}
	sub := l.sub(loaded)
	for _, k := range l.eager {
		if sub == nil {
			sub = yaegi.Exports{}
		}
		sub[k] = ex[k]
	}
	if sub != nil {
		if err := in.yi.Use(sub); err != nil {
			return err
		}
	}
	return in.loadLocked(deps...)
}

// SetLabel names the next cell in errors and tracebacks, for example
// "In[7]" with the kernel's execution count; by default cells are called
// cell[N], N counting this interpreter's Evals.
func (in *Interpreter) SetLabel(label string) {
	in.label.Store(&label)
}

// SetPolicy changes the check-point policy for cells evaluated afterwards
// (a running cell, which may be the caller, keeps its instrumentation).
// Funcs declared before keep the policy they were instrumented under, so a
// cell or Call that would run one is refused with the cells to re-run
// (see stale.go).
func (in *Interpreter) SetPolicy(p Policy) {
	in.policy.Store(int32(p))
}

// Policy returns the check-point policy.
func (in *Interpreter) Policy() Policy { return Policy(in.policy.Load()) }

// Eval evaluates one cell. Declarations and imports are evaluated first, then
// the statements; the value of a trailing expression statement is the Result.
// Errors are *Error: CompileError, Panic or ErrInterrupted. Cancelling ctx
// interrupts the cell like Interrupt.
func (in *Interpreter) Eval(ctx context.Context, src string) (res Result, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	defer in.std.reopen(in.stderr.w)
	defer func() {
		if err != nil {
			in.addHint(err, src)
		}
	}()
	in.intr.Store(false)
	in.updateFlag()
	in.cells++
	n := in.cells

	label := ""
	if l := in.label.Swap(nil); l != nil {
		label = *l
	}
	in.state.earlierVars = in.globalVars
	in.marks.reset()
	c, err := splitCell(src, n, label, &in.state)
	if err != nil {
		return Result{}, err
	}
	c.policy = in.Policy()
	if err := in.state.checkStale(c); err != nil {
		return Result{}, err
	}
	if err := in.loadFor(c); err != nil {
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

	// Compile every part first (imports, then the segments' declarations
	// and statements), then run them in order on one goroutine: the runtime
	// binds a cell's lock to the goroutine that runs it.
	in.state.addChans(c.chans)
	var progs []*yaegi.Program
	var declares []bool // progs[i] declares top-level names
	if c.imps != "" {
		p, err := in.compilePart(c, c.imps, fileName(n, "i"), false)
		if err != nil {
			return Result{}, err
		}
		// yaegi took the imports: it must never see them again
		in.state.commitImports(c)
		progs = append(progs, p)
		declares = append(declares, false)
	}
	for _, pt := range c.parts {
		p, err := in.compilePart(c, pt.text, fileName(n, pt.tag), pt.stmts)
		if err != nil {
			in.state.commitTypes(c)
			return Result{}, err
		}
		progs = append(progs, p)
		declares = append(declares, !pt.stmts)
	}
	in.state.commit(c)
	v, err := in.execute(ctx, progs, declares, c.funcNames)
	if err != nil {
		return Result{}, err
	}
	in.state.rebind(c)
	if len(c.parts) == 0 || !c.parts[len(c.parts)-1].stmts {
		return Result{}, nil
	}
	if !c.trailingExpr || !v.IsValid() {
		return Result{}, nil
	}
	// The callee's signature decides when it is known; yaegi's value for
	// a call without results is otherwise told by its shape (isVoid).
	if n := in.results(c.trailingCall); n >= 0 && n != 1 || n < 0 && isVoid(v) {
		return Result{}, nil
	}
	return Result{Value: v, Has: true, Methods: in.notebookMethods(v, Shown)}, nil
}

// EvalWithContext is Eval; the name matches yaegi's for readers who know it.
func (in *Interpreter) EvalWithContext(ctx context.Context, src string) (Result, error) {
	return in.Eval(ctx, src)
}

// fileName names the file yaegi sees for part kind of cell n. yaegi scopes
// imports by the file's base name, so every file has the same base name
// ("cell.go") and imports stay visible to later cells; the directory tells
// the cells apart.
func fileName(n int, tag string) string { return fmt.Sprintf("_c%d%s/cell.go", n, tag) }

func hasDeclAfter(parts []part, i int) bool {
	for _, p := range parts[i+1:] {
		if !p.stmts {
			return true
		}
	}
	return false
}

// compileDriver compiles the statement that runs a cell's programs.
func (in *Interpreter) compileDriver() (*yaegi.Program, error) {
	f, err := parser.ParseFile(in.yi.FileSet(), fileName(0, "r"), stmtPrefix+"_clRun()"+stmtSuffix, 0)
	if err != nil {
		return nil, err
	}
	return in.compile(f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body)
}

// runPrelude declares the check-point flag and helpers in the interpreter,
// under the file base name cells use, so they see its import too.
func (in *Interpreter) runPrelude() error {
	f, err := parser.ParseFile(in.yi.FileSet(), fileName(0, "p"), prelude, 0)
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
func (in *Interpreter) compilePart(c *cell, text, name string, stmts bool) (prog *yaegi.Program, err error) {
	fset := in.yi.FileSet()
	rw, err := rewriteText(text, c.policy, &in.state, c)
	if err != nil {
		return nil, c.parseError(err)
	}
	cf := &cellFile{cell: c.n, label: c.label, src: c.src, prefix: len(cellPrefix), edits: rw.edits, wraps: c.wraps}
	in.filesM.Lock()
	in.files[name] = cf
	in.filesM.Unlock()

	f, err := parser.ParseFile(fset, name, rw.text, parser.ParseComments)
	if err != nil {
		return nil, in.mapCompileError(err)
	}
	var node ast.Node = f
	if stmts {
		node = f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body
	}
	prog, err = in.compile(node)
	if err != nil {
		if strings.HasPrefix(err.Error(), internalError) {
			if e := in.unknownQualifier(fset, f); e != nil {
				err = e
			}
		}
		err = in.mapCompileError(err)
		if e, ok := err.(*Error); ok && e.Value == "constant definition loop" {
			in.explainLoop(c, e)
		}
		if e, ok := err.(*Error); ok && strings.HasSuffix(e.Value, "nil type") && strings.Contains(c.src, "range") {
			if !c.rangeInts { // perhaps a range over an int: try again with those rewritten
				c.rangeInts = true
				p2, err2 := in.compilePart(c, text, name, stmts)
				c.rangeInts = false
				if err2 == nil {
					return p2, nil
				}
				in.filesM.Lock()
				in.files[name] = cf // the first try's positions, for e
				in.filesM.Unlock()
			}
			e.Value += " (yaegi v0.16 cannot range over a function, nor over an integer but in " +
				"`for i := range n` with an int n: write for i := 0; i < n; i++)"
			e.Traceback = append(e.Traceback, e.Value)
		}
		return nil, err
	}
	return prog, nil
}

// explainLoop replaces yaegi's "constant definition loop", which it reports
// for an undefined name on the right of a top-level :=, by "undefined: x"
// when a name there is unknown to the notebook.
func (in *Interpreter) explainLoop(c *cell, e *Error) {
	f, err := parseHalfRaw(c.src, scanChunks(c.src), chunkStmt)
	if err != nil {
		return
	}
	known := in.knownNames(f)
	body := f.Decls[len(f.Decls)-1].(*ast.FuncDecl).Body
	for _, st := range body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok {
			continue
		}
		line, _ := offsetLineCol(c.src, max(int(as.Pos())-1-len(cellPrefix), 0))
		if line != e.Line {
			continue
		}
		for _, r := range as.Rhs {
			var bad *ast.Ident
			ast.Inspect(r, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.SelectorExpr:
					ast.Inspect(x.X, func(n ast.Node) bool {
						if id, ok := n.(*ast.Ident); ok && bad == nil && !known[id.Name] {
							bad = id
						}
						return bad == nil
					})
					return false
				case *ast.FuncLit, *ast.CompositeLit:
					return false
				case *ast.Ident:
					if bad == nil && !known[x.Name] {
						bad = x
					}
				}
				return bad == nil
			})
			if bad != nil {
				*e = *compileError(c.n, c.label, c.src, int(bad.Pos())-1-len(cellPrefix), "undefined: "+bad.Name)
				return
			}
		}
	}
}

// identsDefined lists the names a parsed half of a cell (or a node of
// it) defines anywhere.
func identsDefined(f ast.Node) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						out = append(out, id.Name)
					}
				}
			}
		case *ast.RangeStmt:
			if x.Tok == token.DEFINE {
				for _, e := range []ast.Expr{x.Key, x.Value} {
					if id, ok := e.(*ast.Ident); ok {
						out = append(out, id.Name)
					}
				}
			}
		case *ast.ValueSpec:
			out = append(out, namesOf(x.Names)...)
		case *ast.FuncDecl:
			out = append(out, x.Name.Name)
		case *ast.TypeSpec:
			out = append(out, x.Name.Name)
		case *ast.Field:
			out = append(out, namesOf(x.Names)...)
		case *ast.LabeledStmt:
			out = append(out, x.Label.Name)
		}
		return true
	})
	return out
}

// internalError starts the message of a panic in yaegi's compiler.
const internalError = "internal interpreter error: "

// compile wraps yaegi's CompileAST: yaegi reports some errors by panicking.
func (in *Interpreter) compile(n ast.Node) (p *yaegi.Program, err error) {
	quietLog()
	compiling.Add(1)
	defer compiling.Add(-1)
	// One compilation at a time in the process: compiling a recursive
	// struct type, yaegi (v0.16.1) patches a field type of a reflect type
	// that reflect.StructOf shares between interpreters, so two isolates
	// built at once race on it (the race detector saw it).
	compileMu.Lock()
	defer compileMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s%v", internalError, r)
		}
	}()
	return in.yi.CompileAST(n)
}

// yaegi's compiler writes its internal errors ("nil type") to the standard
// logger before it panics with them, and the panic becomes the cell's
// CompileError; so while a cell compiles, the standard logger is quiet.
// Host libraries' logs (net/http's) go through at all other times.
var (
	compiling    atomic.Int32
	quietLogOnce sync.Once
	compileMu    sync.Mutex // see compile
)

type compileQuiet struct{ w io.Writer }

func (q compileQuiet) Write(p []byte) (int, error) {
	if compiling.Load() > 0 {
		return len(p), nil
	}
	return q.w.Write(p)
}

func quietLog() {
	quietLogOnce.Do(func() { log.SetOutput(compileQuiet{log.Writer()}) })
}

// execute runs progs in order on one goroutine, started by yaegi's
// ExecuteWithContext (which makes channel operations cancellable and lets
// Interrupt stop a blocked cell): the driver program calls back into the
// host, which executes each program in turn. It returns the last value.
func (in *Interpreter) execute(ctx context.Context, progs []*yaegi.Program, declares []bool, funcs []string) (reflect.Value, error) {
	var v reflect.Value
	var err error
	resolved := false
	ran := make(chan struct{}) // closed when the cell's programs have ended, however
	run := func() {
		defer close(ran)
		for i, p := range progs {
			if v, err = in.yi.Execute(p); err != nil {
				return
			}
			// The cell's funcs exist once their declarations ran: resolve
			// them before its statements, so a statement of the same cell
			// can already run one by name (rt.Run(rt.Isolates, 2, "work")).
			if declares[i] && len(funcs) > 0 {
				resolved = in.resolveFuncs(funcs)
			}
		}
	}
	defer func() {
		if !resolved {
			in.resolveFuncs(funcs)
		}
	}()
	in.pending.Store(&run)
	_, derr := in.yi.ExecuteWithContext(ctx, in.driver)
	if in.pending.Swap(nil) == nil && in.cellHolds() {
		// The programs started and still hold the lock. yaegi's
		// cancellation returns at once, and ends interpreted code blocked
		// in channel operations, but not a goroutine stuck in a host call
		// that kept the lock (a read, a syscall, a loop in compiled code):
		// returning now would let the next cell run beside it. Wait for
		// it; a process that supervises the interpreter (kernel/supervisor)
		// restarts one whose cell does not stop.
		<-ran
	}
	if derr != nil {
		err = derr // cancelled, or the driver failed
	}
	if err == nil {
		return v, nil
	}
	return v, in.execError(err)
}

// cellHolds reports whether the cell's goroutine holds the lock (see
// CellHolder).
func (in *Interpreter) cellHolds() bool {
	h, ok := in.hooks.Load().h.(CellHolder)
	return ok && h.CellHolds()
}

// runPending is what the driver program calls.
func (in *Interpreter) runPending() {
	if f := in.pending.Swap(nil); f != nil {
		(*f)()
	}
}

// execError maps an error of yaegi's Execute to an *Error.
func (in *Interpreter) execError(err error) error {
	var pe yaegi.Panic
	if errors.As(err, &pe) {
		lines := in.stderr.take(in.stderr.cell.Load()) // the panic unwound the cell's goroutine
		if e, ok := pe.Value.(*Error); ok && e == ErrInterrupted {
			return ErrInterrupted
		}
		return in.panicError(pe.Value, lines)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ErrInterrupted
	}
	return in.mapCompileError(err)
}

// globalVars names the interpreter's global variables (not constants, whose
// values are not addressable), skipping the evaluator's own.
func (in *Interpreter) globalVars() (vars map[string]bool) {
	vars = map[string]bool{}
	defer func() {
		// yaegi's Globals panics while a failed compilation left a symbol
		// without its slot; the declared vars are the fallback then.
		if recover() != nil {
			vars = in.state.varNames()
		}
	}()
	for name, v := range in.yi.Globals() {
		if v.IsValid() && v.CanAddr() && !strings.HasPrefix(name, "_cl") {
			vars[name] = true
		}
	}
	return vars
}
