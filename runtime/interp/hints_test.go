package interp

import (
	"context"
	"errors"
	"testing"
)

// TestHints runs each slip a Python programmer makes through the
// interpreter and checks the error's hint: every row of the hints table
// has a case here (TestHintsCovered).
func TestHints(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	if _, err := in.Eval(context.Background(), "xs := []int{1, 2}\nm := map[string]int{}\n_ = m"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range hintCases {
		t.Run(tc.rule, func(t *testing.T) {
			_, err := in.Eval(context.Background(), tc.src)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%q: err = %v, want an *Error", tc.src, err)
			}
			if e.Hint != tc.hint {
				t.Errorf("%q: %s: %s\nhint %q\nwant %q", tc.src, e.Name, e.Value, e.Hint, tc.hint)
			}
		})
	}
}

var hintCases = []struct{ rule, src, hint string }{
	{"for x in xs", "for x in xs:\n\tfmt.Println(x)", "Go loops with range: for _, x := range xs {"},
	{"for x in xs", "for i in range(10):", "Go loops with range: for i := range 10 {"},
	{"for x in xs", "for i in range(2, 5):", "Go loops with range: for i := 2; i < 5; i++ {"},
	{"for x in xs", "for i, x in enumerate(xs):", "Go loops with range: for i, x := range xs {"},
	{"for x in xs", "for k, v in m.items():", "Go loops with range: for k, v := range m {"},
	{"range(n) as a function", "n := range(10)", "range is not a function in Go: for i := range n { ... } counts i from 0 to n-1"},
	{"def", "def f(x, y=2):\n\treturn x", "Go declares a function with func and typed parameters: func f(x int, y int) int { ... }"},
	{"elif", "if true {\n} elif false {\n}", "Go writes elif as: } else if cond {"},
	{"while", "while n < 3 {\n}", "Go's only loop is for: for n < 3 { ... }"},
	{"and / or / not", "if 1 > 0 and 2 > 1 {\n}", "in Go, and is &&: if a > 1 && !done { ... }"},
	{"and / or / not", "if not true {\n}", "in Go, not is !: if a > 1 && !done { ... }"},
	{"True / False / None", "ok := True", "Go spells it true"},
	{"True / False / None", "ok := False", "Go spells it false"},
	{"True / False / None", "var p = None", "Go's None is nil (for pointers, slices, maps, channels, funcs, interfaces and errors)"},
	{"print(...)", `print("a", end="")`, `print in Go: fmt.Println(a, b) (import "fmt"), or fmt.Printf("x = %d\n", x) to format`},
	{"package not imported", `strconv.Itoa(3)`, `add the import: import "strconv"`},
	{"package not imported", `s := strings.Repeat("a", 3)`, `add the import: import "strings"`},
	{"package not imported", `math.Sqrt(2)`, `add the import: import "math"`},
	{"x = 1 for a new variable", "k = 5", "a new variable is declared with := : k := 5"},
	{"x = 1 for a new variable", "k, j = 5, 6", "a new variable is declared with := : k, j := 5, 6"},
	{"str(x), input()", "s := str(3)", `Go's str(x) is strconv.Itoa(n) for an int, fmt.Sprint(x) for anything (import "strconv" or "fmt")`},
	{"str(x), input()", "line := input()", `Go reads a line with fmt.Scanln(&s) (import "fmt")`},
	{"xs.append(v)", "xs.append(3)", "append is a builtin that returns the longer slice: xs = append(xs, v)"},
	{"# comment", "# a comment", "comments start with // in Go"},
	{"'single quotes'", "s := 'abc'", `strings take double quotes in Go: "abc" ('a' is one character, a rune)`},
	{"[1, 2, 3] list literal", "ys := [1, 2, 3]", "a slice literal names its element type: []int{1, 2, 3}"},
	{"{k: v} dict literal", `d := {"a": 1}`, `a map literal names its types: map[string]int{"a": 1}`},
	{"import math without quotes", "import math", `import paths are strings in Go: import "math"`},
	{"import math without quotes", "import math, os", `import paths are strings in Go: import ("math"; "os")`},
	{"from m import name", "from math import sqrt", `Go imports whole packages: import "math", then write math.Sqrt`},
	{"x is None", "var q *int\nif q is None {\n}", "Go compares with == and !=: if x == nil {"},
	{"pass", "for i := 0; i < 1; i++ {\n\tpass\n}", "Go needs no pass: an empty block {} is fine (and Go has no try/except: errors are values, if err != nil { ... })"},
	{"f-string", "name := \"x\"\ns := f\"hi {name}\"", `Go formats with fmt.Sprintf("hi %v", name) (import "fmt"); %v prints any value, %d an int, %.2f a float`},
	{"if cond: with a colon", "x := 1\nif x == 1 {\n} else:", "Go puts a block in braces, not after a colon: } else {"},
	{"if cond: with a colon", "if len(xs) == 1:\n\tpass", "Go puts a block in braces, not after a colon: if len(xs) == 1 {"},
	{"runtime: nil map", "var nm map[string]int\nnm[\"a\"] = 1", "nm is a nil map: make it before writing to it, nm = map[string]int{} (or make(map[string]int))"},
	{"runtime: nil pointer", "type P struct{ v int }\nvar pp *P\npp.v = 1", "pp is nil: point it at a value first, pp = &T{} (or new(T))"},
	{"runtime: nil func", "var fn func()\nfn()", "the func or interface value is nil: give it a value before calling it"},
	{"no hint for Go's own mistakes", "var y int\ny = \"34\"", ""},
}

// TestHintsCovered checks that every rule of the table has a case.
func TestHintsCovered(t *testing.T) {
	has := map[string]bool{}
	for _, c := range hintCases {
		has[c.rule] = true
	}
	for _, r := range hints {
		if !has[r.name] {
			t.Errorf("hint rule %q has no case in hintCases", r.name)
		}
	}
}
