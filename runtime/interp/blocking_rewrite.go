package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"
)

// The rewriter's side of blocking operations other than a channel's: calls
// of host methods that may block (reading a pipe, bufio, a Scanner's Scan,
// exec.Cmd.Run, an http.Server's ListenAndServe) and fmt's scanning
// functions. The rewriter has no types, so it brackets every call of a
// method with one of these names, unless the notebook declares a method of
// that name itself, with `_clBlocking(x, "Read")` and its resume; the host
// (Interpreter.blocking) decides at run time, from x's dynamic type,
// whether the call runs host code only and so may release. The receiver
// and the arguments are evaluated holding the lock (into temporaries when
// they call something), only the call itself runs released.
//
// This file also holds the walk that hoists blocking operations out of a
// statement (recvTemps): receives, such calls in single-value contexts, and
// the right operand of && and || that contains either, which is hoisted
// into an if so it is only evaluated when Go would evaluate it.

// blockingMethods names the methods of host types that may block, as
// Interpreter.blocking knows them.
var blockingMethods = map[string]bool{
	"Read": true, "ReadString": true, "ReadLine": true, "ReadBytes": true,
	"ReadRune": true, "ReadByte": true, "ReadSlice": true,
	"Scan":           true,
	"ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true,
	"Run": true, "Wait": true, "Output": true, "CombinedOutput": true,
}

// listenerArg names the methods whose first argument the host looks at:
// http.Server.Serve only releases around a host listener.
var listenerArg = map[string]bool{"Serve": true, "ServeTLS": true}

// fmtScans are fmt's scanning functions and the index of their reader
// argument (-1: they read the interpreter's stdin, always a host reader).
var fmtScans = map[string]int{"Scan": -1, "Scanln": -1, "Scanf": -1, "Fscan": 0, "Fscanln": 0, "Fscanf": 0}

// blockCall is a call that may block in host code.
type blockCall struct {
	call  *ast.CallExpr
	recv  ast.Expr // the receiver; nil for a fmt function
	name  string   // what the host is told: "Read", "fmt.Fscan"
	check ast.Expr // an argument the host looks at, or nil
}

// blockingCall returns e as a blocking call, or nil: a call x.M(...) of a
// method in blockingMethods that no notebook type declares, on a receiver
// that is a value (not a package: rt.Run is a function), or a call of one
// of fmt's scanning functions.
func (r *rewriter) blockingCall(e ast.Expr) *blockCall {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	name := sel.Sel.Name
	if id, ok := sel.X.(*ast.Ident); ok {
		if path, isPkg := r.importPath(id.Name); isPkg {
			i, scan := fmtScans[name]
			if path != "fmt" || !scan {
				return nil
			}
			bc := &blockCall{call: call, name: "fmt." + name}
			if i >= 0 {
				if len(call.Args) <= i {
					return nil
				}
				bc.check = call.Args[i]
			}
			return bc
		}
	}
	if !blockingMethods[name] || r.declaresMethod(name) || !r.isValue(sel.X) {
		return nil
	}
	bc := &blockCall{call: call, recv: sel.X, name: name}
	if listenerArg[name] && len(call.Args) > 0 {
		bc.check = call.Args[0]
	}
	return bc
}

// importPath returns the path of the import the cell or the notebook binds
// to name.
func (r *rewriter) importPath(name string) (string, bool) {
	if r.cell != nil {
		for _, s := range r.cell.imports {
			if s.localName() == name {
				return s.path, true
			}
		}
	}
	return r.nb.importPath(name)
}

// isValue says whether x, a method call's receiver, is a value rather than
// something that may be a type (a method expression, T.M(x)): not
// pkg.Name (but os.Stdin), not *x, not a type the notebook declares.
func (r *rewriter) isValue(x ast.Expr) bool {
	switch x := unparen(x).(type) {
	case *ast.StarExpr:
		return false
	case *ast.Ident:
		if e, ok := r.nb.lookup(x.Name); ok && e.kind == "type" {
			return false
		}
		if r.cell != nil {
			for _, e := range r.cell.entries {
				if e.kind == "type" && slices.Contains(e.names, x.Name) {
					return false
				}
			}
		}
	}
	sel, ok := unparen(x).(*ast.SelectorExpr)
	if !ok {
		return true
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return true
	}
	path, isPkg := r.importPath(id.Name)
	return !isPkg || path == "os" && sel.Sel.Name == "Stdin"
}

