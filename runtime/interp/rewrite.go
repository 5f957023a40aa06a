package interp

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// The instrumentation pass. It finds positions with go/ast and inserts (or,
// for a few constructs, replaces) text at byte offsets; the source is never
// re-printed. Inserted text never contains a newline, and text that is
// copied elsewhere (a hoisted receive, a sync receiver) is only copied when
// it is on one line, so every original line keeps its number. The edit list
// is kept to map columns back.
//
// What changes:
//   - a check point `if _clFlag {_clTick()};` at every function-body start
//     (funcs, methods, closures), loop-body start and before goto; with
//     Py39 also before every other statement of every block;
//   - `go f(x)` becomes `_clGoCall(f, x)`: f and x are evaluated where Go
//     evaluates them, the call runs under Hooks.Go and its panic is recovered;
//   - blocking channel operations are bracketed by `_clr1 := _clBlock()` and
//     `_clr1()`: send statements, receive statements and assignments,
//     receives inside larger statements (hoisted into a temporary just
//     before the statement; on the right of && or || into an if, so they
//     are made only when Go would make them), select without default
//     (resumed at the start of each case), if/switch with a comma-ok receive
//     in the header, and for-range over a known channel (released around
//     each receive); a receive that cannot be hoisted (its text spans lines)
//     releases the whole statement, or an if/switch/for header (resumed at
//     the start of each branch or body): see fallback and loopBracket;
//   - calls of host methods that block (f.Read, sc.Scan, cmd.Run, ...) and
//     fmt's scanning functions are bracketed by `_clBlocking(x, "M")`, which
//     releases only when x's dynamic type is a host one (blocking*.go);
//   - an else-if whose header blocks becomes `else { if ... }`, and an
//     if/switch init becomes a statement of its own, `{init; if cond {...}}`,
//     when the header blocks (splitInit);
//   - with Py39, x++, x-- and x op= e become read, check point, write (see
//     splitUpdate);
//   - mu.Lock(), mu.RLock(), wg.Wait(), c.Wait() on known sync variables
//     become `_clSync(&mu, "Lock")`;
//   - a position marker `_clAt = code;` (at the cell's top level
//     `_clTop = code;`) goes before statements that may panic
//     (see mark), so a runtime panic can name its line;
//   - at a cell's top level, `v, ok := m[k]`, `x.(T)` and `<-c` (and their
//     var forms), which yaegi cannot compile there, are split (see commaOK);
//   - panic(v) becomes `_clPanic(cell, line, col, v)`, a cell's main becomes
//     _clMain, and compound statements at a cell's top level run inside
//     `func(){...}()` (see wrappable).

// edit replaces src[pos:end] by text (pos == end: an insertion). Edits at
// the same offset apply in the order they were made.
type edit struct {
	pos, end int
	text     string
	seq      int
}

// rewritten is an instrumented text and the edits that made it.
type rewritten struct {
	text  string
	edits []edit
}

// mainName is what a cell's main is called inside the interpreter.
const mainName = "_clMain"

func checkText() string { return "if " + checkExpr + " {_clTick()};" }

// Rewrite instruments one cell (declarations and statements mixed, as a
// user types it) and returns the instrumented cell. It is the pass Eval
// applies, exposed for tests and benchmarks.
func Rewrite(src string, p Policy) (string, error) {
	return rewriteCell(src, p, 0, false)
}

// rewriteCell is Rewrite for the n-th cell of a notebook (n > 0 adds the
// position marks that name its lines), with ranges over integers rewritten
// when rangeInts is set (the second try of compilePart).
func rewriteCell(src string, p Policy, n int, rangeInts bool) (string, error) {
	nb := &notebook{}
	nb.init()
	c, err := splitCell(src, n, "", nb)
	if err != nil {
		return "", err
	}
	c.rangeInts = rangeInts
	nb.addChans(c.chans)
	var all []edit
	texts := []string{c.imps}
	for _, p := range c.parts {
		texts = append(texts, p.text)
	}
	for _, text := range texts {
		if text == "" {
			continue
		}
		rw, err := rewriteText(text, p, nb, c)
		if err != nil {
			return "", err
		}
		for _, e := range rw.edits {
			e.pos -= len(cellPrefix)
			e.end -= len(cellPrefix)
			e.seq += len(all)
			all = append(all, e)
		}
	}
	return applyEdits(src, all), nil
}

