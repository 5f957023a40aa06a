package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// Runtime panics in the learner's words and at the expression that failed.
//
// yaegi runs indexing, field access and calls through reflect, so a runtime
// error arrives in reflect's words ("reflect: slice index out of range")
// without the index or the length, and with no position: the position
// markers (see markPosition) name the statement that was running, or the
// loop around it. This file turns the message into Go's own terms and
// narrows the statement down to the expression that can fail that way: the
// index, the field selection, the division, the type assertion. The index
// and the length are shown as numbers when they can be read without running
// anything (a constant, or a package-level variable of the notebook), and
// as the expression otherwise.

// panicKind classifies a runtime panic by what failed.
type panicKind int

const (
	kindOther   panicKind = iota
	kindIndex             // an index out of range
	kindSlice             // slice bounds out of range
	kindNil               // a field or element through a nil pointer
	kindNilMap            // assignment to an entry of a nil map
	kindDiv               // integer division by zero
	kindAssert            // a failed type assertion
	kindNilCall           // a call of a nil func, or a method of a nil interface
)

// panicText says, for each message yaegi or reflect gives, what kind of
// failure it is and how Go itself says it.
var panicText = []struct {
	prefix string
	kind   panicKind
	text   string // "" keeps the message
}{
	{"reflect: slice index out of range", kindIndex, "index out of range"},
	{"reflect: array index out of range", kindIndex, "index out of range"},
	{"reflect: string index out of range", kindIndex, "index out of range"},
	{"reflect.Value.Slice: slice index out of bounds", kindSlice, "slice bounds out of range"},
	{"reflect.Value.Slice3: slice index out of bounds", kindSlice, "slice bounds out of range"},
	{"reflect: call of reflect.Value.Field on zero Value", kindNil, "invalid memory address or nil pointer dereference"},
	{"reflect: call of reflect.Value.Elem on zero Value", kindNil, "invalid memory address or nil pointer dereference"},
	{"reflect: call of reflect.Value.Set on zero Value", kindNil, "invalid memory address or nil pointer dereference"}, // x := *p
	{"reflect: call of reflect.Value.Interface on zero Value", kindNil, "invalid memory address or nil pointer dereference"},
	{"runtime error: invalid memory address or nil pointer dereference", kindNil, "invalid memory address or nil pointer dereference"},
	{"assignment to entry in nil map", kindNilMap, ""},
	{"runtime error: integer divide by zero", kindDiv, "integer divide by zero"},
	{"interface conversion:", kindAssert, ""},
	{"reflect.Value.Call: call of nil function", kindNilCall, "call of nil func value"},
	{"reflect: Method on nil interface value", kindNilCall, "method call on a nil interface value"},
	{"runtime error: index out of range", kindIndex, ""},
	{"runtime error: slice bounds out of range", kindSlice, ""},
}

// panicHints says what to do about a kind of failure; %s is the nil
// value's expression when the failing expression is known ("m", "p").
var panicHints = map[panicKind]struct{ any, named string }{
	kindNilMap:  {"make the map before writing to it: m = map[string]int{} (or make(map[string]int))", "%s is a nil map: make it before writing to it, %s = map[string]int{} (or make(map[string]int))"},
	kindNil:     {"the pointer is nil: point it at a value first, p = &T{} (or new(T))", "%s is nil: point it at a value first, %s = &T{} (or new(T))"},
	kindNilCall: {"the func or interface value is nil: give it a value before calling it", ""},
}

// panicHint returns the hint for a kind of failure, naming the nil value
// when it is known.
func panicHint(kind panicKind, subject string) string {
	h := panicHints[kind]
	if subject == "" || h.named == "" {
		return h.any
	}
	return strings.ReplaceAll(h.named, "%s", subject)
}

// classifyPanic returns the kind of a runtime panic's message and the
// message in Go's words.
func classifyPanic(msg string) (panicKind, string) {
	for strings.HasPrefix(msg, "panic: ") {
		msg = msg[len("panic: "):] // a host wrapping of a recovered value (rt.Run's workers)
	}
	for _, p := range panicText {
		if strings.HasPrefix(msg, p.prefix) {
			if p.text == "" {
				return p.kind, msg
			}
			return p.kind, p.text
		}
	}
	return kindOther, msg
}