// declaresMethod says whether the notebook or the cell declares a method
// called name, on any type: calls of it are left alone.
func (r *rewriter) declaresMethod(name string) bool {
	if len(r.nb.methods(name)) > 0 {
		return true
	}
	if r.cell == nil {
		return false
	}
	for _, e := range r.cell.entries {
		for _, n := range e.names {
			if strings.HasSuffix(n, "."+name) {
				return true
			}
		}
	}
	return false
}

// hasBlocking says whether n has a receive or a blocking call outside
// function literals.
func (r *rewriter) hasBlocking(n ast.Node) bool {
	if n == nil || isNilNode(n) {
		return false
	}
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.UnaryExpr:
			found = x.Op == token.ARROW
		case *ast.CallExpr:
			found = r.blockingCall(x) != nil
		}
		return !found
	})
	return found
}

// pure says whether evaluating e twice is the same as once: names, fields,
// indexes, dereferences and literals, nothing that calls or receives.
func pure(e ast.Expr) bool {
	ok := true
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case nil, *ast.Ident, *ast.BasicLit, *ast.SelectorExpr, *ast.IndexExpr, *ast.StarExpr,
			*ast.ParenExpr, *ast.TypeAssertExpr, *ast.ArrayType, *ast.MapType, *ast.ChanType,
			*ast.InterfaceType, *ast.FuncType, *ast.StructType, *ast.FieldList, *ast.Field, *ast.Ellipsis:
		default:
			ok = false
		}
		return ok
	})
	return ok
}

// calls says whether e calls something (outside function literals).
func calls(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = true
		}
		return !found
	})
	return found
}

// temps is what recvTemps collects: the statements computing hoisted
// operations, the replacements of the outermost ones, and the blocking
// operations it could not hoist.
type temps struct {
	b    strings.Builder
	subs []subst
	left []ast.Node
}

// recvTemps finds the blocking operations of n that may be hoisted and
// returns the statements computing them (bracketed, innermost first), the
// temporaries that replace the outermost ones and the operations left in
// place. A receive is hoisted when its text is on one line (it is copied);
// a blocking call when it is on one line and in a single-value context
// (an operand, not `f(r.ReadString('\n'))`, whose results may be several);
// the right operand of && and || when it contains either, as
// `_clvN := x; if _clvN { ...; _clvN = (y) == true }`. Nothing is hoisted
// out of a function literal (its body is instrumented on its own).
func (r *rewriter) recvTemps(n ast.Node) (pre string, outer []subst, left []ast.Node) {
	var t temps
	r.collect(n, nil, &t)
	return t.b.String(), t.subs, t.left
}

// collect adds n's blocking operations to t; parent is n's parent, if any.
func (r *rewriter) collect(n ast.Node, parent ast.Node, t *temps) {
	if n == nil || isNilNode(n) {
		return
	}
	var stack []ast.Node
	if parent != nil {
		stack = append(stack, parent)
	}
	ast.Inspect(n, func(x ast.Node) bool {
		if x == nil {
			stack = stack[:len(stack)-1]
			return false
		}
		switch x := x.(type) {
		case *ast.FuncLit:
			return false
		case *ast.UnaryExpr:
			if x.Op == token.ARROW {
				r.hoistRecv(x, t)
				return false
			}
		case *ast.BinaryExpr:
			if (x.Op == token.LAND || x.Op == token.LOR) && r.hasBlocking(x.Y) {
				r.hoistCond(x, t)
				return false
			}
		case *ast.CallExpr:
			if bc := r.blockingCall(x); bc != nil {
				if c := usage(stack, x); c == single || c == sole && oneResult[bc.name] {
					r.hoistCall(bc, t)
				} else {
					t.left = append(t.left, x)
				}
				return false
			}
		}
		stack = append(stack, x)
		return true
	})
}

// oneResult names the blocking methods that have one result on every type
// that has them (so f(x.Run()) passes one value; Wait is left out:
// os.Process.Wait has two).
var oneResult = map[string]bool{"Scan": true, "Run": true, "ListenAndServe": true, "ListenAndServeTLS": true, "Serve": true, "ServeTLS": true}

// How a call's results are used.
const (
	single   = iota // as one value (an operand)
	sole            // passed on whole: f(call), return call; one value or several
	multiple        // assigned to several variables, or a statement
)

