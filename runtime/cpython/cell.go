package cpython

import (
	"fmt"
	"strings"
)

// Cell is a `%%python [VERSION|PATH] [--quiet]` cell, parsed.
type Cell struct {
	Spec  string // the interpreter asked for; "" = the default
	Quiet bool   // --quiet: no report
	// Source is the Python code with the magic line (and any blank lines
	// before it) blanked, so that its line numbers are the cell's own.
	Source string
}

// ParseCell recognises a %%python cell: ok is false when code is not one;
// err reports a malformed magic line.
func ParseCell(code string) (c Cell, ok bool, err error) {
	lines := strings.SplitAfter(code, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		f := strings.Fields(t)
		if f[0] != "%%python" {
			return Cell{}, false, nil
		}
		for _, a := range f[1:] {
			switch {
			case a == "--quiet" || a == "-q":
				c.Quiet = true
			case strings.HasPrefix(a, "-"):
				return Cell{}, true, fmt.Errorf("%%%%python: unknown option %s (usage: %%%%python [VERSION|3.14t|/path/to/python] [--quiet])", a)
			case c.Spec != "":
				return Cell{}, true, fmt.Errorf("%%%%python: one interpreter at a time, got %s and %s", c.Spec, a)
			default:
				c.Spec = a
			}
		}
		c.Source = strings.Repeat("\n", i+1) + strings.Join(lines[i+1:], "")
		return c, true, nil
	}
	return Cell{}, false, nil
}
