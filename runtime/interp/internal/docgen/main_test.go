package main

import (
	"archive/zip"
	"bytes"
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The reduced files keep what go/doc shows (exported declarations, their
// docs, field docs, examples with their output) and nothing else.
func TestReduce(t *testing.T) {
	dir := t.TempDir()
	put := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("lab.go", `// Package lab is a lab.
package lab

import "strings"

// Upper shouts.
func Upper(s string) string {
	// a comment in the body
	return strings.ToUpper(s)
}

func lower(s string) string { return strings.ToLower(s) }

// Config configures.
type Config struct {
	// Workers is how many.
	Workers int
	secret  string
}
`)
	put("lab_other.go", "//go:build windows\n\npackage lab\n\n// OnlyWindows is not on linux.\nfunc OnlyWindows() {}\n")
	put("lab_test.go", "package lab\n\nimport \"testing\"\n\nfunc TestX(t *testing.T) {}\n\nfunc ExampleUpper() {\n\tprintln(Upper(\"a\"))\n\t// Output: A\n}\n")
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = "linux", "amd64", false
	files, err := reduce(&ctx, pkg{path: "corelab/lab", dir: dir, examples: true})
	if err != nil {
		t.Fatal(err)
	}
	lab := string(files["lab.go"])
	for _, want := range []string{"// Package lab is a lab.\npackage lab\n", "// Upper shouts.\nfunc Upper(s string) string\n",
		"// Config configures.\ntype Config struct {\n\t// Workers is how many.\n\tWorkers int\n"} {
		if !strings.Contains(lab, want) {
			t.Errorf("lab.go lacks %q:\n%s", want, lab)
		}
	}
	for _, gone := range []string{"lower", "secret", "a comment in the body", "import", "return"} {
		if strings.Contains(lab, gone) {
			t.Errorf("lab.go keeps %q:\n%s", gone, lab)
		}
	}
	if _, ok := files["lab_other.go"]; ok {
		t.Error("a windows-only file was kept")
	}
	test := string(files["lab_test.go"])
	if !strings.Contains(test, "func ExampleUpper() {\n\tprintln(Upper(\"a\"))\n\t// Output: A\n}") || strings.Contains(test, "TestX") {
		t.Errorf("lab_test.go:\n%s", test)
	}

	// The archive is the same bytes every time.
	var a, b bytes.Buffer
	p := []pkg{{path: "corelab/lab", dir: dir, examples: true}}
	if err := write(&a, &ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := write(&b, &ctx, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two archives of the same sources differ")
	}
	r, err := zip.NewReader(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range r.File {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, " "); got != "corelab/lab/lab.go corelab/lab/lab_test.go" {
		t.Errorf("entries: %s", got)
	}
}