// usage says how the value of e, whose ancestors are stack, is used.
func usage(stack []ast.Node, e ast.Expr) int {
	var child ast.Node = e
	for i := len(stack) - 1; i >= 0; i-- {
		switch p := stack[i].(type) {
		case *ast.ParenExpr:
			child = p
			continue
		case *ast.CallExpr:
			if child != p.Fun && len(p.Args) == 1 {
				return sole
			}
		case *ast.ReturnStmt:
			if len(p.Results) == 1 {
				return sole
			}
		case *ast.AssignStmt:
			if len(p.Rhs) == 1 && len(p.Lhs) > 1 {
				return multiple
			}
		case *ast.ValueSpec:
			if len(p.Values) == 1 && len(p.Names) > 1 {
				return multiple
			}
		case *ast.ExprStmt, *ast.GoStmt, *ast.DeferStmt:
			return multiple
		}
		return single
	}
	return single
}

// hoistRecv hoists a receive (see recvTemps).
func (r *rewriter) hoistRecv(x *ast.UnaryExpr, t *temps) {
	if !r.movable(x) || mentionsMain(x) {
		t.left = append(t.left, x)
		return
	}
	var inner temps
	r.collect(x.X, x, &inner)
	t.b.WriteString(inner.b.String())
	t.left = append(t.left, inner.left...)
	k := r.next()
	fmt.Fprintf(&t.b, "_clr%d := _clBlock();_clv%d := %s;_clr%d();", k, k, r.textWith(x, inner.subs), k)
	t.subs = append(t.subs, subst{x, fmt.Sprintf("_clv%d", k)})
}

// hoistCond hoists x && y or x || y whose y blocks (see recvTemps). Its
// operands are copied, each on one line; x itself may span lines, and its
// replacement keeps them.
func (r *rewriter) hoistCond(x *ast.BinaryExpr, t *temps) {
	if !r.movable(x.X) || !r.movable(x.Y) || mentionsMain(x) {
		r.collect(x.X, x, t)
		var rest temps
		r.collect(x.Y, x, &rest)
		t.left = append(t.left, blockingNodes(rest)...)
		return
	}
	var xs, ys temps
	r.collect(x.X, x, &xs)
	r.collect(x.Y, x, &ys)
	t.b.WriteString(xs.b.String())
	t.left = append(t.left, xs.left...)
	if len(ys.left) > 0 {
		t.subs = append(t.subs, xs.subs...)
		t.left = append(t.left, blockingNodes(ys)...)
		return
	}
	k := r.next()
	neg := ""
	if x.Op == token.LOR {
		neg = "!"
	}
	fmt.Fprintf(&t.b, "_clv%d := %s;if %s_clv%d {%s_clv%d = (%s) == true};",
		k, r.textWith(x.X, xs.subs), neg, k, ys.b.String(), k, r.textWith(x.Y, ys.subs))
	t.subs = append(t.subs, subst{x, r.tempText(x, fmt.Sprintf("_clv%d", k))})
}

// blockingNodes are the operations a walk found, hoisted or not: the
// outermost replaced nodes and those left.
func blockingNodes(t temps) []ast.Node {
	out := append([]ast.Node(nil), t.left...)
	for _, s := range t.subs {
		out = append(out, s.node)
	}
	return out
}

// hoistCall hoists a blocking call in a single-value context (see
// recvTemps): `_clrN := _clBlocking(x, "M");_clvN := x.M(args);_clrN();`,
// its receiver and arguments computed before, holding the lock.
func (r *rewriter) hoistCall(bc *blockCall, t *temps) {
	if !r.movable(bc.call) || mentionsMain(bc.call) {
		t.left = append(t.left, bc.call)
		return
	}
	subs, args := r.callOperands(bc, t)
	k := r.next()
	fmt.Fprintf(&t.b, "_clr%d := _clBlocking(%s);_clv%d := %s;_clr%d();", k, args, k, r.textWith(bc.call, subs), k)
	t.subs = append(t.subs, subst{bc.call, fmt.Sprintf("_clv%d", k)})
}

