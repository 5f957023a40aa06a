package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"sort"
	"strings"
)

// A cell's source is evaluated as two Go texts of the same length and shape
// as the cell: the declarations (everything else blanked to spaces) and the
// statements (declarations blanked), each behind a prefix of the same length
// on line 1. Byte offsets, and so line and column numbers, stay the cell's own.
const (
	flagVar  = "_clFlag"
	hostName = "_clh"

	stmtPrefix = "package main;func main(){"
	declPrefix = "package main;            "
	stmtSuffix = "\n}"
)

// cellPrefix is the common length both prefixes share.
const cellPrefix = stmtPrefix

// prelude declares, inside each interpreter, what instrumented code uses.
const prelude = `package main
import ` + hostName + ` "` + hostPath + `"
var ` + flagVar + ` bool
var _clTick = ` + hostName + `.Tick
var _clBlock = ` + hostName + `.Block
var _clGo = ` + hostName + `.Go
var _clGoCall = ` + hostName + `.GoCall
var _clGoSpread = ` + hostName + `.GoSpread
var _clGoNamed = ` + hostName + `.GoNamed
var _clPanic = ` + hostName + `.Panic
var _clSync = ` + hostName + `.Sync
var _clBlocking = ` + hostName + `.Blocking
var _clBlockingFunc = ` + hostName + `.BlockingFunc
var _clRun = ` + hostName + `.Run
var _clClosed = ` + hostName + `.Closed
var _clAt, _clTop int
`

type chunkKind uint8

const (
	chunkStmt chunkKind = iota
	chunkDecl
	chunkPackage
)

// chunk is one top-level piece of a cell: a declaration or a statement.
type chunk struct {
	start, end int
	kind       chunkKind
}

// cell is a split, checked cell ready to run.
type cell struct {
	n            int    // the interpreter's count of Evals, names its files
	label        string // what errors call the cell: "cell[3]", or SetLabel's
	src          string
	imps         string // full Go text of the new imports, "" when none
	parts        []part // declarations and statements, in the order they run
	trailingExpr bool
	trailingCall *ast.CallExpr // the trailing expression when it is a call
	funcNames    []string
	entries      []*declEntry // declarations to remember once they ran
	imports      []importSpec
	chans        []string
	rangeInts    bool         // rewrite ranges over integers (a second try, see compilePart)
	policy       Policy       // the check-point policy it is compiled with
	wraps        map[int]bool // offsets of statements run inside func(){...}() (see wrappable)
}

// noteWrap records that the statement at byte offset off runs inside a
// func literal of the rewriter's, which tracebacks leave out.
func (c *cell) noteWrap(off int) {
	if c.wraps == nil {
		c.wraps = map[int]bool{}
	}
	c.wraps[off] = true
}

// part is one compilation unit of a cell: a declarations text or a
// statements text, blanked outside its segment.
type part struct {
	tag   string // names the file: "d0", "s0", "d1", ...
	text  string
	stmts bool
}

// segment returns text with the cell bytes outside [lo, hi) blanked; the
// prefix and the last suffix bytes are kept.
func segment(text []byte, lo, hi, suffix int) string {
	b := append([]byte(nil), text...)
	blankRange(b, len(cellPrefix), lo)
	blankRange(b, hi, len(b)-suffix)
	return string(b)
}

// segmentCuts returns the offsets (in the prefixed texts) where the cell
// must be cut: after each statement that defines a name a later
// declaration uses.
func segmentCuts(decls []ast.Decl, stmts []ast.Stmt) []int {
	type def struct {
		end   int
		names map[string]bool
	}
	var defs []def
	for _, st := range stmts {
		names := map[string]bool{}
		switch x := st.(type) {
		case *ast.AssignStmt:
			if x.Tok == token.DEFINE {
				for _, l := range x.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						names[id.Name] = true
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := x.Decl.(*ast.GenDecl); ok {
				for _, sp := range gd.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for _, id := range vs.Names {
							names[id.Name] = true
						}
					}
				}
			}
		}
		if len(names) > 0 {
			defs = append(defs, def{int(st.End()) - 1, names})
		}
	}
	cutSet := map[int]bool{}
	for _, d := range decls {
		at := int(d.Pos()) - 1
		cut := -1
		for _, df := range defs {
			if df.end <= at && usesAny(d, df.names) {
				cut = df.end
			}
		}
		if cut >= 0 {
			cutSet[cut] = true
		}
	}
	var cuts []int
	for c := range cutSet {
		cuts = append(cuts, c)
	}
	sort.Ints(cuts)
	return cuts
}

