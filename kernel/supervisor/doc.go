// Package supervisor supervises the evaluator's child process: it starts it,
// talks to it over pipes and replaces it when it dies, so that a Go fatal
// error in a cell (stack overflow, concurrent map writes, out of memory)
// costs the notebook's state but never the process that owns the Jupyter
// sockets (or the `corelab run` that executes a notebook).
//
// # Supervisor (kernel side)
//
//	p, err := supervisor.Start(ctx, supervisor.Options{})   // runs `<this binary> evaluator`
//	defer p.Close()
//	rep, err := p.Execute(ctx, `fmt.Println("hi")`, func(o supervisor.Output) { ... })
//	rep, err = p.Run(ctx, supervisor.Cell{Code: src, AllowStdin: true, OnOutput: f, OnInput: ask})
//	matches, start, end, err := p.Complete(ctx, code, cursor)
//	data, found, err := p.Inspect(ctx, code, cursor, detail)
//	p.Interrupt()          // KeyboardInterrupt in the running cell; any goroutine, any time
//	p.InterruptHard()      // the same, and kill+replace the child if that cell ignores it
//
// Execute/Run, Complete and Inspect are serialised (one request at a time);
// Interrupt, InterruptHard and Close may be called concurrently with them.
// Cancelling Run's ctx interrupts the cell; a cell still running
// Options.InterruptGrace after that (or after InterruptHard) is killed with
// its process, and its error says that the evaluator was restarted and the
// notebook's state lost. The child runs in its own process group, which is
// killed when it exits: processes a cell started end with it.
//
// A Reply has Status "ok" or "error", the trailing expression's MIME bundle
// in Result (execute_result), and an *Error (ename, evalue, traceback) for
// errors. When the child dies during a cell, Run returns the crash as the
// cell's error (ename "FatalError"; the first lines of the Go runtime's
// report and the failing goroutine, trimmed; a hint for stack overflow, OOM
// and concurrent map writes; and the sentence [StateLost]) with
// Reply.Restarted set, and a fresh child is already starting. Run returns a
// non-nil error only when the Proc is closed or no child can be started.
//
// # Output
//
// OnOutput receives, in order and from one goroutine at a time, everything
// the cell shows: Output{Stream: "stdout"|"stderr", Text} for bytes written
// to the child's fd 1 and fd 2 (interpreted fmt.Print*, os.Stdout, compiled
// code, the Go runtime), and Output{Display} for display_data and
// update_display_data. All output is delivered before Run returns. Text is
// never split inside a UTF-8 character. Each cell may print and display
// at most Options.OutputLimit bytes in all (2 MiB by default; the bytes of
// stream text and of display_data bundles, not of update_display_data,
// which replaces an output); the rest is dropped after a one-line notice.
// Each value of a result or display bundle, and a cell's
// error, is capped at the same size in the child: text/plain is cut with a
// note of how much was cut, other forms over it are dropped with a note.
//
// Output printed after a cell ended — by goroutines the cell started — goes
// to the OnOutput of the last cell that ran, until the next cell starts (as
// ipykernel attributes it to the last executing request). A crash between
// cells is reported the same way, as stderr text, and the next cell runs in
// a fresh child.
//
// # Child side
//
// `corelab evaluator` calls Serve with a Backend (package kernel/backend
// has the real one). Serve applies the resource limits the supervisor
// passes in the environment (debug.SetMaxStack, debug.SetMemoryLimit and
// RLIMIT_AS, so runaway recursion and allocation end in a clean Go fatal
// error), ignores SIGINT (the supervisor forwards interrupts as frames; the
// child has its own process group), kills its process group on SIGTERM
// (which it gets when the supervisor dies) and serves requests until the
// pipe closes. Host gives the Backend display output and input requests.
//
// # Pipe protocol
//
// Requests go down the child's fd 3, events come up its fd 4, as frames: a
// 4-byte big-endian length, a kind byte, a JSON header ending in a newline,
// and (for requests carrying code) the code as raw bytes. Stream output is
// not framed: it is the child's own fd 1 and fd 2, so nothing the child
// prints, however it prints it, is lost or re-encoded, and nothing it
// prints is read as protocol. Order between output and events is kept out
// of band: the child writes an event only after its earlier writes are in
// the pipes, and then waits for the kernel's acknowledgement; the kernel
// empties both pipes before it delivers the event and acknowledges it. A
// cell's round trip is one request frame, one event frame and one
// acknowledgement.
package supervisor
