package notebook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Executor runs code cells for one notebook, in one interpreter whose
// state carries from cell to cell, like a kernel.
type Executor interface {
	// Execute runs code and calls emit, in order and never concurrently,
	// for every output the code produces; all calls happen before Execute
	// returns. A cell that fails (compile error, panic, interrupt) emits an
	// "error" event and returns a Reply with Status "error" and a nil error.
	// A non-nil error means the executor itself failed: the evaluator is
	// gone, or ctx ended (then the error wraps ctx.Err()).
	Execute(ctx context.Context, code string, emit func(Event)) (Reply, error)
	// Close stops the executor and releases what it holds.
	Close() error
}

// Event is one output message of a running cell, by Kind, the Jupyter
// iopub msg_type it corresponds to:
//
//	"stream"               Name ("stdout"/"stderr"), Text
//	"display_data"         Data, Metadata, DisplayID (may be "")
//	"update_display_data"  Data, Metadata, DisplayID: replaces earlier outputs with that id
//	"execute_result"       Data, Metadata, ExecutionCount
//	"error"                EName, EValue, Traceback
//	"clear_output"         Wait
type Event struct {
	Kind           string
	Name, Text     string
	Data           map[string]any
	Metadata       map[string]any
	DisplayID      string
	ExecutionCount int
	EName, EValue  string
	Traceback      []string
	Wait           bool
}

// Reply is how a cell ended.
type Reply struct {
	Status         string // "ok", "error" or "aborted"
	ExecutionCount int    // the cell's execution count; 0 if the executor keeps none
}

// RunOptions tune Run.
type RunOptions struct {
	// AllowErrors keeps going after a cell fails, like nbconvert's
	// --allow-errors; the error is recorded in the cell's outputs either
	// way. Cells tagged "raises-exception" may always fail.
	AllowErrors bool
	// Timeout bounds each cell's run; 0 means no bound. A cell that runs
	// out of time stops the notebook even with AllowErrors.
	Timeout time.Duration
	// OnCell, if set, is called before each code cell runs (index into
	// nb.Cells), for progress reports.
	OnCell func(index int, c *Cell)
}

// CellError reports the cell that stopped a run.
type CellError struct {
	Index     int    // index into Notebook.Cells
	ID        string // the cell's id, if it has one
	Name      string // error name: the executor's ename, or "Timeout"
	Value     string
	Traceback []string
}

func (e *CellError) Error() string {
	where := fmt.Sprintf("cell %d", e.Index+1)
	if e.ID != "" {
		where += " (id " + e.ID + ")"
	}
	if e.Value == "" {
		return where + ": " + e.Name
	}
	return where + ": " + e.Name + ": " + e.Value
}

// Run executes nb's code cells in order on ex, replacing their outputs and
// execution counts, the way `jupyter nbconvert --execute` does: cells whose
// source is blank or that are tagged "skip-execution" are left alone; the
// first failing cell stops the run with a *CellError (unless
// opts.AllowErrors or its tag says failing is expected). An error from the
// executor itself is returned wrapped, with the cell it happened in.
func Run(ctx context.Context, nb *Notebook, ex Executor, opts RunOptions) error {
	rec := &recorder{nb: nb}
	for i, c := range nb.Cells {
		if c.Type != "code" || strings.TrimSpace(c.Source) == "" || c.HasTag("skip-execution") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cell %d: %w", i+1, err)
		}
		if opts.OnCell != nil {
			opts.OnCell(i, c)
		}
		if err := runCell(ctx, rec, i, c, ex, opts); err != nil {
			return err
		}
	}
	return nil
}

func runCell(ctx context.Context, rec *recorder, i int, c *Cell, ex Executor, opts RunOptions) error {
	c.Outputs = nil
	c.ExecutionCount = 0
	rec.start(c)
	cellCtx, cancel := ctx, context.CancelFunc(func() {})
	if opts.Timeout > 0 {
		cellCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
	}
	reply, err := ex.Execute(cellCtx, c.Source, rec.emit)
	// An executor may answer a timeout with an error or with an
	// interrupted cell (KeyboardInterrupt); either way it was the timeout.
	timedOut := (err != nil || reply.Status != "ok") &&
		ctx.Err() == nil && errors.Is(cellCtx.Err(), context.DeadlineExceeded)
	cancel()
	rec.finish()
	if reply.ExecutionCount != 0 {
		c.ExecutionCount = reply.ExecutionCount
	}
	if timedOut {
		return &CellError{Index: i, ID: c.ID, Name: "Timeout",
			Value: fmt.Sprintf("cell did not finish within %v", opts.Timeout)}
	}
	if err != nil {
		return fmt.Errorf("cell %d: %w", i+1, err)
	}
	if reply.Status != "error" || opts.AllowErrors || c.HasTag("raises-exception") {
		return nil
	}
	ce := &CellError{Index: i, ID: c.ID, Name: "Error"}
	for _, o := range c.Outputs {
		if o.Type == "error" {
			ce.Name, ce.Value, ce.Traceback = o.EName, o.EValue, o.Traceback
		}
	}
	return ce
}

