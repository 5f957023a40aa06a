// Stale instrumentation: code declared under another check-point policy.
//
// Check points are inserted when a cell is compiled, so a func keeps the
// policy it was declared under. yaegi cannot swap the code of a func that
// other code already calls (a redefined func leaves its callers calling the
// old one, and a method cannot be redefined at all), so a policy switch
// cannot re-instrument what is declared. Instead, a cell that would run a
// func or method declared under another policy, directly or through what it
// calls, is refused before it runs, with the cells to re-run named: a
// switch never shows an old result silently.

package eval

import (
	"fmt"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// ref is a name a piece of code mentions: an identifier, or a string
// literal that could name a func (rt.Run(rt.GIL, 2, "work")).
type ref struct {
	name string
	off  int // byte offset in the code
}

// refsIn lists the names code mentions, in order.
func refsIn(code string) []ref {
	var s scanner.Scanner
	fset := token.NewFileSet()
	base := fset.Base()
	s.Init(fset.AddFile("", base, len(code)), []byte(code), func(token.Position, string) {}, 0)
	var out []ref
	for {
		pos, t, lit := s.Scan()
		switch t {
		case token.EOF:
			return out
		case token.IDENT:
			out = append(out, ref{lit, int(pos) - base})
		case token.STRING:
			if v, err := strconv.Unquote(lit); err == nil && token.IsIdentifier(v) {
				out = append(out, ref{v, int(pos) - base})
			}
		}
	}
}

// staleError is the refusal: which declarations would run with the other
// policy's check points, and which cells to re-run.
type staleError struct {
	policy  Policy
	entries []*declEntry
	name    string // the name in the refused code that leads to the first
	off     int
}

func (e *staleError) message() string {
	var list, names, cells []string
	seen := map[string]bool{}
	for _, d := range e.entries {
		list = append(list, fmt.Sprintf("%s (%s)", strings.Join(d.names, ", "), d.label))
		names = append(names, strings.Join(d.names, ", "))
		if !seen[d.label] {
			seen[d.label] = true
			cells = append(cells, d.label)
		}
	}
	other := Py310
	if e.policy == Py310 {
		other = Py39
	}
	which := fmt.Sprintf("the cell declaring %s (%s)", names[0], cells[0])
	if len(cells) > 1 {
		which = fmt.Sprintf("the cells declaring %s (%s) in that order", strings.Join(names, ", "), strings.Join(cells, ", "))
	}
	return fmt.Sprintf("check points are now %s, but this would run code instrumented under %s when it was declared: %s. "+
		"Re-run %s first, or switch back with %%checkpoints %s",
		e.policy, other, strings.Join(list, ", "), which, other)
}

// stale returns the live func and var declarations that code reached from
// roots would run and that were instrumented under a policy other than p,
// in declaration order; own names (declared by the code itself) are not
// looked up. It also returns the root that leads to the first one.
func (nb *notebook) stale(roots []ref, own map[string]bool, p Policy) ([]*declEntry, ref) {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var found []*declEntry
	var first ref
	seen := map[*declEntry]bool{}
	var visit func(e *declEntry, root ref)
	visit = func(e *declEntry, root ref) {
		if seen[e] || e.dead || (e.kind != "func" && e.kind != "var") {
			return
		}
		seen[e] = true
		if e.kind == "func" && e.policy != p {
			if len(found) == 0 {
				first = root
			}
			found = append(found, e) // and what it calls must be re-run too
		}
		for _, r := range e.refs {
			nb.reach(r.name, func(d *declEntry) { visit(d, root) })
		}
	}
	for _, r := range roots {
		if own[r.name] {
			continue
		}
		nb.reach(r.name, func(d *declEntry) { visit(d, r) })
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].cell < found[j].cell })
	return found, first
}

// reach calls f with the declarations name may refer to: the func or var
// of that name, and every method of that name (a selector is not resolved
// to its type here, so all are taken). nb.mu is held.
func (nb *notebook) reach(name string, f func(*declEntry)) {
	if e, ok := nb.byName[name]; ok {
		f(e)
	}
	for n, e := range nb.byName {
		if strings.HasSuffix(n, "."+name) {
			f(e)
		}
	}
}

// checkStale refuses cell c when it would run code instrumented under
// another policy than the one it is compiled with.
func (nb *notebook) checkStale(c *cell) error {
	own := map[string]bool{}
	for _, e := range c.entries {
		for _, n := range e.names {
			own[n] = true
		}
	}
	found, first := nb.stale(refsIn(c.src), own, c.policy)
	if len(found) == 0 {
		return nil
	}
	se := &staleError{policy: c.policy, entries: found, name: first.name, off: first.off}
	return compileError(c.n, c.label, c.src, se.off, se.message())
}

// checkStaleCall refuses a host call of the top-level func name when it
// would run code instrumented under another policy than p.
func (nb *notebook) checkStaleCall(name string, p Policy) error {
	found, _ := nb.stale([]ref{{name: name}}, nil, p)
	if len(found) == 0 {
		return nil
	}
	se := &staleError{policy: p, entries: found, name: name}
	return &Error{Name: "CompileError", Value: se.message()}
}
