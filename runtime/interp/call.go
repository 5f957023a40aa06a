// What the host can ask of a notebook's state: its declarations, its
// functions and its globals.

package interp

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Decls returns the source of every top-level declaration and import
// evaluated so far, latest definition first wins, as one cell an isolate or
// worker can Eval to get the same functions, types, constants and package
// variables. Variables made by := in statements are not included (they are
// results of running code, not declarations).
func (in *Interpreter) Decls() string {
	src := in.state.source()
	return src + in.scalarGlobals(src)
}

// scalarGlobals declares, with their current values, the variables made by
// := statements that the declarations use and whose type is a predeclared
// scalar (n := 30 / func work() int { return fib(n) }), so a replay gets
// them too. Variables of other types are left out: a replay that needs them
// fails with "undefined", rather than silently seeing a zero value.
func (in *Interpreter) scalarGlobals(src string) string {
	used := map[string]bool{}
	for _, id := range identsIn(src) {
		used[id] = true
	}
	var names []string
	for name, v := range in.Globals() {
		if !used[name] || !v.IsValid() || v.Type().PkgPath() != "" || v.Type().Name() == "" {
			continue
		}
		if _, declared := in.state.lookup(name); declared {
			continue
		}
		switch v.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
			reflect.Float32, reflect.Float64, reflect.String:
			names = append(names, name)
		}
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		v := in.Globals()[name]
		lit := fmt.Sprintf("%#v", v.Interface())
		if v.Kind() == reflect.String {
			lit = strconv.Quote(v.String())
		}
		fmt.Fprintf(&b, "\nvar %s %s = %s // value of a := statement when Decls was called\n", name, v.Type(), lit)
	}
	return b.String()
}

// Call calls the top-level func name with args converted to its parameter
// types and returns its results. A panic in the function is returned as *Error.
func (in *Interpreter) Call(name string, args ...any) (out []any, err error) {
	in.funcsM.RLock()
	fn, ok := in.funcs[name]
	in.funcsM.RUnlock()
	if !ok {
		return nil, fmt.Errorf("eval: no top-level func %q", name)
	}
	if err := in.state.checkStaleCall(name, in.Policy()); err != nil {
		return nil, err
	}
	t := fn.Type()
	if t.IsVariadic() && len(args) < t.NumIn()-1 || !t.IsVariadic() && len(args) != t.NumIn() {
		return nil, fmt.Errorf("eval: %s takes %d arguments, got %d", name, t.NumIn(), len(args))
	}
	in2 := make([]reflect.Value, len(args))
	for i, a := range args {
		var pt reflect.Type
		if t.IsVariadic() && i >= t.NumIn()-1 {
			pt = t.In(t.NumIn() - 1).Elem()
		} else {
			pt = t.In(i)
		}
		v, err := convertArg(a, pt)
		if err != nil {
			return nil, fmt.Errorf("eval: %s argument %d: %w", name, i+1, err)
		}
		in2[i] = v
	}
	defer func() {
		if r := recover(); r != nil {
			lines := in.stderr.take(goid())
			if e, ok := r.(*Error); ok && e == ErrInterrupted {
				err = ErrInterrupted
				return
			}
			err = in.panicErrorFrom(r, lines, false)
		}
	}()
	res := fn.Call(in2)
	out = make([]any, len(res))
	for i, r := range res {
		out[i] = r.Interface()
	}
	return out, nil
}

// FuncType returns the type of the top-level func name, so a caller can
// build arguments of exactly its parameter types (an isolate's interpreted
// types are its own, distinct from the notebook's).
func (in *Interpreter) FuncType(name string) (reflect.Type, bool) {
	in.funcsM.RLock()
	fn, ok := in.funcs[name]
	in.funcsM.RUnlock()
	if !ok {
		return nil, false
	}
	return fn.Type(), true
}

func convertArg(a any, t reflect.Type) (reflect.Value, error) {
	if a == nil {
		return reflect.Zero(t), nil
	}
	v := reflect.ValueOf(a)
	switch {
	case v.Type().AssignableTo(t):
		return v, nil
	case v.Type().ConvertibleTo(t):
		return v.Convert(t), nil
	}
	return reflect.Value{}, fmt.Errorf("cannot use %s as %s", v.Type(), t)
}

// resolveFuncs caches the values of newly defined top-level funcs for Call,
// so Call never compiles (it may run while a cell runs).
// It reports whether every name resolved; one that does not (its
// declaration did not run yet, or failed) is dropped from the cache.
func (in *Interpreter) resolveFuncs(names []string) bool {
	all := true
	for _, name := range names {
		v, err := in.yi.Eval(name)
		in.funcsM.Lock()
		if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
			delete(in.funcs, name)
			all = false
		} else {
			in.funcs[name] = v
		}
		in.funcsM.Unlock()
	}
	return all
}

// Funcs lists the top-level funcs Call can call, sorted.
func (in *Interpreter) Funcs() []string {
	in.funcsM.RLock()
	defer in.funcsM.RUnlock()
	names := make([]string, 0, len(in.funcs))
	for n := range in.funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Globals returns the notebook's package-level variables and constants.
func (in *Interpreter) Globals() (g map[string]reflect.Value) {
	// yaegi's Globals indexes its global frame by every symbol in scope;
	// after a failed compilation the scope may hold symbols the frame does
	// not have yet, and it panics.
	defer func() {
		if recover() != nil {
			g = map[string]reflect.Value{}
		}
	}()
	g = in.yi.Globals()
	for k := range g {
		if strings.HasPrefix(k, "_cl") {
			delete(g, k)
		}
	}
	return g
}
