package runtime_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/runtime/interp"
)

// TestInterruptNeverMakesTwoHolders: a cell that holds the notebook's lock
// in a host call no interrupt reaches is not given up while it holds it:
// Eval does not return (the evaluator's supervisor restarts such a cell's
// process), so no next cell runs beside it. Once the call returns, the cell
// stops at its next check point and a GIL run works. Under -race too.
func TestInterruptNeverMakesTwoHolders(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	k := newKernel(t, lockProbe, yaegi.Exports{"stuck/stuck": {"Wait": reflect.ValueOf(func() {
		close(entered)
		<-release
	})}})
	k.must(`import (
	rt "corelab/runtime"
	"lockprobe"
	"stuck"
)
func work(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }`)
	done := make(chan error, 1)
	go func() {
		end := k.lab.CellStart()
		defer end()
		_, err := k.in.Eval(context.Background(), "held := lockprobe.Holds()\nstuck.Wait()\nfor held {\n}")
		done <- err
	}()
	<-entered
	k.lab.Interrupt()
	// A bound, not a wait for an event: nothing may happen within it (the
	// interpreter used to give a cell up 0.3 s after an interrupt).
	select {
	case err := <-done:
		t.Fatalf("the cell was given up (%v) while it held the lock in a host call", err)
	case <-time.After(3 * time.Second):
	}
	close(release)
	if err := <-done; !errors.Is(err, interp.ErrInterrupted) {
		t.Fatalf("after the call returned: %v, want KeyboardInterrupt", err)
	}
	if res := k.must(`rt.Run(rt.GIL, 2, "work", 1000).Result()`); res.Value.Interface() != 499500 {
		t.Fatalf("a GIL run after the interrupt: %v", res.Value)
	}
}
