package interp

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
	for t, e := range in.state.types() {
		rt := in.reflectType(e, t)
		if rt == nil {
			continue
		}
		var param string
		switch v.Type() {
		case rt:
			param = t
		case reflect.PointerTo(rt):
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
		fn := in.methodCaller(typ, m)
		if !fn.IsValid() {
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

// shownCache keeps, per declaration, what notebookMethods learnt by
// asking yaegi, so a cell's value costs no compilation once its types were
// seen: a redeclared type or method is a new entry. Used under in.mu.
type shownCache struct {
	types   map[*declEntry]reflect.Type // nil: no usable type
	callers map[callerKey]reflect.Value // invalid: the method cannot be called so
}

type callerKey struct {
	method *declEntry
	param  string // "T" or "*T"
}

// reflectType is the reflect type yaegi built for the notebook type name,
// declared by e.
func (in *Interpreter) reflectType(e *declEntry, name string) reflect.Type {
	if t, ok := in.shown.types[e]; ok {
		return t
	}
	var t reflect.Type
	if pt, ok := in.quietValue("new(" + name + ")"); ok && pt.Kind() == reflect.Pointer {
		t = pt.Type().Elem()
	}
	if in.shown.types == nil {
		in.shown.types = map[*declEntry]reflect.Type{}
	}
	in.shown.types[e] = t
	return t
}

// methodCaller is an interpreted func(x param) any that calls method m.
func (in *Interpreter) methodCaller(param, m string) reflect.Value {
	e, _ := in.state.lookup(strings.TrimPrefix(param, "*") + "." + m)
	key := callerKey{e, param}
	if fn, ok := in.shown.callers[key]; ok {
		return fn
	}
	// In parentheses: yaegi's Eval gives a bare func literal as a nil *any.
	fn, ok := in.quietValue(fmt.Sprintf("(func(x %s) any { return x.%s() })", param, m))
	if !ok || fn.Kind() != reflect.Func {
		fn = reflect.Value{}
	}
	if in.shown.callers == nil {
		in.shown.callers = map[callerKey]reflect.Value{}
	}
	in.shown.callers[key] = fn
	return fn
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

// types maps the notebook's types that are declared now to their
// declarations.
func (nb *notebook) types() map[string]*declEntry {
	nb.mu.RLock()
	defer nb.mu.RUnlock()
	out := map[string]*declEntry{}
	for n, e := range nb.byName {
		if e.kind == "type" && !e.dead && !strings.Contains(n, ".") {
			out[n] = e
		}
	}
	return out
}