// callOperands computes, into t's statements, the receiver and arguments
// of bc that must be computed before it is released: a receiver or checked
// argument that is not pure (the host is given it too, so it is used twice)
// and arguments that call something or block. It returns the replacements
// of those operands, in source order, and the text of _clBlocking's
// arguments.
func (r *rewriter) callOperands(bc *blockCall, t *temps) (subs []subst, helperArgs string) {
	operand := func(e ast.Expr, twice bool) string {
		if !r.movable(e) || mentionsMain(e) {
			return ""
		}
		var inner temps
		r.collect(e, bc.call, &inner)
		t.b.WriteString(inner.b.String())
		t.left = append(t.left, inner.left...)
		if len(inner.subs) == 0 && (twice && pure(e) || !twice && !calls(e)) {
			return r.text(e)
		}
		k := r.next()
		fmt.Fprintf(&t.b, "_cla%d := %s;", k, r.textWith(e, inner.subs))
		name := fmt.Sprintf("_cla%d", k)
		subs = append(subs, subst{e, name})
		return name
	}
	recv := "nil"
	if bc.recv != nil {
		recv = operand(bc.recv, true)
	}
	check := ""
	for _, a := range bc.call.Args {
		text := operand(a, a == bc.check)
		if a == bc.check {
			check = text
		}
	}
	if recv == "" {
		recv, check = "nil", "" // not copyable: the host, told no name, keeps the lock
		bc = &blockCall{}
	}
	helperArgs = fmt.Sprintf("%s, %q", recv, bc.name)
	if check != "" {
		helperArgs += ", " + check
	}
	return subs, helperArgs
}

// tempText is the text that replaces n by the temporary name: on n's
// first line, with n's line breaks kept inside parentheses.
func (r *rewriter) tempText(n ast.Node, name string) string {
	nl := strings.Count(r.text(n), "\n")
	if nl == 0 {
		return name
	}
	return "(" + strings.Repeat("\n", nl) + name + ")"
}

// callBracket releases around a statement whose blocking call bc is its
// expression, its only value or its only result (`n, err := f.Read(b)`):
// the receiver and arguments are computed first (see callOperands), then
// `_clrN := _clBlocking(x, "M");` stmt `;_clrN()`. A return resumes in a
// deferred call. It reports whether it did.
func (r *rewriter) callBracket(at token.Pos, s ast.Stmt, bc *blockCall) bool {
	if !r.movableOperands(bc) {
		return false
	}
	var t temps
	subs, args := r.callOperands(bc, &t)
	r.insert(at, t.b.String())
	for _, sb := range subs {
		r.replace(sb.node.Pos(), sb.node.End(), sb.text)
	}
	k := r.next()
	if _, ok := s.(*ast.ReturnStmt); ok {
		r.insert(at, fmt.Sprintf("_clr%d := _clBlocking(%s);defer _clr%d();", k, args, k))
		return true
	}
	r.insert(at, fmt.Sprintf("_clr%d := _clBlocking(%s);", k, args))
	r.insert(s.End(), fmt.Sprintf(";_clr%d()", k))
	return true
}

// movableOperands says whether the operands of bc the host is given can
// be copied (otherwise the call is left alone and keeps the lock).
func (r *rewriter) movableOperands(bc *blockCall) bool {
	for _, e := range []ast.Expr{bc.recv, bc.check} {
		if e != nil && (!r.movable(e) || mentionsMain(e)) {
			return false
		}
	}
	return true
}

// stmtCall returns the blocking call a simple statement consists of: its
// expression, its only value or its only result.
func (r *rewriter) stmtCall(s ast.Stmt) *blockCall {
	var e ast.Expr
	switch s := s.(type) {
	case *ast.ExprStmt:
		if s == r.lastExpr {
			return nil // the cell's value: it stays last
		}
		e = s.X
	case *ast.AssignStmt:
		if len(s.Rhs) == 1 {
			e = s.Rhs[0]
		}
	case *ast.ReturnStmt:
		if len(s.Results) == 1 {
			e = s.Results[0]
		}
	case *ast.DeclStmt:
		if gd, ok := s.Decl.(*ast.GenDecl); ok && len(gd.Specs) == 1 {
			if vs, ok := gd.Specs[0].(*ast.ValueSpec); ok && len(vs.Values) == 1 {
				e = vs.Values[0]
			}
		}
	}
	if e == nil {
		return nil
	}
	return r.blockingCall(unparen(e))
}

