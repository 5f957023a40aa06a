package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// rangeInt rewrites a Go 1.22 range over an integer, which yaegi v0.16
// cannot compile, as a three-clause loop that evaluates the bound once:
//
//	for i := range n {   →   for i, _clN1 := 0, n; i < _clN1; i++ {
//	for range n {        →   for _clI1, _clN1 := 0, n; _clI1 < _clN1; _clI1++ {
//
// on the header's own line. The rewriter has no types, so this is only
// done when yaegi has refused the part and it is compiled again with
// cell.rangeInts set (see compilePart): a range over anything else then
// fails to compile, and yaegi's first error stands. The bound must be an
// int (an int64 n does not compile this way), and a body that assigns to
// i changes the iteration, as it would in a three-clause loop.
func (r *rewriter) rangeInt(s *ast.RangeStmt) bool {
	if r.cell == nil || !r.cell.rangeInts || s.Value != nil || s.Tok == token.ASSIGN {
		return false
	}
	switch x := unparen(s.X).(type) {
	case *ast.CompositeLit, *ast.FuncLit:
		return false
	case *ast.BasicLit:
		if x.Kind != token.INT {
			return false
		}
	}
	i := ""
	if s.Key != nil {
		id, ok := s.Key.(*ast.Ident)
		if !ok || id.Name == "_" {
			return false
		}
		i = id.Name
	}
	header := r.src[r.off(s.For)+len("for") : r.off(s.Body.Lbrace)]
	if strings.Contains(header, "\n") || containsRecv(s.X) {
		return false
	}
	r.n++
	n := fmt.Sprintf("_clN%d", r.n)
	if i == "" {
		i = fmt.Sprintf("_clI%d", r.n)
	}
	x := r.src[r.off(s.X.Pos()):r.off(s.X.End())]
	r.replace(s.For+token.Pos(len("for")), s.Body.Lbrace, fmt.Sprintf(" %s, %s := 0, %s; %s < %s; %s++ ", i, n, x, i, n, i))
	return true
}