// rewriteText instruments a prefixed half of a cell.
func rewriteText(text string, p Policy, nb *notebook, c *cell) (rewritten, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", text, parser.ParseComments)
	if err != nil {
		return rewritten{}, err
	}
	r := &rewriter{src: text, file: fset.File(f.Pos()), policy: p, nb: nb, cell: c, generic: map[string]bool{}}
	r.parenCalls(f)
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Type.TypeParams != nil {
			r.generic[fd.Name.Name] = true
		}
	}
	isStmts := strings.HasPrefix(text, stmtPrefix)
	for i, d := range f.Decls {
		// A cell's func main would be run by yaegi after every later
		// compilation; it is renamed (and every use of it) to an ordinary
		// function, which a cell runs by calling main().
		var n ast.Node = d
		if fd, ok := d.(*ast.FuncDecl); ok && isStmts && i == len(f.Decls)-1 {
			n = fd.Body
		}
		ast.Inspect(n, func(n ast.Node) bool {
			if id, ok := n.(*ast.Ident); ok && id.Name == "main" {
				r.replace(id.Pos(), id.End(), mainName)
			}
			return true
		})
	}
	for i, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if isStmts && i == len(f.Decls)-1 {
				// The cell's statements: instrumented like a body, but no
				// check point of their own at the start, and the last
				// statement keeps its value.
				r.lastExpr = lastExprStmt(d.Body.List)
				r.top = true
				ast.Inspect(d.Body, func(n ast.Node) bool {
					if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.GOTO {
						r.topGoto = true
					}
					_, lit := n.(*ast.FuncLit)
					return !lit
				})
				r.list(d.Body.List)
				continue
			}
			if d.Body != nil {
				r.funcBody(d.Body)
			}
		case *ast.GenDecl:
			r.exprs(d)
		}
	}
	return rewritten{text: applyEdits(text, r.edits), edits: r.edits}, nil
}

type rewriter struct {
	src     string
	file    *token.File
	policy  Policy
	nb      *notebook
	cell    *cell
	generic map[string]bool // generic funcs declared in this text
	edits   []edit
	n       int

	lastExpr *ast.ExprStmt // the cell's trailing expression: receives in it are hoisted
	label    string        // label of the statement being instrumented
	top      bool          // the next list is the cell's top level
	loops    int           // loops the statements being instrumented are in, within their function
	checked  bool          // the next list starts right after a check point
	topGoto  bool          // the cell's top level has a goto
}

func lastExprStmt(l []ast.Stmt) *ast.ExprStmt {
	if len(l) == 0 {
		return nil
	}
	e, _ := l[len(l)-1].(*ast.ExprStmt)
	return e
}

func (r *rewriter) off(p token.Pos) int { return r.file.Offset(p) }

func (r *rewriter) insert(p token.Pos, text string) {
	if text == "" {
		return
	}
	r.replace(p, p, text)
}

// check returns the check-point text for this policy.
func (r *rewriter) check() string {
	if r.policy == policyOff {
		return ""
	}
	return checkText()
}

func (r *rewriter) replace(p, e token.Pos, text string) {
	r.edits = append(r.edits, edit{pos: r.off(p), end: r.off(e), text: text, seq: len(r.edits)})
}

func (r *rewriter) text(n ast.Node) string { return r.src[r.off(n.Pos()):r.off(n.End())] }

// movable reports whether n's text may be copied elsewhere: on one line and
// without function literals (whose bodies get edits of their own).
func (r *rewriter) movable(n ast.Node) bool {
	if strings.Contains(r.text(n), "\n") {
		return false
	}
	lit := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			lit = true
		}
		return !lit
	})
	return !lit
}

func (r *rewriter) next() int { r.n++; return r.n }

func (r *rewriter) funcBody(b *ast.BlockStmt) {
	loops := r.loops
	r.loops = 0
	r.insert(b.Lbrace+1, r.check())
	r.bodyList(b.List)
	r.loops = loops
}

