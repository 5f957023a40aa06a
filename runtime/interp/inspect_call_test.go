package interp

import (
	"strings"
	"testing"
)

// at splits a test case written with "|" for the cursor into the code and
// the cursor's code-point offset.
func at(t *testing.T, s string) (string, int) {
	t.Helper()
	i := strings.Index(s, "|")
	if i < 0 {
		t.Fatalf("%q has no cursor", s)
	}
	code := s[:i] + s[i+1:]
	return code, len([]rune(s[:i]))
}

func TestLocate(t *testing.T) {
	for _, c := range []struct {
		code          string
		x, name, call string // call is "x.name" or "name" of the innermost call, "" for none
	}{
		{"rt.Run(|)", "", "", "rt.Run"},
		{"rt.Run(rt.GIL, |", "", "", "rt.Run"},
		{"rt.Run(rt.GIL|, 2)", "rt", "GIL", "rt.Run"},
		{"rt.Run(|rt.GIL, 2)", "", "rt", "rt.Run"},
		{"rt.Run(rt.|GIL, 2)", "rt", "GIL", "rt.Run"},
		{`strings.ToUpper("ab|")`, "", "", "strings.ToUpper"},
		{`strings.ToUpper("a(b|")`, "", "", "strings.ToUpper"},
		{"strings.ToUpper(s|)", "", "s", "strings.ToUpper"},
		{"strings.To|Upper(s)", "strings", "ToUpper", ""},
		{"fmt.Println(strings.Repeat(\"x\", |3), 1)", "", "", "strings.Repeat"},
		{"fmt.Println(strings.Repeat(\"x\", 3), |1)", "", "", "fmt.Println"},
		{"fmt.Println(strings.Repeat(\"x\", 3)|)", "", "", "fmt.Println"},
		{"rt.Compare([]rt.Model{rt.GIL, |}, 2)", "", "", "rt.Compare"},
		{"f(xs[|])", "", "", "f"},
		{"rt.Run(rt.GIL, 2, func(i int) {\n\tx := |", "", "", ""},
		{"rt.Run(rt.GIL, 2, func(i int) {\n\tstrings.ToUpper(|", "", "", "strings.ToUpper"},
		{"rt.Run(rt.GIL, 2, func(i int) {\n}, |", "", "", "rt.Run"},
		{"x := (|1 + 2)", "", "", ""},
		{"Twice(3) // Twice(|", "", "", ""},
		{"/* ( */ f(|", "", "", "f"},
		{"s := \"é\"; strings.ToUpper(|", "", "", "strings.ToUpper"},
		{"|", "", "", ""},
	} {
		code, cursor := at(t, c.code)
		got := locate(code, runeToByte(code, cursor))
		call := ""
		if got.call != nil {
			call = got.call.name
			if got.call.x != "" {
				call = got.call.x + "." + call
			}
		}
		if got.x != c.x || got.name != c.name || call != c.call {
			t.Errorf("locate(%q) = name %q.%q, call %q; want %q.%q, call %q", c.code, got.x, got.name, call, c.x, c.name, c.call)
		}
	}
}

func TestInspectInsideCall(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{{src: "import \"strings\"\n\n// Twice doubles n,\n// as a learner would write it.\nfunc Twice(n int) int {\n\tsecret := 2\n\treturn secret * n\n}", want: "<none>"}})
	for _, c := range []struct {
		code   string
		want   []string
		unwant []string
	}{
		{`strings.ToUpper("ab|")`, []string{"func ToUpper(s string) string"}, nil},
		{"strings.ToUpper(|)", []string{"func ToUpper(s string) string"}, nil},
		{"strings.Repeat(strings.ToUpper(|), 3)", []string{"func ToUpper(s string) string"}, []string{"Repeat"}},
		{"strings.Repeat(strings.ToUpper(\"a\"), |3)", []string{"func Repeat(s string, count int) string"}, nil},
		{"x := 4\nTwice(x|)", []string{"func Twice(n int) int", "Twice doubles n,\nas a learner would write it.", "(declared in cell[1])"}, []string{"secret"}},
		{"Twice(|)", []string{"func Twice(n int) int", "Twice doubles n"}, nil},
		{"Tw|ice", []string{"func Twice(n int) int"}, []string{"secret"}},
		{"len(|)", []string{"func len(v Type) int"}, nil},
	} {
		code, cursor := at(t, c.code)
		text, ok := in.Inspect(code, cursor)
		if !ok {
			t.Errorf("Inspect(%q): not found", c.code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("Inspect(%q) = %q, lacks %q", c.code, text, w)
			}
		}
		for _, w := range c.unwant {
			if strings.Contains(text, w) {
				t.Errorf("Inspect(%q) = %q, shows %q", c.code, text, w)
			}
		}
	}
	// A comment on a cell's first line is its func's doc like any other.
	runSteps(t, in, out, []step{{src: "// Half halves n.\nfunc Half(n int) int { return n / 2 }", want: "<none>"}})
	if text, _ := in.Inspect("Half(3)", 5); !strings.HasPrefix(text, "func Half(n int) int\n\nHalf halves n.\n") {
		t.Errorf("Inspect(Half(|3)) = %q, lacks the first line's comment", text)
	}
	for _, c := range []string{"x := (|1 + 2)", "notDeclared(|)", "strings.ToUpper(\"a\")|"} {
		code, cursor := at(t, c)
		if text, ok := in.Inspect(code, cursor); ok {
			t.Errorf("Inspect(%q) found %q, want nothing", c, text)
		}
	}
}

// locate takes whatever a frontend sends: any text, any cursor.
func FuzzLocate(f *testing.F) {
	for _, s := range []string{"rt.Run(rt.GIL, ", `strings.ToUpper("ab")`, "f(func() {\n\tg(", "/* ( */ `(` f(", "é(", ")))((("} {
		f.Add(s, len(s))
	}
	f.Fuzz(func(t *testing.T, code string, cursor int) {
		site := locate(code, runeToByte(code, cursor))
		if site.call != nil && site.call.name == "" {
			t.Errorf("locate(%q, %d): a call without a name", code, cursor)
		}
		if site.x != "" && site.name == "" {
			t.Errorf("locate(%q, %d): a qualifier without a name", code, cursor)
		}
	})
}
