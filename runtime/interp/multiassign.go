package interp

import (
	"go/ast"
	"go/token"
)

// yaegi v0.16.1 loses values in an assignment of several values where one
// of them is a call: after `a, b = 5, g()` (or `a, b = b, g()`) a keeps its
// old value, silently; `:=` and a parenthesised call, `a, b = 5, (g())`,
// are right. The rewriter puts every call on the right of such an
// assignment in parentheses, which changes nothing in Go. (Repro for
// upstream: TestMultiAssignWithCall.)

// parenCalls inserts the parentheses in every `=` assignment of f with
// more than one value on the right.
func (r *rewriter) parenCalls(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || as.Tok != token.ASSIGN || len(as.Rhs) < 2 {
			return true
		}
		for _, e := range as.Rhs {
			if _, call := e.(*ast.CallExpr); call {
				r.insert(e.Pos(), "(")
				r.insert(e.End(), ")")
			}
		}
		return true
	})
}
