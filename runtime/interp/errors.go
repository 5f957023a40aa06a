package interp

import (
	"fmt"
	"go/scanner"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	goidpkg "github.com/petermattis/goid"
)

// Error is a cell's failure as Jupyter shows it: a name, a value and a
// traceback of display lines.
type Error struct {
	Name      string   // "CompileError", "Panic" or "KeyboardInterrupt"
	Value     string   // the message, or the panic value
	Traceback []string // display lines: for compile errors the source line and a caret
	Line, Col int      // 1-based position in the cell (Col in bytes, as Go counts); 0 when unknown
	Cell      int      // which Eval of this interpreter the position is in (1-based); 0 when unknown
	// Hint is a short "did you mean" for a slip a Python programmer makes
	// (see hints.go), "" when none applies.
	Hint string
	// Recovered is the panic value itself, for callers that want it.
	Recovered any
	// Full is the traceback with every interpreted frame, the rewriter's
	// own func literals included, and the message as the interpreter gave
	// it (for `%traceback full`); nil when it is Traceback.
	Full []string
}

// Error returns "Name: Value" with the position when known.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s: %d:%d: %s", e.Name, e.Line, e.Col, e.Value)
	}
	return e.Name + ": " + e.Value
}

// Unwrap returns the panic value when it is an error, so errors.Is/As see it.
func (e *Error) Unwrap() error {
	if err, ok := e.Recovered.(error); ok {
		return err
	}
	return nil
}

// cellFile says how to map positions in one file given to yaegi back to the
// cell: the file is prefix bytes of wrapping, then the cell's text with the
// edits applied.
type cellFile struct {
	cell   int
	label  string
	src    string
	prefix int
	edits  []edit
	wraps  map[int]bool // see cell.wraps
}

// wrapped says whether a func literal frame at byte offset off of the
// cell is one of the rewriter's func(){...}() around a statement: yaegi
// places that frame on the statement's first line, inside its header.
func (cf *cellFile) wrapped(off int) bool {
	for start := range cf.wraps {
		if off >= start && off <= len(cf.src) && !strings.Contains(cf.src[start:off], "\n") {
			return true
		}
	}
	return false
}

// cellPos maps a line:col of the rewritten file to the cell's line:col.
func (cf *cellFile) cellPos(line, col int) (int, int, int) {
	off := lineColOffset(applyEdits(cf.src0(), cf.edits), line, col)
	off = origOffset(cf.edits, off) - cf.prefix
	if off < 0 {
		off = 0
	}
	l, c := offsetLineCol(cf.src, off)
	return l, c, off
}

// src0 is the text the edits apply to: prefix and cell. The prefix is only
// needed for its length; the cell's text stands in for both halves, since
// the blanked parts have the same length and newlines.
func (cf *cellFile) src0() string { return strings.Repeat(" ", cf.prefix) + cf.src + stmtSuffix }

func lineColOffset(text string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			return len(text)
		}
		off += i + 1
	}
	off += col - 1
	if off > len(text) {
		off = len(text)
	}
	return off
}

func offsetLineCol(src string, off int) (int, int) {
	if off > len(src) {
		off = len(src)
	}
	line := 1 + strings.Count(src[:off], "\n")
	col := off - (strings.LastIndexByte(src[:off], '\n') + 1) + 1
	return line, col
}

// compileError builds a CompileError at byte offset off of cell n's source,
// with the offending line and a caret as traceback.
func compileError(n int, label, src string, off int, msg string) *Error {
	line, col := offsetLineCol(src, off)
	return &Error{
		Name:      "CompileError",
		Value:     msg,
		Line:      line,
		Col:       col,
		Cell:      n,
		Traceback: caret(label, src, line, col, msg),
	}
}

