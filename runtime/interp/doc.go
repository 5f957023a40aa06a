// Package interp is corelab's one interpreter: it turns a notebook cell into
// instrumented Go and runs it on yaegi.
//
// It splits a cell into declarations and statements, drops repeated
// imports, instruments the source with check points, hands it to a yaegi
// interpreter with the right symbol tables, and maps errors and panics back
// to the cell's own lines.
//
// The same evaluator serves the kernel's main interpreter, every isolate and
// every worker process; what differs between them (symbol tables, output
// sinks, the lock) is injected through Options and Hooks, never imported.
//
//	in, err := interp.New(interp.Options{Stdout: w, Stderr: w, Hooks: h})
//	res, err := in.Eval(ctx, "x := 6 * 7\nx") // res.Value is 42
//
// # Cells
//
// A cell mixes imports, declarations and statements in any order. Imports
// run first (an import an earlier cell made is dropped); declarations are
// hoisted above the statements, except that a declaration using a name a
// statement above it defines (counter := 0 / func inc() { counter++ }) waits
// for that statement. A var declaration using such a name, or a global
// variable of an earlier cell (var w io.Writer = &sb, which yaegi would
// refuse as a "variable definition loop"), runs in order with the
// statements. The value of a trailing expression is the Result, unless
// it is a call known to return zero or several values: a notebook func by
// its declaration, a host func (fmt.Println(x)) or a method of a host type
// (sb.Reset(), h.Update(b), also through pointers, fields, indexes, calls
// and host types embedded in notebook structs) by its reflected signature.
// Other calls (methods of notebook types) are told by yaegi's result.
// Functions, variables and constants may be redefined by later cells; a type
// may be declared again unchanged, but changing it is a CompileError (yaegi
// would silently keep the first definition). A cell's func main is an
// ordinary function: call main() to run it.
//
// Statements run in yaegi's global scope, so := variables persist. Compound
// statements at a cell's top level (if, for, switch, select, blocks) run
// inside func(){...}() unless they contain return, goto or defer: at global
// scope yaegi gives every nested variable one global slot (closures made in
// a loop would share it) and cannot compile some forms (v, ok := <-c).
//
// # Check points and hooks
//
// Before yaegi sees a cell, the source is instrumented by inserting text at
// byte offsets (never re-printing), so lines stay the cell's own:
// `if _clFlag {_clTick()};` at every function-body start, loop-body start
// and before goto (Policy Py39: before every statement too, and x++, x--
// and x op= e are split into read, check point, write, as CPython <= 3.9
// may switch threads between the load and the store of `x += 1`: the
// target is evaluated once, through a temporary key or its address when it
// calls something; an index of a container that calls something, and a
// for statement's post, stay atomic). _clFlag is a
// bool declared inside the interpreter, set by the host through its address
// (RequestCheckpoint, Interrupt); while it is set every check point calls
// Hooks.Checkpoint, or panics with ErrInterrupted after Interrupt. In race
// builds the flag is an atomic read through a host call instead.
//
// `go f(x)` becomes a host call that evaluates f and x at the go statement
// and runs the call under Hooks.Go, recovering its panic (reported on
// Stderr as "panic in goroutine: ..."). Channel operations that may block
// are bracketed by Hooks.Block and its resume: send statements, receive
// statements and assignments, receives inside larger statements (hoisted
// into a temporary just before the statement), select without default, and
// for-range over an expression known to be a channel (declared with a chan
// type or make(chan ...) in the notebook, a func returning a chan,
// time.Tick/After, x.Done()), nested receives (<-<-cc, innermost first),
// a for condition's receives (the condition moves to the start of the body
// as `if !(cond) {break}`, one test per operand of a top-level && chain, so
// the right of && is only received when the left holds) and a for post
// statement's (run as a function literal, bracketed inside); a receive on
// the right of && or || (`v := x; if v {...}`, so it is only received when
// Go would evaluate it); receives in if/switch headers and go/defer
// arguments. Calls of host methods that block — Read on a pipe, file or
// connection, bufio.Reader and Scanner over one, http.Server
// ListenAndServe/Serve, exec.Cmd Run/Wait/Output — and fmt.Scan and its
// kin are bracketed too, when the receiver's type at run time is one of
// those host types (a notebook type's own Read keeps the lock). Not
// bracketed (they block holding whatever the hooks hold): such calls when
// deferred, in a for init or post, in a case expression or passed on whole
// to another call, receives in a package-level var initialiser or in a
// select case with a default, and
// range over a channel the rewriter cannot recognise. Statements mu.Lock(),
// mu.RLock(), wg.Wait() and c.Wait() on a variable or field declared with a sync type
// (sync.Mutex, RWMutex, WaitGroup, Cond, or pointers to them) become a host
// call that takes a free lock directly (TryLock) and otherwise waits between
// Hooks.Block and its resume. Other blocking in host code (time.Sleep, I/O)
// is the host's to handle through Options.Symbols or Use; replacing a sync
// type there stays compatible (its own methods are then called).
//
// Eval compiles all of a cell first, then runs it (imports, declarations,
// statements) in order on one goroutine that yaegi starts (yaegi needs that
// to cancel a blocked cell): Hooks must not assume the goroutine that called
// Eval runs the code, but may bind the cell to the goroutine that does.
//
// # Errors
//
// Errors are *Error. CompileError has the cell's line and column and a
// traceback with the source line and a caret. A Panic has the panic value
// and the interpreted call stack: yaegi knows which functions were active
// but not the line each was on, so frames name the function and where its
// body starts. An explicit panic(v) records its own position (Line, Col).
// For runtime panics (nil map, index out of range, divide by zero...) the
// rewriter writes position markers: `_clTop = code;` before each of the
// cell's top-level statements that calls something or may panic, and
// `_clAt = code;` below the top level before each statement that may panic
// by itself (it indexes, slices, dereferences, selects, asserts, divides,
// shifts, sends, or calls something other than a notebook func or a safe
// builtin; loops, select and defer always), not inside loop bodies, where
// the search starts from the loop's statement. A panic in the cell's own
// code is at _clAt when that lies inside the _clTop statement, else at
// _clTop; one in a function is at _clAt, called from _clTop. Within the marked statement the error names the
// one expression that can fail that way (the index, the field selection,
// the division, the type assertion; panics.go), and the message is put in
// Go's words, with the index and length as numbers where they can be read
// without running anything: `index 5 out of range [0:5)` rather than
// reflect's "slice index out of range". The traceback then says
// "at cell[n]:line:col" and, for a panic inside a function, "called from"
// the cell's statement; frames of the func literals the rewriter wraps
// around compound statements are left out (Error.Full has them). The
// markers are shared by goroutines (a race build writes them through host
// calls): another goroutine running marked code between the statement and
// the panic would misplace it. KeyboardInterrupt is ErrInterrupted.
//
// Error.Hint is a "did you mean" for a slip a Python programmer makes
// (`for x in xs:`, `x = 1` for a new variable, a missing import, ...): one
// table in hints.go. Error.Format renders the traceback as Jupyter shows
// it, coloured like IPython's. An interpreter that replays another's Decls
// maps positions back to the cells the declarations came from (a
// `//corelab:from` directive before each).
//
// # Output
//
// fmt.Print*, print, println (which in Go would write to stderr), log, and
// os.Stdout/os.Stderr go to Options.Stdout/Stderr; fmt.Scan* and os.Stdin
// read Options.Stdin. When a stream is an *os.File, interpreted code's
// os.Stdout (os.Stderr) is a duplicate of it: a cell that closes it closes
// the duplicate only, fmt.Print* and panics still show, and the end of
// that Eval says so and puts a fresh duplicate in its place. When a stream
// is not an *os.File, os.Stdout and the others are a stand-in with Write,
// WriteString, Read, Name, Fd and Sync rather than an *os.File.
//
// # yaegi v0.16.1 limitations met
//
// No range over integers or functions (Go 1.22/1.23); loop variables are
// one per loop, as before Go 1.22 (the rewriter gives func literals made in
// a loop body their own copies, so closures and goroutines see Go 1.22's
// per-iteration values, unless a three-clause loop's body assigns to its
// variable); a deferred call's function and arguments (a deferred
// closure's loop variables too) are read when the deferred call runs, not
// at the defer statement (yaegi keeps references to the variables);
// internal compiler panics (turned
// into CompileErrors, yaegi also logs "nil type" to the process's log);
// a goroutine from an earlier cell still running while a later cell adds
// globals is a data race inside yaegi (its global frame grows); methods of
// interpreted types are not visible to host code through interfaces (a
// cell's trailing value is the exception: Result.Methods has what its
// String, Error and DisplayBundle return).
package interp
