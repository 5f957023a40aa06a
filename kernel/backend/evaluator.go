package backend

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
	"corelab/kernel/supervisor"
	"corelab/runtime/cpython"
	"corelab/runtime/interp"
)

// Main serves the evaluator protocol on the fds the kernel opened; it
// returns when the kernel closes the pipe or asks it to quit.
func Main() error {
	return supervisor.Serve(func(h supervisor.Host) (supervisor.Backend, error) { return New(h) })
}

// Backend runs cells for the kernel. It implements supervisor.Backend.
type Backend struct {
	host supervisor.Host
	in   *evalInterp
	lab  lab

	mu     sync.Mutex
	cores  bool // %cores on: append a core-usage line to every cell
	fullTB bool // %traceback full: every interpreted frame (traceback.go)

	pythons *cpython.Finder // for %%python cells; searches on first use
}

// New builds the interpreter and wires it to the runtime and to h.
func New(h supervisor.Host) (*Backend, error) {
	b := &Backend{host: h, pythons: cpython.NewFinder()}
	stdin := &stdinReader{host: h}
	// The process's own fds 1 and 2: the interpreter gives cells
	// duplicates of them as os.Stdout and os.Stderr, so that a cell
	// closing those does not close what the Go runtime's crash reports and
	// host code write to, and reopens them for the next cell.
	in, factory, err := newInterp(os.Stdout, os.Stderr, stdin, inputSymbols(h))
	if err != nil {
		return nil, err
	}
	b.in = in
	b.lab = newLab(in, factory)
	display.SetSink(sink{h})
	return b, nil
}

// sink publishes display calls as display_data / update_display_data.
type sink struct{ h supervisor.Host }

func (s sink) Publish(bd display.Bundle, meta map[string]any, id string, update bool) {
	s.h.Display(map[string]any(bd), meta, id, update)
}

// Execute implements supervisor.Backend.
func (b *Backend) Execute(ctx context.Context, code string) supervisor.Outcome {
	if c, ok, err := cpython.ParseCell(code); ok {
		if err != nil {
			return errorOutcome(&supervisor.Error{Name: "UsageError", Value: err.Error(), Traceback: []string{"UsageError: " + err.Error()}})
		}
		return b.pythonCell(ctx, c)
	}
	magics, body := splitMagics(code)
	for _, m := range magics {
		if err := b.magic(m); err != nil {
			return errorOutcome(&supervisor.Error{Name: "UsageError", Value: err.Error(),
				Traceback: []string{"UsageError: " + err.Error()}})
		}
	}
	if strings.TrimSpace(body) == "" {
		return supervisor.Outcome{Status: "ok"}
	}
	b.mu.Lock()
	cores := b.cores
	b.mu.Unlock()

	var (
		res interp.Result
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
	if err != nil {
		return errorOutcome(b.toError(err))
	}
	if !res.Has || !res.Value.IsValid() {
		return supervisor.Outcome{Status: "ok"}
	}
	return supervisor.Outcome{Status: "ok", Result: resultBundle(res.Value, res.Methods)}
}

func errorOutcome(e *supervisor.Error) supervisor.Outcome {
	return supervisor.Outcome{Status: "error", Error: e}
}

// resultBundle renders a cell's trailing value: through DisplayBundle when
// the value has one, then String or Error, as fmt's %v otherwise. methods
// are what a notebook type's own methods returned (interp.Result.Methods):
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

// Complete implements supervisor.Backend.
func (b *Backend) Complete(code string, cursor int) ([]string, int, int) {
	if pythonBody(code, cursor) {
		return nil, cursor, cursor // Python source: Go completions would only mislead
	}
	if strings.HasPrefix(strings.TrimLeft(code, " \t"), "%") && !strings.Contains(code[:byteOffset(code, cursor)], "\n") {
		return completeMagic(code, cursor)
	}
	return b.in.complete(code, cursor)
}

// Inspect implements supervisor.Backend.
func (b *Backend) Inspect(code string, cursor, detail int) (map[string]any, bool) {
	if pythonBody(code, cursor) {
		return nil, false
	}
	text, found := b.in.inspect(code, cursor)
	if !found {
		return nil, false
	}
	return map[string]any{"text/plain": text}, true
}

// Interrupt implements supervisor.Backend.
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

// stdinReader turns reads of the interpreter's os.Stdin (fmt.Scan and
// friends) into input requests, one line at a time. Other input errors end
// the read with EOF.
type stdinReader struct {
	host supervisor.Host
	mu   sync.Mutex
	buf  []byte
}

func (r *stdinReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		line, err := r.host.Input("", false)
		switch {
		case errors.Is(err, supervisor.ErrInputInterrupted):
			panic(interp.ErrInterrupted) // KeyboardInterrupt, as in Python
		case errors.Is(err, supervisor.ErrNoStdin):
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
