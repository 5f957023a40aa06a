// Package evaluator is the notebook's evaluator as it runs in the kernel's
// child process (`corelab evaluator`): the corelab/runtime/eval interpreter
// with the lab's symbol tables, the runtime's execution models, the display
// sink, stdin, and the kernel's magics (%mode, %switchinterval,
// %checkpoints, %cores, %help), served to the kernel through
// [evalproc.Serve].
//
// Main is all a command needs:
//
//	case "evaluator":
//		err = evaluator.Main()
package evaluator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"

	"corelab/display"
	"corelab/kernel/evalproc"
	"corelab/runtime/eval"
)

// Main serves the evaluator protocol on the fds the kernel opened; it
// returns when the kernel closes the pipe or asks it to quit.
func Main() error {
	return evalproc.Serve(func(h evalproc.Host) (evalproc.Backend, error) { return New(h) })
}

// Backend runs cells for the kernel. It implements evalproc.Backend.
type Backend struct {
	host evalproc.Host
	in   *evalInterp
	lab  lab
	// stdio are the interpreter's os.Stdout and os.Stderr: duplicates of
	// the process's fds 1 and 2, so that a cell closing them does not free
	// fds the Go runtime's crash reports and host code write to.
	stdio  [2]*os.File
	closed [2]bool // reported as closed

	mu    sync.Mutex
	cores bool // %cores on: append a core-usage line to every cell
}

// New builds the interpreter and wires it to the runtime and to h.
func New(h evalproc.Host) (*Backend, error) {
	b := &Backend{host: h, stdio: [2]*os.File{dupFile(os.Stdout), dupFile(os.Stderr)}}
	stdin := &stdinReader{host: h}
	in, factory, err := newInterp(b.stdio[0], b.stdio[1], stdin, inputSymbols(h))
	if err != nil {
		return nil, err
	}
	b.in = in
	b.lab = newLab(in, factory)
	display.SetSink(sink{h})
	return b, nil
}

// sink publishes display calls as display_data / update_display_data.
type sink struct{ h evalproc.Host }

func (s sink) Publish(bd display.Bundle, meta map[string]any, id string, update bool) {
	s.h.Display(map[string]any(bd), meta, id, update)
}

// Execute implements evalproc.Backend.
func (b *Backend) Execute(ctx context.Context, code string) evalproc.Outcome {
	magics, body := splitMagics(code)
	for _, m := range magics {
		if err := b.magic(m); err != nil {
			return errorOutcome(&evalproc.Error{Name: "UsageError", Value: err.Error(),
				Traceback: []string{"UsageError: " + err.Error()}})
		}
	}
	if strings.TrimSpace(body) == "" {
		return evalproc.Outcome{Status: "ok"}
	}
	b.mu.Lock()
	cores := b.cores
	b.mu.Unlock()

	var (
		res eval.Result
		err error
	)
	run := func() {
		done := b.lab.cellStart()
		defer done()
		res, err = b.in.eval(ctx, body)
	}
	if cores {
		summary := b.lab.measure(run)
		defer fmt.Fprintln(os.Stdout, summary)
	} else {
		run()
	}
	b.noteClosedStdio()
	if err != nil {
		return errorOutcome(toError(err))
	}
	if !res.Has || !res.Value.IsValid() {
		return evalproc.Outcome{Status: "ok"}
	}
	return evalproc.Outcome{Status: "ok", Result: resultBundle(res.Value, res.Methods)}
}

// noteClosedStdio says once, on the process's own stderr (which still
// works), that the cell closed os.Stdout or os.Stderr: what interpreted
// code writes through them is lost from then on, and only a restart brings
// them back (the interpreter holds the closed files).
func (b *Backend) noteClosedStdio() {
	for i, f := range b.stdio {
		if b.closed[i] || f.Fd() != ^uintptr(0) {
			continue
		}
		b.closed[i] = true
		name := [2]string{"os.Stdout", "os.Stderr"}[i]
		fmt.Fprintf(os.Stderr, "corelab: this cell closed %s: from now on, what cells write through it "+
			"is lost. Restart the kernel to get it back; the kernel's own output and errors still show.\n", name)
	}
}

func errorOutcome(e *evalproc.Error) evalproc.Outcome {
	return evalproc.Outcome{Status: "error", Error: e}
}

// resultBundle renders a cell's trailing value: through DisplayBundle when
// the value has one, then String or Error, as fmt's %v otherwise. methods
// are what a notebook type's own methods returned (eval.Result.Methods):
// yaegi hands the value over without them.
func resultBundle(v reflect.Value, methods map[string]any) map[string]any {
	if bd, ok := methods["DisplayBundle"].(display.Bundle); ok && len(bd) > 0 {
		return map[string]any(bd)
	}
	for _, m := range []string{"String", "Error"} {
		if s, ok := methods[m].(string); ok {
			return map[string]any{"text/plain": s}
		}
	}
	if v.CanInterface() {
		x := v.Interface()
		if d, ok := x.(display.Displayer); ok {
			if bd := d.DisplayBundle(); len(bd) > 0 {
				return map[string]any(bd)
			}
		}
		return map[string]any{"text/plain": fmt.Sprintf("%v", x)}
	}
	return map[string]any{"text/plain": v.String()}
}

// Complete implements evalproc.Backend.
func (b *Backend) Complete(code string, cursor int) ([]string, int, int) {
	if strings.HasPrefix(strings.TrimLeft(code, " \t"), "%") && !strings.Contains(code[:byteOffset(code, cursor)], "\n") {
		return completeMagic(code, cursor)
	}
	return b.in.complete(code, cursor)
}

// Inspect implements evalproc.Backend.
func (b *Backend) Inspect(code string, cursor, detail int) (map[string]any, bool) {
	text, found := b.in.inspect(code, cursor)
	if !found {
		return nil, false
	}
	return map[string]any{"text/plain": text}, true
}

// Interrupt implements evalproc.Backend.
func (b *Backend) Interrupt() {
	b.in.interrupt()
	b.lab.interrupt()
}

func byteOffset(s string, runes int) int {
	for i := range s {
		if runes == 0 {
			return i
		}
		runes--
	}
	return len(s)
}

// toError converts an evaluation error into Jupyter's terms.
func toError(err error) *evalproc.Error {
	if e := convertEvalError(err); e != nil {
		return e
	}
	return &evalproc.Error{Name: "Error", Value: err.Error(), Traceback: []string{"Error: " + err.Error()}}
}

// stdinReader turns reads of the interpreter's os.Stdin (fmt.Scan and
// friends) into input requests, one line at a time. Other input errors end
// the read with EOF.
type stdinReader struct {
	host evalproc.Host
	mu   sync.Mutex
	buf  []byte
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		line, err := r.host.Input("", false)
		switch {
		case errors.Is(err, evalproc.ErrInputInterrupted):
			panic(eval.ErrInterrupted) // KeyboardInterrupt, as in Python
		case errors.Is(err, evalproc.ErrNoStdin):
			// A silent EOF would look like empty input.
			panic(stdinNotImplemented{})
		case err != nil:
			return 0, io.EOF
		}
		r.buf = []byte(line + "\n")
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}
