package runtime_test

import (
	"strings"
	"testing"
	"time"

	rt "corelab/runtime"
)

// TestIsolatesRunAfterCheckpointsSwitch: after %checkpoints, a cell naming
// a func declared under the old policy may run it in isolates, which
// compile the notebook's declarations afresh under the new policy (py39's
// lost updates show it), while running it under the GIL is still refused,
// naming the cell to re-run.
func TestIsolatesRunAfterCheckpointsSwitch(t *testing.T) {
	k := newKernel(t)
	defer rt.SetCheckpoints(rt.Py310)
	defer rt.SetSwitchInterval(rt.SwitchInterval())
	if err := rt.SetSwitchInterval(50 * time.Microsecond); err != nil {
		t.Fatal(err)
	}
	k.must(`import (
	rt "corelab/runtime"
	"sync"
)`)
	// cell[2], under py310: two goroutines of one isolate share counter.
	k.must(`func lost(n int) int {
	counter := 0
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < n; i++ {
				counter++
			}
		}()
	}
	wg.Wait()
	return 2*n - counter
}`)
	const run = `rt.Run(rt.Isolates, 1, "lost", 200000).Result()`
	if res := k.must(run); res.Value.Interface() != 0 {
		t.Fatalf("py310 in an isolate: %v lost updates, want 0", res.Value)
	}
	if err := rt.SetCheckpoints(rt.Py39); err != nil {
		t.Fatal(err)
	}
	lost := 0
	for try := 0; try < 5 && lost == 0; try++ {
		lost = k.must(run).Value.Interface().(int)
	}
	if lost == 0 {
		t.Error("py39 in isolates, lost declared under py310: no lost update in 5 runs (compiled under the old policy?)")
	}
	_, err := k.cell(`rt.Run(rt.GIL, 1, "lost", 1000).Result()`)
	if err == nil || !strings.Contains(err.Error(), "Re-run the cell declaring lost (cell[2]) first") {
		t.Errorf("a GIL run of the stale lost: %v, want a refusal naming cell[2]", err)
	}
}
