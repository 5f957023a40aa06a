package eval

import (
	"fmt"
	"reflect"
	"strings"
)

// Shown are the methods a cell's trailing value is shown through, when
// its type is a notebook type that declares them (see Result.Methods).
var Shown = []string{"DisplayBundle", "String", "Error"}

// notebookMethods calls, for a value of a notebook type, those of the
// methods named in want that the type declares, and returns their results.
// yaegi hands host code a notebook type's values as plain structs (or
// whatever the type is built on) without its methods, so fmt would print
// {1} where the type's String says "P(1)". The type is found by its
// reflect type; a value whose type matches several notebook types (two
// structs with the same fields) is left alone. An anonymous struct with the
// fields of a notebook type cannot be told from it, and is shown as one. Each method is called
// through a small interpreted func, on the calling goroutine; one that
// takes arguments, returns other than one value, or panics is skipped.
func (in *Interpreter) notebookMethods(v reflect.Value, want []string) map[string]any {
	if !v.IsValid() || v.Type().Name() != "" {
		return nil // a host type (its methods are its own) or a predeclared one
	}
	declared := map[string][]string{} // type name -> wanted methods it declares
	for _, m := range want {
		for _, e := range in.state.methods(m) {
			for _, n := range e.names {
				if t, ok := strings.CutSuffix(n, "."+m); ok {
					declared[t] = append(declared[t], m)
				}
			}
		}
	}
	if len(declared) == 0 {
		return nil
	}
	// Every notebook type takes part in the match, with methods or not:
	// yaegi builds its types from their structure, so type Meters
	// struct{ V float64 } is the same reflect type as type Celsius
	// struct{ V float64 }, and neither may speak for the other.
	var typ string
	for _, t := range in.state.typeNames() {
		pt, ok := in.quietValue("new(" + t + ")")
		if !ok || pt.Kind() != reflect.Pointer {
			continue
		}
		var param string
		switch v.Type() {
		case pt.Type().Elem():
			param = t
		case pt.Type():
			param = "*" + t
		default:
			continue
		}
		if typ != "" {
			return nil // ambiguous
		}
		typ = param
	}
	if typ == "" {
		return nil
	}
	out := map[string]any{}
	for _, m := range declared[strings.TrimPrefix(typ, "*")] {
		// In parentheses: yaegi's Eval gives a bare func literal as a nil *any.
		fn, ok := in.quietValue(fmt.Sprintf("(func(x %s) any { return x.%s() })", typ, m))
		if !ok || fn.Kind() != reflect.Func {
			continue
		}
		func() {
			defer func() { _ = recover() }() // a panicking String is not shown
			if r := fn.Call([]reflect.Value{v}); len(r) == 1 && r[0].IsValid() && !r[0].IsNil() {
				out[m] = r[0].Interface()
			}
		}()
	}
	return out
}

// quietValue evaluates an expression of the notebook's with yaegi
// directly, outside the cell machinery: no check points, no state kept, no
// log lines; false when it does not compile or run.
func (in *Interpreter) quietValue(src string) (v reflect.Value, ok bool) {
	compiling.Add(1)
	defer compiling.Add(-1)
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	v, err := in.yi.Eval(src)
	return v, err == nil && v.IsValid()
}

// typeNames lists the notebook's types that are declared now.
func (nb *notebook) typeNames() []string {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	var out []string
	for n, e := range nb.byName {
		if e.kind == "type" && !e.dead && !strings.Contains(n, ".") {
			out = append(out, n)
		}
	}
	return out
}
