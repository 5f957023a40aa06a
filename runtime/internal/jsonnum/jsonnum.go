// Package jsonnum turns the json.Numbers that a decoder with UseNumber
// leaves in a value into Go numbers: a whole number into an integer of the
// caller's type, any other into a float64. The runtime reads numbers from
// other processes through it (a worker process's results, a Python cell's
// values), so a number sent as 3 comes back as an integer, never as 3.0.
package jsonnum

import (
	"encoding/json"
	"strconv"
)

// Replace replaces every json.Number in v, and in the lists and objects
// within it, by an I when it is whole and fits, by a float64 otherwise.
// Lists and objects are changed in place; the result is v with its own
// top level replaced.
func Replace[I int | int64](v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, bits[I]()); err == nil {
			return I(i)
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = Replace[I](x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = Replace[I](x[k])
		}
	}
	return v
}

// bits is the size of I in bits, for strconv.
func bits[I int | int64]() int {
	var zero I
	if _, ok := any(zero).(int); ok {
		return strconv.IntSize
	}
	return 64
}
