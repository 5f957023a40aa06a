package notebook

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copySmall copies testdata/small.ipynb into a fresh directory.
func copySmall(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/small.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "small.ipynb")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeStart starts scripted executors for small.ipynb, with extra events
// for cells by id, and records the directories it was asked for.
func fakeStart(t *testing.T, override map[string][]Event, dirs *[]string) startFunc {
	return func(ctx context.Context, dir string) (Executor, error) {
		if dirs != nil {
			*dirs = append(*dirs, dir)
		}
		nb, err := ReadFile("testdata/small.ipynb")
		if err != nil {
			return nil, err
		}
		s := smallScript(t, nb)
		for _, c := range nb.Cells {
			if evs, ok := override[c.ID]; ok {
				s.script[c.Source] = evs
			}
		}
		return s, nil
	}
}

func TestRunCommandInPlace(t *testing.T) {
	path := copySmall(t)
	var stderr bytes.Buffer
	var dirs []string
	if err := runCommand(context.Background(), []string{path}, &stderr, fakeStart(t, nil, &dirs)); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	nb, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hello := nb.Cells[1]
	if hello.ID != "hello" || hello.ExecutionCount != 1 || len(hello.Outputs) != 1 ||
		hello.Outputs[0].Text != "hello from corelab\nsecond line\n" {
		t.Errorf("hello cell after run: id %q count %d outputs %+v", hello.ID, hello.ExecutionCount, hello.Outputs)
	}
	if got := nb.Cells[6].Outputs; len(got) != 1 || got[0].Type != "execute_result" || got[0].Data["text/plain"] != "49" {
		t.Errorf("result cell outputs: %+v", got)
	}
	if len(dirs) != 1 || dirs[0] != filepath.Dir(path) {
		t.Errorf("evaluator started in %q, want the notebook's directory %q", dirs, filepath.Dir(path))
	}
	if !strings.Contains(stderr.String(), "ok   "+path+": 5 code cells") {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestRunCommandHandoutsAndOutput(t *testing.T) {
	path := copySmall(t)
	before, _ := os.ReadFile(path)
	out := t.TempDir()
	htmlDir, nbDir := filepath.Join(out, "html"), filepath.Join(out, "nb")
	var stderr bytes.Buffer
	// Flags after the notebook, as people type them.
	args := []string{path, "--html", htmlDir, "--output", nbDir, "--no-input", "--strip-solutions"}
	if err := runCommand(context.Background(), args, &stderr, fakeStart(t, nil, nil)); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the source notebook was rewritten although --html/--output were given")
	}
	h, err := os.ReadFile(filepath.Join(htmlDir, "small.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(h, []byte(`<rect id="small-bar"`)) || bytes.Contains(h, []byte("func square")) {
		t.Error("handout lacks the figure or keeps the solution")
	}
	index, err := os.ReadFile(filepath.Join(htmlDir, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(index, []byte(`<a href="small.html">A small notebook</a>`)) {
		t.Errorf("index.html does not list the handout:\n%s", index)
	}
	nb, err := ReadFile(filepath.Join(nbDir, "small.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range nb.Cells {
		if c.HasTag("solution") {
			t.Error("--output notebook keeps the solution cell")
		}
	}
	if len(nb.Cells) != 6 || nb.Cells[5].Outputs[0].Data["text/plain"] != "49" {
		t.Errorf("--output notebook: %d cells", len(nb.Cells))
	}
}

func TestRunCommandFailure(t *testing.T) {
	path := copySmall(t)
	before, _ := os.ReadFile(path)
	boom := map[string][]Event{"figure": {{Kind: "error", EName: "Panic", EValue: "boom",
		Traceback: []string{"\x1b[31mpanic: boom\x1b[0m", "goroutine 1 [running]:"}}}}
	var stderr bytes.Buffer
	err := runCommand(context.Background(), []string{path, "--html", t.TempDir()}, &stderr, fakeStart(t, boom, nil))
	if err == nil || err.Error() != "run: 1 of 1 notebooks failed" {
		t.Fatalf("run error = %v", err)
	}
	want := "FAIL " + path + ": cell 3 (id figure): Panic: boom\n    panic: boom\n    goroutine 1 [running]:\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q\nwant %q", stderr.String(), want)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("a failed notebook was written")
	}

	// --allow-errors runs on and writes the error into the notebook.
	stderr.Reset()
	if err := runCommand(context.Background(), []string{"--allow-errors", path}, &stderr, fakeStart(t, boom, nil)); err != nil {
		t.Fatalf("run --allow-errors: %v", err)
	}
	nb, _ := ReadFile(path)
	if o := nb.Cells[2].Outputs; len(o) != 1 || o[0].Type != "error" || nb.Cells[6].Outputs == nil {
		t.Errorf("--allow-errors notebook: figure outputs %+v", o)
	}
}

func TestRunCommandGoesOnAfterAFailure(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.ipynb")
	os.WriteFile(bad, []byte("{not json"), 0o644)
	good := copySmall(t)
	var stderr bytes.Buffer
	err := runCommand(context.Background(), []string{bad, good}, &stderr, fakeStart(t, nil, nil))
	if err == nil || !strings.Contains(err.Error(), "1 of 2 notebooks failed") {
		t.Errorf("run error = %v", err)
	}
	if !strings.Contains(stderr.String(), "FAIL "+bad) || !strings.Contains(stderr.String(), "ok   "+good) {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func TestRunFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{nil, "no notebooks"},
		{[]string{"a.ipynb", "--inplace", "--output", "x"}, "exclude each other"},
		{[]string{"a.ipynb", "--strip-solutions"}, "--strip-solutions would delete"},
		{[]string{"--inplace", "--html", "h", "--strip-solutions", "a.ipynb"}, "--strip-solutions would delete"},
		{[]string{"x/a.ipynb", "y/a.ipynb", "--html", "h"}, "same file"},
		{[]string{"a.ipynb", "--timeout", "-1s"}, "negative"},
		{[]string{"a.ipynb", "--bogus"}, "not defined"},
	} {
		_, err := parseRunFlags(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("parseRunFlags(%q) error = %v, want %q", tc.args, err, tc.err)
		}
	}
	f, err := parseRunFlags([]string{"a.ipynb", "--html", "h", "b.ipynb", "--timeout=5s", "--", "--odd.ipynb"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.paths, " ") != "a.ipynb b.ipynb --odd.ipynb" || f.htmlDir != "h" || f.timeout.String() != "5s" || f.writesInPlace() {
		t.Errorf("parsed %+v", f)
	}
}