// mayPanic says whether statement s itself (not the statements nested in
// its blocks, which are marked on their own) may raise a runtime panic: it
// indexes, slices, dereferences, selects (a field of a nil pointer),
// asserts a type, divides, shifts, sends, or calls something other than a
// notebook func or a builtin that cannot panic. Loops, select and defer are
// always marked (once per run of the statement, not per iteration). Inside
// functions only such statements are marked, so fib-like code pays nothing.
func (r *rewriter) mayPanic(s ast.Stmt) bool {
	var parts []ast.Node
	switch s := s.(type) {
	case *ast.LabeledStmt:
		return r.mayPanic(s.Stmt)
	case *ast.BlockStmt:
		return false
	case *ast.ForStmt, *ast.RangeStmt, *ast.SelectStmt, *ast.DeferStmt:
		return true
	case *ast.SendStmt:
		return true
	case *ast.IfStmt:
		parts = []ast.Node{s.Init, s.Cond}
	case *ast.SwitchStmt:
		parts = []ast.Node{s.Init, s.Tag}
		for _, cc := range s.Body.List {
			for _, e := range cc.(*ast.CaseClause).List {
				parts = append(parts, e)
			}
		}
	case *ast.TypeSwitchStmt:
		parts = []ast.Node{s.Init, s.Assign}
	case *ast.AssignStmt:
		switch s.Tok {
		case token.QUO_ASSIGN, token.REM_ASSIGN, token.SHL_ASSIGN, token.SHR_ASSIGN:
			return true
		}
		parts = []ast.Node{s}
	default:
		parts = []ast.Node{s}
	}
	risky := false
	for _, p := range parts {
		if p == nil || isNilNode(p) {
			continue
		}
		ast.Inspect(p, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false // its body is marked on its own
			case *ast.IndexExpr, *ast.SliceExpr, *ast.StarExpr, *ast.TypeAssertExpr, *ast.SelectorExpr:
				risky = true
			case *ast.BinaryExpr:
				switch x.Op {
				case token.QUO, token.REM, token.SHL, token.SHR:
					risky = true
				}
			case *ast.CallExpr:
				if !r.safeCall(x) {
					risky = true
				}
			}
			return !risky
		})
		if risky {
			return true
		}
	}
	return false
}

// safeCall says whether calling call.Fun cannot panic by itself: a
// notebook func, or a builtin other than close, make and panic.
func (r *rewriter) safeCall(call *ast.CallExpr) bool {
	id, ok := unparen(call.Fun).(*ast.Ident)
	if !ok {
		return false
	}
	switch id.Name {
	case "close", "make", "panic", mainName, "main":
		return false
	}
	for _, b := range builtins {
		if id.Name == b {
			return true
		}
	}
	for _, f := range r.cell.funcNames {
		if f == id.Name {
			return true
		}
	}
	e, ok := r.nb.lookup(id.Name)
	return ok && e.kind == "func"
}

// loopBody instruments a loop's body.
func (r *rewriter) loopBody(stmts []ast.Stmt) {
	r.loops++
	r.bodyList(stmts)
	r.loops--
}

// mark returns the position marker for s (see markText), or "" where none
// goes: in Rewrite (no cell), inside loops (the loop's own statement is
// marked: a marker per iteration would cost too much), before branch
// statements (fallthrough must stay last) and empty statements, and before
// a simple statement of the cell's top level that can neither panic nor
// call anything (x := 1, a trailing x): yaegi keeps every compiled node
// for the interpreter's life, and a marker's are half of what `x := 1`
// leaves behind (see kernel/backend's BenchmarkRetainedPerCell).
func (r *rewriter) mark(s ast.Stmt, top bool) string {
	if r.cell == nil || r.cell.n == 0 || r.loops > 0 {
		return ""
	}
	switch s.(type) {
	case *ast.BranchStmt, *ast.EmptyStmt:
		return ""
	}
	if !r.mayPanic(s) && (!top || simpleStmt(s) && !hasCall(s)) {
		return ""
	}
	off := r.off(s.Pos()) - len(cellPrefix)
	if off < 0 || off > len(r.cell.src) {
		return ""
	}
	return markText(int64(r.cell.n)<<32|int64(off), top)
}

// simpleStmt says whether s holds no statements of its own. A compound
// statement at a cell's top level is always marked: its inner statements
// name it as the one that called a func that panicked.
func simpleStmt(s ast.Stmt) bool {
	switch s.(type) {
	case *ast.AssignStmt, *ast.ExprStmt, *ast.DeclStmt, *ast.IncDecStmt:
		return true
	}
	return false
}

// hasCall says whether n calls anything (func literals included).
func hasCall(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if _, ok := n.(*ast.CallExpr); ok {
			found = true
		}
		return !found
	})
	return found
}

// bodyList instruments a function or loop body, which starts with a check
// point already: the first statement needs no Py39 check of its own.
func (r *rewriter) bodyList(stmts []ast.Stmt) {
	r.checked = true
	r.list(stmts)
}

