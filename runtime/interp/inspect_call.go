package interp

import (
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// Inspect returns documentation for what the cursor (a code-point offset
// into code) points at, as IPython's Shift-Tab does:
//
//   - on a name (or just after it): that name, x.name included — a notebook
//     func shows its signature and doc comment, a package member its Go doc;
//   - anywhere else inside a call's parentheses — between arguments, in a
//     string or number, after a comma, on a local variable that has no doc —
//     the innermost called function, so rt.Run(|) and strings.ToUpper("ab|")
//     both show the doc of the function being called.
//
// A func literal's body is not "inside" the call it is an argument of: the
// cursor there sees only calls opened in the body.
func (in *Interpreter) Inspect(code string, cursor int) (text string, found bool) {
	at := locate(code, runeToByte(code, cursor))
	if at.name != "" {
		if text, ok := in.inspectName(code, at.x, at.name); ok {
			return text, true
		}
	}
	if at.call != nil {
		return in.inspectName(code, at.call.x, at.call.name)
	}
	return "", false
}

// callee names a function being called: name, or x.name.
type callee struct{ x, name string }

// cursorSite is what locate found at a cursor: the name under it, if any,
// and the innermost call whose parentheses enclose it, if any.
type cursorSite struct {
	x, name string
	call    *callee
}

// bracket is an open (, [ or { before the cursor.
type bracket struct {
	tok  token.Token
	call *callee // for a call's "(": what is called
	body bool    // for a "{" that opens a func literal's body
}

// locate scans code up to byte offset off with Go's scanner (so brackets in
// strings and comments do not count, and incomplete code is fine) and
// reports the name at off and the innermost open call around it.
func locate(code string, off int) cursorSite {
	var s scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	s.Init(file, []byte(code), func(token.Position, string) {}, scanner.ScanComments)

	type tok struct {
		t   token.Token
		lit string
	}
	var prev []tok      // tokens before the cursor, without automatic semicolons
	var stack []bracket // open brackets before the cursor
	var funcs []bool    // per nesting level: a func keyword waits for its body
	funcs = append(funcs, false)
	var site cursorSite
	back := func(i int) tok { // the i-th token before the current one
		if i <= len(prev) {
			return prev[len(prev)-i]
		}
		return tok{}
	}
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue // inserted by the scanner at a line end
		}
		start := file.Offset(pos)
		end := start + len(lit)
		if lit == "" {
			end = start + len(t.String())
		}
		if start > off || (start == off && t != token.IDENT) {
			break // the cursor is before this token
		}
		if t == token.IDENT && off <= end {
			site.name = lit
			if back(1).t == token.PERIOD && back(2).t == token.IDENT {
				site.x = back(2).lit
			}
			break
		}
		if off < end || (off == end && t == token.COMMENT && strings.HasPrefix(lit, "//")) {
			break // inside a string, number or comment: only the call counts
		}
		switch t {
		case token.FUNC:
			funcs[len(funcs)-1] = true
		case token.LPAREN:
			b := bracket{tok: t}
			if p := back(1); p.t == token.IDENT {
				b.call = &callee{name: p.lit}
				if back(2).t == token.PERIOD && back(3).t == token.IDENT {
					b.call.x = back(3).lit
				}
			}
			stack = append(stack, b)
			funcs = append(funcs, false)
		case token.LBRACK:
			stack = append(stack, bracket{tok: t})
			funcs = append(funcs, false)
		case token.LBRACE:
			stack = append(stack, bracket{tok: t, body: funcs[len(funcs)-1]})
			funcs[len(funcs)-1] = false
			funcs = append(funcs, false)
		case token.RPAREN, token.RBRACK, token.RBRACE:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
				funcs = funcs[:len(funcs)-1]
			}
		}
		prev = append(prev, tok{t, lit})
	}
	for i := len(stack) - 1; i >= 0 && !stack[i].body; i-- {
		if stack[i].call != nil {
			site.call = stack[i].call
			break
		}
	}
	return site
}

// declSummary documents a notebook declaration: a func by its signature and
// doc comment (its body is in the cell for whoever wants it), anything else
// by its source; then the cell that declared it.
func declSummary(e *declEntry) string {
	text := strings.TrimSpace(e.src)
	if e.kind == "func" {
		if sig, ok := funcSignature(e.src); ok {
			text = sig
			if d := strings.TrimSpace(e.doc); d != "" {
				text += "\n\n" + d
			}
		}
	}
	return text + "\n\n(declared in " + e.label + ")"
}

// funcSignature returns a func declaration's source from "func" to its
// body's opening brace, as the learner wrote it.
func funcSignature(src string) (string, bool) {
	const prefix = "package p\n"
	f, err := parser.ParseFile(token.NewFileSet(), "", prefix+src, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) == 0 {
		return "", false
	}
	fd, ok := f.Decls[0].(*ast.FuncDecl)
	if !ok {
		return "", false
	}
	start := int(fd.Type.Func) - 1 - len(prefix)
	end := int(fd.End()) - 1 - len(prefix)
	if fd.Body != nil {
		end = int(fd.Body.Lbrace) - 1 - len(prefix)
	}
	if start < 0 || end > len(src) || start >= end {
		return "", false
	}
	return strings.TrimSpace(src[start:end]), true
}

// commentAbove extends a declaration that starts at start in a cell's src
// over the // comment lines directly above it, which are its doc comment.
// Go's parser misses one: the evaluator puts the cell's first line on the
// line of its own package clause, so a comment there belongs to the clause.
// It returns the new start and the doc text, given the doc found so far.
func commentAbove(src string, start int, doc string) (int, string) {
	lineStart := strings.LastIndexByte(src[:start], '\n') + 1
	if strings.TrimSpace(src[lineStart:start]) != "" {
		return start, doc
	}
	var above []string
	for lineStart > 0 {
		prev := strings.LastIndexByte(src[:lineStart-1], '\n') + 1
		line := strings.TrimSpace(src[prev : lineStart-1])
		if !strings.HasPrefix(line, "//") {
			break
		}
		above = append([]string{line}, above...)
		start, lineStart = prev, prev
	}
	if len(above) == 0 {
		return start, doc
	}
	g := &ast.CommentGroup{}
	for _, l := range above {
		g.List = append(g.List, &ast.Comment{Text: l})
	}
	return start, g.Text() + doc
}
