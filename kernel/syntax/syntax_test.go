package syntax

import (
	"strings"
	"testing"
)

func TestIsComplete(t *testing.T) {
	tests := []struct {
		code, status, indent string
	}{
		{"", Complete, ""},
		{"x := 1", Complete, ""},
		{"%mode gil", Complete, ""},
		{"%%python", Incomplete, ""},
		{"%%python\nfor i in range(3):\n    print(i)", Incomplete, ""},
		{"%%python\nprint(1)\n", Complete, ""},
		{"%%python 3.11\nprint(1)\n  ", Complete, ""},
		{"for i := 0; i < 3; {", Incomplete, "\t"},
		{"fmt.Println(", Incomplete, "\t"},
		{"m := map[string][]int{\n\t\"a\": {1,", Incomplete, "\t\t"},
		{"x := )", Invalid, ""},
		{"x := 1 +", Incomplete, ""},
		{"if x", Incomplete, ""},
		{"s := `raw\nstring", Incomplete, ""},
		{"/* a comment", Incomplete, ""},
		{`s := "open`, Incomplete, ""},
		{"x := := 1", Invalid, ""},
		{"func f() int { return 1 }\nf()", Complete, ""},
		{"type T struct{}\nfunc (T) M() {}\nvar t T\nt.M()", Complete, ""},
		{"import \"fmt\"\nfmt.Println(1)", Complete, ""},
		{"import (\n\t\"fmt\"\n\t\"os\"\n)\nfmt.Fprintln(os.Stdout, 1)", Complete, ""},
		{"func() { println(1) }()", Complete, ""},
		{"go func() {}()\nfunc g() {}", Complete, ""},
		{"func f() int {\n\treturn 1\n}\nx :=", Incomplete, ""},
		{"func f( {", Incomplete, "\t\t"},
	}
	for _, tt := range tests {
		status, indent := IsComplete(tt.code)
		if status != tt.status || indent != tt.indent {
			t.Errorf("IsComplete(%q) = %q, %q; want %q, %q", tt.code, status, indent, tt.status, tt.indent)
		}
	}
}

// TestIsCompleteLinear: a large cell of many declarations is answered
// without quadratic work (the kernel answers is_complete itself).
func TestIsCompleteLinear(t *testing.T) {
	code := strings.Repeat("func f() {}\n", 20000) + "x :="
	if status, _ := IsComplete(code); status != Incomplete {
		t.Errorf("status %q", status)
	}
}

func FuzzIsComplete(f *testing.F) {
	for _, s := range []string{"x := 1", "func (", "import (", "func (r T) M() {", "`", "/*", "%x", ")"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, code string) {
		status, _ := IsComplete(code)
		if status != Complete && status != Incomplete && status != Invalid {
			t.Fatalf("status %q", status)
		}
	})
}