// caret renders "cell[n]:line:col: msg", the line and a caret under col
// (counted in characters, as the line is displayed).
func caret(label, src string, line, col int, msg string) []string {
	lines := strings.Split(src, "\n")
	tb := []string{fmt.Sprintf("%s:%d:%d: %s", label, line, col, msg)}
	if line-1 < len(lines) {
		l := strings.TrimRight(lines[line-1], "\r")
		width := col - 1
		if width > len(l) {
			width = len(l)
		}
		pad := []rune(strings.Map(func(r rune) rune {
			if r == '\t' {
				return '\t'
			}
			return ' '
		}, l[:width]))
		tb = append(tb, "    "+l, "    "+string(pad)+"^")
	}
	return tb
}

// posRE finds "file:line:col" of a file given to yaegi.
var posRE = regexp.MustCompile(`(_c\d+[idspr]\d*/cell\.go):(\d+):(\d+)`)

// mapCompileError turns a yaegi or go/parser error into a CompileError in
// cell coordinates.
func (in *Interpreter) mapCompileError(err error) error {
	if el, ok := err.(scanner.ErrorList); ok && len(el) > 0 {
		e := el[0]
		return in.errorAtPos(e.Pos.Filename, e.Pos.Line, e.Pos.Column, e.Msg)
	}
	msg := err.Error()
	m := posRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return &Error{Name: "CompileError", Value: msg, Traceback: []string{msg}}
	}
	file := msg[m[2]:m[3]]
	line, _ := strconv.Atoi(msg[m[4]:m[5]])
	col, _ := strconv.Atoi(msg[m[6]:m[7]])
	rest := strings.TrimPrefix(msg[m[1]:], ": ")
	rest = posRE.ReplaceAllStringFunc(rest, in.cellPosString)
	return in.errorAtPos(file, line, col, rest)
}

func (in *Interpreter) errorAtPos(file string, line, col int, msg string) error {
	in.filesM.RLock()
	cf := in.files[file]
	in.filesM.RUnlock()
	if cf == nil {
		return &Error{Name: "CompileError", Value: msg, Traceback: []string{msg}}
	}
	_, _, off := cf.cellPos(line, col)
	return compileError(cf.cell, cf.label, cf.src, off, msg)
}