func (r *rewriter) list(stmts []ast.Stmt) {
	top, checked := r.top, r.checked
	r.top, r.checked = false, false
	for i, s := range stmts {
		r.insert(s.Pos(), r.mark(s, top))
		if r.policy == Py39 && !(checked && i == 0) {
			r.insert(s.Pos(), r.check())
		}
		wrap := top && r.wrappable(s)
		if wrap {
			r.insert(s.Pos(), "func(){")
			if r.cell != nil {
				r.cell.noteWrap(r.off(s.Pos()) - len(cellPrefix))
			}
		}
		if !top || !r.commaOK(s) {
			r.stmt(s, s.Pos(), true)
		}
		if wrap {
			r.insert(s.End(), "}()")
		}
	}
}

// wrappable says whether a compound statement at a cell's top level may run
// inside `func(){ ... }()`. The cell's statements run in yaegi's global
// scope, where variables declared in nested blocks live in one global slot
// each: closures made in a loop there share them, and yaegi fails to compile
// some forms (v, ok := <-c; a type switch with a binding). Inside a function
// all of that works, and nothing changes for the cell, since the variables
// of an if/for/switch/select are scoped to it anyway. Statements that leave
// by return, goto or defer, which would behave differently, stay as they are.
func (r *rewriter) wrappable(s ast.Stmt) bool {
	inner := s
	if ls, ok := s.(*ast.LabeledStmt); ok {
		if r.topGoto {
			return false // a goto elsewhere in the cell may target the label
		}
		inner = ls.Stmt
	}
	switch inner.(type) {
	case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt, *ast.SelectStmt, *ast.BlockStmt:
	default:
		return false
	}
	ok := true
	ast.Inspect(s, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt, *ast.DeferStmt:
			ok = false
		case *ast.BranchStmt:
			if x.Tok == token.GOTO {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// exprs instruments the function literals inside n (an expression or a
// simple statement: statements only occur inside function literals).
func (r *rewriter) exprs(n ast.Node) {
	if n == nil || isNilNode(n) {
		return
	}
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			r.funcBody(x.Body)
			return false
		case *ast.CallExpr:
			r.panicCall(x)
		}
		return true
	})
}

// panicCall turns panic(v) into _clPanic(cell, line, col, v), which notes
// where the panic was raised (yaegi's own traceback only knows in which
// function) and then panics with v.
func (r *rewriter) panicCall(call *ast.CallExpr) {
	id, ok := call.Fun.(*ast.Ident)
	if !ok || id.Name != "panic" || len(call.Args) != 1 || r.cell == nil {
		return
	}
	off := r.off(call.Pos()) - len(cellPrefix)
	if off < 0 || off > len(r.cell.src) {
		return
	}
	line, col := offsetLineCol(r.cell.src, off)
	r.replace(call.Fun.Pos(), call.Lparen+1, fmt.Sprintf("_clPanic(%d, %d, %d, ", r.cell.n, line, col))
}

func isNilNode(n ast.Node) bool {
	switch x := n.(type) {
	case ast.Expr:
		return x == nil
	case ast.Stmt:
		return x == nil
	}
	return false
}

