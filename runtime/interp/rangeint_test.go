package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Go 1.22's range over an integer works, though yaegi v0.16 cannot compile
// it: the part is compiled again with those loops rewritten.
func TestRangeOverInt(t *testing.T) {
	for _, tc := range []valueCase{
		{"key", "s := 0\nfor i := range 5 {\n\ts += i\n}\ns", "10"},
		{"no key", "n := 3\nc := 0\nfor range n { c++ }\nc", "3"},
		{"bound once", "n := 3\nc := 0\nfor range n { n++; c++ }\nc*10 + n", "36"},
		{"in a func", "func tri(n int) (s int) {\n\tfor i := range n + 1 {\n\t\ts += i\n\t}\n\treturn\n}\ntri(4)", "10"},
		{"beside a slice range", "t := 0\nfor _, x := range []int{4, 5} { t += x }\nfor i := range 2 { t += i * 100 }\nt", "109"},
		{"closures per iteration", "fs := []func() int{}\nfor i := range 3 { fs = append(fs, func() int { return i }) }\nfs[0]()*100 + fs[1]()*10 + fs[2]()", "12"},
		{"labels", "c := 0\nouter:\nfor i := range 3 {\n\tfor j := range 3 {\n\t\tif j == 2 { continue outer }\n\t\tif i == 2 { break outer }\n\t\tc++\n\t}\n}\nc", "4"},
	} {
		tc.run(t)
	}
}

// What still cannot be compiled says so, at the cell's line; a panic in a
// rewritten loop names its own line; the notebook's state is intact.
func TestRangeOverIntLimits(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	if _, err := in.Eval(context.Background(), "keep := 7"); err != nil {
		t.Fatal(err)
	}
	_, err := in.Eval(context.Background(), "func seq(yield func(int) bool) { yield(1) }\nfor x := range seq {\n\tprintln(x)\n}")
	var e *Error
	if !errors.As(err, &e) || e.Name != "CompileError" {
		t.Fatalf("range over a func: %v, want a CompileError", err)
	}
	if want := "cannot range over a function"; !strings.Contains(e.Value, want) {
		t.Errorf("error %q does not say %q", e.Value, want)
	}
	// A panic in a rewritten loop is placed as in the loop it became.
	_, err = in.Eval(context.Background(), "var m map[int]int\n\nfor i := 0; i < 3; i++ {\n\tm[i] = 1\n}")
	var want *Error
	if !errors.As(err, &want) || want.Name != "Panic" {
		t.Fatalf("three-clause loop: %v", err)
	}
	_, err = in.Eval(context.Background(), "var m2 map[int]int\n\nfor i := range 3 {\n\tm2[i] = 1\n}")
	if !errors.As(err, &e) || e.Name != "Panic" || e.Line != want.Line || e.Col != want.Col {
		t.Errorf("panic in a rewritten loop: %v at %d:%d, want a Panic at %d:%d", err, e.Line, e.Col, want.Line, want.Col)
	}
	if r, err := in.Eval(context.Background(), "keep"); err != nil || show(r) != "7" {
		t.Errorf("state after the errors: %v %v", show(r), err)
	}
}
