package bench

import (
	"context"
	"testing"

	"corelab/runtime/cpython"
)

// TestPyLost runs the embedded lost-update experiment in CPython as the
// bench does, and checks that it leaves both counts, each a number of
// updates between none and all of them.
func TestPyLost(t *testing.T) {
	py, err := cpython.NewFinder().Select("")
	if err != nil {
		t.Skipf("no CPython: %v", err)
	}
	const n = 20000
	res, err := cpython.Run(context.Background(), py, pyLost(n), cpython.Options{NoSample: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("CPython %s: %v", py.Name(), res.Error)
	}
	for _, name := range []string{"lost_inc", "lost_call"} {
		if v, ok := res.Vars[name].(int64); !ok || v < 0 || v > 2*n {
			t.Errorf("%s = %#v, want a count from 0 to %d", name, res.Vars[name], 2*n)
		}
	}
	if res.Vars["N"] != int64(n) {
		t.Errorf("N = %v: the bench's n did not reach the experiment", res.Vars["N"])
	}
}