// splitCell splits src into declarations and statements and checks what
// yaegi would get wrong: repeated imports (dropped) and changed types (refused).
func splitCell(src string, n int, label string, nb *notebook) (*cell, error) {
	if label == "" {
		label = fmt.Sprintf("cell[%d]", n)
	}
	c := &cell{n: n, label: label, src: src}
	chunks := scanChunks(src)

	// Parse the statements first: a var declaration that uses a name the
	// cell defines with := has to run in order with the statements.
	stmtFile, err := parseHalf(c, chunks, chunkStmt)
	if err != nil {
		return nil, err
	}
	defined := map[string]bool{}
	body := stmtFile.Decls[len(stmtFile.Decls)-1].(*ast.FuncDecl).Body
	for _, s := range body.List {
		if as, ok := s.(*ast.AssignStmt); ok && as.Tok == token.DEFINE {
			for _, l := range as.Lhs {
				if id, ok := l.(*ast.Ident); ok {
					defined[id.Name] = true
				}
			}
		}
	}
	declFile, err := parseHalf(c, chunks, chunkDecl)
	if err != nil {
		return nil, err
	}
	// yaegi (v0.16.1) fails with "variable definition loop" on a global
	// var declaration whose initializer uses a global variable compiled
	// earlier (var wr io.Writer = &sb, sb from an earlier cell): such a
	// declaration also runs in order with the statements, where it works.
	if nb.earlierVars != nil && hasVarInit(declFile) {
		for name := range nb.earlierVars() {
			defined[name] = true
		}
	}
	moved := false
	if len(defined) > 0 || slices.ContainsFunc(declFile.Decls, isCommaOKVar) {
		for _, d := range declFile.Decls {
			gd, ok := d.(*ast.GenDecl)
			// var v, ok = m[k] too: commaOK can only rewrite it there
			if !ok || gd.Tok != token.VAR || !usesAny(gd, defined) && !isCommaOKVar(gd) {
				continue
			}
			off := int(gd.Pos()) - 1 - len(cellPrefix)
			for i := range chunks {
				if chunks[i].start == off {
					chunks[i].kind = chunkStmt
					moved = true
				}
			}
		}
	}
	if moved {
		if stmtFile, err = parseHalf(c, chunks, chunkStmt); err != nil {
			return nil, err
		}
		body = stmtFile.Decls[len(stmtFile.Decls)-1].(*ast.FuncDecl).Body
		if declFile, err = parseHalf(c, chunks, chunkDecl); err != nil {
			return nil, err
		}
	}

	// Declarations: drop repeated imports and unchanged type re-declarations,
	// refuse changed types, remember the rest.
	declText := []byte(declPrefix + blank(src, chunks, chunkDecl))
	impText := []byte(declPrefix + blank(src, chunks, chunkDecl))
	hasDecl := false
	for _, d := range declFile.Decls {
		switch d := d.(type) {
		case *ast.GenDecl:
			switch d.Tok {
			case token.IMPORT:
				for _, s := range d.Specs {
					is := s.(*ast.ImportSpec)
					spec := importOf(is)
					if err := nb.checkImport(spec); err != nil {
						return nil, c.errorAt(int(is.Pos())-1, err.Error())
					}
					if nb.hasImport(spec) || c.hasImport(spec) {
						if d.Lparen.IsValid() {
							blankRange(impText, int(is.Pos())-1, int(is.End())-1)
						} else {
							blankRange(impText, int(d.Pos())-1, int(d.End())-1)
						}
						continue
					}
					c.imports = append(c.imports, spec)
				}
				// Imports run as a program of their own, before the other
				// declarations: once yaegi took an import it must never see
				// it again, even if the rest of the cell fails.
				blankRange(declText, int(d.Pos())-1, int(d.End())-1)
				continue
			case token.TYPE:
				for _, s := range d.Specs {
					ts := s.(*ast.TypeSpec)
					text := src[int(ts.Pos())-1-len(cellPrefix) : int(ts.End())-1-len(cellPrefix)]
					prev, ok := nb.typeSource(ts.Name.Name)
					switch {
					case !ok:
					case prev.src == text:
						if len(d.Specs) == 1 {
							blankRange(declText, int(d.Pos())-1, int(d.End())-1)
						} else {
							blankRange(declText, int(ts.Pos())-1, int(ts.End())-1)
						}
						continue
					default:
						return nil, c.errorAt(int(ts.Pos())-1, fmt.Sprintf(
							"type %s is already declared (in %s) with a different definition; "+
								"a type cannot change in a running interpreter: restart the kernel, or use a new name",
							ts.Name.Name, prev.label))
					}
				}
			}
			hasDecl = true
			c.entries = append(c.entries, entryOf(c, d))
		case *ast.FuncDecl:
			hasDecl = true
			c.entries = append(c.entries, entryOf(c, d))
			if d.Recv == nil {
				c.funcNames = append(c.funcNames, d.Name.Name)
			}
		}
	}
	for _, d := range declFile.Decls {
		if gd, ok := d.(*ast.GenDecl); !ok || gd.Tok != token.IMPORT {
			blankRange(impText, int(d.Pos())-1, int(d.End())-1)
		}
	}
	if len(c.imports) > 0 {
		c.imps = string(impText)
	}
	c.chans = collectChans(declFile, nil)
	c.chans = collectChans(stmtFile, c.chans)

	// Cut the cell where a declaration uses a name a statement above it
	// defines (counter := 0 / func inc() { counter++ }): declarations are
	// hoisted above the statements of their segment only.
	var keptDecls []ast.Decl
	if hasDecl {
		for _, d := range declFile.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.IMPORT {
				continue
			}
			if strings.TrimSpace(string(declText[int(d.Pos())-1:int(d.End())-1])) != "" {
				keptDecls = append(keptDecls, d)
			}
		}
	}
	cuts := segmentCuts(keptDecls, body.List)
	stmtText := []byte(stmtPrefix + blank(src, chunks, chunkStmt) + stmtSuffix)
	lo := len(cellPrefix)
	for i := 0; i <= len(cuts); i++ {
		hi := len(cellPrefix) + len(src)
		if i < len(cuts) {
			hi = cuts[i]
		}
		in := func(n ast.Node) bool { p := int(n.Pos()) - 1; return p >= lo && p < hi }
		for _, d := range keptDecls {
			if in(d) {
				c.parts = append(c.parts, part{tag: fmt.Sprintf("d%d", i), text: segment(declText, lo, hi, 0)})
				break
			}
		}
		for _, st := range body.List {
			if in(st) {
				c.parts = append(c.parts, part{tag: fmt.Sprintf("s%d", i), text: segment(stmtText, lo, hi, len(stmtSuffix)), stmts: true})
				break
			}
		}
		lo = hi
	}
	if len(body.List) > 0 {
		var es *ast.ExprStmt
		es, c.trailingExpr = body.List[len(body.List)-1].(*ast.ExprStmt)
		if c.trailingExpr {
			c.trailingCall, _ = unparen(es.X).(*ast.CallExpr)
		}
	}
	if n := len(c.parts); n > 0 && !c.parts[n-1].stmts {
		c.trailingExpr = false
	}
	return c, nil
}