// recorder turns a cell's events into nbformat outputs, as a Jupyter
// client records them.
type recorder struct {
	nb *Notebook

	mu         sync.Mutex // guards the fields below and the current cell's outputs
	cell       *Cell      // the cell running now; nil between cells
	clearFirst bool       // a clear_output(wait=True) is pending
}

func (r *recorder) start(c *Cell) {
	r.mu.Lock()
	r.cell, r.clearFirst = c, false
	r.mu.Unlock()
}

func (r *recorder) finish() {
	r.mu.Lock()
	r.cell = nil
	r.mu.Unlock()
}

func (r *recorder) emit(ev Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cell
	if c == nil {
		return // a late event after its cell returned; Jupyter would drop it too
	}
	if ev.ExecutionCount != 0 {
		c.ExecutionCount = ev.ExecutionCount
	}
	switch ev.Kind {
	case "clear_output":
		if ev.Wait {
			r.clearFirst = true
		} else {
			c.Outputs = nil
		}
		return
	case "update_display_data":
		r.updateDisplay(ev)
		return
	}
	out := eventOutput(ev)
	if out == nil {
		return
	}
	if r.clearFirst {
		c.Outputs, r.clearFirst = nil, false
	}
	if ev.DisplayID != "" {
		// A new display with an id that was shown before updates the
		// earlier ones too, as Jupyter clients do.
		r.updateDisplay(ev)
	}
	c.Outputs = appendOutput(c.Outputs, out)
}

// eventOutput is the nbformat output an event is recorded as, or nil for
// an event that records nothing.
func eventOutput(ev Event) *Output {
	switch ev.Kind {
	case "stream":
		name := ev.Name
		if name == "" {
			name = "stdout"
		}
		return &Output{Type: "stream", Name: name, Text: ev.Text}
	case "display_data", "execute_result":
		o := &Output{Type: ev.Kind, Data: copyMap(ev.Data), Metadata: copyMap(ev.Metadata), displayID: ev.DisplayID}
		if ev.Kind == "execute_result" {
			o.ExecutionCount = ev.ExecutionCount
		}
		return o
	case "error":
		tb := append([]string(nil), ev.Traceback...)
		return &Output{Type: "error", EName: ev.EName, EValue: ev.EValue, Traceback: tb}
	}
	return nil
}

// updateDisplay replaces data and metadata of every output recorded so far
// in the notebook that was shown with ev.DisplayID.
func (r *recorder) updateDisplay(ev Event) {
	if ev.DisplayID == "" {
		return
	}
	for _, c := range r.nb.Cells {
		for _, o := range c.Outputs {
			if o.displayID == ev.DisplayID {
				o.Data, o.Metadata = copyMap(ev.Data), copyMap(ev.Metadata)
			}
		}
	}
}

// appendOutput appends out to outs, merging a stream output into the one
// before it when both are the same stream, as Jupyter front ends do.
func appendOutput(outs []*Output, out *Output) []*Output {
	if out.Type == "stream" && len(outs) > 0 {
		last := outs[len(outs)-1]
		if last.Type == "stream" && last.Name == out.Name {
			last.Text = applyCarriageReturns(last.Text + out.Text)
			return outs
		}
	}
	if out.Type == "stream" {
		out.Text = applyCarriageReturns(out.Text)
	}
	return append(outs, out)
}

// applyCarriageReturns keeps what a terminal would show of text written
// with bare carriage returns (progress lines that overwrite themselves):
// on each line, the part after the last "\r" that is not part of "\r\n".
// A trailing "\r" is kept, since the next write may still overwrite it.
func applyCarriageReturns(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	var b strings.Builder
	for line := range strings.SplitAfterSeq(s, "\n") {
		body := strings.TrimSuffix(line, "\n")
		end := line[len(body):]
		body, crlf := strings.CutSuffix(body, "\r")
		if crlf && end == "" {
			// A trailing "\r" with no "\n" yet: keep it for the next write.
			end = "\r"
		} else if crlf {
			end = "\r" + end
		}
		if i := strings.LastIndexByte(body, '\r'); i >= 0 {
			body = body[i+1:]
		}
		b.WriteString(body)
		b.WriteString(end)
	}
	return b.String()
}

func copyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	c := make(map[string]any, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}
