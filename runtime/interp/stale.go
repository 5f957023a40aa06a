// Stale instrumentation: code declared under another check-point policy.
//
// Check points are inserted when a cell is compiled, so a func keeps the
// policy it was declared under. yaegi cannot swap the code of a func that
// other code already calls (a redefined func leaves its callers calling the
// old one, and a method cannot be redefined at all), so a policy switch
// cannot re-instrument what is declared. Instead, a cell that would run such
// code where check points matter is refused before it runs, with the cells
// to re-run named: a switch never shows an old result silently.
//
// Check points matter where the lock can change hands: in code that runs as
// a worker, beside other threads. The code a cell names as a value (a func
// passed to rt.Run or a helper, a func in a variable) or starts with go is
// such a root, and all it reaches is checked. A func the cell (or a helper)
// merely calls runs on the cell's own thread, alone unless its body starts
// goroutines: it is not checked itself, but what it names as values or
// starts is. A func named in a string (rt.Run(rt.GIL, 2, "work")) is
// checked when the host calls it by that name (Call), not when the cell is
// compiled: the name may go to an isolate or a worker process, which
// compiles the notebook's declarations afresh under the current policy
// (rt.Run(rt.Isolates, 2, "work") runs no stale code).

package interp

import (
	"fmt"
	"go/scanner"
	"go/token"
	"sort"
	"strconv"
	"strings"
)

// ref is a name a piece of code mentions: an identifier, or a string
// literal that could name a func.
type ref struct {
	name string
	off  int  // byte offset in the code
	root bool // it may run as or in a worker (see above), not only be called here
	set  bool // it is declared with var or assigned (x = ..., x := ...), not used
	str  bool // a string literal: a name only Call resolves (see above)
}

// refsIn lists the names code mentions, in order, with their roles.
func refsIn(code string) []ref {
	var s scanner.Scanner
	fset := token.NewFileSet()
	base := fset.Base()
	s.Init(fset.AddFile("", base, len(code)), []byte(code), func(token.Position, string) {}, 0)
	type tok struct {
		t   token.Token
		lit string
		off int
	}
	var toks []tok
	starts := false // the code starts goroutines: what it calls runs beside them
	for {
		pos, t, lit := s.Scan()
		if t == token.EOF {
			break
		}
		starts = starts || t == token.GO
		toks = append(toks, tok{t, lit, int(pos) - base})
	}
	var out []ref
	for i, k := range toks {
		switch k.t {
		case token.IDENT:
			next, prev := token.ILLEGAL, token.ILLEGAL
			if i+1 < len(toks) {
				next = toks[i+1].t
			}
			if i > 0 {
				prev = toks[i-1].t
			}
			set := prev == token.VAR || next == token.ASSIGN || next == token.DEFINE
			out = append(out, ref{name: k.lit, off: k.off, root: prev == token.GO || starts || next != token.LPAREN, set: set})
		case token.STRING:
			if v, err := strconv.Unquote(k.lit); err == nil && token.IsIdentifier(v) {
				out = append(out, ref{name: v, off: k.off, root: true, str: true})
			}
		}
	}
	return out
}

// staleError is the refusal: which declarations would run with the other
// policy's check points, and which cells to re-run.
type staleError struct {
	policy  Policy
	entries []*declEntry
	holds   map[*declEntry]string // an entry named for the replaced func it holds
	name    string                // the name in the refused code that leads to the first
	off     int
}