// stmt instruments s. at is where text may be inserted before s (before its
// label); inList says whether s is an element of a statement list, where
// statements may be inserted.
func (r *rewriter) stmt(s ast.Stmt, at token.Pos, inList bool) {
	label := r.label // set only while visiting a labeled statement's statement
	r.label = ""
	switch s := s.(type) {
	case *ast.LabeledStmt:
		r.label = s.Label.Name
		r.stmt(s.Stmt, at, inList)
	case *ast.BlockStmt:
		r.list(s.List)
	case *ast.ExprStmt:
		if r.syncCall(s) {
			return
		}
		if isRecv(s.X) && inList && s != r.lastExpr {
			r.bracket(at, s.End())
			r.exprs(s.X)
			return
		}
		r.simple(s, at, inList)
	case *ast.AssignStmt:
		if inList && r.policy == Py39 && opAssign(s) && !(isRecv(s.Rhs[0]) && !r.movable(s.Rhs[0])) {
			// x op= <-c: the receive is hoisted (and released) like any
			// other, then the update is split
			left := r.hoist(at, inList, s)
			r.exprs(s)
			if !r.fallback(s, at, inList, left) {
				r.splitUpdate(s)
			}
			return
		}
		if len(s.Rhs) == 1 && isRecv(s.Rhs[0]) && inList {
			r.bracket(at, s.End())
			r.exprs(s)
			return
		}
		r.simple(s, at, inList)
	case *ast.SendStmt:
		r.send(s, at, inList)
	case *ast.IncDecStmt:
		left := r.hoist(at, inList, s)
		r.exprs(s)
		if !r.fallback(s, at, inList, left) && inList && r.policy == Py39 {
			r.splitUpdate(s)
		}
	case *ast.ReturnStmt, *ast.DeclStmt:
		r.simple(s, at, inList)
	case *ast.GoStmt:
		r.callArgs(s, s.Call, at, inList)
		r.goStmt(s)
	case *ast.DeferStmt:
		r.callArgs(s, s.Call, at, inList)
		r.exprs(s)
	case *ast.IfStmt:
		r.ifStmt(s, at, inList, false)
	case *ast.SwitchStmt:
		r.switchStmt(s, at, inList, label != "")
	case *ast.TypeSwitchStmt:
		r.typeSwitchStmt(s, at, inList, label != "")
	case *ast.ForStmt:
		r.loopVars(s)
		if inList && r.forNeedsBracket(s) {
			// a receive in the header that cannot move: the header runs
			// released, the body holding the lock
			r.exprs(s.Init)
			r.exprs(s.Cond)
			r.exprs(s.Post)
			r.loopBracket(s, s.Body, at, label)
			return
		}
		r.hoist(at, inList, s.Init)
		r.exprs(s.Init)
		if !r.forCond(s) {
			r.exprs(s.Cond)
		}
		r.forPost(s.Post)
		r.exprs(s.Post)
		r.insert(s.Body.Lbrace+1, r.check())
		r.loopBody(s.Body.List)
	case *ast.RangeStmt:
		r.loopVars(s)
		if r.rangeInt(s) {
			r.insert(s.Body.Lbrace+1, r.check())
			r.loopBody(s.Body.List)
			return
		}
		if r.rangeChan(s, at, label, inList) {
			return
		}
		r.hoist(at, inList, s.X)
		r.exprs(s.X)
		r.insert(s.Body.Lbrace+1, r.check())
		r.loopBody(s.Body.List)
	case *ast.SelectStmt:
		r.selectStmt(s, at, inList)
	case *ast.BranchStmt:
		if s.Tok == token.GOTO {
			r.insert(s.Pos(), r.check())
		}
	default:
		r.exprs(s)
	}
}

func isRecv(e ast.Expr) bool {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			break
		}
		e = p.X
	}
	u, ok := e.(*ast.UnaryExpr)
	return ok && u.Op == token.ARROW
}

// syncCall turns mu.Lock(), mu.RLock(), wg.Wait() and cond.Wait() on a
// variable or field declared with a sync type into _clSync(&mu, "Lock"),
// which releases (Hooks.Block) around the wait when it has to wait, so a
// goroutine waiting for a lock another holds does not keep the GIL. It
// reports whether it did.
func (r *rewriter) syncCall(s *ast.ExprStmt) bool {
	call, ok := s.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 0 {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || !r.movable(sel.X) {
		return false
	}
	switch sel.Sel.Name {
	case "Lock", "RLock", "Wait":
	default:
		return false
	}
	var name string
	switch x := sel.X.(type) {
	case *ast.Ident:
		name = x.Name
	case *ast.SelectorExpr:
		name = x.Sel.Name
	default:
		return false
	}
	if r.nb.hostSync.Load() || !r.nb.isChan(syncKey+name) {
		return false
	}
	r.replace(call.Pos(), call.End(), fmt.Sprintf("_clSync(&%s, %q)", r.text(sel.X), sel.Sel.Name))
	return true
}

// bracket releases around [at, end): `_clrN := _clBlock(); ...; _clrN()`.
func (r *rewriter) bracket(at, end token.Pos) {
	v := fmt.Sprintf("_clr%d", r.next())
	r.insert(at, v+" := _clBlock();")
	r.insert(end, ";"+v+"()")
}

// hoist moves blocking operations (receives, blocking calls; see
// recvTemps) out of the given parts of a statement into bracketed
// temporaries inserted before it; one nested in another (<-<-cc,
// <-pick(<-c)) is hoisted first. It returns those it left in place, which
// the caller may release around the whole statement (see fallback).
func (r *rewriter) hoist(at token.Pos, inList bool, parts ...ast.Node) (left []ast.Node) {
	if !inList {
		return nil
	}
	for _, part := range parts {
		if part == nil || isNilNode(part) {
			continue
		}
		// v, ok := <-c (an if/switch init) is handled by headerRecv: yaegi
		// cannot compile a hoisted comma-ok receive at a cell's top level.
		if as, ok := part.(*ast.AssignStmt); ok && len(as.Lhs) == 2 && len(as.Rhs) == 1 && isRecv(as.Rhs[0]) {
			continue
		}
		pre, outer, l := r.recvTemps(part)
		left = append(left, l...)
		r.insert(at, pre)
		for _, o := range outer {
			r.replace(o.node.Pos(), o.node.End(), o.text)
		}
	}
	return left
}

// subst is a node whose text is replaced by text.
type subst struct {
	node ast.Node
	text string
}

// textWith is n's source text with the given nodes inside it replaced.
func (r *rewriter) textWith(n ast.Node, subs []subst) string {
	var b strings.Builder
	at := r.off(n.Pos())
	for _, s := range subs {
		b.WriteString(r.src[at:r.off(s.node.Pos())])
		b.WriteString(s.text)
		at = r.off(s.node.End())
	}
	b.WriteString(r.src[at:r.off(n.End())])
	return b.String()
}

// mentionsMain reports whether n uses the name main, which the rewriter
// renames in place (copies of n's text would miss that).
func mentionsMain(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == "main" {
			found = true
		}
		return !found
	})
	return found
}

