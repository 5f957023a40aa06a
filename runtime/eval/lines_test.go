package eval

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestPanicLines checks that a runtime panic names the cell's line where it
// happened (Line and the traceback), and for a panic inside a notebook func
// also the line of the call in the cell.
func TestPanicLines(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup string // an earlier cell, "" for none
		src   string
		line  int    // want Line
		call  int    // want the call site's line named too, when > 0
		value string // substring of Value
	}{
		{name: "nil map", src: "var m map[string]int\n\nm[\"a\"] = 1", line: 3, value: "nil map"},
		{name: "index", src: "import \"fmt\"\nxs := []int{1}\n_ = xs\nfmt.Println(xs[5])", line: 4, value: "index out of range"},
		{name: "index in wrapped if", src: "import \"fmt\"\nxs := []int{1}\nif len(xs) > 0 {\n\tfmt.Println(\"x\")\n\t_ = xs[7]\n}", line: 5, value: "index out of range"},
		{name: "in func", src: "func get(xs []int) int {\n\ty := 2\n\treturn xs[y]\n}\n\nvals := []int{1}\n_ = vals\nget(vals)", line: 3, call: 8, value: "index out of range"},
		{name: "in func of earlier cell", setup: "func div(a, b int) int {\n\tq := a / b\n\treturn q\n}", src: "import \"fmt\"\nx := 0\nfmt.Println(div(1, x))", line: 2, call: 3, value: "divide by zero"},
		{name: "in loop in func", src: "func sum(xs []int) (s int) {\n\ts = 1\n\tfor i := 0; i < 3; i++ {\n\t\ts += xs[i]\n\t}\n\treturn\n}\nsum([]int{1})", line: 3, call: 8, value: "index out of range"},
		{name: "closure from host", src: "import \"sort\"\nxs := []int{3, 1, 2}\nvar m map[int]int\nsort.Slice(xs, func(i, j int) bool {\n\tm[i] = j\n\treturn xs[i] < xs[j]\n})", line: 5, call: 4, value: "nil map"},
		{name: "nil pointer", src: "import \"fmt\"\ntype T struct{ v int }\nvar p *T\n_ = p\nfmt.Println(p.v)", line: 5, value: "zero Value"},
	} {
		for _, pol := range []Policy{Py310, Py39} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, pol), func(t *testing.T) {
				in, _, _ := newTest(t, Options{Policy: pol})
				cell := 1
				if tc.setup != "" {
					cell++
					if _, err := in.Eval(context.Background(), tc.setup); err != nil {
						t.Fatal(err)
					}
				}
				_, err := in.Eval(context.Background(), tc.src)
				var e *Error
				if !errors.As(err, &e) || e.Name != "Panic" {
					t.Fatalf("err = %#v", err)
				}
				if !strings.Contains(e.Value, tc.value) {
					t.Errorf("Value = %q, want %q in it", e.Value, tc.value)
				}
				tb := strings.Join(e.Traceback, "\n")
				if e.Line != tc.line {
					t.Errorf("Line = %d, want %d; traceback:\n%s", e.Line, tc.line, tb)
				}
				if want := fmt.Sprintf(":%d:", tc.line); !strings.Contains(tb, want) {
					t.Errorf("traceback does not name line %d:\n%s", tc.line, tb)
				}
				if want := fmt.Sprintf("called from cell[%d]:%d:", cell, tc.call); tc.call > 0 && !strings.Contains(tb, want) {
					t.Errorf("traceback does not name the call at %s:\n%s", want, tb)
				}
			})
		}
	}
}

// TestVarOfEarlierVar checks that a var declaration whose initializer uses
// a variable of an earlier cell works.
func TestVarOfEarlierVar(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  string
	}{
		{name: "io.Writer of builder", cells: []string{"import (\"strings\"; \"io\"; \"fmt\")\nvar sb strings.Builder", "var wr io.Writer = &sb\nfmt.Fprint(wr, \"hi\")\nsb.String()"}, want: "hi"},
		{name: "short form", cells: []string{"import (\"strings\"; \"io\"; \"fmt\")\nvar sb strings.Builder", "wr := io.Writer(&sb)\nfmt.Fprint(wr, \"yo\")\nsb.String()"}, want: "yo"},
		{name: "int of earlier", cells: []string{"var n = 4", "var k int = n * 2\nk"}, want: "8"},
		{name: "pointer of earlier", cells: []string{"x := 5", "var p *int = &x\n*p"}, want: "5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, _ := newTest(t, Options{})
			var res Result
			var err error
			for _, c := range tc.cells {
				if res, err = in.Eval(context.Background(), c); err != nil {
					t.Fatalf("cell %q: %v", c, err)
				}
			}
			if got := show(res); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
