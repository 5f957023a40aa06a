package runtime

import (
	"fmt"
	"reflect"
	"strconv"
	"time"

	"corelab/runtime/gil"
	"corelab/runtime/internal/invoke"
	"corelab/runtime/internal/lab"
)

// Compiled workloads. yaegi runs calls about ten times slower than
// CPython, so a lesson about cores would mostly measure the interpreter;
// these are compiled Go that behave like Python code under each model: they
// take the calling goroutine's lock and yield at their own check points (one
// atomic load each, at every call and loop back-edge, as CPython 3.10+
// does), unless wrapped with NoGIL.

// check is a compiled check point: t (nil outside a lock) yields to a
// waiter, and l's interrupt stops the workload.
func check(t *gil.Thread, l *lab.Lab) {
	if t != nil {
		t.Checkpoint()
	}
	if l.Interrupted.Load() {
		panic(ErrInterrupted)
	}
}

// Fib returns the n-th Fibonacci number by naive recursion (fib(30) =
// 832040, about 1.3 million calls), with a check point at every call.
func Fib(n int) int {
	if n > 45 {
		usage("rt.Fib(%d) would take minutes; use n ≤ 45 (fib(32) ≈ 20 ms compiled)", n)
	}
	return fib(n, current(), theLab())
}

func fib(n int, t *gil.Thread, l *lab.Lab) int {
	check(t, l)
	if n < 2 {
		return n
	}
	return fib(n-1, t, l) + fib(n-2, t, l)
}

// CountPrimes returns how many primes p satisfy lo ≤ p < hi, by trial
// division, with a check point per candidate.
func CountPrimes(lo, hi int) int {
	t, l := current(), theLab()
	count := 0
	for n := max(lo, 2); n < hi; n++ {
		check(t, l)
		if isPrime(n) {
			count++
		}
	}
	return count
}

func isPrime(n int) bool {
	if n < 4 {
		return n >= 2
	}
	if n%2 == 0 {
		return false
	}
	for d := 3; d*d <= n; d += 2 {
		if n%d == 0 {
			return false
		}
	}
	return true
}

// Spin keeps a core busy for d of its own running time — time spent
// waiting for the lock does not count — and returns the number of loop
// iterations done.
func Spin(d time.Duration) int {
	return spin(d, current(), theLab())
}

func spin(d time.Duration, t *gil.Thread, l *lab.Lab) int {
	// Count running time in slices between check points, so a thread that
	// waits for the lock still does d worth of work.
	n, x := 0, 1
	var ran time.Duration
	for ran < d {
		start := time.Now()
		for i := 0; i < 2000; i++ {
			n++
			x = x*31 + i
		}
		ran += time.Since(start)
		check(t, l)
	}
	if x == 0 { // keeps the loop from being optimised away
		n++
	}
	return n
}

// Wait blocks for d like a call waiting on I/O (time.sleep, a socket read):
// it releases the lock while it waits, as CPython's blocking calls do.
func Wait(d time.Duration) {
	if t := current(); t != nil && t.Holds() {
		t.Blocking(func() { sleepInterruptibly(d) })
		return
	}
	sleepInterruptibly(d)
}

func sleepInterruptibly(d time.Duration) {
	end := time.Now().Add(d)
	for {
		left := time.Until(end)
		if left <= 0 {
			return
		}
		if interrupted() {
			panic(ErrInterrupted)
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// Task is a compiled workload marked by NoGIL as releasing the lock while
// it runs, like a C extension that drops the GIL (hashlib on large
// buffers, numpy, zlib). Pass it to Run, Compare or Scale, or call it.
type Task struct {
	name string
	fn   reflect.Value
}

// NoGIL marks a compiled workload (rt.Fib, rt.CountPrimes, rt.Spin) as
// releasing the lock while it runs, so it runs in parallel even under the
// GIL. Interpreted functions cannot be marked: they need the lock to run.
func NoGIL(fn any) *Task {
	c, ok := compiledOf(fn)
	if !ok {
		usage("rt.NoGIL takes a compiled workload (rt.Fib, rt.CountPrimes, rt.Spin); " +
			"interpreted functions always need the lock, like Python code")
	}
	return &Task{name: c.name + " (lock released)", fn: c.fn}
}

// Call runs the task with args, with the calling goroutine's lock
// released, and returns its results.
func (t *Task) Call(args ...any) []any {
	in, err := convertArgs(t.name, t.fn.Type(), args)
	if err != nil {
		usage("%v", err)
	}
	var out []reflect.Value
	call := func() { out = t.fn.Call(in) }
	if th := current(); th != nil && th.Holds() {
		th.Blocking(func() {
			// The lock is released, but this thread is working.
			lab.MarkReleased(th)
			call()
		})
	} else {
		call()
	}
	return invoke.Values(out)
}

// String returns the workload's name.
func (t *Task) String() string { return t.name }

// compiled describes a compiled workload Run recognizes by its code address.
type compiled struct {
	name     string
	fn       reflect.Value // the exported function
	releases bool          // made by NoGIL
}

// compiledFuncs are the compiled workloads by code address.
var compiledFuncs = compiledTable(map[string]any{
	"rt.Fib":         Fib,
	"rt.CountPrimes": CountPrimes,
	"rt.Spin":        Spin,
	"rt.Wait":        Wait,
})

func compiledTable(byName map[string]any) map[uintptr]compiled {
	t := map[uintptr]compiled{}
	for name, fn := range byName {
		v := reflect.ValueOf(fn)
		t[v.Pointer()] = compiled{name: name, fn: v}
	}
	return t
}

// compiledOf recognizes a compiled workload given by value.
func compiledOf(fn any) (compiled, bool) {
	switch f := fn.(type) {
	case *Task:
		return compiled{name: f.name, fn: f.fn, releases: true}, true
	case nil:
		return compiled{}, false
	}
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return compiled{}, false
	}
	c, ok := compiledFuncs[v.Pointer()]
	return c, ok
}

// compiledByName finds a compiled workload by the name a worker process
// receives ("rt.Fib").
func compiledByName(name string) (compiled, bool) {
	for _, c := range compiledFuncs {
		if c.name == name {
			return c, true
		}
	}
	return compiled{}, false
}

func convertArgs(name string, t reflect.Type, args []any) ([]reflect.Value, error) {
	if t.IsVariadic() && len(args) < t.NumIn()-1 || !t.IsVariadic() && len(args) != t.NumIn() {
		return nil, fmt.Errorf("%s takes %d argument(s), got %d", name, t.NumIn(), len(args))
	}
	out := make([]reflect.Value, len(args))
	for i, a := range args {
		pt := invoke.Param(t, i)
		if a == nil {
			out[i] = reflect.Zero(pt)
			continue
		}
		v := reflect.ValueOf(a)
		switch {
		case v.Type().AssignableTo(pt):
			out[i] = v
		case v.Type().ConvertibleTo(pt) && numeric(v.Kind()) == numeric(pt.Kind()):
			out[i] = v.Convert(pt)
		default:
			lit := fmt.Sprint(a)
			if v.Kind() == reflect.String {
				lit = strconv.Quote(v.String()) // "34", as Go would write it
			}
			return nil, fmt.Errorf("%s argument %d: cannot use %s (%s) as %s", name, i+1, lit, v.Type(), pt)
		}
	}
	return out, nil
}

func numeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Complex128
}
