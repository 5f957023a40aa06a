package interp

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// notebook is what the evaluator remembers between cells: imports,
// declarations (for Decls, Inspect and the type-change check) and the names
// known to be channels (for range-over-channel instrumentation).
type notebook struct {
	mu      sync.RWMutex
	imports []importSpec
	byLocal map[string]importSpec // local name -> import
	entries []*declEntry          // in order of first definition
	byName  map[string]*declEntry // name (or Type.Method) -> latest entry
	chans   map[string]bool

	// earlierVars names the global variables the interpreter had before
	// the cell being split (set by Eval; nil in Rewrite). Only called for a
	// cell with a var declaration that has values.
	earlierVars func() map[string]bool

	// hostSync is set when the host replaced the sync types (Options.Symbols
	// or Use): their methods release by themselves, so sync calls are not
	// rewritten.
	hostSync atomic.Bool
}

// declEntry is one top-level declaration as written in a cell.
type declEntry struct {
	names   []string
	kind    string // "func", "var", "const", "type"
	src     string // source including the doc comment
	doc     string
	cell    int
	label   string
	line    int      // the line of its cell src starts on (see fromText)
	results int      // a func's number of results
	generic bool     // a func with type parameters
	typeSrc []string // type specs' source, for the changed-type check
	gone    []string // names redefined by a later cell
	dead    bool     // every name was redefined later
	policy  Policy   // the check-point policy it was instrumented under
	refs    []ref    // names its source mentions (see stale.go)
	// bound holds, per name in refs, the declarations it referred to when
	// this one was evaluated: yaegi keeps calling those (and a var keeps
	// the func values it was given) even after a later cell redefines them.
	bound map[string][]*declEntry
}

type typeDef struct {
	src   string
	label string
}

func (nb *notebook) init() {
	nb.byLocal = map[string]importSpec{}
	nb.byName = map[string]*declEntry{}
	nb.chans = map[string]bool{}
}

func (nb *notebook) hasImport(s importSpec) bool {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	prev, ok := nb.byLocal[s.localName()]
	return ok && prev == s
}

// checkImport refuses an import whose name an earlier cell bound to another
// package (yaegi would report a confusing redeclaration).
func (nb *notebook) checkImport(s importSpec) error {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	if s.name == "_" || s.name == "." {
		return nil
	}
	prev, ok := nb.byLocal[s.localName()]
	if ok && prev.path != s.path {
		return fmt.Errorf("%s is already imported as %q by an earlier cell; import %q under another name, like: import my%s %q",
			s.localName(), prev.path, s.path, s.localName(), s.path)
	}
	return nil
}

func (nb *notebook) typeSource(name string) (typeDef, bool) {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	e, ok := nb.byName[name]
	if !ok || e.kind != "type" {
		return typeDef{}, false
	}
	for i, n := range e.names {
		if n == name && i < len(e.typeSrc) {
			return typeDef{src: e.typeSrc[i], label: e.label}, true
		}
	}
	return typeDef{}, false
}

// commitImports records a cell's imports after yaegi took them.
func (nb *notebook) commitImports(c *cell) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, s := range c.imports {
		nb.imports = append(nb.imports, s)
		nb.byLocal[s.localName()] = s
	}
}

// commitTypes records the types a cell declared even when its declarations
// failed to compile: yaegi may have registered them already, and a later
// different definition would be silently ignored.
func (nb *notebook) commitTypes(c *cell) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, e := range c.entries {
		if e.kind != "type" {
			continue
		}
		for _, n := range e.names {
			if _, ok := nb.byName[n]; !ok {
				nb.byName[n] = &declEntry{names: []string{n}, kind: "type", typeSrc: e.typeSrc, cell: e.cell, label: e.label, src: e.src, doc: e.doc, dead: true}
			}
		}
	}
}

// commit records a cell's declarations after they were evaluated.
func (nb *notebook) commit(c *cell) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, e := range c.entries {
		e.policy = c.policy
		e.refs = ownRefsOut(refsIn(e.src), e.names)
		for _, n := range e.names {
			if old, ok := nb.byName[n]; ok && old != e {
				old.dropName(n)
			}
			nb.byName[n] = e
		}
		nb.entries = append(nb.entries, e)
	}
	for _, e := range c.entries {
		e.bound = map[string][]*declEntry{}
		for _, r := range e.refs {
			if _, done := e.bound[r.name]; !done {
				var to []*declEntry
				nb.reach(r.name, func(d *declEntry) { to = append(to, d) })
				e.bound[r.name] = to
			}
		}
	}
	live := nb.entries[:0]
	for _, e := range nb.entries {
		if !e.dead {
			live = append(live, e)
		}
	}
	nb.entries = live
}

// addChans remembers channel names seen in a cell.
func (nb *notebook) addChans(names []string) {
	nb.mu.Lock()
	defer nb.mu.Unlock()
	for _, n := range names {
		nb.chans[n] = true
	}
}

func (e *declEntry) dropName(n string) {
	left := 0
	for _, m := range e.names {
		if m != n && !e.redefined(m) {
			left++
		}
	}
	e.gone = append(e.gone, n)
	if left == 0 {
		e.dead = true
	}
}

func (e *declEntry) redefined(n string) bool {
	for _, g := range e.gone {
		if g == n {
			return true
		}
	}
	return false
}

// source renders imports and live declarations as one cell.
func (nb *notebook) source() string {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var b strings.Builder
	if len(nb.imports) > 0 {
		b.WriteString("import (\n")
		for _, s := range nb.imports {
			fmt.Fprintf(&b, "\t%s\n", s)
		}
		b.WriteString(")\n")
	}
	for _, e := range nb.entries {
		b.WriteString("\n")
		b.WriteString(fromText(e.label, e.line))
		b.WriteString(e.src)
		b.WriteString("\n")
	}
	return b.String()
}

// lookup returns the latest declaration of name (or Type.Method).
func (nb *notebook) lookup(name string) (*declEntry, bool) {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	e, ok := nb.byName[name]
	return e, ok
}

// names lists every declared name and import name, for completion.
func (nb *notebook) names() []string {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var out []string
	for n := range nb.byName {
		if !strings.Contains(n, ".") {
			out = append(out, n)
		}
	}
	for n := range nb.byLocal {
		out = append(out, n)
	}
	return out
}

// methods returns the notebook's methods called name, on any type.
func (nb *notebook) methods(name string) []*declEntry {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var out []*declEntry
	for n, e := range nb.byName {
		if strings.HasSuffix(n, "."+name) {
			out = append(out, e)
		}
	}
	return out
}

func (nb *notebook) importPath(local string) (string, bool) {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	s, ok := nb.byLocal[local]
	return s.path, ok
}

func (nb *notebook) isChan(name string) bool {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	return nb.chans[name]
}

func (nb *notebook) isGeneric(name string) bool {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	e, ok := nb.byName[name]
	return ok && e.generic
}

// varNames names the variables top-level var declarations defined so far.
func (nb *notebook) varNames() map[string]bool {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	vars := map[string]bool{}
	for _, e := range nb.entries {
		if e.kind == "var" {
			for _, n := range e.names {
				vars[n] = true
			}
		}
	}
	return vars
}

// ownRefsOut drops from refs the names a declaration declares itself (a
// recursive func does not reach its own older version).
func ownRefsOut(refs []ref, names []string) []ref {
	out := refs[:0]
	for _, r := range refs {
		own := false
		for _, n := range names {
			if r.name == n || strings.HasSuffix(n, "."+r.name) {
				own = true
				break
			}
		}
		if !own {
			out = append(out, r)
		}
	}
	return out
}
