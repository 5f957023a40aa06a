package interp

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// commaCase is a notebook: cells run in order, the last one's value is
// compared with want.
type commaCase struct {
	name  string
	cells []string
	want  string
}

func (tc commaCase) run(t *testing.T) {
	t.Helper()
	for _, pol := range []Policy{Py310, Py39} {
		t.Run(fmt.Sprintf("%s/%v", tc.name, pol), func(t *testing.T) {
			in, _, _ := newTest(t, Options{Policy: pol})
			cells := append([]string{`import "fmt"`}, tc.cells...)
			var r Result
			for _, c := range cells {
				var err error
				if r, err = in.Eval(context.Background(), c); err != nil {
					t.Fatalf("cell %q: %v", c, err)
				}
			}
			if got := show(r); got != tc.want {
				t.Errorf("got %s, want %s\ncells: %q", got, tc.want, tc.cells)
			}
		})
	}
}

// The comma-ok forms work at a cell's top level (yaegi v0.16.1 alone fails
// there with "nil type"), with Go's types and values, and later cells see
// the variables.
func TestCommaOKMap(t *testing.T) {
	for _, tc := range []commaCase{
		{"missing key", []string{`d := map[string]int{"a": 1}`, `v, ok := d["b"]`, `fmt.Sprint(v, ok)`}, "0 false"},
		{"present key", []string{`d := map[string]int{"a": 1}`, `v, ok := d["a"]`, `fmt.Sprint(v, ok)`}, "1 true"},
		{"nil map", []string{`var m map[string]int`, `v, ok := m["x"]`, `fmt.Sprint(v, ok)`}, "0 false"},
		{"custom map type", []string{"type Ages map[string]int\nages := Ages{\"ann\": 31}", `v, ok := ages["ann"]`, `fmt.Sprintf("%T %v %v", v, v, ok)`}, "int 31 true"},
		{"custom key type, untyped key", []string{"type K string\nm := map[K]float64{\"a\": 1.5}", `v, ok := m["a"]`, `fmt.Sprintf("%T %v %v", v, v, ok)`}, "float64 1.5 true"},
		{"interface elements keep their static type", []string{`m := map[string]any{"a": 1}`, `v, ok := m["a"]`, "v = \"now a string\"\nfmt.Sprintf(\"%v %v\", v, ok)"}, "now a string true"},
		{"error elements", []string{`m := map[int]error{1: fmt.Errorf("boom")}`, `e, ok := m[1]`, `fmt.Sprintf("%v %v", e.Error(), ok)`}, "boom true"},
		{"var form, declared map", []string{`var m = map[string]int{"a": 1}`, `var v, ok = m["a"]`, `fmt.Sprint(v, ok)`}, "1 true"},
		{"var form, defined map", []string{`m := map[string]int{"a": 1}`, `var v, ok = m["q"]`, `fmt.Sprint(v, ok)`}, "0 false"},
		{"one cell", []string{"m := map[string]int{\"a\": 1}\nv, ok := m[\"a\"]\nfmt.Sprint(v, ok)"}, "1 true"},
		{"blank ok", []string{`m := map[string]int{"a": 1}`, `v, _ := m["a"]`, `v`}, "1"},
		{"blank value", []string{`m := map[string]int{"a": 1}`, `_, ok := m["z"]`, `ok`}, "false"},
		{"redeclared ok", []string{`m := map[string]int{"a": 1}`, "v, ok := m[\"a\"]\nw, ok := m[\"z\"]", `fmt.Sprint(v, w, ok)`}, "1 0 false"},
		{"redefined in a later cell", []string{`m := map[string]int{"a": 1}`, `v, ok := m["a"]`, `n := map[string]string{"b": "x"}`, `v, ok := n["b"]`, `fmt.Sprintf("%T %v %v", v, v, ok)`}, "string x true"},
		{"parenthesized", []string{`m := map[string]int{"a": 1}`, `v, ok := (m["a"])`, `fmt.Sprint(v, ok)`}, "1 true"},
	} {
		tc.run(t)
	}
}

// Operands are evaluated once each, in order: a map or key that calls
// something is computed once into a temporary.
func TestCommaOKEvaluatesOnce(t *testing.T) {
	setup := "calls := \"\"\nm := map[string]int{\"a\": 1}\nch := make(chan int, 1)\n" +
		"func key() string { calls += \"k\"; return \"a\" }\n" +
		"func getM() map[string]int { calls += \"m\"; return m }\n" +
		"func getCh() chan int { calls += \"c\"; return ch }\n" +
		"var x any = 7\nfunc getX() any { calls += \"x\"; return x }"
	for _, tc := range []commaCase{
		{"key", []string{setup, `v, ok := m[key()]`, `fmt.Sprintf("%v %v %v", v, ok, calls)`}, "1 true k"},
		{"map and key", []string{setup, `v, ok := getM()[key()]`, `fmt.Sprintf("%v %v %v", v, ok, calls)`}, "1 true mk"},
		{"map", []string{setup, `v, ok := getM()["b"]`, `fmt.Sprintf("%v %v %v", v, ok, calls)`}, "0 false m"},
		{"channel", []string{setup, "ch <- 5", `g, open := <-getCh()`, `fmt.Sprintf("%v %v %v", g, open, calls)`}, "5 true c"},
		{"asserted value", []string{setup, `n, ok := getX().(int)`, `fmt.Sprintf("%v %v %v", n, ok, calls)`}, "7 true x"},
		{"received key", []string{setup, "keys := make(chan string, 1)\nkeys <- \"a\"", `v, ok := m[<-keys]`, `fmt.Sprintf("%v %v %v", v, ok, len(keys))`}, "1 true 0"},
	} {
		tc.run(t)
	}
}

