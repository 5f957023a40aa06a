package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"strings"
)

// unknownQualifier names the package a cell uses without importing it,
// where yaegi's compiler panics instead of saying so: yaegi v0.16.1 reports
// `fmt.Println(1)` without the import as "undefined: fmt", but crashes with
// a nil dereference on a qualified type (`var mu sync.Mutex`,
// `func f(w http.ResponseWriter)`). f is the parsed, rewritten cell half
// that failed to compile. It returns "file:line:col: undefined: sync" (the
// form yaegi's own errors take, for mapCompileError), or nil when every
// qualifier is known and the crash is something else.
func (in *Interpreter) unknownQualifier(fset *token.FileSet, f *ast.File) error {
	known := in.knownNames(f)
	for _, is := range f.Imports {
		known[importOf(is).localName()] = true
	}
	var bad *ast.Ident
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && bad == nil {
			if id, ok := sel.X.(*ast.Ident); ok && !known[id.Name] && !strings.HasPrefix(id.Name, "_cl") {
				bad = id
			}
		}
		return bad == nil
	})
	if bad == nil {
		return nil
	}
	return fmt.Errorf("%s: undefined: %s", fset.Position(bad.Pos()), bad.Name)
}

// knownNames are the names a cell half f may use unqualified: the
// notebook's declarations and imports, the builtins, the interpreter's
// globals and what f itself defines.
func (in *Interpreter) knownNames(f ast.Node) map[string]bool {
	known := map[string]bool{}
	for _, n := range append(append(in.state.names(), builtins...), "nil", "true", "false") {
		known[n] = true
	}
	for n := range in.Globals() {
		known[n] = true
	}
	for _, n := range identsDefined(f) {
		known[n] = true
	}
	return known
}