// forCond releases around the blocking operations of a for condition: the
// condition moves to the start of the body, `if !(cond) {break};`, after
// the statements computing them. A chain a && b && c becomes one such test
// per operand, so a receive in b or c is only made when the operands
// before it hold, as Go evaluates them. Each operand is copied, so it must
// be on one line; the condition may span lines (its line breaks stay). It
// reports whether it did.
func (r *rewriter) forCond(s *ast.ForStmt) bool {
	text, ok := r.forCondText(s)
	if !ok {
		return false
	}
	r.replace(s.Cond.Pos(), s.Cond.End(), r.blankText(s.Cond))
	r.insert(s.Body.Lbrace+1, text)
	return true
}

// forCondText is what forCond puts at the start of the body, and whether
// it applies: every blocking operation of the condition can be hoisted.
func (r *rewriter) forCondText(s *ast.ForStmt) (string, bool) {
	if s.Cond == nil || !r.hasBlocking(s.Cond) || mentionsMain(s.Cond) {
		return "", false
	}
	var ops []ast.Expr
	var flat func(e ast.Expr)
	flat = func(e ast.Expr) {
		if b, ok := unparen(e).(*ast.BinaryExpr); ok && b.Op == token.LAND {
			flat(b.X)
			flat(b.Y)
			return
		}
		ops = append(ops, e)
	}
	flat(s.Cond)
	var b strings.Builder
	hoisted := false
	for _, o := range ops {
		if !r.movable(o) {
			return "", false
		}
		pre, outer, left := r.recvTemps(o)
		if len(left) > 0 {
			return "", false
		}
		hoisted = hoisted || pre != ""
		fmt.Fprintf(&b, "%sif !(%s) {break};", pre, r.textWith(o, outer))
	}
	return b.String(), hoisted
}

// forPost releases around the receives of a for statement's post
// statement, which becomes a call of a function literal: v, ok = <-c and
// <-c run between _clBlock and its resume; in any other post the receives
// are computed first, each released, then the post runs.
func (r *rewriter) forPost(post ast.Stmt) {
	if post == nil || !r.hasBlocking(post) {
		return
	}
	if wholeRecv(post) {
		n := r.next()
		r.insert(post.Pos(), fmt.Sprintf("func(){_clr%d := _clBlock();defer _clr%d();", n, n))
		r.insert(post.End(), "}()")
		return
	}
	pre, outer, _ := r.recvTemps(post)
	if pre == "" {
		return
	}
	r.insert(post.Pos(), "func(){"+pre)
	for _, o := range outer {
		r.replace(o.node.Pos(), o.node.End(), o.text)
	}
	r.insert(post.End(), "}()")
}

// headerRecv brackets an if/switch whose init is a comma-ok receive:
// released before the statement, resumed (once) at the start of whichever
// branch runs and after the statement. It returns the bracket's number, or 0.
func (r *rewriter) headerRecv(init ast.Stmt, at, end token.Pos, inList bool) int {
	as, ok := init.(*ast.AssignStmt)
	if !ok || !inList || len(as.Lhs) != 2 || len(as.Rhs) != 1 || !isRecv(as.Rhs[0]) {
		return 0
	}
	n := r.next()
	r.insert(at, fmt.Sprintf("_clr%d := _clBlock();", n))
	r.insert(end, fmt.Sprintf(";_clr%d()", n))
	return n
}