// cellPosString rewrites one "file:line:col" into "cell[n]:line:col".
func (in *Interpreter) cellPosString(s string) string {
	m := posRE.FindStringSubmatch(s)
	in.filesM.RLock()
	cf := in.files[m[1]]
	in.filesM.RUnlock()
	if cf == nil {
		return s
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	l, c, _ := cf.cellPos(line, col)
	return fmt.Sprintf("%s:%d:%d", cf.label, l, c)
}

// panicError builds a Panic error from a recovered value and yaegi's frame
// lines (innermost first), mapped to cells. The message is put in Go's
// words and the position narrowed to the failing expression (panics.go);
// frames of func literals the rewriter added are left out of Traceback
// (Full keeps them).
func (in *Interpreter) panicError(r any, frames []string) *Error {
	return in.panicErrorFrom(r, frames, true)
}

// panicErrorFrom is panicError; caller says whether to name the cell's
// statement that was running (no for Call, which runs no statement of a
// cell: the marker is then an earlier cell's).
func (in *Interpreter) panicErrorFrom(r any, frames []string, caller bool) *Error {
	if e, ok := r.(*Error); ok {
		return e
	}
	e := &Error{Name: "Panic", Value: fmt.Sprint(r), Recovered: r}
	if n, ok := r.(interface{ ErrorName() string }); ok {
		e.Name = n.ErrorName() // a host error that names itself (UsageError)
	}
	var at *panicPos // where yaegi says its own panic was raised
	if err, ok := r.(error); ok {
		e.Value = err.Error()
		if m := posRE.FindStringSubmatchIndex(e.Value); m != nil && m[0] == 0 && strings.HasPrefix(e.Value[m[1]:], ": ") {
			in.filesM.RLock()
			cf := in.files[e.Value[m[2]:m[3]]]
			in.filesM.RUnlock()
			if cf != nil {
				line, _ := strconv.Atoi(e.Value[m[4]:m[5]])
				col, _ := strconv.Atoi(e.Value[m[6]:m[7]])
				l, c, _ := cf.cellPos(line, col)
				at = &panicPos{cf.cell, l, c}
				e.Value = e.Value[m[1]+2:]
			}
		}
		e.Value = posRE.ReplaceAllStringFunc(e.Value, in.cellPosString)
	}
	raw := e.Value
	kind := kindOther
	if e.Name == "Panic" {
		kind, e.Value = classifyPanic(e.Value)
		e.Hint = panicHint(kind, "")
	}
	e.Traceback = append(e.Traceback, "panic: "+e.Value)
	e.Full = append(e.Full, "panic: "+raw)
	first, explicit := true, false
	inCell := false // the innermost frame runs the cell's own statements
	stack := []string{"call stack (innermost first):"}
	full := []string{"call stack (innermost first):"}
	if at != nil && (len(frames) == 0 || !strings.HasPrefix(frames[0], "@")) {
		frames = append([]string{fmt.Sprintf("@%d:%d:%d", at.cell, at.line, at.col)}, frames...)
	}
	for _, f := range frames {
		var p panicPos
		if n, _ := fmt.Sscanf(f, "@%d:%d:%d", &p.cell, &p.line, &p.col); n == 3 {
			e.Line, e.Col, e.Cell = p.line, p.col, p.cell
			first, explicit = false, true
			src, _ := in.cellSource(p.cell)
			label, oline := in.origin(p.cell, p.line)
			verb := "raised at"
			if at != nil {
				verb = "at"
			}
			lines := []string{fmt.Sprintf("  %s %s:%d:%d", verb, label, oline, p.col)}
			if src != "" {
				lines = append(lines, "      "+sourceLine(src, p.line))
			}
			e.Traceback = append(e.Traceback, lines...)
			e.Full = append(e.Full, lines...)
			continue
		}
		m := frameRE.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		in.filesM.RLock()
		cf := in.files[m[1]]
		in.filesM.RUnlock()
		if cf == nil {
			continue
		}
		line, _ := strconv.Atoi(m[2])
		col, _ := strconv.Atoi(m[3])
		l, c, off := cf.cellPos(line, col)
		// yaegi names the function and gives the position where its body
		// (or the cell) starts, not the line being run.
		fn := strings.TrimPrefix(m[4], "main.")
		switch fn {
		case "main", "main.func":
			fn = "<cell>"
		case "func":
			fn = "func literal"
		}
		fn = strings.ReplaceAll(fn, ".func", ".func literal")
		if first {
			e.Line, e.Col, e.Cell = l, c, cf.cell
			first = false
			inCell = fn == "<cell>" || fn == "func literal" && cf.wrapped(off)
		}
		var fl string
		if fn == "<cell>" {
			fl = fmt.Sprintf("  in <cell>         %s", cf.label)
		} else {
			olabel, ol := in.origin(cf.cell, l)
			fl = fmt.Sprintf("  in %-14s %s, body from line %d", fn, olabel, ol)
		}
		full = append(full, fl)
		if fn == "func literal" && cf.wrapped(off) {
			continue // the rewriter's, not the learner's
		}
		stack = append(stack, fl)
	}
	if len(stack) > 1 {
		e.Traceback = append(e.Traceback, stack...)
	}
	if len(full) > 1 {
		e.Full = append(e.Full, full...)
	}
	if !explicit {
		in.markPosition(e, kind, caller, inCell)
	}
	return e
}

// markPosition names the line a runtime panic happened on, from the
// position markers the instrumentation writes before statements: _clAt,
// the last marked statement run below the cell's top level, and _clTop,
// the last of the cell's top-level statements. A panic is at _clAt, called
// from _clTop, unless the innermost frame runs the cell's own code (inCell)
// and _clAt lies outside the _clTop statement (a func it called returned)
// while that statement can fail the way the panic did: then it is at
// _clTop. (A host call such as rt.Run may re-raise, on the cell's
// goroutine, a panic from a func it ran elsewhere: _clAt names it.)
// Within that statement it names the expression that failed when only one
// can fail that way (see locate).
// The markers are shared by all goroutines (a panic in one goroutine may
// see another's marker only if it ran marked code between the statement
// and the panic) and are not written inside loops, where the loop's
// statement is where the search starts.
func (in *Interpreter) markPosition(e *Error, kind panicKind, caller, inCell bool) {
	at, top := in.marks.load()
	if at <= 0 || inCell && !in.inside(at, top) && in.canFail(top, kind) {
		at = top
	}
	cell, line, col, _, src, ok := in.markAt(at)
	if !ok {
		return
	}
	e.Line, e.Col, e.Cell = line, col, cell
	width := 0
	f, found := in.locate(src, int(at&(1<<32-1)), kind)
	if found {
		e.Line, e.Col, width = f.line, f.col, f.width
		if f.value != "" {
			e.Value = f.value
			e.Traceback[0] = "panic: " + e.Value
		}
		if f.subject != "" {
			e.Hint = panicHint(kind, f.subject)
		}
	}
	olabel, oline := in.origin(cell, e.Line)
	lines := []string{fmt.Sprintf("  at %s:%d:%d", olabel, oline, e.Col)}
	lines = append(lines, underline(src, e.Line, e.Col, width)...)
	if len(f.others) > 0 {
		lines = append(lines, "  in one of: "+strings.Join(f.others, ", "))
	}
	if tc, tl, tcol, _, tsrc, ok := in.markAt(top); ok && top != at && caller {
		if tc != cell || tl != line {
			tlabel, otl := in.origin(tc, tl)
			lines = append(lines, fmt.Sprintf("  called from %s:%d:%d", tlabel, otl, tcol), "      "+sourceLine(tsrc, tl))
		}
	}
	// after "panic: value", before the call stack
	for _, tb := range []*[]string{&e.Traceback, &e.Full} {
		t := append([]string{}, (*tb)[:1]...)
		t = append(t, lines...)
		*tb = append(t, (*tb)[1:]...)
	}
}

// underline returns line n of src, indented and trimmed, and carets under
// width bytes from col (none when width is 0).
func underline(src string, n, col, width int) []string {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return nil
	}
	l := strings.TrimRight(lines[n-1], "\r")
	trimmed := strings.TrimLeft(l, " \t")
	out := []string{"      " + trimmed}
	start := col - 1 - (len(l) - len(trimmed))
	if width <= 0 || start < 0 || start > len(trimmed) {
		return out
	}
	width = min(width, len(trimmed)-start)
	pad := len([]rune(trimmed[:start]))
	return append(out, "      "+strings.Repeat(" ", pad)+strings.Repeat("^", max(len([]rune(trimmed[start:start+width])), 1)))
}

