package symbols

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/traefik/yaegi/extract"
)

// generateArgs returns the -exclude patterns and packages of the
// go:generate directive in symbols.go, so the test checks exactly what
// `go generate` produces.
func generateArgs(t *testing.T) (exclude []string, pkgs []string) {
	f, err := os.Open("symbols.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "//go:generate ") {
			continue
		}
		fields := strings.Fields(line)
		for i, f := range fields {
			if f != "extract" {
				continue
			}
			for _, a := range fields[i+1:] {
				if v, ok := strings.CutPrefix(a, "-exclude="); ok {
					exclude = strings.Split(v, ",")
				} else if !strings.HasPrefix(a, "-") {
					pkgs = append(pkgs, a)
				}
			}
			return exclude, pkgs
		}
	}
	t.Fatal("no go:generate yaegi extract directive in symbols.go")
	return nil, nil
}

// TestGeneratedUpToDate regenerates the tables in memory and compares them
// with the files in the package: run `go generate ./runtime/symbols` when
// it fails.
func TestGeneratedUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks corelab/runtime from source (slow)")
	}
	exclude, pkgs := generateArgs(t)
	ext := extract.Extractor{Dest: "symbols", Exclude: exclude}
	r := strings.NewReplacer("/", "-", ".", "_", "~", "_")
	for _, p := range pkgs {
		var buf bytes.Buffer
		ipp, err := ext.Extract(p, "symbols", &buf)
		if err != nil {
			t.Fatalf("extract %s: %v", p, err)
		}
		file := r.Replace(ipp) + ".go"
		have, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v (run go generate ./runtime/symbols)", file, err)
		}
		if !bytes.Equal(have, buf.Bytes()) {
			t.Errorf("%s is out of date: run go generate ./runtime/symbols", file)
		}
	}
}

func TestTables(t *testing.T) {
	rt := Symbols["corelab/runtime/runtime"]
	for _, name := range []string{"Run", "Compare", "Scale", "Fib", "GIL", "Queue"} {
		if _, ok := rt[name]; !ok {
			t.Errorf("rt.%s missing from the table", name)
		}
	}
	for _, name := range []string{"Attach", "CellStart", "Setup", "WorkerMain"} {
		if _, ok := rt[name]; ok {
			t.Errorf("lifecycle function rt.%s must not be callable from cells", name)
		}
	}
	if _, ok := Symbols["corelab/display/display"]["HTML"]; !ok {
		t.Error("display.HTML missing")
	}
}
