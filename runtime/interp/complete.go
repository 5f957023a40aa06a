package interp

import (
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/scanner"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Jupyter counts cursor positions in Unicode code points; Go in bytes. The
// exported functions here take and return code points.

func runeToByte(s string, cursor int) int {
	if cursor < 0 {
		return 0
	}
	i := 0
	for n := 0; n < cursor && i < len(s); n++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
	}
	return i
}

func byteToRune(s string, off int) int {
	if off > len(s) {
		off = len(s)
	}
	return utf8.RuneCountInString(s[:off])
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identBefore returns the start of the identifier ending at off.
func identBefore(s string, off int) int {
	for off > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:off])
		if !isIdentRune(r) {
			break
		}
		off -= w
	}
	return off
}

var keywords = []string{
	"break", "case", "chan", "const", "continue", "default", "defer", "else", "fallthrough",
	"for", "func", "go", "goto", "if", "import", "interface", "map", "package", "range",
	"return", "select", "struct", "switch", "type", "var",
}

var builtins = []string{
	"any", "append", "bool", "byte", "cap", "clear", "close", "comparable", "complex", "complex128",
	"complex64", "copy", "delete", "error", "false", "float32", "float64", "imag", "int", "int16",
	"int32", "int64", "int8", "iota", "len", "make", "max", "min", "new", "nil", "panic", "print",
	"println", "real", "recover", "rune", "string", "true", "uint", "uint16", "uint32", "uint64",
	"uint8", "uintptr",
}

// Complete returns the completions for the identifier before cursor (a
// code-point offset into code) and the code-point range they replace:
// members of a package or notebook value after "x.", otherwise keywords,
// builtins, notebook globals, imported packages and names used in code.
func (in *Interpreter) Complete(code string, cursor int) (matches []string, start, end int) {
	off := runeToByte(code, cursor)
	s := identBefore(code, off)
	prefix := code[s:off]
	var cands []string
	if s > 0 && code[s-1] == '.' {
		xs := identBefore(code, s-1)
		x := code[xs : s-1]
		cands = in.members(code, x)
	} else {
		cands = append(cands, keywords...)
		cands = append(cands, builtins...)
		cands = append(cands, in.state.names()...)
		for k := range in.Globals() {
			cands = append(cands, k)
		}
		cands = append(cands, identsIn(code)...)
		for _, imp := range importsIn(code) {
			cands = append(cands, imp.localName())
		}
	}
	seen := map[string]bool{}
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !seen[c] && !strings.HasPrefix(c, "_cl") && c != prefix {
			seen[c] = true
			matches = append(matches, c)
		}
	}
	sort.Strings(matches)
	return matches, byteToRune(code, s), byteToRune(code, off)
}

// members lists what follows "x.": a package's exported names, or the
// fields and methods of a notebook global.
func (in *Interpreter) members(code, x string) []string {
	if path, ok := in.packagePath(code, x); ok {
		var out []string
		for name := range in.pkgs[path] {
			if ast.IsExported(name) {
				out = append(out, name)
			}
		}
		return out
	}
	if v, ok := in.Globals()[x]; ok && v.IsValid() {
		return typeMembers(v.Type())
	}
	return nil
}

func typeMembers(t reflect.Type) []string {
	var out []string
	for _, tt := range []reflect.Type{t, reflect.PointerTo(t)} {
		for i := 0; i < tt.NumMethod(); i++ {
			out = append(out, tt.Method(i).Name)
		}
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			out = append(out, fieldName(t.Field(i).Name))
		}
	}
	return out
}

// fieldName undoes yaegi's renaming of unexported fields of interpreted
// structs (x becomes Xx, so that reflect can build the type).
func fieldName(n string) string {
	if len(n) > 1 && n[0] == 'X' {
		if r, _ := utf8.DecodeRuneInString(n[1:]); unicode.IsLower(r) {
			return n[1:]
		}
	}
	return n
}

// packagePath resolves a package name used in code: imported by an earlier
// cell, imported in code itself, or a stdlib package yaegi knows by that name.
func (in *Interpreter) packagePath(code, name string) (string, bool) {
	if p, ok := in.state.importPath(name); ok {
		return p, true
	}
	for _, imp := range importsIn(code) {
		if imp.localName() == name {
			return imp.path, true
		}
	}
	if _, ok := in.pkgs[name]; ok {
		return name, true
	}
	for path := range in.pkgs {
		if strings.HasSuffix(path, "/"+name) && !strings.Contains(path, "internal") && !strings.Contains(path, ".") {
			return path, true
		}
	}
	return "", false
}

