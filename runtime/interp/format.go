package interp

import (
	"fmt"
	"regexp"
	"strings"
)

// ANSI colours of a traceback, as IPython's default scheme uses them: the
// cell reference green, the error's name red, the failing line bold.
const (
	ansiRed    = "\x1b[0;31m"
	ansiGreen  = "\x1b[0;32m"
	ansiCyan   = "\x1b[0;36m"
	ansiBold   = "\x1b[1m"
	ansiBoldRd = "\x1b[1;31m"
	ansiReset  = "\x1b[0m"
)

// Style says how Format renders an Error.
type Style struct {
	// Full shows every interpreted frame, the rewriter's own func
	// literals included, and the interpreter's own message (Error.Full).
	Full bool
	// Color adds ANSI colour codes, which Jupyter frontends render.
	Color bool
}

// Format returns the error's traceback as Jupyter shows it, one line per
// entry: the traceback proper, then "Name: Value" and the hint, if any.
func (e *Error) Format(s Style) []string {
	tb := e.Traceback
	if s.Full && e.Full != nil {
		tb = e.Full
	}
	out := make([]string, 0, len(tb)+2)
	for i, l := range tb {
		if s.Color {
			l = colorLine(l, i+1 < len(tb) && isCaret(tb[i+1]) || i > 0 && atRE.MatchString(tb[i-1]))
		}
		out = append(out, l)
	}
	last := e.Name + ": " + e.Value
	if e.Line > 0 && e.Name == "CompileError" && !strings.Contains(strings.Join(tb, "\n"), fmt.Sprintf(":%d:%d", e.Line, e.Col)) {
		last = fmt.Sprintf("%s: line %d:%d: %s", e.Name, e.Line, e.Col, e.Value)
	}
	if s.Color {
		last = ansiRed + e.Name + ansiReset + strings.TrimPrefix(last, e.Name)
	}
	out = append(out, last)
	if e.Hint != "" {
		h := "Hint: " + e.Hint
		if s.Color {
			h = ansiCyan + "Hint:" + ansiReset + " " + e.Hint
		}
		out = append(out, h)
	}
	return out
}

var (
	refRE   = regexp.MustCompile(`[^\s:]+\[\d+\]:\d+:\d+`)
	caretRE = regexp.MustCompile(`^\s*\^+\s*$`)
	atRE    = regexp.MustCompile(`^  (at|raised at|called from) `)
)

func isCaret(l string) bool { return caretRE.MatchString(l) }

// colorLine colours one traceback line by its shape (see panicError and
// compileError): carets red, cell references green, the line of source
// above carets bold, "panic:" red.
func colorLine(l string, source bool) string {
	switch {
	case isCaret(l):
		return ansiRed + l + ansiReset
	case strings.HasPrefix(l, "panic: "):
		return ansiBoldRd + "panic" + ansiReset + l[len("panic"):]
	case source && strings.HasPrefix(l, "    "):
		return ansiBold + l + ansiReset
	}
	return refRE.ReplaceAllStringFunc(l, func(r string) string { return ansiGreen + r + ansiReset })
}

// Report renders e for a stream, as a goroutine's panic is reported on
// stderr while the cell goes on (as a Python thread's exception leaves the
// main thread running): "header: value", the traceback and the hint. No
// line starts with "panic: ", which the kernel reads as the start of a
// crash report.
func (e *Error) Report(header string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", header, e.Value)
	for i, l := range e.Traceback {
		if i == 0 && strings.HasPrefix(l, "panic: ") {
			continue
		}
		b.WriteString(l + "\n")
	}
	if e.Hint != "" {
		b.WriteString("Hint: " + e.Hint + "\n")
	}
	return b.String()
}
