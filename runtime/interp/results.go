// How many results a cell's trailing call has, from the callee's real
// signature: notebook funcs from their declaration, host funcs and methods
// of host (compiled) types from reflect.

package interp

import (
	"go/ast"
	"go/token"
	"reflect"
	"strings"
)

// results is the number of results of a trailing call when it is known
// (yaegi returns the first of several, which a notebook should not show as
// the cell's value: fmt.Println would print its byte count; for a host
// method without results it returns a stale value), else -1.
func (in *Interpreter) results(call *ast.CallExpr) int {
	if call == nil {
		return -1
	}
	r := &typer{in: in}
	if id, ok := unparen(call.Fun).(*ast.Ident); ok {
		if e, ok := in.state.lookup(id.Name); ok && e.kind == "func" {
			return e.results
		}
	}
	if sel, ok := unparen(call.Fun).(*ast.SelectorExpr); ok && !r.isPkg(sel.X) {
		if t, ok := r.typeOf(sel.X); ok {
			if n, ok := r.methodOuts(t, sel.Sel.Name); ok {
				return n
			}
		}
	}
	if t, ok := r.typeOf(call.Fun); ok && t.Kind() == reflect.Func {
		return t.NumOut()
	}
	return -1
}

// typer works out static types of simple expressions (names, selectors,
// calls, indexes, dereferences) from the values the notebook holds after a
// cell ran: global variables, host packages' symbols and notebook funcs.
// It only answers what it knows; interpreted types have reflect types
// without methods, so their methods are left to the caller's fallback.
type typer struct {
	in      *Interpreter
	globals map[string]reflect.Value
}

// isPkg reports whether x names an imported package.
func (r *typer) isPkg(x ast.Expr) bool {
	id, ok := x.(*ast.Ident)
	if !ok {
		return false
	}
	_, ok = r.in.state.importPath(id.Name)
	return ok
}

// pkgSym returns the host symbol pkg.name when x is pkg.name.
func (r *typer) pkgSym(x *ast.SelectorExpr) (reflect.Value, bool) {
	id, ok := x.X.(*ast.Ident)
	if !ok {
		return reflect.Value{}, false
	}
	path, ok := r.in.state.importPath(id.Name)
	if !ok {
		return reflect.Value{}, false
	}
	v, ok := r.in.pkgs[path][x.Sel.Name]
	return v, ok && v.IsValid()
}

func (r *typer) global(name string) (reflect.Value, bool) {
	if r.globals == nil {
		r.globals = r.in.Globals()
	}
	v, ok := r.globals[name]
	return v, ok && v.IsValid()
}

// typeOf returns the static type of the value expression x.
func (r *typer) typeOf(x ast.Expr) (reflect.Type, bool) {
	switch x := x.(type) {
	case *ast.ParenExpr:
		return r.typeOf(x.X)
	case *ast.Ident:
		if e, ok := r.in.state.lookup(x.Name); ok {
			if e.kind != "func" {
				if e.kind == "type" {
					return nil, false
				}
			} else {
				r.in.funcsM.RLock()
				f, ok := r.in.funcs[x.Name]
				r.in.funcsM.RUnlock()
				if ok && f.IsValid() {
					return f.Type(), true
				}
				return nil, false
			}
		}
		v, ok := r.global(x.Name)
		if !ok {
			return nil, false
		}
		return known(v.Type())
	case *ast.SelectorExpr:
		if r.isPkg(x.X) {
			v, ok := r.pkgSym(x)
			if !ok {
				return nil, false
			}
			switch {
			case v.Kind() == reflect.Func:
				return v.Type(), true
			case v.Kind() == reflect.Pointer && v.IsNil():
				return nil, false // a type
			case v.Kind() == reflect.Pointer:
				return v.Type().Elem(), true // a variable
			}
			return known(v.Type()) // a constant
		}
		t, ok := r.typeOf(x.X)
		if !ok {
			return nil, false
		}
		return r.member(t, x.Sel.Name)
	case *ast.CallExpr:
		if len(x.Args) == 1 {
			if t, ok := r.typeExpr(x.Fun); ok {
				return t, true // a conversion
			}
		}
		if id, ok := unparen(x.Fun).(*ast.Ident); ok && id.Name == "new" && len(x.Args) == 1 {
			if t, ok := r.typeExpr(x.Args[0]); ok {
				return reflect.PointerTo(t), true
			}
		}
		ft, ok := r.typeOf(x.Fun)
		if !ok || ft.Kind() != reflect.Func || ft.NumOut() != 1 {
			return nil, false
		}
		return known(ft.Out(0))
	case *ast.StarExpr:
		t, ok := r.typeOf(x.X)
		if !ok || t.Kind() != reflect.Pointer {
			return nil, false
		}
		return known(t.Elem())
	case *ast.UnaryExpr:
		if x.Op != token.AND {
			return nil, false
		}
		t, ok := r.typeOf(x.X)
		if !ok {
			return nil, false
		}
		return reflect.PointerTo(t), true
	case *ast.IndexExpr:
		t, ok := r.typeOf(x.X)
		if !ok {
			return nil, false
		}
		if t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Array {
			t = t.Elem()
		}
		switch t.Kind() {
		case reflect.Slice, reflect.Array, reflect.Map:
			return known(t.Elem())
		}
	case *ast.CompositeLit:
		return r.typeExpr(x.Type)
	case *ast.TypeAssertExpr:
		if x.Type != nil {
			return r.typeExpr(x.Type)
		}
	}
	return nil, false
}