func (e *staleError) message() string {
	var list, names, cells []string
	seen := map[string]bool{}
	for _, d := range e.entries {
		item := fmt.Sprintf("%s (%s)", strings.Join(d.names, ", "), d.label)
		if h := e.holds[d]; h != "" {
			item = fmt.Sprintf("%s (%s, which holds the old %s)", strings.Join(d.names, ", "), d.label, h)
		}
		list = append(list, item)
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
	which := fmt.Sprintf("the cell declaring %s (%s)", strings.Join(names, ", "), cells[0])
	if len(cells) > 1 {
		which = fmt.Sprintf("the cells declaring %s (%s) in that order", strings.Join(names, ", "), strings.Join(cells, ", "))
	}
	return fmt.Sprintf("check points are now %s, but this would run code instrumented under %s when it was declared: %s. "+
		"Re-run %s first, or switch back with %%checkpoints %s",
		e.policy, other, strings.Join(list, ", "), which, other)
}

// stale returns the live declarations that code mentioning refs would run
// where check points matter (see above) with check points of a policy
// other than p, in declaration order: funcs instrumented under another
// policy, and funcs and vars still holding such a func that a later cell
// redefined (re-running the holder's cell binds the new one). Own names
// (declared by the code itself) are not looked up. It also returns the ref
// that leads to the first one.
func (nb *notebook) stale(refs []ref, own map[string]bool, p Policy) ([]*declEntry, ref, map[*declEntry]string) {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var found []*declEntry
	holding := map[*declEntry]string{}
	var first, from ref
	add := func(e *declEntry, holds string) {
		for _, f := range found {
			if f == e {
				return
			}
		}
		if len(found) == 0 {
			first = from
		}
		if holds != "" {
			holding[e] = holds
		}
		found = append(found, e)
	}
	old := func(e *declEntry) bool { return e.kind == "func" && e.policy != p }
	asRoot, asCall := map[*declEntry]bool{}, map[*declEntry]bool{}
	var root, call func(e *declEntry)
	// root: e may run beside other threads; so may everything it reaches.
	root = func(e *declEntry) {
		if asRoot[e] || (e.kind != "func" && e.kind != "var") {
			return
		}
		asRoot[e] = true
		if old(e) && nb.live(e) {
			add(e, "")
		}
		for _, r := range e.refs {
			if r.str {
				continue
			}
			for _, b := range e.bound[r.name] {
				if old(b) && nb.live(e) && (!nb.live(b) || b.cell != e.cell) {
					// e holds b: re-running b's cell alone would leave it so
					add(e, r.name)
				}
				root(b)
			}
		}
	}
	// call: e runs on the caller's thread; what it names or starts may not.
	call = func(e *declEntry) {
		if asCall[e] || asRoot[e] || (e.kind != "func" && e.kind != "var") {
			return
		}
		asCall[e] = true
		for _, r := range e.refs {
			if r.str {
				continue
			}
			for _, b := range e.bound[r.name] {
				if r.root {
					if old(b) && nb.live(e) && (!nb.live(b) || b.cell != e.cell) {
						add(e, r.name)
					}
					root(b)
				} else {
					call(b)
				}
			}
		}
	}
	for _, r := range refs {
		if own[r.name] || r.set || r.str {
			continue
		}
		from = r
		if r.root {
			nb.reach(r.name, root)
		} else {
			nb.reach(r.name, call)
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].cell < found[j].cell })
	return found, first, holding
}

// live reports whether e is still the declaration of one of its names.
// nb.mu is held.
func (nb *notebook) live(e *declEntry) bool {
	for _, n := range e.names {
		if nb.byName[n] == e {
			return true
		}
	}
	return false
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
	refs := refsIn(c.src)
	for _, r := range refs {
		if r.set {
			own[r.name] = true // set anew by this cell (a var re-declared runs as an assignment)
		}
	}
	found, first, holding := nb.stale(refs, own, c.policy)
	if len(found) == 0 {
		return nil
	}
	se := &staleError{policy: c.policy, entries: found, holds: holding, name: first.name, off: first.off}
	return compileError(c.n, c.label, c.src, se.off, se.message())
}

// checkStaleCall refuses a host call of the top-level func name when it
// would run code instrumented under another policy than p.
func (nb *notebook) checkStaleCall(name string, p Policy) error {
	found, _, holding := nb.stale([]ref{{name: name, root: true}}, nil, p)
	if len(found) == 0 {
		return nil
	}
	se := &staleError{policy: p, entries: found, holds: holding, name: name}
	return &Error{Name: "CompileError", Value: se.message()}
}

// rebind records that cell c, which ran, gave new values to variables
// declared by earlier cells (a var declared again runs as an assignment, see
// splitCell): they now hold what their names refer to today, compiled under
// c's policy.
func (nb *notebook) rebind(c *cell) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, r := range refsIn(c.src) {
		e, ok := nb.byName[r.name]
		if !r.set || !ok || e.kind != "var" || e.cell == c.n {
			continue
		}
		e.policy = c.policy
		for name := range e.bound {
			var to []*declEntry
			nb.reach(name, func(d *declEntry) { to = append(to, d) })
			e.bound[name] = to
		}
	}
}
