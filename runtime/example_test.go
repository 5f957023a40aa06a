package runtime_test

import (
	"fmt"

	rt "corelab/runtime"
)

// Run one compiled workload on two workers under the emulated GIL. In a
// cell, the report shown as the cell's value draws who held the lock when
// and the load on each core; its numbers depend on the machine, so this
// example prints only what does not: what each worker returned.
func ExampleRun() {
	r := rt.Run(rt.GIL, 2, rt.Fib, 20)
	fmt.Println(r.Model, r.Workers, r.Err())
	for w, res := range r.Results {
		fmt.Println("worker", w, "returned", res[0])
	}
	// Output:
	// gil 2 <nil>
	// worker 0 returned 6765
	// worker 1 returned 6765
}

// Compare the same work under several models (nil means all four). The
// comparison keeps, per model, the report of its median round; c.Says()
// puts what the wall times and cores show into a sentence, which depends
// on the machine and is not printed here.
func ExampleCompare() {
	c := rt.Compare([]rt.Model{rt.GIL, rt.Free}, 2, rt.Fib, 20)
	for _, r := range c.Reports {
		fmt.Println(r.Model, r.Result(), len(c.Walls[r.Model]), "rounds")
	}
	// Output:
	// gil 6765 3 rounds
	// free 6765 3 rounds
}

// Scale runs 1, 2, ... maxWorkers workers under each model and reports the
// speed-up n·T(1)/T(n), median of rt.Rounds rounds. The speed-ups depend on
// the machine; the shape of the result does not.
func ExampleScale() {
	s := rt.Scale([]rt.Model{rt.GIL, rt.Free}, 2, rt.Fib, 20)
	fmt.Println(s.Workers)
	for _, m := range s.Models {
		fmt.Println(m, len(s.Speedup[m]), "speed-ups")
	}
	// Output:
	// [1 2]
	// gil 2 speed-ups
	// free 2 speed-ups
}

// Budget says how many cores a speed-up here can use at most: the least
// of GOMAXPROCS, the CPUs this process may run on and the cgroup quota.
// The figures are the machine's own, so this example has no fixed output;
// in a cell, rt.Budget() alone shows them as a table.
func ExampleBudget() {
	b := rt.Budget()
	fmt.Printf("GOMAXPROCS %d, CPUs %d, quota %.1f: count on %.1f cores\n",
		b.GOMAXPROCS, b.NumCPU, b.CgroupCPUs, b.Cores())
}

// Check judges an exercise: the learner's code runs inside fn, which
// records what holds (OK), what is wrong (Fail) and notes; the outcome
// (unsolved if the code reached rt.Todo, fail, or pass) is shown under the
// cell with every line recorded. Where it is shown depends on the display
// sink in force (a notebook's output, or standard output without a
// kernel), so this example is compiled but not run.
func ExampleCheck() {
	double := func(x int) int { return 2 * x } // the learner's answer
	rt.Check("double", func(c *rt.Checker) {
		if got := double(21); got != 42 {
			c.Fail("double(21) returned %d; 42 was expected", got)
		} else {
			c.OK("double(21) returns 42")
		}
		fmt.Println(c.Outcome()) // pass
	})
}
