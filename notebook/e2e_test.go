package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The end-to-end tests build the real corelab binary and run it, so they
// test what a workshop user gets: `corelab run` with the kernel's own
// evaluator child process, and `jupyter nbconvert --execute` through the
// installed kernel.

var corelabBin struct {
	once sync.Once
	path string
	err  error
	dir  string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if corelabBin.dir != "" {
		os.RemoveAll(corelabBin.dir)
	}
	os.Exit(code)
}

// buildCorelab builds the corelab command once per test run (go build -o
// DIR/corelab corelab) and fails the test when `corelab run` does not reach
// notebook.Main (its help must list this package's flags).
func buildCorelab(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the corelab binary; skipped with -short")
	}
	b := &corelabBin
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "corelab-notebook-test")
		if b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "corelab")
		out, err := exec.Command("go", "build", "-o", b.path, "corelab").CombinedOutput()
		if err != nil {
			b.err = fmt.Errorf("go build corelab: %v\n%s", err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	out, _ := exec.Command(b.path, "run", "-h").CombinedOutput()
	if !bytes.Contains(out, []byte("strip-solutions")) {
		t.Fatalf("`corelab run -h` does not list --strip-solutions: main.go must dispatch \"run\" to notebook.Main; it said:\n%s", out)
	}
	return b.path
}

func TestEndToEndRun(t *testing.T) {
	bin := buildCorelab(t)
	path := copySmall(t)
	htmlDir := filepath.Join(t.TempDir(), "handouts")
	cmd := exec.Command(bin, "run", path, "--html", htmlDir, "--inplace", "--timeout", "2m")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("corelab run: %v\n%s", err, out)
	}
	nb, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]*Cell{}
	var counts []int
	for _, c := range nb.Cells {
		cells[c.ID] = c
		if c.Type == "code" {
			counts = append(counts, c.ExecutionCount)
		}
	}
	if !slices.Equal(counts, []int{1, 2, 3, 4, 5}) {
		t.Errorf("execution counts %v, want 1..5", counts)
	}
	if o := cells["hello"].Outputs; len(o) != 1 || o[0].Type != "stream" || o[0].Text != "hello from corelab\nsecond line\n" {
		t.Errorf("hello outputs: %s", outputsSummary(o))
	}
	if o := cells["figure"].Outputs; len(o) != 1 || !strings.Contains(fmt.Sprint(o[0].Data["image/svg+xml"]), `id="small-bar"`) {
		t.Errorf("figure outputs: %s", outputsSummary(o))
	}
	if o := cells["update"].Outputs; len(o) != 1 || o[0].Data["text/plain"] != "done" {
		t.Errorf("update outputs (want one display, updated to \"done\"): %s", outputsSummary(o))
	}
	if o := cells["result"].Outputs; len(o) != 1 || o[0].Type != "execute_result" || o[0].Data["text/plain"] != "49" || o[0].ExecutionCount != 5 {
		t.Errorf("result outputs: %s", outputsSummary(o))
	}
	h, err := os.ReadFile(filepath.Join(htmlDir, "small.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(h, []byte(`id="small-bar"`)) || bytes.Contains(h, []byte(`class="output error"`)) {
		t.Errorf("handout lacks the figure or shows an error:\n%s", h)
	}
	if _, err := os.Stat(filepath.Join(htmlDir, "index.html")); err != nil {
		t.Error(err)
	}
}

func TestEndToEndFailingCell(t *testing.T) {
	bin := buildCorelab(t)
	path := filepath.Join(t.TempDir(), "fails.ipynb")
	nb := &Notebook{Format: 4, Minor: 5, Cells: []*Cell{
		{ID: "ok", Type: "code", Source: `x := 1`},
		{ID: "boom", Type: "code", Source: `panic("boom")`},
		{ID: "never", Type: "code", Source: `x = 2`},
	}}
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	out, err := exec.Command(bin, "run", path).CombinedOutput()
	if err == nil {
		t.Fatalf("corelab run of a failing notebook exited 0:\n%s", out)
	}
	if !bytes.Contains(out, []byte("FAIL "+path+": cell 2 (id boom)")) || !bytes.Contains(out, []byte("boom")) {
		t.Errorf("output does not name the failing cell:\n%s", out)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the failing notebook was rewritten")
	}
}

