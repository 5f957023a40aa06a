package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestReplayNamesTheNotebooksCells: a panic in a func an isolate or worker
// replayed from Decls names the notebook's cell and line it was declared
// on, not the replay's.
func TestReplayNamesTheNotebooksCells(t *testing.T) {
	a, _, _ := newTest(t, Options{})
	for _, c := range []string{
		"func work(n int) int {\n\tvar zs []int\n\treturn zs[n]\n}",
		"func other() {}\n\n// Doc of w2.\nfunc w2(n int) int {\n\tif n > 0 {\n\t\tpanic(\"boom\")\n\t}\n\treturn work(n)\n}",
	} {
		if _, err := a.Eval(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	b, _, _ := newTest(t, Options{})
	b.SetLabel("replay")
	if _, err := b.Eval(context.Background(), a.Decls()); err != nil {
		t.Fatal(err)
	}
	// a worker process looks the func up by evaluating its name, a cell
	// of statements that sets the position markers
	if _, err := b.Eval(context.Background(), "w2"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		arg  int
		want []string
	}{
		{"work", 3, []string{"panic: index n out of range [0:len(zs))", "  at cell[1]:3:9", "in work           cell[1], body from line 1"}},
		{"w2", 1, []string{"panic: boom", "  raised at cell[2]:6:3"}},
		{"w2", 0, []string{"  at cell[1]:3:9", "in w2             cell[2], body from line 4"}},
	} {
		_, err := b.Call(tc.name, tc.arg)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s(%d): err = %v", tc.name, tc.arg, err)
		}
		tb := strings.Join(e.Traceback, "\n")
		for _, w := range tc.want {
			if !strings.Contains(tb, w) {
				t.Errorf("%s(%d): traceback lacks %q:\n%s", tc.name, tc.arg, w, tb)
			}
		}
		if strings.Contains(tb, "called from") {
			t.Errorf("%s(%d): Call runs no statement of a cell, but the traceback names one:\n%s", tc.name, tc.arg, tb)
		}
		if strings.Contains(tb, "replay") {
			t.Errorf("%s(%d): traceback names the replay:\n%s", tc.name, tc.arg, tb)
		}
	}
	if e, ok := b.state.lookup("w2"); !ok || e.doc != "Doc of w2.\n" {
		t.Errorf("replayed doc of w2 = %q", e.doc)
	}
}
