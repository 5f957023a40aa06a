// Package invoke calls Go functions by reflection for the lab, in the
// notebook and in worker processes alike: a parameter's type, results as
// values, a panic as an error.
package invoke

import (
	"fmt"
	"reflect"
)

// Catch runs fn and turns a panic into an error.
func Catch(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			switch v := r.(type) {
			case error:
				err = v
			default:
				err = fmt.Errorf("panic: %v", v)
			}
		}
	}()
	fn()
	return nil
}

// Param returns the type of argument i of a func of type t (the element
// type for the variadic tail).
func Param(t reflect.Type, i int) reflect.Type {
	if t.IsVariadic() && i >= t.NumIn()-1 {
		return t.In(t.NumIn() - 1).Elem()
	}
	return t.In(i)
}

// Values returns the interfaces of vs.
func Values(vs []reflect.Value) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v.Interface()
	}
	return out
}
