package interp

import (
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"corelab/runtime/meter"
)

// BenchmarkCandidates measures ways of writing a check point (and a
// position marker) in plain yaegi, by hand, at the places the rewriter puts
// them, interleaved in one run. It is how the check point's design was
// chosen (issue 9); re-run it after a yaegi upgrade:
//
//	go test ./runtime/interp -run '^$' -bench Candidates -benchtime 1x -count 5
//
// Only racy-bool and mark-only are data races; the others are race-free
// (a channel's len, a host call to an atomic, a select). What the runs
// showed with yaegi v0.16.1, and why:
//   - yaegi gives every temporary of a function a frame slot, allocated
//     (reflect.New) at each call whether or not the code using it runs. The
//     racy `if _clFlag` needs none (a global read, one step); `len(c) > 0`
//     needs two (len's int, the comparison's bool): len-slots, which only
//     allocates them, costs fib most of what chan-len does, and placing the
//     check after the base case (len-late) saves nothing.
//   - In a loop the slots are allocated once per call and every step
//     counts: the racy check is one step, every race-free read two or more
//     (len then compare; a countdown is a decrement then a compare), so a
//     loop of ~4 steps cannot stay within 1.20x.
//   - A host call (reflect) costs ~5x on the loop; a host-call marker
//     ~1.5x on a small function called in a loop, where the racy marker
//     costs nothing measurable.
func BenchmarkCandidates(b *testing.B) {
	if testing.Short() {
		b.Skip("slow: interleaved rounds of every variant")
	}
	var tab strings.Builder
	for _, w := range candidateWorkloads {
		runs := make([]func() error, len(checkCandidates))
		for i, c := range checkCandidates {
			runs[i] = candidateRunner(b, c, w)
		}
		best, med, ratio := interleave(b, runs, 12*time.Second)
		fmt.Fprintf(&tab, "\n%-10s %-12s %10s %6s %10s %6s  %s\n", "workload", "variant", "best", "ratio", "median", "paired", "instrumentation")
		for i, c := range checkCandidates {
			fmt.Fprintf(&tab, "%-10s %-12s %10v %6.3f %10v %6.3f  %s\n", w.name, c.name,
				best[i].Round(time.Microsecond/10), float64(best[i])/float64(best[0]),
				med[i].Round(time.Microsecond/10), ratio[i], c.describe(w))
		}
	}
	fmt.Print(tab.String()) // b.Log would cut the table at ten lines
}

// interleave runs every run once per round, in order, until the deadline
// (at least 5 rounds), and returns each one's median CPU time (user+sys of
// the process: the machine is shared, and time spent descheduled is not the
// code's cost; the collector's work is) and the median over rounds of its
// time over runs[0]'s in the same round (which cancels drift in load).
func interleave(b *testing.B, runs []func() error, d time.Duration) (best, med []time.Duration, ratio []float64) {
	times := make([][]time.Duration, len(runs))
	ratios := make([][]float64, len(runs))
	deadline := time.Now().Add(d)
	for round := 0; round < 5 || (round < 200 && time.Now().Before(deadline)); round++ {
		for i, r := range runs {
			runtime.GC() // each run starts from the same heap
			start := cpuTime(b)
			if err := r(); err != nil {
				b.Fatal(err)
			}
			times[i] = append(times[i], cpuTime(b)-start)
			ratios[i] = append(ratios[i], float64(times[i][round])/float64(max(times[0][round], 1)))
		}
	}
	for i := range runs {
		slices.Sort(times[i])
		slices.Sort(ratios[i])
		best = append(best, times[i][0])
		med = append(med, times[i][len(times[i])/2])
		ratio = append(ratio, ratios[i][len(ratios[i])/2])
	}
	return best, med, ratio
}

// cpuTime is the process's user+sys CPU time so far (getrusage on Unix,
// GetProcessTimes on Windows, through the meter).
func cpuTime(b *testing.B) time.Duration {
	user, sys := meter.ProcessCPU()
	return user + sys
}

// A candidateWorkload is a source with placeholders where instrumentation
// goes: ENTRY at the body start of a function that calls or loops, LEAF at
// the body start of one that does neither, LATE after fib's base case, LOOP
// at a loop body's start, MARK before a statement that may panic.
type candidateWorkload struct {
	name, src, call string
}

var candidateWorkloads = []candidateWorkload{
	{"fib20", `
func fib(n int) int {ENTRY
	if n < 2 {
		return n
	}
	LATE return fib(n-1) + fib(n-2)
}`, "fib(20)"},
	{"loop1M", `
func loop(n int) int {ENTRY
	s := 0
	for i := 0; i < n; i++ {LOOP
		s += i % 7
	}
	return s
}`, "loop(1000000)"},
	// a small function that indexes (so the rewriter marks it), called in
	// a loop
	{"index200k", `
var xs = []int{1, 2, 3, 4, 5, 6, 7}

func get(i int) int {LEAF
	MARK return xs[i%7]
}

func sum(n int) int {ENTRY
	s := 0
	for i := 0; i < n; i++ {LOOP
		s += get(i)
	}
	return s
}`, "sum(200000)"},
}

