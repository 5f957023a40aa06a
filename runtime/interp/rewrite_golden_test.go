package interp

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/rewrite/*.golden from what Rewrite makes now")

// TestRewriteGolden runs the instrumentation pass on every cell in
// testdata/rewrite (NAME.cell, a cell as a user types it) and compares the
// result with NAME.golden, byte for byte: any change to what the rewriter
// inserts shows up as a diff to review. Comment lines at the top set how
// the cell is rewritten: `// policy: py39` (py310 otherwise), `// cell: N`
// (rewritten as the notebook's Nth Eval, which adds position marks;
// Rewrite's cell 0 has none) and `// rangeints` (ranges over integers
// rewritten, as on compilePart's second try). go test -run
// TestRewriteGolden -update regenerates the golden files.
func TestRewriteGolden(t *testing.T) {
	cells, err := filepath.Glob(filepath.Join("testdata", "rewrite", "*.cell"))
	if err != nil || len(cells) == 0 {
		t.Fatalf("no cells in testdata/rewrite (%v)", err)
	}
	for _, path := range cells {
		name := strings.TrimSuffix(filepath.Base(path), ".cell")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := rewriteAs(string(src))
			if err != nil {
				t.Fatalf("Rewrite: %v", err)
			}
			got = normalBuild(got)
			if lineCount(got) != lineCount(string(src)) {
				t.Errorf("Rewrite changed the number of lines: %d, want %d", lineCount(got), lineCount(string(src)))
			}
			golden := strings.TrimSuffix(path, ".cell") + ".golden"
			if *updateGolden {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestRewriteGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Rewrite(%s) differs from %s:\n%s", path, golden, goldenDiff(string(want), got))
			}
		})
	}
}

// raceForms are what race builds insert in place of the normal build's
// check-point test and position marks (flag_race.go), and the normal
// build's text for each: the golden files hold the normal build's text, so
// that one set of them serves `go test` and `go test -race`.
var raceForms = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(regexp.QuoteMeta(hostName) + `\.Pending\(\)`), flagVar},
	{regexp.MustCompile(regexp.QuoteMeta(hostName) + `\.AtTop\((-?\d+)\);`), "_clTop = $1;"},
	{regexp.MustCompile(regexp.QuoteMeta(hostName) + `\.At\((-?\d+)\);`), "_clAt = $1;"},
}

// normalBuild maps a race build's instrumentation to the normal build's.
func normalBuild(s string) string {
	for _, f := range raceForms {
		s = f.re.ReplaceAllString(s, f.repl)
	}
	return s
}

func lineCount(s string) int { return strings.Count(s, "\n") }

// lineDiff lists the lines that differ between want and got, numbered.
func goldenDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want: %s\n   got: %s\n", i+1, wl, gl)
		}
	}
	return b.String()
}

// rewriteAs rewrites src as Rewrite does, with the settings its leading
// comments ask for (see TestRewriteGolden).
func rewriteAs(src string) (string, error) {
	p, n, rangeInts := Py310, 0, false
	for _, l := range strings.Split(src, "\n") {
		l, ok := strings.CutPrefix(l, "// ")
		if !ok {
			break
		}
		switch {
		case l == "policy: py39":
			p = Py39
		case l == "rangeints":
			rangeInts = true
		case strings.HasPrefix(l, "cell: "):
			v, err := strconv.Atoi(strings.TrimPrefix(l, "cell: "))
			if err != nil {
				return "", err
			}
			n = v
		}
	}
	return rewriteCell(src, p, n, rangeInts)
}