// inside says whether marker at lies inside the top-level statement that
// marker top starts.
func (in *Interpreter) inside(at, top int64) bool {
	if at>>32 != top>>32 || top <= 0 {
		return false
	}
	src, _ := in.cellSource(int(top >> 32))
	a, t := int(at&(1<<32-1)), int(top&(1<<32-1))
	for _, c := range scanChunks(src) {
		if c.start <= t && t < c.end {
			return c.start <= a && a < c.end
		}
	}
	return false
}

// canFail says whether the statement marker code names has an expression
// that can fail as kind does.
func (in *Interpreter) canFail(code int64, kind panicKind) bool {
	src, _ := in.cellSource(int(code >> 32))
	if src == "" {
		return false
	}
	f, ok := in.locate(src, int(code&(1<<32-1)), kind)
	return ok || len(f.others) > 0
}

// markAt decodes a position marker: cell<<32 | byte offset in the cell.
func (in *Interpreter) markAt(code int64) (cell, line, col int, label, src string, ok bool) {
	if code <= 0 {
		return 0, 0, 0, "", "", false
	}
	cell, off := int(code>>32), int(code&(1<<32-1))
	src, label = in.cellSource(cell)
	if src == "" || off > len(src) {
		return 0, 0, 0, "", "", false
	}
	line, col = offsetLineCol(src, off)
	return cell, line, col, label, src, true
}

