package backend

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"corelab/display"
	"corelab/kernel/supervisor"
)

func TestSplitMagics(t *testing.T) {
	for _, tc := range []struct {
		code, body string
		magics     []string
	}{
		{"x := 1", "x := 1", nil},
		{"%mode free\nx := 1", "\nx := 1", []string{"mode free"}},
		{"\n%cores on\n  %help\nfmt.Println(\"%d\", 1)\n%notmagic", "\n\n\nfmt.Println(\"%d\", 1)\n%notmagic", []string{"cores on", "help"}},
		{"%help", "", []string{"help"}},
	} {
		m, body := splitMagics(tc.code)
		if !reflect.DeepEqual(m, tc.magics) || body != tc.body {
			t.Errorf("splitMagics(%q) = %q, %q", tc.code, m, body)
		}
		// Line numbers of the code stay the cell's own.
		if strings.Count(body, "\n") != strings.Count(tc.code, "\n") {
			t.Errorf("splitMagics(%q) changed the line count", tc.code)
		}
	}
}

func TestCompleteMagic(t *testing.T) {
	m, start, end := completeMagic("%sw", 3)
	if len(m) != 1 || m[0] != "%switchinterval" || start != 0 || end != 3 {
		t.Errorf("got %v %d %d", m, start, end)
	}
	if m, start, end := completeMagic("%mode ", 99); strings.Join(m, " ") != "gil isolates free processes" || start != 6 || end != 6 {
		t.Errorf("%%mode arguments: %v %d %d", m, start, end)
	}
	if m, start, end := completeMagic("x := 1\n%checkpoints py3", 99); strings.Join(m, " ") != "py310 py39" || start != 20 || end != 23 {
		t.Errorf("%%checkpoints arguments: %v %d %d", m, start, end)
	}
	if m, _, _ := completeMagic("%switchinterval 5", 99); len(m) != 0 {
		t.Errorf("a duration completed: %v", m)
	}
}

type rich struct{}

func (rich) DisplayBundle() display.Bundle {
	return display.Bundle{"text/html": "<i>r</i>", "text/plain": "r"}
}

func TestResultBundle(t *testing.T) {
	if b := resultBundle(reflect.ValueOf(42), nil); b["text/plain"] != "42" {
		t.Errorf("int: %v", b)
	}
	if b := resultBundle(reflect.ValueOf(rich{}), nil); b["text/html"] != "<i>r</i>" {
		t.Errorf("Displayer: %v", b)
	}
}

type fakeHost struct{ answers []string }

func (h *fakeHost) Display(map[string]any, map[string]any, string, bool) {}
func (h *fakeHost) Input(prompt string, password bool) (string, error) {
	if len(h.answers) == 0 {
		return "", supervisor.ErrNoStdin
	}
	a := h.answers[0]
	h.answers = h.answers[1:]
	return a, nil
}

func TestBackendInProcess(t *testing.T) {
	b, err := New(&fakeHost{answers: []string{"7"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if o := b.Execute(ctx, "x := 40"); o.Status != "ok" {
		t.Fatalf("%+v", o)
	}
	if o := b.Execute(ctx, "x + 2"); o.Result["text/plain"] != "42" {
		t.Errorf("x + 2: %+v", o)
	}
	if o := b.Execute(ctx, "%mode turbo"); o.Status != "error" || o.Error.Name != "UsageError" {
		t.Errorf("bad magic: %+v", o)
	}
	if o := b.Execute(ctx, "y := undefinedThing"); o.Status != "error" || o.Error.Name == "" || len(o.Error.Traceback) == 0 {
		t.Errorf("compile error: %+v", o)
	}
	if o := b.Execute(ctx, "import \"fmt\"\nvar n int\nfmt.Scan(&n)\nn * 6"); o.Result["text/plain"] != "42" {
		t.Errorf("stdin: %+v", o)
	}
}

// Reading stdin when the frontend cannot answer stops the cell with a named
// error (as ipykernel's StdinNotImplementedError), never a silent EOF.
func TestStdinWithoutFrontendIsAnError(t *testing.T) {
	b, err := New(&fakeHost{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, code := range []string{
		"import \"fmt\"\nvar n int\nfmt.Scan(&n)\nn",
		"import \"bufio\"\nimport \"os\"\nsc := bufio.NewScanner(os.Stdin)\nsc.Scan()\nsc.Text()",
		"import \"corelab/input\"\ninput.Line(\"name? \")",
	} {
		o := b.Execute(ctx, code)
		if o.Status != "error" || o.Error.Name != "StdinNotImplementedError" || !strings.Contains(o.Error.Value, "does not support input requests") {
			t.Errorf("%s:\n%+v", code, o)
		}
	}
}

func TestPythonBodyIsNotCompletedAsGo(t *testing.T) {
	for _, tc := range []struct {
		code   string
		cursor int
		want   bool
	}{
		{"%%python\nimport sys\nsys.", 20, true},
		{"%%pyth", 6, false},
		{"%%python 3.13", 10, false},
		{"fmt.Println(1)\n", 5, false},
		{"x := \"%%python\\n\"\nx", 18, false},
	} {
		if got := pythonBody(tc.code, tc.cursor); got != tc.want {
			t.Errorf("pythonBody(%q, %d) = %v", tc.code, tc.cursor, got)
		}
	}
}