func unparen(e ast.Expr) ast.Expr {
	for {
		p, ok := e.(*ast.ParenExpr)
		if !ok {
			return e
		}
		e = p.X
	}
}

func containsRecv(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if u, ok := n.(*ast.UnaryExpr); ok && u.Op == token.ARROW {
			found = true
		}
		return !found
	})
	return found
}

func containsCallOrRecv(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			found = true
		case *ast.UnaryExpr:
			found = x.Op == token.ARROW
		case *ast.FuncLit:
			return false
		}
		return !found
	})
	return found
}

// send brackets a send statement. A value that calls something is computed
// first, outside the bracket, so it runs holding the lock.
func (r *rewriter) send(s *ast.SendStmt, at token.Pos, inList bool) {
	if !inList {
		r.exprs(s)
		return
	}
	if containsCallOrRecv(s.Value) && r.movable(s.Chan) {
		n := r.next()
		if left := r.hoist(at, inList, s.Value); hasRecvLeft(left) {
			// a receive that cannot move: the value is computed released
			// too
			r.bracket(at, s.End())
			r.exprs(s)
			return
		}
		r.replace(s.Chan.Pos(), s.Value.Pos(), fmt.Sprintf("_clv%d := ", n))
		r.exprs(s.Value)
		r.insert(s.Value.End(), fmt.Sprintf(";_clr%d := _clBlock();%s <- _clv%d;_clr%d()", n, r.text(s.Chan), n, n))
		return
	}
	r.bracket(at, s.End())
	r.exprs(s)
}

// selectStmt brackets a select without default: released before it,
// resumed at the start of whichever case runs.
func (r *rewriter) selectStmt(s *ast.SelectStmt, at token.Pos, inList bool) {
	hasDefault := false
	for _, cc := range s.Body.List {
		if cc.(*ast.CommClause).Comm == nil {
			hasDefault = true
		}
	}
	n := 0
	if !hasDefault && inList {
		n = r.next()
		r.insert(at, fmt.Sprintf("_clr%d := _clBlock();", n))
	}
	for _, cc := range s.Body.List {
		cc := cc.(*ast.CommClause)
		r.exprs(cc.Comm)
		if n > 0 {
			r.insert(cc.Colon+1, fmt.Sprintf("_clr%d();", n))
		}
		r.list(cc.Body)
	}
}

// rangeChan brackets `for v := range c` over a known channel: released
// before the loop, resumed at the start of the body, released again at the
// end of the body and before each continue of this loop, resumed after the
// loop. Resumes act once, so leaving by break, return or a closed channel
// all end up resumed. It reports whether it did.
func (r *rewriter) rangeChan(s *ast.RangeStmt, at token.Pos, label string, inList bool) bool {
	if s.Value != nil || !inList || !r.isChanExpr(s.X) {
		return false
	}
	r.loopBracket(s, s.Body, at, label)
	return true
}

// loopBracket releases around the header of loop s (with the given body and
// label), as rangeChan does around a range over a channel: the header runs
// released, the body holding the lock.
func (r *rewriter) loopBracket(s ast.Stmt, body *ast.BlockStmt, at token.Pos, label string) {
	n := r.next()
	r.insert(at, fmt.Sprintf("_clr%d := _clBlock();", n))
	r.insert(body.Lbrace+1, fmt.Sprintf("_clr%d();", n))
	r.insert(body.Lbrace+1, r.check())
	// The body's own instrumentation first: a re-block before continue
	// must come after a Py39 check point inserted at the same offset.
	r.loopBody(body.List)
	reblock := fmt.Sprintf("_clr%d = _clBlock();", n)
	var walk func(n ast.Node, nested bool) bool
	walk = func(node ast.Node, nested bool) bool {
		ast.Inspect(node, func(x ast.Node) bool {
			switch x := x.(type) {
			case *ast.FuncLit:
				return false
			case *ast.ForStmt, *ast.RangeStmt:
				if x != ast.Node(s) && !nested {
					var body *ast.BlockStmt
					if f, ok := x.(*ast.ForStmt); ok {
						body = f.Body
					} else {
						body = x.(*ast.RangeStmt).Body
					}
					walk(body, true)
					return false
				}
			case *ast.BranchStmt:
				if x.Tok != token.CONTINUE {
					return true
				}
				if x.Label == nil && !nested || x.Label != nil && x.Label.Name == label {
					r.insert(x.Pos(), reblock)
				}
			}
			return true
		})
		return false
	}
	walk(body, false)
	r.insert(body.Rbrace, ";"+reblock)
	r.insert(s.End(), fmt.Sprintf(";_clr%d()", n))
}

