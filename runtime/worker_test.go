package runtime

import (
	"fmt"
	"testing"
)

func TestWorkerIndex(t *testing.T) {
	if w := Worker(); w != -1 {
		t.Errorf("Worker() outside a run = %d, want -1", w)
	}
	for _, m := range []Model{GIL, Free} {
		r := Run(m, 3, Worker)
		if got := fmt.Sprint(r.Results); got != "[[0] [1] [2]]" {
			t.Errorf("%s: compiled Worker per worker = %s, want [[0] [1] [2]]", m, got)
		}
	}
	nb := newNotebook(t)
	nb.eval(`
import rt "corelab/runtime"
func who() int { return rt.Worker() }
func whoGo() int {
	c := make(chan int)
	go func() { c <- rt.Worker() }()
	return <-c
}`)
	if w := nb.int(`rt.Worker()`); w != -1 {
		t.Errorf("Worker() in a cell = %d, want -1", w)
	}
	for _, m := range []Model{GIL, Free, Isolates, Processes} {
		for _, fn := range []string{"who", "whoGo"} {
			r := Run(m, 3, fn)
			if err := r.Err(); err != nil {
				t.Fatalf("%s %s: %v", m, fn, err)
			}
			if got := fmt.Sprint(r.Results); got != "[[0] [1] [2]]" {
				t.Errorf("%s: %s per worker = %s, want [[0] [1] [2]]", m, fn, got)
			}
		}
	}
}
