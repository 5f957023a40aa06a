package interp

import (
	"context"
	"errors"
	"testing"
)

// TestUnknownQualifier: a qualified type from a package the cell did not
// import made yaegi's compiler crash ("internal interpreter error: runtime
// error: invalid memory address or nil pointer dereference"); the learner
// must read which name is undefined, where, and the import that fixes it —
// and the notebook must go on working.
func TestUnknownQualifier(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	ctx := context.Background()
	cases := []struct {
		src, value, hint string
		line, col        int
	}{
		{"var mu sync.Mutex", "undefined: sync", `add the import: import "sync"`, 1, 8},
		{"x := 1\nfunc h(w http.ResponseWriter) { _ = w }", "undefined: http", `add the import: import "net/http"`, 2, 10},
		{"var q nosuchpkg.T", "undefined: nosuchpkg", "", 1, 7},
	}
	for _, tc := range cases {
		_, err := in.Eval(ctx, tc.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: err = %v, want an *Error", tc.src, err)
		}
		if e.Name != "CompileError" || e.Value != tc.value || e.Hint != tc.hint || e.Line != tc.line || e.Col != tc.col {
			t.Errorf("%q: got %s: %q at %d:%d, hint %q\nwant CompileError: %q at %d:%d, hint %q",
				tc.src, e.Name, e.Value, e.Line, e.Col, e.Hint, tc.value, tc.line, tc.col, tc.hint)
		}
	}
	// with the import, the same declaration works, and so does the next cell
	if _, err := in.Eval(ctx, "import \"sync\"\nvar mu sync.Mutex\nmu.Lock()\nmu.Unlock()"); err != nil {
		t.Fatalf("after the import: %v", err)
	}
	v, err := in.Eval(ctx, "40 + 2")
	if err != nil || !v.Has || v.Value.Interface() != 42 {
		t.Fatalf("next cell: %v, %v", v, err)
	}
}
