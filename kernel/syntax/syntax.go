package syntax

import (
	"go/parser"
	"go/scanner"
	"go/token"
	"strings"
)

// Statuses IsComplete returns.
const (
	Complete   = "complete"
	Incomplete = "incomplete"
	Invalid    = "invalid"
)

// IsComplete says whether code is ready to run: Complete, Incomplete (an
// open bracket, string or comment, or a statement cut short; indent is
// what the next line should start with) or Invalid. A cell starting with
// % is a magic line and always complete. A cell magic (%%python) holds
// code in another language, so, as in IPython's terminal, it is complete
// only once a blank line ends it.
func IsComplete(code string) (status, indent string) {
	if strings.HasPrefix(code, "%%") {
		lines := strings.Split(code, "\n")
		if len(lines) > 1 && strings.TrimSpace(lines[len(lines)-1]) == "" {
			return Complete, ""
		}
		return Incomplete, ""
	}
	if strings.TrimSpace(code) == "" || code[0] == '%' {
		return Complete, ""
	}
	toks, depth, unterminated, unbalanced := scan(code)
	switch {
	case unbalanced:
		return Invalid, ""
	case unterminated:
		return Incomplete, ""
	case depth > 0:
		return Incomplete, strings.Repeat("\t", depth)
	}
	decls := declSpans(toks, len(code))
	end := len(strings.TrimRight(code, " \t\r\n"))
	stmts := keep(code, decls, false)
	top := keep(code, decls, true)
	for _, half := range []struct{ prefix, text, suffix string }{
		{"package p; func _() {\n", stmts, "\n}"},
		{"package p\n", top, ""},
	} {
		_, err := parser.ParseFile(token.NewFileSet(), "", half.prefix+half.text+half.suffix, 0)
		if err == nil {
			continue
		}
		if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 && el[0].Pos.Offset-len(half.prefix) >= end {
			return Incomplete, ""
		}
		return Invalid, ""
	}
	return Complete, ""
}

// tok is one token of the cell with its byte offset.
type tok struct {
	off int
	t   token.Token
	lit string
}

// scan tokenizes code and reports the bracket depth at the end, whether a
// string or comment is left open, and whether a closing bracket had no
// opening one.
func scan(code string) (toks []tok, depth int, unterminated, unbalanced bool) {
	fset := token.NewFileSet()
	file := fset.AddFile("", fset.Base(), len(code))
	var s scanner.Scanner
	s.Init(file, []byte(code), func(_ token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		}
	}, 0)
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			return toks, depth, unterminated, unbalanced
		}
		switch t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
			if depth < 0 {
				return toks, depth, unterminated, true
			}
		}
		toks = append(toks, tok{file.Offset(pos), t, lit})
	}
}

// span is a byte range [start, end) of the cell.
type span struct{ start, end int }

// declSpans finds the top-level declarations that cannot stand inside a
// function body: imports, and func declarations (with or without a
// receiver; a func literal at statement start is an expression). Each
// runs to the end of its statement at depth 0.
func declSpans(toks []tok, n int) []span {
	var spans []span
	depth := 0
	atStart := true
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if depth == 0 && atStart && (t.t == token.IMPORT || t.t == token.FUNC && isFuncDecl(toks[i+1:])) {
			j := i
			d := 0
			for ; j < len(toks); j++ {
				switch toks[j].t {
				case token.LPAREN, token.LBRACK, token.LBRACE:
					d++
				case token.RPAREN, token.RBRACK, token.RBRACE:
					d--
				}
				if d == 0 && toks[j].t == token.SEMICOLON {
					break
				}
			}
			end := n
			if j < len(toks) {
				end = toks[j].off
			}
			spans = append(spans, span{t.off, end})
			i = j
			atStart = true
			continue
		}
		switch t.t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		atStart = t.t == token.SEMICOLON
	}
	return spans
}

// isFuncDecl reports whether the tokens after a statement-starting func
// make a declaration: a name, or a receiver in parentheses followed by a
// name (func (r T) M()), rather than a literal (func() {...}()).
func isFuncDecl(rest []tok) bool {
	if len(rest) == 0 {
		return false
	}
	if rest[0].t == token.IDENT {
		return true
	}
	if rest[0].t != token.LPAREN {
		return false
	}
	d := 0
	for i, t := range rest {
		switch t.t {
		case token.LPAREN:
			d++
		case token.RPAREN:
			d--
			if d == 0 {
				return i+1 < len(rest) && rest[i+1].t == token.IDENT
			}
		}
	}
	return false
}

// keep returns code with the spans (sorted, disjoint) blanked (inside
// false) or everything but the spans blanked (inside true); newlines stay,
// so offsets hold.
func keep(code string, spans []span, inside bool) string {
	b := []byte(code)
	blank := func(from, to int) {
		for i := from; i < to; i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	last := 0
	for _, s := range spans {
		if inside {
			blank(last, s.start)
		} else {
			blank(s.start, s.end)
		}
		last = s.end
	}
	if inside {
		blank(last, len(b))
	}
	return string(b)
}