// importsIn finds the imports written in code, even if it does not parse.
func importsIn(code string) []importSpec {
	var out []importSpec
	for _, ch := range scanChunks(code) {
		text := code[ch.start:ch.end]
		if !strings.HasPrefix(text, "import") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), "", "package p;"+text, parser.ImportsOnly)
		if err != nil {
			continue
		}
		for _, is := range f.Imports {
			out = append(out, importOf(is))
		}
	}
	return out
}

func identsIn(code string) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", fset.Base(), len(code)), []byte(code), func(token.Position, string) {}, 0)
	var out []string
	for {
		_, t, lit := s.Scan()
		if t == token.EOF {
			return out
		}
		if t == token.IDENT {
			out = append(out, lit)
		}
	}
}

// inspectName documents name, or x.name when x is not empty: for a notebook
// declaration its signature and doc comment, for a package member its
// signature and doc from the Go sources (GOROOT, or the module for corelab
// packages when found), else the symbol's type. Inspect (inspect_call.go)
// finds the name from the cursor.
func (in *Interpreter) inspectName(code, x, name string) (text string, found bool) {
	if x != "" {
		if path, ok := in.packagePath(code, x); ok {
			return in.packageDoc(path, name)
		}
		if v, ok := in.Globals()[x]; ok && v.IsValid() {
			t := v.Type()
			if t.Kind() == reflect.Pointer {
				t = t.Elem()
			}
			if t.PkgPath() != "" {
				if d := stdDoc(t.PkgPath()); d != nil {
					if text, ok := methodDoc(d, t.Name(), name); ok {
						return text, true
					}
				}
			}
			if m, ok := v.Type().MethodByName(name); ok {
				return x + "." + name + " " + m.Type.String(), true
			}
			if m, ok := reflect.PointerTo(v.Type()).MethodByName(name); ok {
				return x + "." + name + " " + m.Type.String(), true
			}
		}
		// a notebook method of that name, whatever the receiver
		var found []string
		for _, e := range in.state.methods(name) {
			found = append(found, declSummary(e))
		}
		if len(found) > 0 {
			return strings.Join(found, "\n\n"), true
		}
		return "", false
	}
	if ent, ok := in.state.lookup(name); ok && !ent.dead {
		return declSummary(ent), true
	}
	if path, ok := in.packagePath(code, name); ok {
		if d := stdDoc(path); d != nil {
			return "package " + d.Name + " // import \"" + path + "\"\n\n" + d.Doc, true
		}
	}
	if v, ok := in.Globals()[name]; ok && v.IsValid() {
		return name + " " + v.Type().String(), true
	}
	for _, b := range builtins {
		if b == name {
			if d := stdDoc("builtin"); d != nil {
				return docOf(d, name)
			}
		}
	}
	return "", false
}

// packageDoc documents path.name from source (or the embedded docs), with
// its examples, or else gives its type from the symbol table.
func (in *Interpreter) packageDoc(path, name string) (string, bool) {
	if d := stdDoc(path); d != nil {
		if t, ok := docOf(d, name); ok {
			return withExamples(docFset[d.ImportPath], t, examplesOf(d, "", name)), true
		}
	}
	if v, ok := in.pkgs[path][name]; ok {
		return path + "." + name + " " + symbolType(v), true
	}
	return "", false
}

func symbolType(v reflect.Value) string {
	if !v.IsValid() {
		return ""
	}
	if v.Kind() == reflect.Pointer && v.Type().Elem().Kind() != reflect.Func && v.IsNil() {
		return "type " + v.Type().Elem().String()
	}
	return v.Type().String()
}

var (
	docMu    sync.Mutex
	docCache = map[string]*doc.Package{}
)

