// Py39: updates in place are not atomic.

package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// opAssign reports whether s is x op= e.
func opAssign(s *ast.AssignStmt) bool {
	if len(s.Lhs) != 1 || len(s.Rhs) != 1 {
		return false
	}
	switch s.Tok {
	case token.ADD_ASSIGN, token.SUB_ASSIGN, token.MUL_ASSIGN, token.QUO_ASSIGN, token.REM_ASSIGN,
		token.AND_ASSIGN, token.OR_ASSIGN, token.XOR_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN, token.AND_NOT_ASSIGN:
		return true
	}
	return false
}

// splitUpdate rewrites x++, x-- and x op= e (Policy Py39) into a read, a
// check point and a write, on the statement's own lines, as CPython <= 3.9
// may switch threads between the LOAD and the STORE of `x += 1`:
//
//	x++          ->  {_clv1 := x; if _clFlag {_clTick()}; x = _clv1 + 1}
//	m[f()] += e  ->  {_clk1 := f(); _clv1 := m[_clk1]; ...; m[_clk1] = _clv1 + (e)}
//	g().n *= e   ->  {_clp1 := &g().n; _clv1 := *_clp1; ...; *_clp1 = _clv1 * (e)}
//
// The target is evaluated once: an expression without calls or receives
// (names, fields, indexes, dereferences) is simply written twice; an index
// expression whose container is such an expression and whose key is not
// gets the key in a temporary (which works for maps, slices and arrays
// alike); any other field or dereference goes through its address. Other
// targets (an index of a container that calls something) stay atomic, as
// do updates outside statement lists (a for statement's post). e keeps its
// place and its own instrumentation. It reports whether it rewrote s.
func (r *rewriter) splitUpdate(s ast.Stmt) bool {
	var x, rhs ast.Expr
	var tokPos token.Pos
	var op string
	var tokLen int
	switch s := s.(type) {
	case *ast.IncDecStmt:
		x, tokPos, tokLen, op = s.X, s.TokPos, 2, "+"
		if s.Tok == token.DEC {
			op = "-"
		}
	case *ast.AssignStmt:
		if !opAssign(s) {
			return false
		}
		x, rhs, tokPos = s.Lhs[0], s.Rhs[0], s.TokPos
		tokLen = len(s.Tok.String())
		op = strings.TrimSuffix(s.Tok.String(), "=")
	default:
		return false
	}
	n := r.next()
	v := fmt.Sprintf("_clv%d", n)
	tail := "1}"
	if rhs != nil {
		tail = "("
	}
	check := r.check()
	ux := unparen(x)
	ix, isIndex := ux.(*ast.IndexExpr)
	switch {
	case pureExpr(ux) && r.movable(x):
		target := r.text(x)
		r.insert(x.Pos(), "{"+v+" := ")
		r.replace(tokPos, tokPos+token.Pos(tokLen), fmt.Sprintf("; %s %s = %s %s %s", check, target, v, op, tail))
	case isIndex && pureExpr(ix.X) && r.movable(ix.X):
		k := fmt.Sprintf("_clk%d", n)
		c := r.text(ix.X)
		r.replace(x.Pos(), ix.Lbrack+1, "{"+k+" := ")
		r.replace(ix.Index.End(), tokPos+token.Pos(tokLen),
			fmt.Sprintf("; %s := %s[%s]; %s %s[%s] = %s %s %s", v, c, k, check, c, k, v, op, tail))
	case !isIndex && addressable(ux):
		p := fmt.Sprintf("_clp%d", n)
		r.insert(x.Pos(), "{"+p+" := &")
		r.replace(tokPos, tokPos+token.Pos(tokLen), fmt.Sprintf("; %s := *%s; %s *%s = %s %s %s", v, p, check, p, v, op, tail))
	default:
		return false
	}
	if rhs != nil {
		r.insert(rhs.End(), ")}")
	}
	return true
}

// pureExpr reports whether evaluating e twice is the same as once: names,
// constants, fields, indexes and dereferences of such, nothing that calls,
// receives or is renamed by the rewriter (main).
func pureExpr(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name != "main"
	case *ast.BasicLit:
		return true
	case *ast.ParenExpr:
		return pureExpr(e.X)
	case *ast.SelectorExpr:
		return pureExpr(e.X)
	case *ast.StarExpr:
		return pureExpr(e.X)
	case *ast.IndexExpr:
		return pureExpr(e.X) && pureExpr(e.Index)
	}
	return false
}

// addressable reports whether an assignable x (not an index expression,
// which may be a map's) may have its address taken: a field selector or a
// dereference.
func addressable(x ast.Expr) bool {
	switch x.(type) {
	case *ast.SelectorExpr, *ast.StarExpr:
		return true
	}
	return false
}