// A checkCandidate is one way to write check points and markers: the text
// that replaces each placeholder.
type checkCandidate struct {
	name                          string
	entry, leaf, late, loop, mark string
}

// describe says what c inserts in w.
func (c checkCandidate) describe(w candidateWorkload) string {
	var parts []string
	for _, p := range []struct{ key, text, label string }{
		{"ENTRY", c.entry, "entry"}, {"LEAF", c.leaf, "leaf"}, {"LATE", c.late, "after base case"},
		{"LOOP", c.loop, "loop"}, {"MARK", c.mark, "mark"},
	} {
		if p.text != "" && strings.Contains(w.src, p.key) {
			parts = append(parts, p.label+": "+p.text)
		}
	}
	return strings.Join(parts, " ")
}

const (
	racyCheck = "if _clFlag {_clTick()};"
	hostCheck = "if clh.Pending() {_clTick()};"
	lenCheck  = "if len(_clCh) > 0 {_clTick()};"
	// a countdown in a local of the function: the chan is read every
	// 1024 iterations
	countCheck = "_clN--; if _clN < 0 {_clN = 1023; if len(_clCh) > 0 {_clTick()}};"
	// chan-len's check behind the racy one, so it never runs: what the
	// frame slots of its temporaries cost each call
	slotsCheck = "if _clFlag {if len(_clCh) > 0 {_clTick()}};"
	// the same read in the other forms yaegi compiles differently
	switchCheck = "switch len(_clCh) {case 0: default: _clTick()};"
	selectCheck = "select {case <-_clCh: _clTick(); default:};"
	racyMark    = "_clAt = 4294967408;"
	hostMark    = "clh.At(4294967408);"
)

var checkCandidates = []checkCandidate{
	{name: "yaegi"},
	{name: "yaegi-again"}, // the same again: how far noise goes
	{name: "racy-bool", entry: racyCheck, leaf: racyCheck, loop: racyCheck, mark: racyMark},
	{name: "racy-nomark", entry: racyCheck, leaf: racyCheck, loop: racyCheck},
	{name: "mark-only", mark: racyMark},
	{name: "host-mark", entry: racyCheck, leaf: racyCheck, loop: racyCheck, mark: hostMark},
	{name: "host-call", entry: hostCheck, leaf: hostCheck, loop: hostCheck, mark: hostMark},
	{name: "chan-len", entry: lenCheck, leaf: lenCheck, loop: lenCheck},
	{name: "len-slots", entry: slotsCheck, leaf: slotsCheck, loop: racyCheck},
	{name: "len-late", late: lenCheck, leaf: lenCheck, loop: lenCheck},
	{name: "len-noleaf", entry: lenCheck, loop: lenCheck},
	{name: "len-count", entry: lenCheck, loop: countCheck},
	{name: "len-switch", entry: switchCheck, leaf: switchCheck, loop: switchCheck},
	{name: "select", entry: selectCheck, leaf: selectCheck, loop: selectCheck},
}

// candidateRunner compiles w instrumented as c in a fresh yaegi and returns
// a func that runs w's call once. The flag stays off, as while one
// goroutine runs alone.
func candidateRunner(b *testing.B, c checkCandidate, w candidateWorkload) func() error {
	yi := yaegi.New(yaegi.Options{Stdout: io.Discard, Stderr: io.Discard})
	if err := yi.Use(stdlib.Symbols); err != nil {
		b.Fatal(err)
	}
	var pending atomic.Bool
	var at atomic.Int64
	if err := yi.Use(yaegi.Exports{"clh/clh": {
		"Tick":    reflect.ValueOf(func() {}),
		"Pending": reflect.ValueOf(pending.Load),
		"At":      reflect.ValueOf(at.Store),
	}}); err != nil {
		b.Fatal(err)
	}
	prelude := `import "clh"
var _clFlag bool
var _clTick = clh.Tick
var _clCh = make(chan struct{}, 1)
var _clAt int
`
	if _, err := yi.Eval(prelude); err != nil {
		b.Fatal(err)
	}
	src := w.src
	if strings.Contains(c.loop, "_clN") {
		// the countdown is a local of each function with a loop
		src = strings.Replace(src, "s := 0", "s, _clN := 0, 1023", 1)
	}
	src = strings.NewReplacer("ENTRY", c.entry, "LEAF", c.leaf, "LATE", c.late, "LOOP", c.loop, "MARK", c.mark).Replace(src)
	if _, err := yi.Eval(src); err != nil {
		b.Fatalf("%s/%s: %v\n%s", w.name, c.name, err, src)
	}
	p, err := yi.Compile(w.call)
	if err != nil {
		b.Fatal(err)
	}
	return func() error { _, err := yi.Execute(p); return err }
}
