// Package hosttest_test runs the evaluator with the notebook's real symbol
// tables (corelab/runtime and corelab/display), which runtime/interp itself
// must not import.
package hosttest_test

import (
	"context"
	"testing"

	"corelab/display"
	"corelab/runtime/interp"
	"corelab/runtime/symbols"

	yaegi "github.com/traefik/yaegi/interp"
)

type nopSink struct{}

func (nopSink) Publish(display.Bundle, map[string]any, string, bool) {}

// TestTrailingVoidHostMethod: a cell ending in a method call without
// results on a compiled type has no value.
func TestTrailingVoidHostMethod(t *testing.T) {
	display.SetSink(nopSink{})
	in, err := interp.New(interp.Options{Symbols: []yaegi.Exports{symbols.Symbols}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		src string
		has bool
	}{
		{"import \"strings\"\nvar sb strings.Builder\nsb.Reset()", false},
		{"import \"corelab/display\"\nh := display.New()\nh.Update(display.TextBundle(\"x\"))", false},
		{"h.Text(\"y\")", false},
		{"display.New().Update(display.TextBundle(\"x\"))", false},
		{"h.ID() != \"\"", true},
		{"h.ID() != \"\"\nh.ID()", true},
	} {
		res, err := in.Eval(context.Background(), c.src)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if res.Has != c.has {
			t.Errorf("%q: Has = %v (%v), want %v", c.src, res.Has, res.Value, c.has)
		}
	}
}
