package interp

import (
	"regexp"
	"sort"
	"strings"
)

// Hints: a short "did you mean" under an error that a Python habit caused.
// Every hint is one row of the hints table below; each row has a test case
// in hints_test.go. A hint looks at the error's message and at the cell's
// line the error names, never at the interpreter's internals, so it works
// the same for errors from go/parser and from yaegi's compiler.

// hintCtx is what a hint rule sees.
type hintCtx struct {
	value string // the error's message
	line  string // the cell's line the error names ("" when unknown)
	col   int    // 1-based byte column on line (0 when unknown)
	// pkg returns the import line for a package name a cell could import
	// ("strconv" -> `import "strconv"`), "" for none.
	pkg func(name string) string
}

// word returns the identifier starting at the error's column, "" if none.
func (h *hintCtx) word() string {
	if h.col < 1 || h.col > len(h.line) {
		return ""
	}
	return identRE.FindString(h.line[h.col-1:])
}

// after returns the text after the identifier at the error's column.
func (h *hintCtx) after() string {
	w := h.word()
	if w == "" {
		return ""
	}
	return h.line[h.col-1+len(w):]
}

// undefined returns x for a message "undefined: x".
func (h *hintCtx) undefined() string {
	name, ok := strings.CutPrefix(h.value, "undefined: ")
	if !ok {
		return ""
	}
	return name
}

// A hintRule returns the hint for an error, or "".
type hintRule struct {
	name string // what slip it catches, for tests and readers
	hint func(h *hintCtx) string
}

var (
	identRE   = regexp.MustCompile(`^[\p{L}_][\p{L}\p{N}_]*`)
	forInRE   = regexp.MustCompile(`^\s*for\s+(.+?)\s+in\s+(.+?)\s*[:{]?\s*$`)
	rangeArgs = regexp.MustCompile(`^range\s*\((.*)\)$`)
	callOfRE  = regexp.MustCompile(`^(enumerate|sorted|reversed)\s*\((.*)\)$`)
	itemsRE   = regexp.MustCompile(`^(.+)\.(items|keys|values)\(\)$`)
	defRE     = regexp.MustCompile(`^\s*def\s+([\p{L}_][\p{L}\p{N}_]*)\s*\((.*?)\)\s*(->\s*\S+\s*)?:?\s*$`)
	wordRE    = func(w string) *regexp.Regexp {
		return regexp.MustCompile(`(^|[^\p{L}\p{N}_.])` + w + `($|[^\p{L}\p{N}_])`)
	}
	elifRE    = wordRE("elif")
	andRE     = wordRE("and")
	orRE      = wordRE("or")
	notRE     = wordRE("not")
	pyConstRE = map[string]*regexp.Regexp{"True": wordRE("True"), "False": wordRE("False"), "None": wordRE("None")}
	whileRE   = regexp.MustCompile(`^\s*while\s+(.*?)\s*[:{]?\s*$`)
	printRE   = regexp.MustCompile(`(^|[^\p{L}\p{N}_.])print\s*\(`)
	blockRE   = regexp.MustCompile(`^(\}\s*)?(if|for|else|switch|func)\b`)
	importRE  = regexp.MustCompile(`^\s*import\s+([\w./]+(?:\s*,\s*[\w./]+)*)\s*$`)
	fromImpRE = regexp.MustCompile(`^\s*from\s+([\w.]+)\s+import\s+(\w+)`)
	fstringRE = regexp.MustCompile(`(^|[^\p{L}\p{N}_])f"`)
	assignRE  = regexp.MustCompile(`^\s*([\p{L}_][\p{L}\p{N}_]*(?:\s*,\s*[\p{L}_][\p{L}\p{N}_]*)*)\s*=[^=]`)
	listLitRE = regexp.MustCompile(`(^|[=(,:]\s*)\[([^\[\]]*,[^\[\]]*)\]`)
)

