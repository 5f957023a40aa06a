package interp

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
)

// A statement can run a func by name in the same cell that declares it: the
// isolates and processes models find work by name (rt.Run(rt.Isolates, 2,
// "work")), and learners write the func and the run in one cell.
func TestCallFromDeclaringCell(t *testing.T) {
	var in *Interpreter
	probe := func(name string) string {
		out, err := in.Call(name, 20)
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprint(out[0])
	}
	var err error
	in, err = New(Options{Symbols: []yaegi.Exports{{"probe/probe": {"Run": reflect.ValueOf(probe)}}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := in.Eval(context.Background(), `import "probe"
func work(n int) int { return n + 1 }
probe.Run("work")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Value.Interface(); got != "21" {
		t.Fatalf("calling work by name from its own cell gave %v, want 21", got)
	}
	// Redefined in a later cell that also imports: its statements see the new
	// definition, never the one from before (the import runs first).
	res, err = in.Eval(context.Background(), `import "strings"
func work(n int) int { return n + 2 + len(strings.TrimSpace(" ")) }
probe.Run("work")`)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Value.Interface(); got != "22" {
		t.Fatalf("after redefinition got %v, want 22", got)
	}
}
