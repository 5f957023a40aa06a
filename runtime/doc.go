// Package runtime is the multi-core lab that notebook cells import: it runs
// the same Go work under emulated CPython execution models and shows what
// each does to the machine's cores.
//
// In a cell:
//
//	import rt "corelab/runtime"
//
//	rt.Budget()                          // the core budget: GOMAXPROCS, NumCPU, cgroup quota
//	rt.Run(rt.GIL, 2, rt.Fib, 30)        // two workers under one lock: ≈1 core
//	rt.Compare(nil, 2, rt.Fib, 30)       // the same under all four models
//	rt.Scale(nil, 4, rt.CountPrimes, 0, 200000) // speed-up vs workers, with the ideal line
//
// A report shown as a cell's value draws per-worker lanes (running /
// waiting for the lock / blocked / running with the lock released), per-core
// usage, and a table; its String is a text summary.
//
// Reports are honest about the machine: they say when a CPU quota throttled
// the run, when the run was too short for the quota to hold, and when other
// processes took CPU. Compare and Scale measure Rounds rounds in alternating
// order and show median and range; a speed-up above the core budget is
// marked as not a result. Report.Says, Comparison.Says and Scaling.Verdict
// put what the numbers show into a sentence, for a notebook to print.
//
// # Models
//
//   - GIL: goroutines under one lock, as CPython 3.10+ threads. The holder
//     gives the lock up at check points (function entry, loop back-edges)
//     once a waiter has waited a switch interval (SetSwitchInterval, 5 ms
//     by default); blocking calls (time.Sleep, channel operations, sync
//     waits, file and network calls — see gil.Symbols) release it.
//     SetCheckpoints(Py39) models CPython ≤ 3.9 (a check point before
//     every statement).
//   - Isolates: each worker is its own interpreter with its own lock and
//     its own copy of the notebook's declarations, like sub-interpreters
//     (PEP 684/734). Values cross as deep copies, as CPython 3.14 pickles
//     most objects: structs, slices, maps and pointers to them arrive as
//     new values, so an isolate that mutates its copy never changes the
//     sender's. Queue and SharedBuffer are the only shared things, and the
//     buffer has no lock of its own (like a memoryview): give workers
//     disjoint ranges, or pass tokens through a Queue. Only what cannot be
//     copied at all — funcs, channels, sync types, OS handles — is
//     NotShareable, as unpicklable objects raise NotShareableError.
//   - Free: goroutines with no lock, like free-threaded CPython (PEP 703).
//     Races are real — with one difference: a racing += in free-threaded
//     CPython only loses updates, while a Go data race is undefined
//     behaviour.
//   - Processes: `corelab worker` child processes that receive the
//     declarations, the call and its arguments over a pipe, like
//     multiprocessing (and like the worker processes of a pre-fork server
//     such as gunicorn): nothing is shared with the notebook.
//
// Cells themselves run in the notebook's interpreter, under its lock or,
// in the Free model, with none (SetMode, or %mode). Under %mode isolates
// and %mode processes a go statement `go work(args)` starts the top-level
// func work in a new isolate or worker process with copies of args (like
// interp.call_in_thread and Process.start); a closure is refused, since it
// would share the cell's variables. Run, Compare and Scale take the model
// as an argument. Inside a run, Worker tells a worker its index (0..n−1).
//
// Workers are numbered from 0 everywhere: Worker returns 0 to n−1, and the
// lanes, tables and reports of a run call the same workers "worker 0" (or
// "isolate 0", "process 0") to "worker n−1". The number is an index a worker
// computes its share with (w*n/k), and Python indexes from 0 too: range,
// enumerate, and concurrent.futures.ThreadPoolExecutor, which names its
// threads ThreadPoolExecutor-0_0, -0_1, ... (Lib/concurrent/futures/thread.py).
// threading's Thread-1, Thread-2 come from a process-wide counter instead
// (Lib/threading.py, _counter = _count(1)): names, not indices, which go on
// counting in the next pool — as the lab's own `go` statements under %mode
// isolates|processes are counted ("isolate 3" in their error messages).
//
// # One core
//
// With one core (GOMAXPROCS 1 because of the CPU affinity or the cgroup,
// as on Binder) Go has one P, and a goroutine whose timer fires waits for
// the running goroutine to be preempted (~10 ms); the OS wakes a CPython
// thread at once. So while a run or a cell is active the runtime keeps a
// second P: the lock still lets one interpreted thread run and the OS
// still has one core to share; the second P only lets a woken waiter or
// UI tick run on time. Reports state the real GOMAXPROCS and budget.
//
// # What to run
//
// Run, Compare and Scale accept: a compiled workload by value (Fib,
// CountPrimes, Spin, Wait, or NoGIL(Fib) — compiled Go that takes the lock
// and yields at its own check points, because yaegi runs calls about ten
// times slower than CPython); the name of a top-level func of the notebook
// as a string ("work" — every model); or a func value (work — GIL and Free
// only). A call that cannot work panics with a UsageError that says why.
//
// What works where:
//
//	                        GIL   Isolates   Free   Processes
//	compiled workload        ✓       ✓        ✓        ✓
//	func name ("work")       ✓       ✓        ✓        ✓   (args/results: copies; JSON for processes)
//	func value (work)        ✓       —        ✓        —   (UsageError: pass the name)
//	*Queue, *SharedBuffer    ✓       ✓        ✓        —   (NotShareable)
//	RefCounts                ✓       ✓        ✓        —
//	Responsiveness, servers  ✓       ✓        ✓        ✓
//
// # Lessons
//
//   - RefCounts: plain, locked, atomic, biased and immortal reference
//     counts under several workers (notebook 02).
//   - Responsiveness: how late a 10 ms UI tick wakes beside CPU-bound jobs
//     (notebook 06).
//   - WebServers and StartServer: a loopback /fib/{n} server per model
//     under bounded load, alone and beside a hog (notebook 07).
//   - StartupCosts and MeasureIsolates: start-up time and memory of
//     goroutines, isolates and processes (notebook 05).
//
// # Embedding
//
// The lab's state — the notebook's interpreter and lock, the mode, the
// interrupt flag, the running isolates and processes — is a value the
// embedding program creates with corelab/runtime/host (host.New, then
// Attach, CellStart around every cell, Interrupt; `corelab worker` runs
// host.WorkerMain), and cells never see that API. The functions here are
// plain package functions because yaegi exports no receivers, so they
// reach that value through the one lab host.New installed, and panic with
// a UsageError when there is none.
package runtime