func (c *cell) hasImport(s importSpec) bool {
	for _, i := range c.imports {
		if i == s {
			return true
		}
	}
	return false
}

// parseHalf parses one half of the cell as Go.
func parseHalf(c *cell, chunks []chunk, kind chunkKind) (*ast.File, error) {
	f, err := parseHalfRaw(c.src, chunks, kind)
	if err != nil {
		return nil, c.parseError(err)
	}
	return f, nil
}

// parseHalfRaw parses one half of src and returns go/parser's error as is.
func parseHalfRaw(src string, chunks []chunk, kind chunkKind) (*ast.File, error) {
	var text string
	if kind == chunkStmt {
		text = stmtPrefix + blank(src, chunks, chunkStmt) + stmtSuffix
	} else {
		text = declPrefix + blank(src, chunks, chunkDecl)
	}
	return parser.ParseFile(token.NewFileSet(), "", text, parser.ParseComments)
}

// parseError turns a go/parser error on a half of the cell into an *Error in
// the cell's coordinates.
func (c *cell) parseError(err error) error {
	if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 {
		e := el[0]
		off := e.Pos.Offset - len(cellPrefix)
		if off > len(c.src) {
			off = len(c.src)
		}
		return c.errorAt(off+len(cellPrefix), e.Msg)
	}
	return &Error{Name: "CompileError", Value: err.Error()}
}

// errorAt builds a CompileError at byte offset off of the prefixed text.
func (c *cell) errorAt(off int, msg string) *Error {
	off -= len(cellPrefix)
	if off < 0 {
		off = 0
	}
	return compileError(c.n, c.label, c.src, off, msg)
}

// blank returns src with every chunk not of kind (and the package clause)
// replaced by spaces, newlines kept.
func blank(src string, chunks []chunk, kind chunkKind) string {
	b := []byte(src)
	for _, ch := range chunks {
		if ch.kind != kind {
			blankRange(b, ch.start, ch.end)
		}
	}
	return string(b)
}