// TestEndToEndCheckpointsSwitch: after %checkpoints py39, a cell that runs
// a func declared under py310 fails, naming the cell to re-run, instead of
// silently running the old check points; re-running the declaration first
// makes the notebook run clean.
func TestEndToEndCheckpointsSwitch(t *testing.T) {
	bin := buildCorelab(t)
	decl := "var counter int\nfunc inc(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tcounter++\n\t}\n}"
	write := func(name string, cells ...string) string {
		nb := &Notebook{Format: 4, Minor: 5}
		for i, src := range cells {
			nb.Cells = append(nb.Cells, &Cell{ID: fmt.Sprintf("c%d", i+1), Type: "code", Source: src})
		}
		path := filepath.Join(t.TempDir(), name)
		if err := WriteFile(path, nb); err != nil {
			t.Fatal(err)
		}
		return path
	}
	run := "import rt \"corelab/runtime\"\nrt.Run(rt.GIL, 2, \"inc\", 1000)\ncounter"
	stale := write("stale.ipynb", decl, run, "%checkpoints py39", run)
	out, err := exec.Command(bin, "run", stale).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("cell 4 (id c4)")) || !bytes.Contains(out, []byte("Re-run the cell declaring inc (In[1]) first")) {
		t.Errorf("a cell running py310 code after %%checkpoints py39: exit %v, want a failure of cell 4 naming In[1]:\n%s", err, out)
	}
	rerun := write("rerun.ipynb", decl, "%checkpoints py39", decl, run)
	if out, err := exec.Command(bin, "run", rerun).CombinedOutput(); err != nil {
		t.Errorf("re-running the declaration after the switch: %v\n%s", err, out)
	}
}

// TestEndToEndIsolatesCopy runs issue 9's repro through the real evaluator:
// under %mode isolates, `go report(m)` with a map holding itself used to
// copy forever (39 s, 5.8 GB, out of memory, state lost); it is copied once,
// and the isolate's changes to its copy do not reach the notebook.
func TestEndToEndIsolatesCopy(t *testing.T) {
	bin := buildCorelab(t)
	path := filepath.Join(t.TempDir(), "cycle.ipynb")
	nb := &Notebook{Format: 4, Minor: 5, Cells: []*Cell{
		{ID: "decl", Type: "code", Source: "import (\n\t\"fmt\"\n\trt \"corelab/runtime\"\n)\nvar _ = fmt.Sprint\n" +
			"func report(m map[string]any, q *rt.Queue) { m[\"self\"].(map[string]any)[\"seen\"] = true; q.Put(len(m)) }"},
		{ID: "mode", Type: "code", Source: "%mode isolates"},
		{ID: "go", Type: "code", Source: "q := rt.NewQueue(1)\nm := map[string]any{}\nm[\"self\"] = m\ngo report(m, q)"},
		{ID: "got", Type: "code", Source: "fmt.Println(\"isolate:\", q.Get(), \"notebook:\", len(m))"},
	}}
	if err := WriteFile(path, nb); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "run", path, "--inplace").CombinedOutput(); err != nil {
		t.Fatalf("corelab run: %v\n%s", err, out)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if o := got.Cells[3].Outputs; len(o) != 1 || o[0].Text != "isolate: 2 notebook: 1\n" {
		t.Errorf("outputs %s, want the isolate's copy with 2 keys and the notebook's map with 1", outputsSummary(o))
	}
}