// stdDoc parses the documentation of a package from its source: GOROOT for
// the standard library, the module for corelab/... when the source is found.
// Without sources (no Go installed, a binary away from its checkout) it reads
// the copy embedded at build time (docs.go). For corelab's packages the
// Example functions of their tests come along.
func stdDoc(path string) *doc.Package {
	docMu.Lock()
	defer docMu.Unlock()
	if d, ok := docCache[path]; ok {
		return d
	}
	dir := ""
	if p, err := build.Import(path, "", build.FindOnly); err == nil {
		dir = p.Dir
	}
	if dir == "" && strings.HasPrefix(path, "corelab/") {
		dir = findModuleDir(strings.TrimPrefix(path, "corelab/"))
	}
	var d *doc.Package
	var fset *token.FileSet
	if dir != "" {
		d, fset = sourceDoc(dir, path)
	}
	if d == nil {
		d, fset = embeddedDoc(path)
	}
	docCache[path] = d
	if d != nil {
		docFset[path] = fset
	}
	return d
}

// sourceDoc parses the documentation of the package in dir: the files the
// host's build would compile, and for corelab's packages their test files,
// which go/doc reads only for examples.
func sourceDoc(dir, path string) (*doc.Package, *token.FileSet) {
	bp, err := build.ImportDir(dir, 0)
	if err != nil {
		return nil, nil
	}
	names := bp.GoFiles
	if strings.HasPrefix(path, "corelab/") {
		names = append(append(append([]string{}, names...), bp.TestGoFiles...), bp.XTestGoFiles...)
	}
	fset := token.NewFileSet()
	files := make([]*ast.File, 0, len(names))
	for _, name := range names {
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return nil, nil
		}
		files = append(files, f)
	}
	d, err := doc.NewFromFiles(fset, files, path, docMode(path))
	if err != nil {
		return nil, nil
	}
	return d, fset
}

var docFset = map[string]*token.FileSet{}

// findModuleDir looks for the corelab module's source beside the executable
// or above the working directory.
func findModuleDir(rel string) string {
	var roots []string
	if wd, err := os.Getwd(); err == nil {
		roots = append(roots, wd)
	}
	if exe, err := os.Executable(); err == nil {
		roots = append(roots, filepath.Dir(exe))
	}
	for _, r := range roots {
		for d := r; ; d = filepath.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module corelab\n") {
				dir := filepath.Join(d, filepath.FromSlash(rel))
				if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
					return dir
				}
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return ""
}

// methodDoc renders the signature, doc and examples of method name of type
// typ in d.
func methodDoc(d *doc.Package, typ, name string) (string, bool) {
	for _, t := range d.Types {
		if t.Name != typ {
			continue
		}
		for _, m := range t.Methods {
			if m.Name == name {
				fd := *m.Decl
				fd.Body, fd.Doc = nil, nil
				var b strings.Builder
				_ = printer.Fprint(&b, docFset[d.ImportPath], &fd)
				if m.Doc != "" {
					b.WriteString("\n\n" + m.Doc)
				}
				return withExamples(docFset[d.ImportPath], b.String(), m.Examples), true
			}
		}
	}
	return "", false
}

// docOf renders the declaration (without body) and doc of name in d.
func docOf(d *doc.Package, name string) (string, bool) {
	fset := docFset[d.ImportPath]
	render := func(decl ast.Decl, text string) (string, bool) {
		var b strings.Builder
		if fd, ok := decl.(*ast.FuncDecl); ok {
			c := *fd
			c.Body = nil
			c.Doc = nil
			decl = &c
		}
		if gd, ok := decl.(*ast.GenDecl); ok {
			c := *gd
			c.Doc = nil
			decl = &c
		}
		_ = printer.Fprint(&b, fset, decl)
		if text != "" {
			b.WriteString("\n\n" + text)
		}
		return b.String(), true
	}
	for _, f := range d.Funcs {
		if f.Name == name {
			return render(f.Decl, f.Doc)
		}
	}
	for _, t := range d.Types {
		if t.Name == name {
			return render(t.Decl, t.Doc)
		}
		for _, f := range t.Funcs {
			if f.Name == name {
				return render(f.Decl, f.Doc)
			}
		}
		for _, v := range append(t.Consts, t.Vars...) {
			for _, n := range v.Names {
				if n == name {
					return render(v.Decl, v.Doc)
				}
			}
		}
	}
	for _, v := range append(d.Consts, d.Vars...) {
		for _, n := range v.Names {
			if n == name {
				return render(v.Decl, v.Doc)
			}
		}
	}
	return "", false
}