func blankRange(b []byte, start, end int) {
	if end > len(b) {
		end = len(b)
	}
	for i := start; i < end; i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
}

// scanChunks cuts src into top-level chunks at semicolons (explicit or
// automatic) outside brackets, and says which are declarations.
func scanChunks(src string) []chunk {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(src))
	s.Init(file, []byte(src), func(token.Position, string) {}, 0)
	type tok struct {
		off int
		t   token.Token
		lit string
	}
	var toks []tok
	for {
		p, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		toks = append(toks, tok{file.Offset(p), t, lit})
	}
	var chunks []chunk
	depth := 0
	start := -1
	end := 0
	first := 0
	flush := func() {
		if start >= 0 {
			chunks = append(chunks, chunk{start: start, end: end, kind: classify(toks[first].t, func(i int) token.Token {
				if first+i < len(toks) {
					return toks[first+i].t
				}
				return token.EOF
			})})
		}
		start = -1
	}
	header := false // inside a for/if/switch header, whose ; do not end the statement
	for i, t := range toks {
		switch t.t {
		case token.FOR, token.IF, token.SWITCH:
			if depth <= 0 {
				header = true
			}
		case token.LBRACE:
			if depth <= 0 {
				header = false
			}
			depth++
		case token.LPAREN, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		case token.SEMICOLON:
			if depth <= 0 && !header {
				if t.lit == ";" && start >= 0 {
					end = t.off + 1 // an explicit ; belongs to its statement
				}
				flush()
				continue
			}
		}
		if start < 0 {
			start, first = t.off, i
		}
		end = t.off + tokLen(t.t, t.lit)
	}
	flush()
	return chunks
}

func tokLen(t token.Token, lit string) int {
	if lit != "" {
		return len(lit)
	}
	return len(t.String())
}

// classify decides a chunk's kind from its first tokens. A func followed by
// a name, or by a receiver and a name, is a declaration; func( ... ){...}()
// is a statement.
func classify(first token.Token, at func(int) token.Token) chunkKind {
	switch first {
	case token.PACKAGE:
		return chunkPackage
	case token.IMPORT, token.TYPE, token.CONST, token.VAR:
		return chunkDecl
	case token.FUNC:
		switch at(1) {
		case token.IDENT:
			return chunkDecl
		case token.LPAREN:
			depth := 0
			for i := 1; ; i++ {
				switch at(i) {
				case token.LPAREN:
					depth++
				case token.RPAREN:
					depth--
					if depth == 0 {
						if at(i+1) == token.IDENT {
							return chunkDecl
						}
						return chunkStmt
					}
				case token.EOF:
					return chunkStmt
				}
			}
		}
	}
	return chunkStmt
}

func usesAny(n ast.Node, names map[string]bool) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && names[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// importSpec is one import as the cell wrote it.
type importSpec struct{ name, path string }

func importOf(is *ast.ImportSpec) importSpec {
	s := importSpec{path: strings.Trim(is.Path.Value, "`\"")}
	if is.Name != nil {
		s.name = is.Name.Name
	}
	return s
}

// localName is the name the import binds in the file.
func (s importSpec) localName() string {
	if s.name != "" {
		return s.name
	}
	p := s.path
	if i := strings.LastIndex(p, "/"); i >= 0 {
		p = p[i+1:]
	}
	return p
}

func (s importSpec) String() string {
	if s.name != "" {
		return s.name + " " + fmt.Sprintf("%q", s.path)
	}
	return fmt.Sprintf("%q", s.path)
}

// entryOf records a declaration's names and source (with its doc comment).
func entryOf(c *cell, d ast.Decl) *declEntry {
	start := int(d.Pos()) - 1 - len(cellPrefix)
	var doc *ast.CommentGroup
	e := &declEntry{cell: c.n, label: c.label}
	switch d := d.(type) {
	case *ast.FuncDecl:
		doc = d.Doc
		name := d.Name.Name
		if d.Recv != nil && len(d.Recv.List) > 0 {
			name = recvTypeName(d.Recv.List[0].Type) + "." + name
		}
		e.names = []string{name}
		e.kind = "func"
		e.results = d.Type.Results.NumFields()
		e.generic = d.Type.TypeParams != nil
	case *ast.GenDecl:
		doc = d.Doc
		e.kind = d.Tok.String()
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.ValueSpec:
				for _, n := range s.Names {
					e.names = append(e.names, n.Name)
				}
			case *ast.TypeSpec:
				e.names = append(e.names, s.Name.Name)
				e.typeSrc = append(e.typeSrc, c.src[int(s.Pos())-1-len(cellPrefix):int(s.End())-1-len(cellPrefix)])
			}
		}
	}
	if doc != nil {
		e.doc = doc.Text()
		start = int(doc.Pos()) - 1 - len(cellPrefix)
	}
	start, e.doc = commentAbove(c.src, start, e.doc)
	e.src = c.src[start : int(d.End())-1-len(cellPrefix)]
	e.line, _ = offsetLineCol(c.src, start)
	return e
}

