// Command docgen writes the documentation that Inspect (Shift-Tab) shows
// into a zip archive that package interp embeds, so that a corelab binary with
// no Go sources and no toolchain beside it still shows doc text.
//
// For every package a cell can import (yaegi's standard library, the generic
// packages yaegi compiles from source, corelab/runtime and corelab/display)
// and for builtin, it writes the package's Go files for linux/amd64 reduced
// to what go/doc reads: the package clause and its doc comment, and the
// exported declarations with their doc comments, function bodies left out.
// For the corelab packages it also keeps the Example functions of their test
// files, whole, so that Inspect can show them. Parsing such a file with
// go/parser and go/doc gives the same documentation as the full sources.
//
//	go run ./internal/docgen -o stddoc.zip   (the go:generate line in eval)
//
// The archive is deterministic (sorted entries, fixed times), so
// scripts/check-generated.sh can tell when it is out of date. Its content
// depends on the Go release whose GOROOT it reads.
package main

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/traefik/yaegi/stdlib"
)

func main() {
	out := flag.String("o", "stddoc.zip", "write the archive to this `file`")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "docgen:", err)
		os.Exit(1)
	}
}

// own are the module's packages that cells import.
var own = []string{"corelab/runtime", "corelab/display"}

func run(out string) error {
	mod, err := moduleRoot()
	if err != nil {
		return err
	}
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH, ctx.CgoEnabled = "linux", "amd64", false // as scripts/install.sh builds
	if ctx.GOROOT == "" {
		return errors.New("GOROOT unknown: run through `go generate` or `go run`")
	}
	var pkgs []pkg
	for _, path := range importable() {
		pkgs = append(pkgs, pkg{path: path, dir: filepath.Join(ctx.GOROOT, "src", filepath.FromSlash(path))})
	}
	for _, path := range own {
		rel := strings.TrimPrefix(path, "corelab/")
		pkgs = append(pkgs, pkg{path: path, dir: filepath.Join(mod, filepath.FromSlash(rel)), examples: true})
	}
	var buf bytes.Buffer
	if err := write(&buf, &ctx, pkgs); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// importable lists the standard-library packages a cell can import: those of
// yaegi's symbol tables, those yaegi compiles from generic sources, and
// builtin, whose doc Inspect shows for len, append, ...
func importable() []string {
	seen := map[string]bool{"builtin": true, "cmp": true, "maps": true, "slices": true, "iter": true}
	for key := range stdlib.Symbols {
		// keys are "path/name": "net/http/http"
		i := strings.LastIndexByte(key, '/')
		if i > 0 && !strings.Contains(strings.Split(key, "/")[0], ".") { // not yaegi's own entries
			seen[key[:i]] = true
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return paths
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module corelab\n") {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("not inside the corelab module")
		}
		d = filepath.Dir(d)
	}
}

// pkg is one package to document: its import path, its source directory,
// and whether the Example functions of its tests go along.
type pkg struct {
	path, dir string
	examples  bool
}

// epoch is the time stamp of every entry, for a reproducible archive.
var epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// write writes the archive of pkgs to w: one entry IMPORTPATH/FILE.go per
// reduced source file.
func write(w io.Writer, ctx *build.Context, pkgs []pkg) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, p := range pkgs {
		files, err := reduce(ctx, p)
		if err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		names := make([]string, 0, len(files))
		for name := range files {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			f, err := zw.CreateHeader(&zip.FileHeader{Name: p.path + "/" + name, Method: zip.Deflate, Modified: epoch})
			if err != nil {
				return err
			}
			if _, err := f.Write(files[name]); err != nil {
				return err
			}
		}
	}
	return zw.Close()
}

// reduce returns the reduced files of p, by file name.
func reduce(ctx *build.Context, p pkg) (map[string][]byte, error) {
	bp, err := ctx.ImportDir(p.dir, build.ImportComment)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	fset := token.NewFileSet()
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if p.path != "builtin" { // builtin's names are all lower case
			ast.FileExports(f)
		}
		if b := render(fset, f, isDeclared); b != nil {
			out[name] = b
		}
	}
	if !p.examples {
		return out, nil
	}
	for _, name := range append(append([]string{}, bp.TestGoFiles...), bp.XTestGoFiles...) {
		f, err := parser.ParseFile(fset, filepath.Join(p.dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		if b := render(fset, f, isExample); b != nil {
			out[name] = b
		}
	}
	return out, nil
}

// A keep func picks the declarations of a file to write, and says whether
// a function keeps its body.
type keep func(ast.Decl) (ok, body bool)

// isDeclared keeps every declaration but imports, without function bodies.
func isDeclared(d ast.Decl) (bool, bool) {
	if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
		return false, false
	}
	return true, false
}

// isExample keeps the Example functions, whole (their body is the example,
// and its last comment the expected output).
func isExample(d ast.Decl) (bool, bool) {
	f, ok := d.(*ast.FuncDecl)
	return ok && f.Recv == nil && strings.HasPrefix(f.Name.Name, "Example"), true
}

// render prints the package clause of f and the declarations keep picks,
// each with its doc comment and the comments inside it; nil if it keeps
// nothing and f carries no package doc.
func render(fset *token.FileSet, f *ast.File, keep keep) []byte {
	var b bytes.Buffer
	kept := 0
	for _, d := range f.Decls {
		ok, body := keep(d)
		if !ok {
			continue
		}
		if fd, ok := d.(*ast.FuncDecl); ok && !body {
			c := *fd
			c.Body = nil
			d = &c
		}
		printDecl(&b, fset, f, d)
		kept++
	}
	if kept == 0 && f.Doc == nil {
		return nil
	}
	var head bytes.Buffer
	writeComment(&head, f.Doc)
	fmt.Fprintf(&head, "package %s\n", f.Name.Name)
	return append(head.Bytes(), b.Bytes()...)
}

// printDecl prints d with its doc comment and the comments inside its
// extent (field and constant docs, an example's output).
func printDecl(b *bytes.Buffer, fset *token.FileSet, f *ast.File, d ast.Decl) {
	b.WriteByte('\n')
	_ = printer.Fprint(b, fset, &printer.CommentedNode{Node: d, Comments: f.Comments})
	b.WriteByte('\n')
}

func writeComment(b *bytes.Buffer, g *ast.CommentGroup) {
	if g == nil {
		return
	}
	for _, c := range g.List {
		b.WriteString(c.Text)
		b.WriteByte('\n')
	}
}
