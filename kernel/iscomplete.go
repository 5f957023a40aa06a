package kernel

import (
	"go/scanner"
	"go/token"
	"strings"
)

// isComplete tells whether code is ready to run: "complete", "incomplete"
// (with the indent for the next line) or "invalid".
// TODO(kernel): use eval.IsComplete once corelab/runtime/eval lands.
func isComplete(code string) (status, indent string) {
	var s scanner.Scanner
	fset := token.NewFileSet()
	src := []byte(code)
	file := fset.AddFile("cell", -1, len(src))
	bad := false
	s.Init(file, src, func(token.Position, string) { bad = true }, 0)
	depth := 0
	last := token.ILLEGAL
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		switch tok {
		case token.LPAREN, token.LBRACE, token.LBRACK:
			depth++
		case token.RPAREN, token.RBRACE, token.RBRACK:
			depth--
		}
		if tok == token.SEMICOLON && lit == "\n" {
			continue
		}
		last = tok
	}
	if depth < 0 {
		return "invalid", ""
	}
	if bad {
		// An unterminated string or comment is still being typed.
		if strings.Count(code, "`")%2 == 1 || (strings.Contains(code, "/*") && !strings.Contains(code, "*/")) {
			return "incomplete", ""
		}
		return "invalid", ""
	}
	if depth > 0 {
		return "incomplete", strings.Repeat("\t", depth)
	}
	switch last {
	case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.AND, token.OR, token.XOR,
		token.LAND, token.LOR, token.ASSIGN, token.DEFINE, token.COMMA, token.PERIOD:
		return "incomplete", ""
	}
	return "complete", ""
}
