package interp

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
// was declared under without saying so: a cell that would run such code
// where check points matter (as a worker: started by go, passed as a value,
// named in a string) is refused, naming the cells to re-run; re-running them
// applies the new policy (issue 8 §3: %checkpoints py39 silently showed the
// py310 result).
func TestStaleCheckpointsRefused(t *testing.T) {
	h := &countHooks{}
	in, _, _ := newTest(t, Options{Hooks: h})
	ctx := context.Background()
	decl := "var counter int\nfunc inc(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tcounter++\n\t\tcounter++\n\t}\n}"
	caller := "func twice(n int) { inc(n); inc(n) }"
	jobs := "var jobs = []func(int){inc}"
	for _, src := range []string{decl, caller, jobs} {
		if _, err := in.Eval(ctx, src); err != nil {
			t.Fatal(err)
		}
	}
	py310 := checksPerCall(t, in, h, "inc(3)")

	in.SetPolicy(Py39)
	refused := func(cell, want string) {
		t.Helper()
		_, err := in.Eval(ctx, cell)
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Value, want) {
			t.Errorf("%q under py39: %v, want a refusal saying %q", cell, err, want)
		}
	}
	one := "under py310 when it was declared: inc (cell[1]). Re-run the cell declaring inc (cell[1]) first"
	refused("go inc(3)", one)
	refused("f := inc\nf(3)", one)
	refused("func run() { go twice(1) }", "inc (cell[1]), twice (cell[2]). Re-run the cells declaring inc, twice (cell[1], cell[2]) in that order")
	if _, err := in.Call("inc", 1); err == nil || !strings.Contains(err.Error(), one) {
		t.Errorf("Call(\"inc\") with inc stale: %v, want a refusal", err)
	}
	// A plain call runs on the cell's own thread, where no other thread
	// competes for the lock: allowed, as is a cell that reaches no old code,
	// and a name in a string, which may go to an isolate that compiles the
	// declarations afresh (the runtime's Call by that name is refused).
	for _, cell := range []string{"inc(1)\ntwice(1)", "counter = 0\nfunc fresh() int { return 1 }\nfresh()", `name := "inc"` + "\nname"} {
		if _, err := in.Eval(ctx, cell); err != nil {
			t.Errorf("%q was refused: %v", cell, err)
		}
	}
	// Re-running inc's cell re-instruments it; twice, declared under
	// py310 too, is still refused until its own cell is re-run.
	if _, err := in.Eval(ctx, decl); err != nil {
		t.Fatalf("re-running inc's cell: %v", err)
	}
	if py39 := checksPerCall(t, in, h, "inc(3)"); py39 <= py310 {
		t.Errorf("inc re-declared under py39 passes %d check points per call, not more than under py310 (%d)", py39, py310)
	}
	refused("go twice(1)", "under py310 when it was declared: twice (cell[2])")
	if _, err := in.Eval(ctx, caller); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Eval(ctx, "go twice(1)"); err != nil {
		t.Errorf("go twice(1) after re-running its cell: %v", err)
	}
	h.live.Wait() // no lock here: the goroutine must end before the next cell
	// A var holds the func values it was given: jobs still holds the
	// py310 inc until its own cell is re-run.
	refused("go jobs[0](1)", "jobs (cell[3], which holds the old inc). Re-run the cell declaring jobs (cell[3]) first")
	if _, err := in.Eval(ctx, jobs); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Eval(ctx, "go jobs[0](1)"); err != nil {
		t.Errorf("go jobs[0](1) after re-running its cell: %v", err)
	}
	h.live.Wait()
	// Switching back makes the py39 declarations the stale ones. Re-run in
	// the wrong order, a caller keeps calling the old callee: it is named.
	in.SetPolicy(Py310)
	refused("go inc(1)", "under py39 when it was declared: inc (cell[")
	if _, err := in.Eval(ctx, caller); err != nil { // binds the py39 inc
		t.Fatal(err)
	}
	if _, err := in.Eval(ctx, decl); err != nil {
		t.Fatal(err)
	}
	refused("go twice(1)", "which holds the old inc")
}