// sourceLine returns line n of src, trimmed.
func sourceLine(src string, n int) string {
	lines := strings.Split(src, "\n")
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// cellSource returns cell n's source and label, if known.
func (in *Interpreter) cellSource(n int) (src, label string) {
	in.filesM.RLock()
	defer in.filesM.RUnlock()
	prefix := fmt.Sprintf("_c%d", n)
	for name, cf := range in.files {
		if strings.HasPrefix(name, prefix) && cf.cell == n {
			return cf.src, cf.label
		}
	}
	return "", fmt.Sprintf("cell[%d]", n)
}

// frameRE matches a frame line yaegi prints while a panic unwinds.
var frameRE = regexp.MustCompile(`^(_c\d+[idspr]\d*/cell\.go):(\d+):(\d+): panic: (.*)\(\.\.\.\)$`)

// panicTap is the Stderr yaegi writes to. yaegi prints one line per
// interpreted frame while a panic unwinds (even when the panic is recovered
// later); the tap keeps those lines per goroutine for the traceback instead
// of showing them, and passes everything else on.
type panicTap struct {
	w      io.Writer
	cell   atomic.Uint64 // the goroutine running the current cell (see runCell)
	mu     sync.Mutex
	traces map[uint64][]string
	where  map[uint64]panicPos // where an explicit panic(v) was raised, per goroutine
}

// panicPos is a position in a cell.
type panicPos struct{ cell, line, col int }

func (t *panicTap) notePanic(id uint64, p panicPos) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.where == nil || len(t.where) > 1000 {
		t.where = map[uint64]panicPos{}
	}
	t.where[id] = p
}

// Write passes p on unless it is a frame line.
func (t *panicTap) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	if strings.HasPrefix(line, "_c") && !strings.Contains(line, "\n") && frameRE.MatchString(line) {
		id := goid()
		t.mu.Lock()
		if len(t.traces) > 1000 {
			t.traces = map[uint64][]string{}
		}
		if len(t.traces[id]) < 200 {
			t.traces[id] = append(t.traces[id], line)
		}
		t.mu.Unlock()
		return len(p), nil
	}
	return t.w.Write(p)
}

// take returns and forgets goroutine id's frame lines. A noted panic
// position comes first, as a line of the same form.
func (t *panicTap) take(id uint64) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.traces[id]
	delete(t.traces, id)
	if p, ok := t.where[id]; ok {
		delete(t.where, id)
		l = append([]string{fmt.Sprintf("@%d:%d:%d", p.cell, p.line, p.col)}, l...)
	}
	return l
}

// goid returns the calling goroutine's id: the key of its traceback
// lines (see panicTap).
func goid() uint64 { return uint64(goidpkg.Get()) }

// An interpreter that replays the notebook's declarations (an isolate, a
// worker process: see Decls) runs them as one cell of its own; a comment
// before each declaration says where it came from, so that errors name the
// notebook's cell and line instead of the replay's.

// fromRE matches the comment fromText writes.
var fromRE = regexp.MustCompile(`^//corelab:from (\S+) (\d+)$`)

// fromText is the comment that says a declaration starts on line of the
// cell called label, "" when that is unknown. It is a directive in Go's
// syntax, which a doc comment's Text leaves out.
func fromText(label string, line int) string {
	if label == "" || line < 1 || strings.ContainsAny(label, " \n") {
		return ""
	}
	return fmt.Sprintf("//corelab:from %s %d\n", label, line)
}

// origin returns the label and line that line of cell n came from: the
// notebook's, when cell n is a replay of its declarations; the cell's own
// otherwise.
func (in *Interpreter) origin(n, line int) (string, int) {
	src, label := in.cellSource(n)
	if !strings.Contains(src, "//corelab:from ") {
		return label, line
	}
	lines := strings.Split(src, "\n")
	for k := min(line-1, len(lines)) - 1; k >= 0; k-- {
		if m := fromRE.FindStringSubmatch(strings.TrimRight(lines[k], "\r")); m != nil {
			l, _ := strconv.Atoi(m[2])
			return m[1], l + line - (k + 2)
		}
	}
	return label, line
}
