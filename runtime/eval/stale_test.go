package eval

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// checksPerCall counts the check points one call of f passes, with every
// check point firing: it tells which policy f's code was instrumented with.
func checksPerCall(t *testing.T, in *Interpreter, h *countHooks, call string) int64 {
	t.Helper()
	in.RequestCheckpoint(true)
	defer in.RequestCheckpoint(false)
	before := h.checks.Load()
	if _, err := in.Eval(context.Background(), call); err != nil {
		t.Fatalf("%s: %v", call, err)
	}
	return h.checks.Load() - before
}

// A policy switch never runs code with the check points of the policy it
// was declared under without saying so: a cell that would run such code is
// refused, naming the cells to re-run; re-running them applies the new
// policy (issue 8 §3: %checkpoints py39 silently showed the py310 result).
func TestStaleCheckpointsRefused(t *testing.T) {
	h := &countHooks{}
	in, _, _ := newTest(t, Options{Hooks: h})
	ctx := context.Background()
	decl := "var counter int\nfunc inc(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tcounter++\n\t\tcounter++\n\t}\n}"
	caller := "func twice(n int) { inc(n); inc(n) }"
	for _, src := range []string{decl, caller} {
		if _, err := in.Eval(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	py310 := checksPerCall(t, in, h, "inc(3)")

	in.SetPolicy(Py39)
	for _, cell := range []string{"inc(3)", "twice(1)", `x := "inc"` + "\nx", "func three() { twice(3) }"} {
		_, err := in.Eval(ctx, cell)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Value, "under py310 when it was declared: inc (cell[1])") || !strings.Contains(e.Value, "Re-run the cell") {
			t.Errorf("%q under py39 with inc declared under py310: %v, want a refusal naming inc and cell[1]", cell, err)
		}
	}
	if _, err := in.Call("inc", 1); err == nil || !strings.Contains(err.Error(), "Re-run the cell declaring inc (cell[1]) first") {
		t.Errorf("Call(\"inc\") with inc stale: %v, want a refusal", err)
	}
	// Cells that do not reach old code still run.
	if _, err := in.Eval(ctx, "counter = 0\nfunc fresh() int { return 1 }\nfresh()"); err != nil {
		t.Errorf("a cell that runs no old code was refused: %v", err)
	}
	// Re-running inc's cell re-instruments it; twice, declared under
	// py310 too, is still refused until its own cell is re-run.
	if _, err := in.Eval(ctx, decl); err != nil {
		t.Fatalf("re-running inc's cell: %v", err)
	}
	if py39 := checksPerCall(t, in, h, "inc(3)"); py39 <= py310 {
		t.Errorf("inc re-declared under py39 passes %d check points per call, not more than under py310 (%d)", py39, py310)
	}
	if _, err := in.Eval(ctx, "twice(1)"); err == nil || !strings.Contains(err.Error(), "twice (cell[2])") {
		t.Errorf("twice(1) with twice stale: %v, want a refusal naming twice", err)
	}
	if _, err := in.Eval(ctx, caller); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Eval(ctx, "twice(1)\ncounter"); err != nil {
		t.Errorf("twice(1) after re-running its cell: %v", err)
	}
	// Switching back makes the py310 declarations current again and the
	// re-run ones stale.
	in.SetPolicy(Py310)
	if _, err := in.Eval(ctx, "inc(1)"); err == nil || !strings.Contains(err.Error(), "instrumented under py39") {
		t.Errorf("inc(1) back under py310 with inc declared under py39: %v, want a refusal", err)
	}
}