func TestCommaOKTypeAssert(t *testing.T) {
	for _, tc := range []commaCase{
		{"right type", []string{`var x any = 3`, `n, ok := x.(int)`, `fmt.Sprintf("%T %v %v", n, n, ok)`}, "int 3 true"},
		{"wrong type: ok false, no panic", []string{`var x any = 3`, `s, ok := x.(string)`, `fmt.Sprintf("%T %q %v", s, s, ok)`}, `string "" false`},
		{"interface type", []string{`var x any = 3`, `st, ok := x.(fmt.Stringer)`, `fmt.Sprint(st == nil, ok)`}, "true false"},
		{"nil interface", []string{`var err error`, `pe, ok := err.(interface{ Timeout() bool })`, `fmt.Sprint(pe == nil, ok)`}, "true false"},
		{"blank ok, wrong type", []string{`var x any = 3`, `s, _ := x.(string)`, `len(s)`}, "0"},
		{"blank value", []string{`var x any = 3`, `_, ok := x.(int)`, `ok`}, "true"},
	} {
		tc.run(t)
	}
}

func TestCommaOKReceive(t *testing.T) {
	for _, tc := range []commaCase{
		{"value", []string{"ch := make(chan int, 1)\nch <- 4", `g, open := <-ch`, `fmt.Sprint(g, open)`}, "4 true"},
		{"closed channel", []string{"ch := make(chan string, 1)\nch <- \"hi\"\nclose(ch)", `g, open := <-ch`, `g2, open2 := <-ch`, `fmt.Sprintf("%q %v %q %v %T", g, open, g2, open2, g2)`}, `"hi" true "" false string`},
		{"struct elements", []string{"type P struct{ X int }\nch := make(chan P, 1)\nch <- P{4}", `p, open := <-ch`, `fmt.Sprintf("%v %v %v", p.X, p, open)`}, "4 {4} true"},
		{"receive-only channel", []string{"ch := make(chan int, 1)\nch <- 9\nvar r <-chan int = ch", `g, open := <-r`, `fmt.Sprint(g, open)`}, "9 true"},
		{"named channel type", []string{"type Jobs chan int\njobs := make(Jobs, 1)\njobs <- 2\nclose(jobs)", `j, open := <-jobs`, `k, more := <-jobs`, `fmt.Sprint(j, open, k, more)`}, "2 true 0 false"},
		// the goroutine is done before the next cell: yaegi resizes the
		// globals' frame for each cell, racing with goroutines still running
		{"sent by a goroutine", []string{"ch := make(chan int)\ndone := make(chan bool)\ngo func() { ch <- 42; close(done) }()\ng, open := <-ch\n<-done", `fmt.Sprint(g, open)`}, "42 true"},
		{"var form", []string{"ch := make(chan int, 1)\nch <- 3", `var g, open = <-ch`, `fmt.Sprint(g, open)`}, "3 true"},
		{"blank ok", []string{"ch := make(chan int, 1)\nch <- 3", `g, _ := <-ch`, `g`}, "3"},
		{"blank value", []string{"ch := make(chan int)\nclose(ch)", `_, open := <-ch`, `open`}, "false"},
		{"redeclared", []string{"ch := make(chan int, 2)\nch <- 1\nch <- 2", "a, open := <-ch\nb, open := <-ch", `fmt.Sprint(a, b, open)`}, "1 2 true"},
	} {
		tc.run(t)
	}
}

// Errors still name the learner's line and column, and a later statement
// keeps its line.
func TestCommaOKPositions(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	ctx := context.Background()
	if _, err := in.Eval(ctx, "import \"fmt\"\nm := map[string]int{\"a\": 1}"); err != nil {
		t.Fatal(err)
	}
	_, err := in.Eval(ctx, "x := 1\nv, ok := m[nope]\n_, _, _ = x, v, ok")
	var e *Error
	if !errors.As(err, &e) || e.Name != "CompileError" || e.Line != 2 || e.Col != 12 {
		t.Errorf("undefined key: %v, want a CompileError at 2:12", err)
	}
	_, err = in.Eval(ctx, "v, ok := m[\n\t\"a\"]\nvar p *int\n_, _ = v, ok\nfmt.Println(*p)")
	if !errors.As(err, &e) || e.Name != "Panic" || e.Line != 5 {
		t.Errorf("nil dereference after a two-line comma-ok: %v (line %d), want a Panic on line 5", err, e.Line)
	}
}
