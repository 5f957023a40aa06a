package interp

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Every package a cell can import has its documentation in the binary, so
// Inspect shows doc text where no Go sources are (the Docker image).
func TestEmbeddedDocsCoverImportablePackages(t *testing.T) {
	paths := []string{"builtin", "corelab/runtime", "corelab/display", "cmp", "maps", "slices"}
	for path := range stdTables().pkgs {
		paths = append(paths, path)
	}
	for _, path := range paths {
		d, fset := embeddedDoc(path)
		if d == nil || fset == nil {
			t.Errorf("%s: no embedded documentation", path)
			continue
		}
		if d.ImportPath != path {
			t.Errorf("%s: documented as %s", path, d.ImportPath)
		}
	}
}

// The embedded documentation gives the same text as the sources.
func TestEmbeddedDocsMatchSources(t *testing.T) {
	for _, c := range []struct{ path, name string }{
		{"strings", "ToUpper"},
		{"net/http", "Get"},
		{"time", "Duration"},
		{"corelab/runtime", "Compare"},
		{"corelab/runtime", "Run"},
		{"corelab/display", "HTML"},
	} {
		dir := findModuleDir(strings.TrimPrefix(c.path, "corelab/"))
		if !strings.HasPrefix(c.path, "corelab/") {
			dir = filepath.Join(goroot(t), "src", c.path)
		}
		src, srcSet := sourceDoc(dir, c.path)
		emb, embSet := embeddedDoc(c.path)
		if src == nil || emb == nil {
			t.Fatalf("%s: source %v, embedded %v", c.path, src != nil, emb != nil)
		}
		docFset[c.path] = srcSet
		want, ok1 := docOf(src, c.name)
		docFset[c.path] = embSet
		got, ok2 := docOf(emb, c.name)
		delete(docFset, c.path)
		if !ok1 || !ok2 || got != want || !strings.Contains(got, c.name) {
			t.Errorf("%s.%s: embedded\n%s\nsource\n%s", c.path, c.name, got, want)
		}
	}
}

func goroot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatal("go env GOROOT:", err)
	}
	return strings.TrimSpace(string(out))
}

// A package's Example functions show under the func they document, with
// their output, from sources and so from the embedded copy (docgen keeps
// the same files).
func TestInspectShowsExamples(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lab.go", "// Package lab is a lab.\npackage lab\n\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }\n\n// T is a type.\ntype T struct{}\n\n// Hello greets.\nfunc (T) Hello() string { return \"hi\" }\n")
	write("example_test.go", `package lab_test

import (
	"fmt"

	"corelab/lab"
)

func ExampleTwice() {
	// Twice of 21:
	fmt.Println(lab.Twice(21))
	// Output: 42
}

func ExampleT_Hello() {
	fmt.Println(lab.T{}.Hello())
	// Output:
	// hi
}
`)
	d, fset := sourceDoc(dir, "corelab/lab")
	if d == nil {
		t.Fatal("no doc")
	}
	docFset["corelab/lab"] = fset
	defer delete(docFset, "corelab/lab")
	text, ok := docOf(d, "Twice")
	if !ok {
		t.Fatal("Twice not found")
	}
	text = withExamples(fset, text, examplesOf(d, "", "Twice"))
	want := "func Twice(n int) int\n\nTwice doubles n.\n\nExample:\n\n// Twice of 21:\nfmt.Println(lab.Twice(21))\n\n// Output:\n// 42"
	if text != want {
		t.Errorf("got\n%q\nwant\n%q", text, want)
	}
	m, ok := methodDoc(d, "T", "Hello")
	if !ok || !strings.Contains(m, "Example:\n\nfmt.Println(lab.T{}.Hello())\n\n// Output:\n// hi") {
		t.Errorf("method example missing:\n%s", m)
	}
}

// BenchmarkEmbeddedDoc is the first Shift-Tab on a package without sources:
// unzip and parse its reduced files (stdDoc caches the result).
func BenchmarkEmbeddedDoc(b *testing.B) {
	for _, path := range []string{"strings", "net/http", "corelab/runtime"} {
		b.Run(strings.ReplaceAll(path, "/", "_"), func(b *testing.B) {
			for b.Loop() {
				if d, _ := embeddedDoc(path); d == nil {
					b.Fatal("no doc")
				}
			}
		})
	}
}
