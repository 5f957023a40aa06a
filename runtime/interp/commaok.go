package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// commaOK rewrites a comma-ok definition at a cell's top level, which
// yaegi v0.16.1 cannot compile there ("nil type": its global analysis has
// no type for the ok variable), into single-value definitions, which give
// each variable its static type, followed by the two-value assignment,
// which yaegi compiles at top level:
//
//	v, ok := m[k]      →   v := m[k]; ok := false; v, ok = m[k]
//	n, ok := x.(T)     →   var n T; ok := false; n, ok = x.(T)
//	g, open := <-ch    →   _clz1 := ch; _clClosed(&_clz1); _cle1 := <-_clz1; g := _cle1; open := false; g, open = <-ch
//	var v, ok = m[k]   →   as v, ok := m[k]
//
// A receive's element type is not in the syntax, so g is defined by a
// receive from a closed channel of ch's type, which yields the zero value
// at once (see closedLike). Each operand is evaluated once: a map, key or
// channel operand that calls or receives is computed first into a
// temporary (`_clm1, _clk1 := f(), g(); v := _clm1[_clk1]; ...`), left in
// place so the rest of the pass instruments it there; a pure one is copied
// (evaluating it again changes nothing). Only the variables the statement
// declares are defined: an existing one (`:=` with one new name, as the
// parser resolved it) is only assigned, and `_` stays blank (`v, _ :=
// m[k]` is `v := m[k]`; a received value becomes a temporary, see
// commaRecv). The rewrite keeps every line break, and the
// operands stay where they were, so errors in them name their own column;
// an error in copied text names the statement. It reports whether it
// instrumented s completely (a var receive); otherwise the rest of the pass
// instruments s next.
//
// Inside functions and in if/switch headers (which run inside a function,
// see wrappable) these forms compile as they are and are left alone.
func (r *rewriter) commaOK(s ast.Stmt) bool {
	f, ok := commaOKForm(s)
	if !ok {
		return false
	}
	a, b := f.lhs[0], f.lhs[1]
	aNew, bNew := f.isNew(a), f.isNew(b)
	if !aNew && !bNew {
		return false // `no new variables`: the parser has said so already
	}
	defB := ""
	if bNew {
		defB = b.Name + " := false; "
	}
	switch x := f.rhs.(type) {
	case *ast.IndexExpr:
		if !aNew {
			r.commaPrefix(f, defB)
			return false
		}
		if b.Name == "_" {
			r.keepBreaks(f.start, a.Pos(), "")
			r.keepBreaks(a.End(), f.val.Pos(), " := ")
			return false
		}
		r.commaMap(f, x, defB)
	case *ast.TypeAssertExpr:
		if !aNew {
			r.commaPrefix(f, defB)
		} else if r.copyable(x.Type) {
			r.commaPrefix(f, fmt.Sprintf("var %s %s; %s", a.Name, r.text(x.Type), defB))
		}
	case *ast.UnaryExpr:
		switch {
		case !aNew && a.Name != "_":
			r.commaPrefix(f, defB)
		case b.Name == "_":
			r.keepBreaks(f.start, a.Pos(), "")
			r.keepBreaks(a.End(), f.val.Pos(), " := ")
		case !r.commaRecv(f, x, defB):
			return false
		}
		if f.isVar {
			// a var is instrumented as a declaration, which would hoist
			// the receive: it is bracketed here instead, as a receive
			// statement is
			r.bracket(s.Pos(), s.End())
			r.exprs(s)
			return true
		}
	}
	return false
}

// commaDef is a comma-ok definition: `a, b := rhs` or `var a, b = rhs`.
type commaDef struct {
	stmt  ast.Stmt
	start token.Pos // where the statement starts: before var, or a
	lhs   []*ast.Ident
	val   ast.Expr // the value as written
	rhs   ast.Expr // the value without parentheses
	isVar bool
}

// commaOKForm says whether s is a comma-ok definition of a map index, a
// type assertion or a receive.
func commaOKForm(s ast.Stmt) (commaDef, bool) {
	f := commaDef{stmt: s, start: s.Pos()}
	var lhs []ast.Expr
	switch s := s.(type) {
	case *ast.AssignStmt:
		if s.Tok != token.DEFINE || len(s.Rhs) != 1 {
			return f, false
		}
		lhs, f.rhs = s.Lhs, s.Rhs[0]
	case *ast.DeclStmt:
		gd, ok := s.Decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR || gd.Lparen.IsValid() || len(gd.Specs) != 1 {
			return f, false
		}
		vs := gd.Specs[0].(*ast.ValueSpec)
		if vs.Type != nil || len(vs.Values) != 1 {
			return f, false
		}
		for _, n := range vs.Names {
			lhs = append(lhs, n)
		}
		f.rhs, f.isVar = vs.Values[0], true
	default:
		return f, false
	}
	if len(lhs) != 2 {
		return f, false
	}
	for _, l := range lhs {
		id, ok := l.(*ast.Ident)
		if !ok {
			return f, false
		}
		f.lhs = append(f.lhs, id)
	}
	f.val, f.rhs = f.rhs, unparen(f.rhs)
	switch x := f.rhs.(type) {
	case *ast.IndexExpr, *ast.TypeAssertExpr:
		return f, true
	case *ast.UnaryExpr:
		return f, x.Op == token.ARROW
	}
	return f, false
}

