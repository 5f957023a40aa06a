package notebook

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// scripted is an Executor that answers each cell with the events its
// script lists for that source, counting executions like a kernel.
type scripted struct {
	script map[string][]Event
	count  int
	ran    []string
}

func (s *scripted) Execute(ctx context.Context, code string, emit func(Event)) (Reply, error) {
	s.count++
	s.ran = append(s.ran, code)
	status := "ok"
	for _, ev := range s.script[code] {
		if ev.Kind == "sleep" {
			<-ctx.Done()
			return Reply{Status: "aborted", ExecutionCount: s.count}, ctx.Err()
		}
		if ev.Kind == "execute_result" {
			ev.ExecutionCount = s.count
		}
		if ev.Kind == "error" {
			status = "error"
		}
		emit(ev)
	}
	return Reply{Status: status, ExecutionCount: s.count}, nil
}

func (s *scripted) Close() error { return nil }

func codeNotebook(sources ...string) *Notebook {
	nb := &Notebook{Format: 4, Minor: 5}
	for i, src := range sources {
		nb.Cells = append(nb.Cells, &Cell{ID: "c" + string(rune('0'+i)), Type: "code", Source: src,
			Outputs: []*Output{{Type: "stream", Name: "stdout", Text: "stale\n"}}, ExecutionCount: 99})
	}
	return nb
}

func TestRunMergesStreams(t *testing.T) {
	ex := &scripted{script: map[string][]Event{
		"a": {
			{Kind: "stream", Name: "stdout", Text: "one\n"},
			{Kind: "stream", Name: "stdout", Text: "two\n"},
			{Kind: "stream", Name: "stderr", Text: "warn\n"},
			{Kind: "stream", Name: "stderr", Text: "again\n"},
			{Kind: "stream", Name: "stdout", Text: "three"},
			{Kind: "stream", Name: "stdout", Text: " 10%\r"},
			{Kind: "stream", Name: "stdout", Text: " 50%\r"},
			{Kind: "stream", Name: "stdout", Text: "100%\n"},
		},
	}}
	nb := codeNotebook("a")
	if err := Run(context.Background(), nb, ex, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range nb.Cells[0].Outputs {
		got = append(got, o.Name+":"+o.Text)
	}
	want := []string{"stdout:one\ntwo\n", "stderr:warn\nagain\n", "stdout:100%\n"} // "\r" returns to the line start
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outputs = %q, want %q", got, want)
	}
	if nb.Cells[0].ExecutionCount != 1 {
		t.Errorf("execution count = %d, want 1", nb.Cells[0].ExecutionCount)
	}
}