// failure is the expression a runtime panic is narrowed down to.
type failure struct {
	line, col int    // in the cell
	width     int    // bytes of the expression on its first line, for the carets
	value     string // the message with numbers filled in ("" keeps it)
	subject   string // the value that was nil, as the cell writes it ("" when not a nil failure)
	others    []string
}

// locate narrows the statement at byte offset off of cell src down to the
// expression that can fail as kind does. It returns ok=false when the
// statement has no single such expression.
func (in *Interpreter) locate(src string, off int, kind panicKind) (f failure, ok bool) {
	if kind == kindOther || kind == kindNilCall {
		return f, false
	}
	chunks := scanChunks(src)
	var cands []ast.Expr
	var locals map[string]bool
	for _, k := range []chunkKind{chunkStmt, chunkDecl} {
		fl, err := parseHalfRaw(src, chunks, k)
		if err != nil {
			continue
		}
		stmt, sc := stmtAt(fl, off)
		if stmt == nil {
			continue
		}
		locals = localNames(sc)
		globals := in.Globals()
		isVar := func(name string) bool { _, g := globals[name]; return locals[name] || g }
		isMap := func(e ast.Expr) bool {
			v, ok := in.global(e, locals)
			return ok && v.Kind() == reflect.Map
		}
		cands = candidates(stmt, kind, isVar, isMap)
		break
	}
	if len(cands) == 0 {
		return f, false
	}
	pos := func(e ast.Expr) (int, int, int) {
		o := int(e.Pos()) - 1 - len(cellPrefix)
		l, c := offsetLineCol(src, o)
		w := int(e.End()) - int(e.Pos())
		if nl := strings.IndexByte(src[o:min(o+w, len(src))], '\n'); nl >= 0 {
			w = nl
		}
		return l, c, w
	}
	text := func(e ast.Expr) string {
		o := int(e.Pos()) - 1 - len(cellPrefix)
		return src[o : o+int(e.End()-e.Pos())]
	}
	pick := -1
	value := ""
	if kind == kindIndex {
		for i, c := range cands {
			v, bad := in.indexText(c.(*ast.IndexExpr), locals, text)
			if bad || len(cands) == 1 {
				pick, value = i, v
				if bad {
					break
				}
			}
		}
	} else if len(cands) == 1 {
		pick = 0
	}
	if pick < 0 {
		for _, c := range cands {
			l, col, _ := pos(c)
			f.others = append(f.others, fmt.Sprintf("%s (%d:%d)", text(c), l, col))
		}
		return f, false
	}
	f.line, f.col, f.width = pos(cands[pick])
	f.value = value
	switch x := cands[pick].(type) {
	case *ast.IndexExpr:
		if kind == kindNilMap {
			f.subject = text(x.X)
		}
	case *ast.SelectorExpr:
		f.subject = text(x.X)
	case *ast.StarExpr:
		f.subject = text(x.X)
	}
	return f, true
}

// stmtAt returns the outermost statement of fl starting at byte offset off
// of the cell, and the function declaration or literal around it (nil at
// the cell's top level).
func stmtAt(fl *ast.File, off int) (found ast.Stmt, scope ast.Node) {
	var stack []ast.Node
	ast.Inspect(fl, func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if n == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		if s, ok := n.(ast.Stmt); ok && int(s.Pos())-1-len(cellPrefix) == off {
			if _, block := s.(*ast.BlockStmt); !block {
				found = s
				for i := len(stack) - 1; i >= 0; i-- {
					switch x := stack[i].(type) {
					case *ast.FuncLit:
						scope = x
					case *ast.FuncDecl:
						if x.Name.Name != "main" || x.Recv != nil {
							scope = x
						}
					}
					if scope != nil {
						break
					}
				}
				if scope == nil {
					scope = s // the cell's statement: what it declares is its own
				}
				return false
			}
		}
		stack = append(stack, n)
		return true
	})
	return found, scope
}

