package interp

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// pipeStream is a pipe whose write end serves as an interpreter's stream;
// text returns what was written once the write end is closed.
type pipeStream struct {
	w    *os.File
	done chan string
}

func newPipeStream(t *testing.T) *pipeStream {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &pipeStream{w: w, done: make(chan string, 1)}
	go func() { // ends when every copy of the write end is closed
		b, _ := io.ReadAll(r)
		r.Close()
		p.done <- string(b)
	}()
	return p
}

// TestClosedStdioIsReopened: a cell that closes os.Stdout or os.Stderr
// closes its own duplicate; fmt.Println goes on working in the same cell,
// the cell is told once, and later cells (also through a func declared
// before the close) write through os.Stdout and os.Stderr again, to the
// same streams.
func TestClosedStdioIsReopened(t *testing.T) {
	out, errw := newPipeStream(t), newPipeStream(t)
	in, err := New(Options{Stdout: out.w, Stderr: errw.w})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, src := range []string{
		`import ("fmt"; "os")`,
		`func both(s string) { fmt.Fprintln(os.Stdout, "out "+s); fmt.Fprintln(os.Stderr, "err "+s) }`,
		`both("before")`,
		`os.Stdout.Close(); os.Stderr.Close(); fmt.Println("fmt same cell")`,
		`both("after")`,
		`os.Stdout.Close()`,
		`both("again")`,
	} {
		if _, err := in.Eval(ctx, src); err != nil {
			t.Fatalf("%s: %v", src, err)
		}
	}
	// The interpreter's duplicates go with it; what is left of the pipes'
	// write ends is ours.
	in.std.vars[0].Close()
	in.std.vars[1].Close()
	out.w.Close()
	errw.w.Close()
	gotOut, gotErr := <-out.done, <-errw.done
	if want := "out before\nfmt same cell\nout after\nout again\n"; gotOut != want {
		t.Errorf("stdout = %q, want %q", gotOut, want)
	}
	for _, want := range []string{"err before\n", "closed os.Stdout", "closed os.Stderr", "err after\n", "err again\n"} {
		if !strings.Contains(gotErr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, gotErr)
		}
	}
	if n := strings.Count(gotErr, "closed os.Stdout"); n != 2 {
		t.Errorf("stdout's close said %d times for two closes:\n%s", n, gotErr)
	}
	if n := strings.Count(gotErr, "closed os.Stderr"); n != 1 {
		t.Errorf("stderr's close said %d times for one close:\n%s", n, gotErr)
	}
}
