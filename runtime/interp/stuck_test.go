package interp

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

// holdHooks are FreeHooks whose cell goroutine holds a lock, or not.
type holdHooks struct {
	FreeHooks
	holds bool
}

func (h holdHooks) CellHolds() bool { return h.holds }

// stuckCell starts a cell blocked in a host call that no interrupt reaches,
// interrupts it, and returns where Eval's error arrives and how to let the
// call return.
func stuckCell(t *testing.T, h Hooks) (in *Interpreter, done chan error, release chan struct{}) {
	t.Helper()
	entered, release := make(chan struct{}), make(chan struct{})
	host := yaegi.Exports{"stuck/stuck": {"Wait": reflect.ValueOf(func() {
		close(entered)
		<-release
	})}}
	in, _, _ = newTest(t, Options{Symbols: []yaegi.Exports{host}, Hooks: h})
	if _, err := in.Eval(context.Background(), `import "stuck"`); err != nil {
		t.Fatal(err)
	}
	done = make(chan error, 1)
	go func() {
		_, err := in.Eval(context.Background(), "stuck.Wait()\nfor {\n}")
		done <- err
	}()
	<-entered
	in.Interrupt()
	return in, done, release
}

func nextCellRuns(t *testing.T, in *Interpreter) {
	t.Helper()
	r, err := in.Eval(context.Background(), "40 + 2")
	if err != nil || show(r) != "42" {
		t.Fatalf("next cell: %v, %v", show(r), err)
	}
}

// TestInterruptWaitsForACellHoldingTheLock: a cell that holds its lock in
// a host call that no interrupt reaches is not reported as interrupted
// while it still runs (its goroutine would go on beside the next cell);
// Eval returns once the call does, with KeyboardInterrupt, and the next
// cell runs.
func TestInterruptWaitsForACellHoldingTheLock(t *testing.T) {
	in, done, release := stuckCell(t, holdHooks{holds: true})
	// Before, yaegi's cancellation made Eval return interruptGrace after
	// the interrupt, the call still blocked. A bound, not a wait for an
	// event: this asserts that nothing happens. (Not cancelled, the cell
	// also runs under -race.)
	select {
	case err := <-done:
		t.Fatalf("Eval returned (%v) while its cell still held the lock in a host call", err)
	case <-time.After(10 * interruptGrace):
	}
	close(release)
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Fatalf("after the call returned: %v, want KeyboardInterrupt", err)
	}
	nextCellRuns(t, in)
}

// TestInterruptLeavesAParkedCell: a cell whose goroutine gave its lock up
// (a blocking call the runtime wraps) is interrupted through yaegi's
// cancellation without waiting for the call.
func TestInterruptLeavesAParkedCell(t *testing.T) {
	if raceBuild {
		t.Skip("cancels a blocked cell through yaegi, see race_test.go")
	}
	in, done, release := stuckCell(t, holdHooks{holds: false})
	defer close(release)
	if err := <-done; !errors.Is(err, ErrInterrupted) {
		t.Fatalf("%v, want KeyboardInterrupt", err)
	}
	nextCellRuns(t, in)
}