// candidates lists the expressions of statement s (not inside func
// literals, whose statements are marked on their own) that can fail as kind.
// isVar says whether a name is a variable (not a package), isMap whether
// an expression is one of the notebook's maps.
func candidates(s ast.Stmt, kind panicKind, isVar func(string) bool, isMap func(ast.Expr) bool) []ast.Expr {
	var out []ast.Expr
	lhs := map[ast.Expr]bool{}
	ast.Inspect(s, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.AssignStmt:
			for _, l := range x.Lhs {
				lhs[unparen(l)] = true
			}
			if kind == kindDiv && (x.Tok == token.QUO_ASSIGN || x.Tok == token.REM_ASSIGN) {
				out = append(out, x.Lhs[0])
			}
		case *ast.IncDecStmt:
			lhs[unparen(x.X)] = true
		case *ast.IndexExpr:
			if kind == kindIndex && !isMap(x.X) || kind == kindNilMap && lhs[x] {
				out = append(out, x)
			}
		case *ast.SliceExpr:
			if kind == kindSlice {
				out = append(out, x)
			}
		case *ast.StarExpr:
			if kind == kindNil {
				out = append(out, x)
			}
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); kind == kindNil && (!ok || isVar(id.Name)) {
				out = append(out, x)
			}
		case *ast.BinaryExpr:
			if kind == kindDiv && (x.Op == token.QUO || x.Op == token.REM) {
				if lit, ok := unparen(x.Y).(*ast.BasicLit); !ok || lit.Value == "0" {
					out = append(out, x)
				}
			}
		case *ast.TypeAssertExpr:
			if kind == kindAssert && x.Type != nil {
				out = append(out, x)
			}
		}
		return true
	})
	return out
}

// localNames lists the names declared inside scope (a func or the cell's
// statement); others in an expression are the notebook's globals.
func localNames(scope ast.Node) map[string]bool {
	names := map[string]bool{}
	if s, ok := scope.(ast.Stmt); ok {
		// a plain statement of the cell declares globals
		switch s.(type) {
		case *ast.ForStmt, *ast.RangeStmt, *ast.IfStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
		default:
			return names
		}
	}
	if scope != nil {
		for _, n := range identsDefined(scope) {
			names[n] = true
		}
	}
	return names
}

// indexText builds "index I out of range [0:L)" for ix, with I and L as
// numbers where they can be read (constants, globals) and as source text
// otherwise; bad says the numbers show this is the index that failed.
func (in *Interpreter) indexText(ix *ast.IndexExpr, locals map[string]bool, text func(ast.Expr) string) (string, bool) {
	idx, iok := in.intOf(ix.Index, locals)
	n, nok := in.lenOf(ix.X, locals)
	is, ns := text(ix.Index), "len("+text(ix.X)+")"
	if iok {
		is = strconv.Itoa(idx)
	}
	if nok {
		ns = strconv.Itoa(n)
	}
	return fmt.Sprintf("index %s out of range [0:%s)", is, ns), iok && nok && (idx < 0 || idx >= n)
}

// global returns the notebook's package-level variable name, unless a
// local of that name hides it.
func (in *Interpreter) global(e ast.Expr, locals map[string]bool) (reflect.Value, bool) {
	id, ok := unparen(e).(*ast.Ident)
	if !ok || locals[id.Name] {
		return reflect.Value{}, false
	}
	v, ok := in.Globals()[id.Name]
	return v, ok && v.IsValid()
}

// intOf reads an integer index: a literal or a global.
func (in *Interpreter) intOf(e ast.Expr, locals map[string]bool) (int, bool) {
	switch x := unparen(e).(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			n, err := strconv.Atoi(x.Value)
			return n, err == nil
		}
	case *ast.UnaryExpr:
		if n, ok := in.intOf(x.X, locals); ok && x.Op == token.SUB {
			return -n, true
		}
	case *ast.Ident:
		if v, ok := in.global(x, locals); ok && v.CanInt() {
			return int(v.Int()), true
		}
	}
	return 0, false
}

// lenOf reads the length of a global slice, array or string.
func (in *Interpreter) lenOf(e ast.Expr, locals map[string]bool) (int, bool) {
	v, ok := in.global(e, locals)
	if !ok {
		return 0, false
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.String:
		return v.Len(), true
	}
	return 0, false
}