func namesOf(ids []*ast.Ident) []string {
	var s []string
	for _, id := range ids {
		s = append(s, id.Name)
	}
	return s
}

func recvTypeName(t ast.Expr) string {
	for {
		switch x := t.(type) {
		case *ast.StarExpr:
			t = x.X
		case *ast.IndexExpr:
			t = x.X
		case *ast.IndexListExpr:
			t = x.X
		case *ast.ParenExpr:
			t = x.X
		case *ast.Ident:
			return x.Name
		default:
			return "?"
		}
	}
}

// collectChans adds the names the file declares as channels: variables made
// with make(chan ...) or declared with a chan type, parameters and fields of
// chan type, and funcs returning a chan (as "name()").
func collectChans(f *ast.File, names []string) []string {
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			_, isChan := n.Type.(*ast.ChanType)
			for i, id := range n.Names {
				if isChan || i < len(n.Values) && isMakeChan(n.Values[i]) {
					names = append(names, id.Name)
				}
				if isSyncType(n.Type) || i < len(n.Values) && isSyncValue(n.Values[i]) {
					names = append(names, syncKey+id.Name)
				}
			}
		case *ast.AssignStmt:
			if len(n.Lhs) != len(n.Rhs) {
				break
			}
			for i, r := range n.Rhs {
				if id, ok := n.Lhs[i].(*ast.Ident); ok && isMakeChan(r) {
					names = append(names, id.Name)
				}
				if id, ok := n.Lhs[i].(*ast.Ident); ok && isSyncValue(r) {
					names = append(names, syncKey+id.Name)
				}
			}
		case *ast.Field:
			if _, ok := n.Type.(*ast.ChanType); ok {
				names = append(names, namesOf(n.Names)...)
			}
			if isSyncType(n.Type) {
				for _, id := range n.Names {
					names = append(names, syncKey+id.Name)
				}
			}
		case *ast.FuncDecl:
			if r := n.Type.Results; r != nil && len(r.List) == 1 && len(r.List[0].Names) <= 1 {
				if _, ok := r.List[0].Type.(*ast.ChanType); ok {
					names = append(names, n.Name.Name+"()")
				}
			}
		}
		return true
	})
	sort.Strings(names)
	return names
}

// syncKey prefixes, among the names collectChans returns, the names of
// variables and fields declared as sync.Mutex, RWMutex, WaitGroup or Cond.
const syncKey = "sync:"

// isSyncType says whether t is sync.Mutex, RWMutex, WaitGroup or Cond, or a
// pointer to one.
func isSyncType(t ast.Expr) bool {
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	sel, ok := t.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if id, ok := sel.X.(*ast.Ident); !ok || id.Name != "sync" {
		return false
	}
	switch sel.Sel.Name {
	case "Mutex", "RWMutex", "WaitGroup", "Cond":
		return true
	}
	return false
}

// isSyncValue says whether e makes one: &sync.Mutex{}, sync.Mutex{},
// new(sync.WaitGroup), sync.NewCond(l).
func isSyncValue(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.UnaryExpr:
		return x.Op == token.AND && isSyncValue(x.X)
	case *ast.CompositeLit:
		return isSyncType(x.Type)
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && id.Name == "new" && len(x.Args) == 1 {
			return isSyncType(x.Args[0])
		}
		if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewCond" {
			id, ok := sel.X.(*ast.Ident)
			return ok && id.Name == "sync"
		}
	}
	return false
}

func isMakeChan(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) == 0 {
		return false
	}
	if id, ok := call.Fun.(*ast.Ident); !ok || id.Name != "make" {
		return false
	}
	_, ok = call.Args[0].(*ast.ChanType)
	return ok
}

// hasVarInit says whether f has a top-level var declaration with values.
func hasVarInit(f *ast.File) bool {
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.VAR {
			for _, sp := range gd.Specs {
				if vs, ok := sp.(*ast.ValueSpec); ok && len(vs.Values) > 0 {
					return true
				}
			}
		}
	}
	return false
}