// hints is the table of Python slips, first match wins.
var hints = []hintRule{
	{"for x in xs", func(h *hintCtx) string {
		m := forInRE.FindStringSubmatch(h.line)
		if m == nil {
			return ""
		}
		return "Go loops with range: " + forIn(m[1], strings.TrimSpace(m[2]))
	}},
	{"range(n) as a function", func(h *hintCtx) string {
		if !strings.Contains(h.line, "range(") || !strings.Contains(h.value, "range") {
			return ""
		}
		return "range is not a function in Go: for i := range n { ... } counts i from 0 to n-1"
	}},
	{"def", func(h *hintCtx) string {
		m := defRE.FindStringSubmatch(h.line)
		if m == nil {
			return ""
		}
		var params []string
		for _, p := range strings.Split(m[2], ",") {
			if p = strings.TrimSpace(p); p != "" {
				params = append(params, strings.TrimSpace(strings.SplitN(strings.SplitN(p, ":", 2)[0], "=", 2)[0])+" int")
			}
		}
		return "Go declares a function with func and typed parameters: func " + m[1] + "(" + strings.Join(params, ", ") + ") int { ... }"
	}},
	{"elif", func(h *hintCtx) string {
		if !elifRE.MatchString(h.line) {
			return ""
		}
		return "Go writes elif as: } else if cond {"
	}},
	{"while", func(h *hintCtx) string {
		m := whileRE.FindStringSubmatch(h.line)
		if m == nil {
			return ""
		}
		return "Go's only loop is for: for " + m[1] + " { ... }"
	}},
	{"and / or / not", func(h *hintCtx) string {
		var ops []string
		if andRE.MatchString(h.line) {
			ops = append(ops, "and is &&")
		}
		if orRE.MatchString(h.line) {
			ops = append(ops, "or is ||")
		}
		if notRE.MatchString(h.line) {
			ops = append(ops, "not is !")
		}
		if len(ops) == 0 || !strings.HasPrefix(h.value, "expected") {
			return ""
		}
		return "in Go, " + strings.Join(ops, ", ") + ": if a > 1 && !done { ... }"
	}},
	{"True / False / None", func(h *hintCtx) string {
		name := h.undefined()
		if name == "" && h.value == "constant definition loop" {
			for _, w := range []string{"True", "False", "None"} {
				if pyConstRE[w].MatchString(h.line) {
					name = w
				}
			}
		}
		switch name {
		case "True", "False":
			return "Go spells it " + strings.ToLower(name)
		case "None":
			return "Go's None is nil (for pointers, slices, maps, channels, funcs, interfaces and errors)"
		}
		return ""
	}},
	{"print(...)", func(h *hintCtx) string {
		if !printRE.MatchString(h.line) {
			return ""
		}
		return `print in Go: fmt.Println(a, b) (import "fmt"), or fmt.Printf("x = %d\n", x) to format`
	}},
	{"package not imported", func(h *hintCtx) string {
		name := h.undefined()
		if name == "" || !strings.HasPrefix(strings.TrimSpace(h.after()), ".") || h.pkg == nil {
			return ""
		}
		if imp := h.pkg(name); imp != "" {
			return "add the import: " + imp
		}
		return ""
	}},
	{"x = 1 for a new variable", func(h *hintCtx) string {
		name := h.undefined()
		if name == "" || h.col < 1 || h.col > len(h.line) {
			return ""
		}
		m := assignRE.FindStringSubmatch(h.line[h.col-1:])
		if m == nil || !strings.HasPrefix(m[1], name) || strings.TrimSpace(h.line[:h.col-1]) != "" {
			return ""
		}
		rest := strings.TrimSpace(h.line[h.col-1:])
		i := strings.Index(rest, "=")
		return "a new variable is declared with := : " + strings.TrimSpace(rest[:i]) + " := " + strings.TrimSpace(rest[i+1:])
	}},
	{"str(x), input()", func(h *hintCtx) string {
		switch h.undefined() {
		case "str":
			return `Go's str(x) is strconv.Itoa(n) for an int, fmt.Sprint(x) for anything (import "strconv" or "fmt")`
		case "input":
			return `Go reads a line with fmt.Scanln(&s) (import "fmt")`
		}
		return ""
	}},
	{"xs.append(v)", func(h *hintCtx) string {
		if h.value != "undefined selector: append" {
			return ""
		}
		return "append is a builtin that returns the longer slice: xs = append(xs, v)"
	}},
	{"# comment", func(h *hintCtx) string {
		if !strings.Contains(h.value, "U+0023 '#'") {
			return ""
		}
		return "comments start with // in Go"
	}},
	{"'single quotes'", func(h *hintCtx) string {
		if h.value != "illegal rune literal" {
			return ""
		}
		return `strings take double quotes in Go: "abc" ('a' is one character, a rune)`
	}},
	{"[1, 2, 3] list literal", func(h *hintCtx) string {
		m := listLitRE.FindStringSubmatch(h.line)
		if m == nil || !strings.Contains(h.value, "expect") {
			return ""
		}
		return "a slice literal names its element type: []int{" + m[2] + "}"
	}},
	{"{k: v} dict literal", func(h *hintCtx) string {
		if h.value != "expected operand, found '{'" {
			return ""
		}
		return `a map literal names its types: map[string]int{"a": 1}`
	}},
	{"import math without quotes", func(h *hintCtx) string {
		m := importRE.FindStringSubmatch(h.line)
		if m == nil || h.value != "missing import path" {
			return ""
		}
		var paths []string
		for _, p := range strings.Split(m[1], ",") {
			paths = append(paths, `"`+strings.ReplaceAll(strings.TrimSpace(p), ".", "/")+`"`)
		}
		if len(paths) == 1 {
			return "import paths are strings in Go: import " + paths[0]
		}
		return "import paths are strings in Go: import (" + strings.Join(paths, "; ") + ")"
	}},
	{"from m import name", func(h *hintCtx) string {
		m := fromImpRE.FindStringSubmatch(h.line)
		if m == nil {
			return ""
		}
		pkg := strings.ReplaceAll(m[1], ".", "/")
		name := strings.ToUpper(m[2][:1]) + m[2][1:] // what a package exports starts with a capital
		return `Go imports whole packages: import "` + pkg + `", then write ` + pkg[strings.LastIndex(pkg, "/")+1:] + "." + name
	}},
	{"x is None", func(h *hintCtx) string {
		if h.value != "expected ';', found is" && h.value != "expected '{', found is" {
			return ""
		}
		return "Go compares with == and !=: if x == nil {"
	}},
	{"pass", func(h *hintCtx) string {
		if h.undefined() != "pass" {
			return ""
		}
		return "Go needs no pass: an empty block {} is fine (and Go has no try/except: errors are values, if err != nil { ... })"
	}},
	{"f-string", func(h *hintCtx) string {
		if !fstringRE.MatchString(h.line) {
			return ""
		}
		return `Go formats with fmt.Sprintf("hi %v", name) (import "fmt"); %v prints any value, %d an int, %.2f a float`
	}},
	{"if cond: with a colon", func(h *hintCtx) string {
		t := strings.TrimSpace(h.line)
		if !strings.HasSuffix(t, ":") || !blockRE.MatchString(t) {
			return ""
		}
		return "Go puts a block in braces, not after a colon: " + strings.TrimSuffix(t, ":") + " {"
	}},
}

