package interp

import (
	"go/ast"
	"go/token"
	"strings"
)

// loopVars gives a loop Go 1.22's per-iteration variables where the
// difference shows. yaegi v0.16 keeps one variable for the whole loop (the
// semantics before Go 1.22), so func literals made in the body — the
// goroutines of `for w := 0; w < n; w++ { go func() { ... w ... }() }`
// above all — would all see its last value. A copy at the top of the body
// (`w := w`) is not enough: yaegi gives an interpreted closure handed to
// host code (as every go statement's is) the body's variables themselves.
// So each func literal in the body that refers to a variable the loop
// declares with := is made by a factory that copies the variable first:
//
//	func() func() { w := w; return func() { ... w ... } }()
//
// inserted around the literal on its own lines, so line numbers stay. A
// literal whose signature spans lines gets the copy at the top of the body
// instead. A deferred func literal is left alone: yaegi evaluates a
// deferred call's function when the call runs, so a factory would copy
// too late.
//
// A three-clause loop whose body assigns to the variable (or takes its
// address) keeps one variable: there a copy would stop the assignment from
// reaching the loop's condition and post statement. Range loops need no
// such care: Go never copies their variables back.
func (r *rewriter) loopVars(s ast.Stmt) {
	var names []string
	var body *ast.BlockStmt
	threeClause := false
	switch s := s.(type) {
	case *ast.ForStmt:
		as, ok := s.Init.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE {
			return
		}
		names = identNames(as.Lhs...)
		body, threeClause = s.Body, true
	case *ast.RangeStmt:
		if s.Tok != token.DEFINE {
			return
		}
		names = identNames(s.Key, s.Value)
		body = s.Body
	default:
		return
	}
	if len(names) == 0 || body == nil {
		return
	}
	var assigned map[string]bool
	if threeClause {
		assigned = assignedNames(body)
	}
	var atTop strings.Builder
	copied := map[string]bool{}
	deferred := map[*ast.FuncLit]bool{}
	ast.Inspect(body, func(x ast.Node) bool {
		if d, ok := x.(*ast.DeferStmt); ok {
			if fl, ok := d.Call.Fun.(*ast.FuncLit); ok {
				deferred[fl] = true
			}
		}
		fl, ok := x.(*ast.FuncLit)
		if !ok {
			return true
		}
		if deferred[fl] {
			return true // yaegi makes a deferred func when it runs: a factory would run late too
		}
		used := usedNames(fl.Body)
		var copies strings.Builder
		for _, n := range names {
			if used[n] && !assigned[n] {
				copies.WriteString(n + " := " + n + "; ")
			}
		}
		if copies.Len() == 0 {
			return false
		}
		sig := r.src[r.off(fl.Type.Pos()):r.off(fl.Type.End())]
		if strings.Contains(sig, "\n") {
			for _, n := range names {
				if used[n] && !assigned[n] && !copied[n] {
					copied[n] = true
					atTop.WriteString(n + " := " + n + ";")
				}
			}
			return false
		}
		r.insert(fl.Pos(), "func() "+sig+" { "+copies.String()+"return ")
		r.insert(fl.End(), " }()")
		return false // the factory's copies serve literals nested in this one
	})
	r.insert(body.Lbrace+1, atTop.String())
}

// identNames returns the names of the identifiers among es, without _.
func identNames(es ...ast.Expr) []string {
	var out []string
	for _, e := range es {
		if id, ok := e.(*ast.Ident); ok && id.Name != "_" {
			out = append(out, id.Name)
		}
	}
	return out
}

// usedNames returns the identifiers used in n.
func usedNames(n ast.Node) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(n, func(y ast.Node) bool {
		if id, ok := y.(*ast.Ident); ok {
			out[id.Name] = true
		}
		return true
	})
	return out
}

// assignedNames returns the identifiers that n assigns to (=, op=, ++,
// --) or takes the address of, anywhere, func literals included.
func assignedNames(n ast.Node) map[string]bool {
	out := map[string]bool{}
	ast.Inspect(n, func(x ast.Node) bool {
		switch x := x.(type) {
		case *ast.AssignStmt:
			if x.Tok != token.DEFINE {
				for _, name := range identNames(x.Lhs...) {
					out[name] = true
				}
			}
		case *ast.IncDecStmt:
			for _, name := range identNames(x.X) {
				out[name] = true
			}
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				for _, name := range identNames(x.X) {
					out[name] = true
				}
			}
		}
		return true
	})
	return out
}