// typeExpr resolves a type expression naming a host type (pkg.T, *pkg.T).
func (r *typer) typeExpr(x ast.Expr) (reflect.Type, bool) {
	switch x := unparen(x).(type) {
	case *ast.SelectorExpr:
		if !r.isPkg(x.X) {
			return nil, false
		}
		v, ok := r.pkgSym(x)
		if ok && v.Kind() == reflect.Pointer && v.IsNil() {
			return v.Type().Elem(), true
		}
	case *ast.StarExpr:
		if t, ok := r.typeExpr(x.X); ok {
			return reflect.PointerTo(t), true
		}
	}
	return nil, false
}

// known rejects yaegi's own types, which stand for interpreted values.
func known(t reflect.Type) (reflect.Type, bool) {
	b := t
	for b.Kind() == reflect.Pointer {
		b = b.Elem()
	}
	if strings.HasPrefix(b.PkgPath(), "github.com/traefik/yaegi") {
		return nil, false
	}
	return t, true
}

// member returns the type of t.name: a field's type, or a method's type
// without its receiver.
func (r *typer) member(t reflect.Type, name string) (reflect.Type, bool) {
	if m, ok := r.method(t, name); ok {
		return m, true
	}
	s := t
	if s.Kind() == reflect.Pointer {
		s = s.Elem()
	}
	if s.Kind() != reflect.Struct {
		return nil, false
	}
	f, ok := s.FieldByName(name)
	if !ok && s.Name() == "" && !token.IsExported(name) {
		// yaegi exports an interpreted struct's field f as Xf
		f, ok = s.FieldByName("X" + name)
	}
	if !ok {
		return nil, false
	}
	return known(f.Type)
}

// methodOuts is the number of results of method name of t, when known.
func (r *typer) methodOuts(t reflect.Type, name string) (int, bool) {
	m, ok := r.method(t, name)
	if !ok {
		return 0, false
	}
	return m.NumOut(), true
}

// method finds method name in the method set of t or *t, also promoted
// from embedded host types of an interpreted struct (reflect.StructOf does
// not promote them), and returns its type without the receiver. A method
// of the notebook with that name and another number of results makes the
// answer unknown: an interpreted type may define it (yaegi represents such
// types by their underlying reflect type, without the methods).
func (r *typer) method(t reflect.Type, name string) (reflect.Type, bool) {
	if !token.IsExported(name) {
		return nil, false
	}
	m, ok := hostMethod(t, name, 0)
	if !ok {
		return nil, false
	}
	for _, e := range r.in.state.methods(name) {
		if e.results != m.NumOut() {
			return nil, false
		}
	}
	return m, true
}

func hostMethod(t reflect.Type, name string, depth int) (reflect.Type, bool) {
	if depth > 8 {
		return nil, false
	}
	if t.Kind() == reflect.Interface {
		m, ok := t.MethodByName(name)
		if !ok {
			return nil, false
		}
		return m.Type, true
	}
	for _, c := range []reflect.Type{t, reflect.PointerTo(t)} {
		if c.Kind() == reflect.Pointer && c.Elem().Kind() == reflect.Pointer {
			continue
		}
		if m, ok := c.MethodByName(name); ok {
			return dropRecv(m.Type), true
		}
	}
	s := t
	if s.Kind() == reflect.Pointer {
		s = s.Elem()
	}
	if s.Kind() != reflect.Struct || s.Name() != "" {
		return nil, false // a named type's method set is complete
	}
	if _, ok := s.FieldByName(name); ok {
		return nil, false
	}
	var found reflect.Type
	for i := 0; i < s.NumField(); i++ {
		f := s.Field(i)
		if !f.Anonymous {
			continue
		}
		if m, ok := hostMethod(f.Type, name, depth+1); ok {
			if found != nil {
				return nil, false // ambiguous at this depth
			}
			found = m
		}
	}
	return found, found != nil
}

// dropRecv turns a method expression's type into the method value's.
func dropRecv(ft reflect.Type) reflect.Type {
	in := make([]reflect.Type, 0, ft.NumIn())
	for i := 1; i < ft.NumIn(); i++ {
		in = append(in, ft.In(i))
	}
	out := make([]reflect.Type, ft.NumOut())
	for i := range out {
		out[i] = ft.Out(i)
	}
	return reflect.FuncOf(in, out, ft.IsVariadic())
}
