package interp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestFormat checks the traceback Jupyter gets: colours where IPython puts
// them, plain text without them, the last line "Name: Value" and the hint.
func TestFormat(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	_, err := in.Eval(context.Background(), "xs := []int{1, 2, 3}\nfor i := 0; i <= 3; i++ {\n\t_ = xs[i]\n}")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	plain := e.Format(Style{})
	if strings.Contains(strings.Join(plain, "\n"), "\x1b[") {
		t.Errorf("plain traceback has colour codes: %q", plain)
	}
	if last := plain[len(plain)-1]; last != "Panic: index i out of range [0:3)" {
		t.Errorf("last line %q", last)
	}
	color := e.Format(Style{Color: true})
	all := strings.Join(color, "\n")
	for _, want := range []string{ansiGreen + "cell[1]:3:6" + ansiReset, ansiRed + "Panic" + ansiReset + ": index i out of range [0:3)", ansiBold + "      _ = xs[i]", ansiRed + "          ^^^^^"} {
		if !strings.Contains(all, want) {
			t.Errorf("coloured traceback lacks %q:\n%q", want, color)
		}
	}
	// full: the rewriter's func literal and reflect's words are there
	full := strings.Join(e.Format(Style{Full: true}), "\n")
	if !strings.Contains(full, "func literal") || !strings.Contains(full, "reflect: slice index out of range") {
		t.Errorf("full traceback:\n%s", full)
	}
	if strings.Contains(strings.Join(plain, "\n"), "func literal") {
		t.Errorf("short traceback names the rewriter's func literal:\n%s", strings.Join(plain, "\n"))
	}

	_, err = in.Eval(context.Background(), "k = 1")
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	got := e.Format(Style{Color: true})
	if h := got[len(got)-1]; h != ansiCyan+"Hint:"+ansiReset+" a new variable is declared with := : k := 1" {
		t.Errorf("hint line %q", h)
	}
}

// TestGoroutineReport: a goroutine's panic is reported on Stderr with the
// line:col of the failing expression, and no line of it starts with
// "panic: " (the kernel reads that as the start of a crash).
func TestGoroutineReport(t *testing.T) {
	w := &reportWriter{got: make(chan string, 1)}
	in, _, _ := newTest(t, Options{Stderr: w})
	if _, err := in.Eval(context.Background(), "go func() {\n\tvar ys []int\n\t_ = ys[3]\n}()"); err != nil {
		t.Fatal(err)
	}
	var report string
	select {
	case report = <-w.got:
	case <-time.After(time.Minute):
		t.Fatal("no report of the goroutine's panic within a minute")
	}
	for _, want := range []string{"panic in goroutine: index 3 out of range [0:len(ys))\n", "  at cell[1]:3:6\n", "      _ = ys[3]\n"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, l := range strings.Split(report, "\n") {
		if strings.HasPrefix(l, "panic: ") {
			t.Errorf("report has a line starting with \"panic: \":\n%s", report)
		}
	}
}

// reportWriter passes on the first write that reports a goroutine's panic.
type reportWriter struct{ got chan string }

func (w *reportWriter) Write(p []byte) (int, error) {
	if strings.HasPrefix(string(p), "panic in goroutine") {
		select {
		case w.got <- string(p):
		default:
		}
	}
	return len(p), nil
}