// nbconvert returns the command line that runs nbconvert, or skips.
func nbconvert(t *testing.T) []string {
	if _, err := os.Stat("/usr/bin/jupyter-nbconvert"); err == nil {
		return []string{"/usr/bin/jupyter-nbconvert"}
	}
	if exec.Command("/usr/bin/python3", "-m", "nbconvert", "--version").Run() == nil {
		return []string{"/usr/bin/python3", "-m", "nbconvert"}
	}
	t.Skip("no /usr/bin/jupyter-nbconvert and no nbconvert module for /usr/bin/python3")
	return nil
}

// TestNbconvertEquivalence executes the same notebook with `corelab run` and
// with `jupyter nbconvert --execute` through the installed corelab kernel,
// and checks that both record the same outputs (types, streams, MIME types)
// and that both HTML pages carry the same figures.
func TestNbconvertEquivalence(t *testing.T) {
	bin := buildCorelab(t)
	nbc := nbconvert(t)
	work := t.TempDir()
	prefix := filepath.Join(work, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("corelab install --prefix: %v\n%s", err, out)
	}
	src, _ := os.ReadFile("testdata/small.ipynb")
	ours, theirs := filepath.Join(work, "ours.ipynb"), filepath.Join(work, "theirs.ipynb")
	os.WriteFile(ours, src, 0o644)
	os.WriteFile(theirs, src, 0o644)

	if out, err := exec.Command(bin, "run", ours, "--inplace", "--html", work).CombinedOutput(); err != nil {
		t.Fatalf("corelab run: %v\n%s", err, out)
	}
	env := append(os.Environ(),
		"JUPYTER_PATH="+filepath.Join(prefix, "share", "jupyter"),
		"JUPYTER_RUNTIME_DIR="+filepath.Join(work, "runtime"),
		"JUPYTER_CONFIG_DIR="+filepath.Join(work, "config"),
		"JUPYTER_PLATFORM_DIRS=1")
	for _, to := range []string{"notebook", "html"} {
		args := append(slices.Clone(nbc[1:]), "--to", to, "--execute", "--ExecutePreprocessor.kernel_name=corelab",
			"--ExecutePreprocessor.timeout=120", "--output-dir", filepath.Join(work, "nbconvert"), theirs)
		cmd := exec.Command(nbc[0], args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("nbconvert --to %s: %v\n%s", to, err, out)
		}
	}

	a, err := ReadFile(ours)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(filepath.Join(work, "nbconvert", "theirs.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Cells {
		got, want := outputsSummary(a.Cells[i].Outputs), outputsSummary(b.Cells[i].Outputs)
		if got != want {
			t.Errorf("cell %d (%s): corelab run recorded %s, nbconvert %s", i+1, a.Cells[i].ID, got, want)
		}
		if a.Cells[i].ExecutionCount != b.Cells[i].ExecutionCount {
			t.Errorf("cell %d: execution count %d, nbconvert %d", i+1, a.Cells[i].ExecutionCount, b.Cells[i].ExecutionCount)
		}
	}
	ourHTML, _ := os.ReadFile(filepath.Join(work, "ours.html"))
	theirHTML, _ := os.ReadFile(filepath.Join(work, "nbconvert", "theirs.html"))
	for _, page := range [][]byte{ourHTML, theirHTML} {
		if n := bytes.Count(page, []byte(`id="small-bar"`)); n != 1 {
			t.Errorf("a handout has %d copies of the figure, want 1", n)
		}
	}
}

// outputsSummary describes outputs by what a reader sees: type, stream
// name and text, MIME types — not ids or timings.
func outputsSummary(outs []*Output) string {
	var parts []string
	for _, o := range outs {
		switch o.Type {
		case "stream":
			parts = append(parts, fmt.Sprintf("stream %s %q", o.Name, o.Text))
		case "error":
			parts = append(parts, "error "+o.EName)
		default:
			var mimes []string
			for m := range o.Data {
				mimes = append(mimes, m)
			}
			sort.Strings(mimes)
			plain, _ := json.Marshal(o.Data["text/plain"])
			parts = append(parts, fmt.Sprintf("%s %v text/plain=%s", o.Type, mimes, plain))
		}
	}
	return "[" + strings.Join(parts, "; ") + "]"
}