// isNew says whether the definition declares id: var declares both names,
// := those the parser did not resolve to an earlier declaration of the
// same scope.
func (f commaDef) isNew(id *ast.Ident) bool {
	if id.Name == "_" {
		return false
	}
	if f.isVar {
		return true
	}
	return id.Obj == nil || id.Obj.Decl == f.stmt
}

// commaPrefix puts text before the statement and turns it into the
// two-value assignment.
func (r *rewriter) commaPrefix(f commaDef, text string) {
	r.keepBreaks(f.start, f.lhs[0].Pos(), text)
	r.keepBreaks(f.lhs[1].End(), f.val.Pos(), " = ")
}

// commaMap rewrites `a, b := m[k]` where a is new (see commaOK).
func (r *rewriter) commaMap(f commaDef, x *ast.IndexExpr, defB string) {
	a, b := f.lhs[0].Name, f.lhs[1].Name
	ops := []ast.Expr{x.X, x.Index}
	texts := make([]string, len(ops))
	var hoisted []int
	for i, o := range ops {
		if pure(o) && !mentionsMain(o) {
			if !r.copyable(o) {
				return // left as it is: yaegi's error stands
			}
			texts[i] = r.text(o)
			continue
		}
		hoisted = append(hoisted, i)
		texts[i] = fmt.Sprintf("_cl%c%d", "mk"[i], r.next())
	}
	index := texts[0] + "[" + texts[1] + "]"
	assign := fmt.Sprintf("%s%s, %s = %s", defB, a, b, index)
	if len(hoisted) == 0 {
		// a := m[k] stays where it is, so an error in it (undefined: m)
		// names its column
		r.keepBreaks(f.start, f.lhs[0].Pos(), "")
		r.keepBreaks(f.lhs[0].End(), f.val.Pos(), " := ")
		r.insert(f.stmt.End(), "; "+assign)
		return
	}
	// _clm1, _clk1 := m(), k(); a := _clm1[_clk1]; b := false; a, b = ...
	var names []string
	for _, i := range hoisted {
		names = append(names, texts[i])
	}
	first, last := ops[hoisted[0]], ops[hoisted[len(hoisted)-1]]
	r.keepBreaks(f.start, first.Pos(), strings.Join(names, ", ")+" := ")
	if len(hoisted) == 2 {
		r.keepBreaks(x.X.End(), x.Index.Pos(), ", ")
	}
	r.keepBreaks(last.End(), f.stmt.End(), fmt.Sprintf("; %s := %s; %s", a, index, assign))
}

// commaRecv rewrites `a, b := <-c` where a is new or blank (see commaOK).
// yaegi cannot assign again to a variable defined by a receive, so a gets
// the zero value through a temporary, and a blank a becomes a temporary:
//
//	_clz1 := c; _clClosed(&_clz1); _cle1 := <-_clz1; a := _cle1; b := false; a, b = <-c
//
// A channel operand that calls or receives is computed first, into _clc1;
// the rest of the pass brackets the statement, as any receive statement.
func (r *rewriter) commaRecv(f commaDef, x *ast.UnaryExpr, defB string) bool {
	a, b := f.lhs[0].Name, f.lhs[1].Name
	n := r.next()
	if a == "_" {
		a = fmt.Sprintf("_clb%d", n)
		r.replace(f.lhs[0].Pos(), f.lhs[0].End(), a)
	}
	zero := func(c string) string {
		return fmt.Sprintf("_clz%d := %s; _clClosed(&_clz%d); _cle%d := <-_clz%d; %s := _cle%d; %s", n, c, n, n, n, a, n, defB)
	}
	if pure(x.X) && !mentionsMain(x.X) {
		if !r.copyable(x.X) {
			return false
		}
		r.commaPrefix(f, zero(r.text(x.X)))
		return true
	}
	c := fmt.Sprintf("_clc%d", n)
	r.keepBreaks(f.start, x.X.Pos(), c+" := ")
	r.keepBreaks(x.X.End(), f.stmt.End(), fmt.Sprintf("; %s%s, %s = <-%s", zero(c), a, b, c))
	return true
}

// copyable says whether n's text may be copied: on one line.
func (r *rewriter) copyable(n ast.Node) bool { return !strings.Contains(r.text(n), "\n") }

// keepBreaks replaces [p, e) by text followed by the line breaks it had,
// so every later line keeps its number.
func (r *rewriter) keepBreaks(p, e token.Pos, text string) {
	text += strings.Repeat("\n", strings.Count(r.src[r.off(p):r.off(e)], "\n"))
	if p == e && text == "" {
		return
	}
	r.replace(p, e, text)
}

// closedLike sets the channel variable *p points to to a closed channel of
// its type, from which a receive yields the element type's zero value at
// once: commaOK defines a received variable with it. p is always a pointer
// to a channel variable of the rewritten code.
func closedLike(p any) {
	v := reflect.ValueOf(p).Elem()
	c := reflect.MakeChan(reflect.ChanOf(reflect.BothDir, v.Type().Elem()), 0)
	c.Close()
	v.Set(c)
}

// isCommaOKVar says whether d is a var declaration that commaOK rewrites
// (`var v, ok = m[k]`): the cell runs it with its statements, where the
// rewrite can assign.
func isCommaOKVar(d ast.Decl) bool {
	gd, ok := d.(*ast.GenDecl)
	if !ok {
		return false
	}
	_, ok = commaOKForm(&ast.DeclStmt{Decl: gd})
	return ok
}
