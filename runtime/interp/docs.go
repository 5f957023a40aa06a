package interp

import (
	"archive/zip"
	"bytes"
	_ "embed" // stddoc.zip
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"strings"
	"sync"
)

// The documentation Inspect shows when no Go sources are at hand (a binary
// in a Docker image, on a laptop without Go): the packages cells can import,
// reduced to their exported declarations and doc comments, plus the Example
// functions of corelab's own packages. internal/docgen writes it; it adds
// about 0.85 MB to the binary.
//
//go:generate go run ./internal/docgen -o stddoc.zip
//go:embed stddoc.zip
var stddocZip []byte

// embeddedFiles indexes the archive by import path, once.
var embeddedFiles = sync.OnceValue(func() map[string][]*zip.File {
	r, err := zip.NewReader(bytes.NewReader(stddocZip), int64(len(stddocZip)))
	if err != nil {
		return nil // a broken archive is a build bug; Inspect falls back to signatures
	}
	m := map[string][]*zip.File{}
	for _, f := range r.File {
		if i := strings.LastIndexByte(f.Name, '/'); i > 0 {
			m[f.Name[:i]] = append(m[f.Name[:i]], f)
		}
	}
	return m
})

// embeddedDoc is the documentation of path from the embedded archive, with
// the file set its declarations were parsed into; nil if path is not there.
func embeddedDoc(path string) (*doc.Package, *token.FileSet) {
	fset := token.NewFileSet()
	var files []*ast.File
	for _, zf := range embeddedFiles()[path] {
		rc, err := zf.Open()
		if err != nil {
			return nil, nil
		}
		src, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil
		}
		f, err := parser.ParseFile(fset, zf.Name, src, parser.ParseComments)
		if err != nil {
			return nil, nil
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return nil, nil
	}
	d, err := doc.NewFromFiles(fset, files, path, docMode(path))
	if err != nil {
		return nil, nil
	}
	return d, fset
}

// docMode is the go/doc mode for path: builtin's names are all lower case.
func docMode(path string) doc.Mode {
	if path == "builtin" {
		return doc.AllDecls
	}
	return 0
}

// withExamples appends the examples to text, each under a heading.
func withExamples(fset *token.FileSet, text string, examples []*doc.Example) string {
	for _, ex := range examples {
		code := exampleCode(fset, ex)
		if code == "" {
			continue
		}
		title := "Example"
		if ex.Suffix != "" {
			title += " (" + ex.Suffix + ")"
		}
		text = strings.TrimRight(text, "\n") + "\n\n" + title + ":\n\n" + code
		if ex.Output != "" {
			text += "\n\n// Output:\n" + indentLines(strings.TrimRight(ex.Output, "\n"), "// ")
		}
	}
	return text
}

// exampleCode prints the body of an example without its braces, unindented
// by one tab, and without the output comment (shown apart).
func exampleCode(fset *token.FileSet, ex *doc.Example) string {
	body, ok := ex.Code.(*ast.BlockStmt)
	if !ok {
		return ""
	}
	var comments []*ast.CommentGroup
	for _, c := range ex.Comments {
		if c.Pos() > body.Lbrace && c.End() < body.Rbrace && !isOutputComment(c) {
			comments = append(comments, c)
		}
	}
	var b bytes.Buffer
	if err := printer.Fprint(&b, fset, &printer.CommentedNode{Node: body, Comments: comments}); err != nil {
		return ""
	}
	s := strings.TrimSpace(b.String())
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, "\t")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

func isOutputComment(c *ast.CommentGroup) bool {
	t := strings.TrimSpace(c.Text())
	return strings.HasPrefix(t, "Output:") || strings.HasPrefix(t, "Unordered output:")
}

func indentLines(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(prefix+l, " ")
	}
	return strings.Join(lines, "\n")
}

// examplesOf returns the examples go/doc attached to name in d: a func, a
// type, a type's constructor, or (with typ set) a method of typ.
func examplesOf(d *doc.Package, typ, name string) []*doc.Example {
	for _, f := range d.Funcs {
		if typ == "" && f.Name == name {
			return f.Examples
		}
	}
	for _, t := range d.Types {
		if typ == "" && t.Name == name {
			return t.Examples
		}
		for _, f := range t.Funcs {
			if typ == "" && f.Name == name {
				return f.Examples
			}
		}
		if t.Name == typ {
			for _, m := range t.Methods {
				if m.Name == name {
					return m.Examples
				}
			}
		}
	}
	return nil
}
