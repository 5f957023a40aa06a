package notebook

import (
	"context"
	"fmt"

	"corelab/kernel/supervisor"
)

// StartEvaluator starts the kernel's evaluator child process (`<this
// binary> evaluator`, supervised by supervisor) with dir as its working
// directory, as the Executor for one notebook. Execution counts start at 1
// and count every executed cell, as the kernel's do.
func StartEvaluator(ctx context.Context, dir string) (Executor, error) {
	p, err := supervisor.Start(ctx, supervisor.Options{Dir: dir})
	if err != nil {
		return nil, err
	}
	return &procExecutor{p: p}, nil
}

// procExecutor adapts a supervisor.Proc to Executor, publishing what the
// kernel would publish for a cell: its output as it comes, then the
// trailing expression's execute_result, then the error.
type procExecutor struct {
	p     *supervisor.Proc
	count int
}

func (e *procExecutor) Execute(ctx context.Context, code string, emit func(Event)) (Reply, error) {
	e.count++
	n := e.count
	r, err := e.p.Run(ctx, supervisor.Cell{Code: code, Label: fmt.Sprintf("In[%d]", n),
		OnOutput: func(o supervisor.Output) { emit(outputEvent(o)) }})
	if err != nil {
		return Reply{Status: "error", ExecutionCount: n}, err
	}
	if r.Result != nil {
		emit(Event{Kind: "execute_result", Data: r.Result, Metadata: r.ResultMeta, ExecutionCount: n})
	}
	status := r.Status
	if r.Error != nil {
		emit(Event{Kind: "error", EName: r.Error.Name, EValue: r.Error.Value, Traceback: r.Error.Traceback})
		status = "error"
	}
	if status == "" {
		status = "ok"
	}
	return Reply{Status: status, ExecutionCount: n}, nil
}

func (e *procExecutor) Close() error { return e.p.Close() }

// outputEvent is the iopub message a supervisor output becomes.
func outputEvent(o supervisor.Output) Event {
	if d := o.Display; d != nil {
		kind := "display_data"
		if d.Update {
			kind = "update_display_data"
		}
		return Event{Kind: kind, Data: d.Data, Metadata: d.Metadata, DisplayID: d.DisplayID}
	}
	return Event{Kind: "stream", Name: o.Stream, Text: o.Text}
}