// forIn turns the parts of a Python for statement into Go's.
func forIn(vars, seq string) string {
	vars = strings.TrimSpace(strings.Trim(vars, "()"))
	if m := rangeArgs.FindStringSubmatch(seq); m != nil {
		args := strings.Split(m[1], ",")
		for i := range args {
			args[i] = strings.TrimSpace(args[i])
		}
		switch len(args) {
		case 1:
			return "for " + vars + " := range " + args[0] + " {"
		case 2:
			return "for " + vars + " := " + args[0] + "; " + vars + " < " + args[1] + "; " + vars + "++ {"
		case 3:
			return "for " + vars + " := " + args[0] + "; " + vars + " < " + args[1] + "; " + vars + " += " + args[2] + " {"
		}
	}
	if m := callOfRE.FindStringSubmatch(seq); m != nil && m[1] == "enumerate" {
		return "for " + vars + " := range " + strings.TrimSpace(m[2]) + " {"
	}
	if m := itemsRE.FindStringSubmatch(seq); m != nil {
		switch m[2] {
		case "items":
			return "for " + vars + " := range " + m[1] + " {"
		case "keys":
			return "for " + vars + " := range " + m[1] + " {"
		case "values":
			return "for _, " + vars + " := range " + m[1] + " {"
		}
	}
	if strings.Contains(vars, ",") {
		return "for " + vars + " := range " + seq + " {"
	}
	return "for _, " + vars + " := range " + seq + " {"
}

// hintFor returns the first hint of the table for an error at line:col of
// src with message value, or "".
func hintFor(value, src string, line, col int, pkg func(string) string) string {
	h := &hintCtx{value: value, col: col, pkg: pkg}
	if lines := strings.Split(src, "\n"); line >= 1 && line <= len(lines) {
		h.line = strings.TrimRight(lines[line-1], "\r")
	}
	for _, r := range hints {
		if s := r.hint(h); s != "" {
			return s
		}
	}
	return ""
}

// addHint sets e.Hint for a compile error of cell src.
func (in *Interpreter) addHint(err error, src string) {
	e, ok := err.(*Error)
	if !ok || e == ErrInterrupted || e.Name != "CompileError" || e.Hint != "" {
		return
	}
	e.Hint = hintFor(e.Value, src, e.Line, e.Col, in.importLine)
}

// importLine returns the import declaration that makes package name
// available to a cell, "" when no table has a package of that name. The
// standard library wins over the lab's packages of the same name
// (runtime); rt, the name the notebooks give corelab/runtime, maps to it.
func (in *Interpreter) importLine(name string) string {
	in.useM.Lock()
	paths := make([]string, 0, len(in.pkgs))
	for p := range in.pkgs {
		paths = append(paths, p)
	}
	in.useM.Unlock()
	sort.Slice(paths, func(i, j int) bool {
		si, sj := strings.Contains(paths[i], "corelab"), strings.Contains(paths[j], "corelab")
		if si != sj {
			return !si
		}
		return paths[i] < paths[j]
	})
	for _, p := range paths {
		if p == "corelab/runtime" && name == "rt" {
			return `import rt "corelab/runtime"`
		}
		if p[strings.LastIndex(p, "/")+1:] == name {
			return `import "` + p + `"`
		}
	}
	return ""
}