func TestApplyCarriageReturns(t *testing.T) {
	for in, want := range map[string]string{
		"plain\n":          "plain\n",
		"a\rb\n":           "b\n",
		"a\r\nb":           "a\r\nb",
		"1\r2\r3\nx\ry\r":  "3\ny\r",
		"50%\r100%\ndone":  "100%\ndone",
		"\r\r\n":           "\r\n",
		"keep\r\nme\r\n\r": "keep\r\nme\r\n\r",
	} {
		if got := applyCarriageReturns(in); got != want {
			t.Errorf("applyCarriageReturns(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRunUpdateDisplayData(t *testing.T) {
	svg := func(s string) map[string]any { return map[string]any{"image/svg+xml": s, "text/plain": s} }
	ex := &scripted{script: map[string][]Event{
		"show":   {{Kind: "display_data", Data: svg("v1"), DisplayID: "d1"}, {Kind: "display_data", Data: svg("other"), DisplayID: "d2"}},
		"update": {{Kind: "update_display_data", Data: svg("v2"), Metadata: map[string]any{"k": "m"}, DisplayID: "d1"}, {Kind: "stream", Text: "ok\n"}},
		"again":  {{Kind: "display_data", Data: svg("v3"), DisplayID: "d1"}},
		"orphan": {{Kind: "update_display_data", Data: svg("lost"), DisplayID: "nobody"}},
	}}
	nb := codeNotebook("show", "update", "again", "orphan")
	if err := Run(context.Background(), nb, ex, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	first := nb.Cells[0].Outputs
	if len(first) != 2 || first[0].Data["text/plain"] != "v3" || first[1].Data["text/plain"] != "other" {
		t.Errorf("cell 1 outputs after updates: %v %v", first[0].Data, first[1].Data)
	}
	if first[0].Metadata["k"] != nil {
		t.Errorf("metadata not replaced by the last display: %v", first[0].Metadata)
	}
	if n := len(nb.Cells[1].Outputs); n != 1 || nb.Cells[1].Outputs[0].Type != "stream" {
		t.Errorf("update_display_data was recorded as an output of its own cell: %d outputs", n)
	}
	if out := nb.Cells[2].Outputs; len(out) != 1 || out[0].Data["text/plain"] != "v3" {
		t.Errorf("re-display with the same id not recorded: %+v", out)
	}
	if n := len(nb.Cells[3].Outputs); n != 0 {
		t.Errorf("update for an unknown display id recorded %d outputs", n)
	}
}

func TestRunClearOutput(t *testing.T) {
	ex := &scripted{script: map[string][]Event{
		"now":  {{Kind: "stream", Text: "gone\n"}, {Kind: "clear_output"}, {Kind: "stream", Text: "kept\n"}},
		"wait": {{Kind: "stream", Text: "old\n"}, {Kind: "clear_output", Wait: true}, {Kind: "display_data", Data: map[string]any{"text/plain": "new"}}},
	}}
	nb := codeNotebook("now", "wait")
	if err := Run(context.Background(), nb, ex, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if o := nb.Cells[0].Outputs; len(o) != 1 || o[0].Text != "kept\n" {
		t.Errorf("clear_output: %+v", o)
	}
	if o := nb.Cells[1].Outputs; len(o) != 1 || o[0].Type != "display_data" {
		t.Errorf("clear_output(wait): %+v", o)
	}
}

func TestRunExecuteResultAndSkips(t *testing.T) {
	ex := &scripted{script: map[string][]Event{
		"1+1": {{Kind: "execute_result", Data: map[string]any{"text/plain": "2"}}},
	}}
	nb := codeNotebook("1+1", "  \n", "skipped")
	nb.Cells[2].Metadata = map[string]any{"tags": []any{"skip-execution"}}
	nb.Cells = append(nb.Cells, &Cell{Type: "markdown", Source: "# md"})
	if err := Run(context.Background(), nb, ex, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ex.ran, []string{"1+1"}) {
		t.Errorf("ran %q, want only the non-blank, untagged code cell", ex.ran)
	}
	res := nb.Cells[0].Outputs[0]
	if res.Type != "execute_result" || res.ExecutionCount != 1 || nb.Cells[0].ExecutionCount != 1 {
		t.Errorf("execute_result = %+v (cell count %d)", res, nb.Cells[0].ExecutionCount)
	}
	if nb.Cells[1].ExecutionCount != 99 || nb.Cells[2].ExecutionCount != 99 {
		t.Error("skipped cells were touched")
	}
}

func TestRunStopsAtFirstError(t *testing.T) {
	boom := []Event{{Kind: "stream", Text: "before\n"}, {Kind: "error", EName: "Panic", EValue: "boom", Traceback: []string{"panic: boom", "cell line 2"}}}
	ex := &scripted{script: map[string][]Event{"bad": boom}}
	nb := codeNotebook("good", "bad", "after")
	err := Run(context.Background(), nb, ex, RunOptions{})
	var ce *CellError
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want a *CellError", err)
	}
	if ce.Index != 1 || ce.ID != "c1" || ce.Name != "Panic" || ce.Value != "boom" || len(ce.Traceback) != 2 {
		t.Errorf("CellError = %+v", ce)
	}
	if !strings.Contains(err.Error(), "cell 2 (id c1): Panic: boom") {
		t.Errorf("message %q does not say which cell failed", err)
	}
	if !reflect.DeepEqual(ex.ran, []string{"good", "bad"}) {
		t.Errorf("ran %q, want a stop after the failing cell", ex.ran)
	}
	if o := nb.Cells[1].Outputs; len(o) != 2 || o[1].Type != "error" || o[1].EName != "Panic" {
		t.Errorf("error output not recorded: %+v", o)
	}
}

func TestRunAllowErrors(t *testing.T) {
	boom := []Event{{Kind: "error", EName: "Panic", EValue: "boom"}}
	for name, tc := range map[string]struct {
		opts RunOptions
		tag  string
	}{
		"flag": {opts: RunOptions{AllowErrors: true}},
		"tag":  {tag: "raises-exception"},
	} {
		ex := &scripted{script: map[string][]Event{"bad": boom}}
		nb := codeNotebook("bad", "after")
		if tc.tag != "" {
			nb.Cells[0].Metadata = map[string]any{"tags": []any{tc.tag}}
		}
		if err := Run(context.Background(), nb, ex, tc.opts); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if len(ex.ran) != 2 {
			t.Errorf("%s: ran %q, want both cells", name, ex.ran)
		}
	}
}

func TestRunTimeout(t *testing.T) {
	ex := &scripted{script: map[string][]Event{"slow": {{Kind: "stream", Text: "started\n"}, {Kind: "sleep"}}}}
	nb := codeNotebook("slow", "after")
	err := Run(context.Background(), nb, ex, RunOptions{Timeout: time.Millisecond, AllowErrors: true})
	var ce *CellError
	if !errors.As(err, &ce) || ce.Name != "Timeout" || ce.Index != 0 {
		t.Fatalf("Run error = %v, want a Timeout CellError for cell 1", err)
	}
	if len(ex.ran) != 1 {
		t.Errorf("ran %q after a timeout", ex.ran)
	}
}

func TestRunExecutorFailure(t *testing.T) {
	nb := codeNotebook("x")
	err := Run(context.Background(), nb, failing{}, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "cell 1: evaluator exited") {
		t.Errorf("Run error = %v", err)
	}
}

type failing struct{}

func (failing) Execute(context.Context, string, func(Event)) (Reply, error) {
	return Reply{}, errors.New("evaluator exited")
}
func (failing) Close() error { return nil }

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ex := &scripted{}
	err := Run(ctx, codeNotebook("a"), ex, RunOptions{})
	if !errors.Is(err, context.Canceled) || len(ex.ran) != 0 {
		t.Errorf("Run on a cancelled context: err %v, ran %q", err, ex.ran)
	}
}