// printCall returns the blocking call that is the only argument of a call
// of fmt's or log's printing functions, the statement's expression
// (`log.Fatal(srv.ListenAndServe())`): those run host code only, so the
// whole statement may run released.
func (r *rewriter) printCall(s ast.Stmt) *blockCall {
	es, ok := s.(*ast.ExprStmt)
	if !ok || es == r.lastExpr {
		return nil
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	id, ok := sel.X.(*ast.Ident)
	if !ok {
		return nil
	}
	if path, _ := r.importPath(id.Name); path != "fmt" && path != "log" {
		return nil
	}
	return r.blockingCall(unparen(call.Args[0]))
}

// blankText is n's text reduced to its line breaks: what replaces a
// condition that moved, so the lines after it keep their numbers.
func (r *rewriter) blankText(n ast.Node) string {
	return strings.Repeat("\n", strings.Count(r.text(n), "\n"))
}

// hasRecvLeft says whether nodes include a receive.
func hasRecvLeft(nodes []ast.Node) bool {
	for _, n := range nodes {
		if containsRecv(n) {
			return true
		}
	}
	return false
}

// simple instruments a simple statement (expression, assignment, return,
// declaration): one that is a blocking call is bracketed whole
// (callBracket); otherwise its blocking operations are hoisted, and those
// that cannot be are released with the statement (fallback).
func (r *rewriter) simple(s ast.Stmt, at token.Pos, inList bool) {
	if inList {
		if bc := r.stmtCall(s); bc != nil && r.callBracket(at, s, bc) {
			r.exprs(s)
			return
		}
	}
	left := r.hoist(at, inList, s)
	r.exprs(s)
	r.fallback(s, at, inList, left)
}

// fallback releases around the whole simple statement s when hoisting left
// operations in place that would otherwise block holding the lock: a
// receive (a multi-line one, one right of && that cannot be copied) makes
// the statement run between _clBlock and its resume; a blocking call whose results are printed
// (`log.Fatal(srv.ListenAndServe())`) is bracketed with the statement. The
// rest of such a statement runs released too, which is why this is the
// last resort. It reports whether it did.
func (r *rewriter) fallback(s ast.Stmt, at token.Pos, inList bool, left []ast.Node) bool {
	if !inList || len(left) == 0 {
		return false
	}
	if hasRecvLeft(left) {
		if es, ok := s.(*ast.ExprStmt); ok && es == r.lastExpr {
			return false // the cell's value: it stays last
		}
		if rs, ok := s.(*ast.ReturnStmt); ok {
			// return x becomes _clvN := x; ...; return _clvN, x kept in
			// place (a deferred resume would do, but yaegi cannot return a
			// receive from a function with a defer)
			if len(rs.Results) != 1 {
				return false
			}
			if _, isCall := unparen(rs.Results[0]).(*ast.CallExpr); isCall {
				return false // perhaps several values
			}
			n := r.next()
			r.replace(rs.Return, rs.Return+token.Pos(len("return")), fmt.Sprintf("_clr%d := _clBlock();_clv%d :=", n, n))
			r.insert(s.End(), fmt.Sprintf(";_clr%d();return _clv%d", n, n))
			return true
		}
		r.bracket(at, s.End())
		return true
	}
	if bc := r.printCall(s); bc != nil {
		return r.callBracket(at, s, bc)
	}
	return false
}

// callArgs instruments what a go or defer statement s evaluates itself:
// the blocking operations in its call's function value and arguments are
// hoisted (or, failing that, the statement is released). For
// `go x.M(...)` with M blocking, the method value is wrapped
// (`_clBlockingFunc(x, "M", x.M)`) so the new goroutine releases around
// the call, which it would otherwise make holding the lock.
func (r *rewriter) callArgs(s ast.Stmt, call *ast.CallExpr, at token.Pos, inList bool) {
	if inList {
		var t temps
		fun := ast.Expr(call.Fun)
		if sel, ok := unparen(fun).(*ast.SelectorExpr); ok {
			fun = sel.X
		}
		r.collect(fun, call, &t)
		for _, a := range call.Args {
			r.collect(a, call, &t)
		}
		r.insert(at, t.b.String())
		for _, o := range t.subs {
			r.replace(o.node.Pos(), o.node.End(), o.text)
		}
		if hasRecvLeft(t.left) {
			r.bracket(at, s.End())
		}
	}
	if _, ok := s.(*ast.GoStmt); !ok {
		return
	}
	bc := r.blockingCall(call)
	if bc == nil || bc.recv != nil && (!pure(bc.recv) || !r.movable(bc.recv) || mentionsMain(bc.recv)) {
		return
	}
	recv := "nil"
	if bc.recv != nil {
		recv = r.text(bc.recv)
	}
	r.insert(call.Fun.Pos(), fmt.Sprintf("_clBlockingFunc(%s, %q, ", recv, bc.name))
	r.insert(call.Fun.End(), ")")
}

// ifStmt instruments an if statement. A comma-ok receive in its init
// releases the whole header (headerRecv). Otherwise an init is split off
// when the header blocks (splitInit), the condition's blocking operations
// are hoisted, and a receive that cannot be releases the header: released
// before it, resumed at the start of whichever branch runs and after it.
// An else-if whose header blocks becomes `else { if ... }`, so it can be
// instrumented as a statement of its own. released says the header of an
// enclosing if of the chain is released already.
func (r *rewriter) ifStmt(s *ast.IfStmt, at token.Pos, inList, released bool) {
	if n := r.headerRecv(s.Init, at, s.End(), inList); n > 0 {
		for ifs := s; ifs != nil; {
			r.insert(ifs.Body.Lbrace+1, fmt.Sprintf("_clr%d();", n))
			switch e := ifs.Else.(type) {
			case *ast.BlockStmt:
				r.insert(e.Lbrace+1, fmt.Sprintf("_clr%d();", n))
				ifs = nil
			case *ast.IfStmt:
				ifs = e
			default:
				ifs = nil
			}
		}
		r.exprs(s.Init)
		r.exprs(s.Cond)
		r.list(s.Body.List)
		switch e := s.Else.(type) {
		case *ast.BlockStmt:
			r.list(e.List)
		case *ast.IfStmt:
			r.ifStmt(e, e.Pos(), false, true)
		}
		return
	}
	start, split := r.splitInit(s.If, s.Init, []ast.Node{s.Cond}, at, inList)
	left := r.header(at, start, split, inList, s.Init, s.Cond)
	resume := ""
	if inList && hasRecvLeft(left) {
		n := r.next()
		resume = fmt.Sprintf("_clr%d();", n)
		r.insert(start, fmt.Sprintf("_clr%d := _clBlock();", n))
		r.insert(s.Body.Lbrace+1, resume)
	}
	if split {
		r.insert(start, "if ")
	}
	r.list(s.Body.List)
	switch e := s.Else.(type) {
	case *ast.BlockStmt:
		r.insert(e.Lbrace+1, resume)
		r.list(e.List)
	case *ast.IfStmt:
		if resume != "" || !released && (r.hasBlocking(e.Init) || r.hasBlocking(e.Cond)) {
			r.insert(e.Pos(), "{"+resume)
			r.ifStmt(e, e.Pos(), true, false)
			r.insert(e.End(), "}")
		} else {
			r.ifStmt(e, e.Pos(), false, released)
		}
	}
	if resume != "" {
		r.insert(s.End(), ";"+resume)
	}
	if split {
		r.insert(s.End(), "}")
	}
}

// switchStmt instruments an expression switch like ifStmt does an if: the
// case expressions, evaluated one by one until one matches, are never
// hoisted; a receive in one releases the header, resumed at the start of
// each clause. labeled says the switch has a label, which a break may name:
// its init is not split off then.
func (r *rewriter) switchStmt(s *ast.SwitchStmt, at token.Pos, inList, labeled bool) {
	if n := r.headerRecv(s.Init, at, s.End(), inList); n > 0 {
		for _, cc := range s.Body.List {
			r.insert(cc.(*ast.CaseClause).Colon+1, fmt.Sprintf("_clr%d();", n))
		}
		r.exprs(s.Init)
		r.exprs(s.Tag)
		r.clauses(s.Body, "")
		return
	}
	rest := []ast.Node{s.Tag}
	for _, cc := range s.Body.List {
		for _, e := range cc.(*ast.CaseClause).List {
			rest = append(rest, e)
		}
	}
	start, split := at, false
	if !labeled {
		start, split = r.splitInit(s.Switch, s.Init, rest, at, inList)
	}
	left := r.header(at, start, split, inList, s.Init, s.Tag)
	for _, e := range rest[1:] {
		if r.hasBlocking(e) {
			left = append(left, e)
		}
	}
	r.headerBracket(s, s.Body, start, split, "switch ", inList && hasRecvLeft(left))
}

// typeSwitchStmt instruments a type switch like switchStmt.
func (r *rewriter) typeSwitchStmt(s *ast.TypeSwitchStmt, at token.Pos, inList, labeled bool) {
	start, split := at, false
	if !labeled {
		start, split = r.splitInit(s.Switch, s.Init, []ast.Node{s.Assign}, at, inList)
	}
	left := r.header(at, start, split, inList, s.Init, s.Assign)
	r.headerBracket(s, s.Body, start, split, "switch ", inList && hasRecvLeft(left))
}

// header instruments the header of an if or switch: it hoists the
// blocking operations of part (with init's, unless splitInit made init a
// statement of its own, split) and returns those left in place.
func (r *rewriter) header(at, start token.Pos, split, inList bool, init ast.Stmt, part ast.Node) []ast.Node {
	var left []ast.Node
	if split {
		left = r.hoist(start, inList, part)
	} else {
		left = r.hoist(at, inList, init, part)
		r.exprs(init)
	}
	r.exprs(part)
	return left
}

// headerBracket finishes a switch: when release is set, its header runs
// released (from start) and each clause resumes; kw goes back at start
// when the init was split off.
func (r *rewriter) headerBracket(s ast.Stmt, body *ast.BlockStmt, start token.Pos, split bool, kw string, release bool) {
	resume := ""
	if release {
		n := r.next()
		resume = fmt.Sprintf("_clr%d();", n)
		r.insert(start, fmt.Sprintf("_clr%d := _clBlock();", n))
	}
	if split {
		r.insert(start, kw)
	}
	r.clauses(body, resume)
	if resume != "" {
		r.insert(s.End(), ";"+resume)
	}
	if split {
		r.insert(s.End(), "}")
	}
}

// clauses instruments the case clauses of a switch body, inserting resume
// at the start of each.
func (r *rewriter) clauses(body *ast.BlockStmt, resume string) {
	for _, cc := range body.List {
		cc := cc.(*ast.CaseClause)
		r.insert(cc.Colon+1, resume)
		for _, e := range cc.List {
			r.exprs(e)
		}
		r.list(cc.Body)
	}
}

// splitInit turns `if init; cond {` (a switch likewise; kw is the
// keyword's position) into `{init; if cond {` when the statement has an
// init and its header blocks: the init becomes a statement of its own,
// instrumented like any, and what the rest of the header hoists may use
// the init's variables. It returns where the statement now starts, after
// `init;`, and whether it split; the caller puts the keyword back there
// once its own insertions are made, and `}` after the statement.
func (r *rewriter) splitInit(kw token.Pos, init ast.Stmt, rest []ast.Node, at token.Pos, inList bool) (token.Pos, bool) {
	if init == nil || !inList {
		return at, false
	}
	blocks := r.hasBlocking(init)
	for _, n := range rest {
		blocks = blocks || r.hasBlocking(n)
	}
	if !blocks {
		return at, false
	}
	i := r.off(init.End())
	for i < len(r.src) && r.src[i] != ';' {
		if r.src[i] != ' ' && r.src[i] != '\t' {
			return at, false
		}
		i++
	}
	if i == len(r.src) {
		return at, false
	}
	r.replace(kw, init.Pos(), "{")
	r.stmt(init, init.Pos(), true)
	return r.file.Pos(i + 1), true
}

// forNeedsBracket says whether a for statement's header has a receive that
// cannot be hoisted (a comma-ok receive in the init, one spanning lines):
// then the whole header runs released (loopBracket).
func (r *rewriter) forNeedsBracket(s *ast.ForStmt) bool {
	if as, ok := s.Init.(*ast.AssignStmt); ok && len(as.Lhs) == 2 && len(as.Rhs) == 1 && isRecv(as.Rhs[0]) {
		return true
	}
	for _, part := range []ast.Stmt{s.Init, s.Post} {
		if part == nil || !containsRecv(part) || part == s.Post && wholeRecv(part) {
			continue
		}
		if _, _, left := r.recvTemps(part); hasRecvLeft(left) {
			return true
		}
	}
	if s.Cond != nil && containsRecv(s.Cond) {
		if _, ok := r.forCondText(s); !ok {
			return true
		}
	}
	return false
}

// wholeRecv says whether statement s is a receive, or assigns one alone.
func wholeRecv(s ast.Stmt) bool {
	switch p := s.(type) {
	case *ast.AssignStmt:
		return len(p.Rhs) == 1 && isRecv(p.Rhs[0])
	case *ast.ExprStmt:
		return isRecv(p.X)
	}
	return false
}