// isChanExpr says whether x is known to be a channel: a name or field the
// notebook declared as one, a call of a func returning one, time.Tick/After
// or a Done() call.
func (r *rewriter) isChanExpr(x ast.Expr) bool {
	switch x := unparen(x).(type) {
	case *ast.Ident:
		return r.nb.isChan(x.Name)
	case *ast.SelectorExpr:
		return r.nb.isChan(x.Sel.Name)
	case *ast.CallExpr:
		switch f := x.Fun.(type) {
		case *ast.Ident:
			return r.nb.isChan(f.Name + "()")
		case *ast.SelectorExpr:
			if id, ok := f.X.(*ast.Ident); ok && id.Name == "time" && (f.Sel.Name == "Tick" || f.Sel.Name == "After") {
				return true
			}
			return f.Sel.Name == "Done" || r.nb.isChan(f.Sel.Name+"()")
		}
	}
	return false
}

// goStmt rewrites `go f(a, b)` into `_clGoCall(f, a, b)` (`_clGoNamed("f",
// f, a, b)` when f is a plain name): the function
// value (with a method value's receiver) and the arguments are evaluated at
// the go statement, as Go does, and the host calls f with them (converted to
// its parameter types) on a goroutine started by Hooks.Go. `go f(xs...)`
// becomes `_clGoSpread(f, xs)`. Builtins and generic functions cannot be
// passed as values; for them the call is wrapped in a closure instead
// (`_clGo(func(){ println(x) })`), so their arguments are evaluated late.
func (r *rewriter) goStmt(s *ast.GoStmt) {
	call := s.Call
	r.exprs(call)
	if r.notValue(call.Fun) {
		r.replace(s.Go, call.Fun.Pos(), "_clGo(func(){")
		r.insert(call.End(), "})")
		return
	}
	helper := "_clGoCall("
	if call.Ellipsis.IsValid() {
		helper = "_clGoSpread("
		r.replace(call.Ellipsis, call.Ellipsis+3, "")
	} else if id, ok := call.Fun.(*ast.Ident); ok {
		// By name too: another isolate or a worker process finds the
		// function by its name (%mode isolates, processes).
		helper = "_clGoNamed(" + strconv.Quote(id.Name) + ", "
	}
	r.replace(s.Go, call.Fun.Pos(), helper)
	if len(call.Args) == 0 {
		r.replace(call.Lparen, call.Lparen+1, "")
	} else {
		r.replace(call.Lparen, call.Lparen+1, ", ")
	}
}

// notValue says whether a called function cannot be used as a value: a
// builtin, or a notebook generic function without explicit instantiation.
func (r *rewriter) notValue(fun ast.Expr) bool {
	id, ok := unparen(fun).(*ast.Ident)
	if !ok {
		return false
	}
	for _, b := range builtins {
		if id.Name == b {
			return true
		}
	}
	return r.generic[id.Name] || r.nb.isGeneric(id.Name)
}

// applyEdits applies edits (offsets into src) in order.
func applyEdits(src string, edits []edit) string {
	sorted := sortEdits(edits)
	var b strings.Builder
	b.Grow(len(src) + 64*len(edits))
	at := 0
	for _, e := range sorted {
		if e.pos < at {
			continue // overlapping edit: never produced on purpose
		}
		b.WriteString(src[at:e.pos])
		b.WriteString(e.text)
		at = e.end
	}
	b.WriteString(src[at:])
	return b.String()
}

func sortEdits(edits []edit) []edit {
	s := append([]edit(nil), edits...)
	sort.SliceStable(s, func(i, j int) bool {
		if s[i].pos != s[j].pos {
			return s[i].pos < s[j].pos
		}
		// insertions before replacements at the same offset
		if (s[i].pos == s[i].end) != (s[j].pos == s[j].end) {
			return s[i].pos == s[i].end
		}
		return s[i].seq < s[j].seq
	})
	return s
}

// origOffset maps an offset in the rewritten text back to the text before
// rewriting. Offsets inside inserted text map to where it was inserted.
func origOffset(edits []edit, off int) int {
	delta := 0
	for _, e := range sortEdits(edits) {
		start := e.pos + delta
		if off < start {
			break
		}
		if off < start+len(e.text) {
			return e.pos
		}
		delta += len(e.text) - (e.end - e.pos)
	}
	return off - delta
}
