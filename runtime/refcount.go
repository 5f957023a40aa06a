package runtime

import (
	"fmt"
	"html"
	goruntime "runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"corelab/display"
	"corelab/runtime/gil"
	"corelab/runtime/report"
)

// RefKind is a way of keeping an object's reference count (notebook 02).
type RefKind string

// The reference-count kinds RefCounts compares.
const (
	// PlainRef reads the count, adds one and writes the result back, in two
	// separate steps, as CPython's Py_INCREF does in a build with a GIL:
	// correct only while one thread at a time runs, and losing updates the
	// same way when two run at once. The steps are an atomic load and an
	// atomic store, so that the race is not a Go data race (undefined
	// behaviour in Go, where free-threaded CPython would only lose the
	// update). That makes it dearer than CPython's plain increment: Go's
	// atomic store is sequentially consistent (an XCHG on x86-64), so plain
	// costs about what atomic does — compare biased with atomic, not plain.
	PlainRef RefKind = "plain"
	// LockedRef takes a per-object mutex around each change.
	LockedRef RefKind = "locked"
	// AtomicRef uses atomic add: always exact, slower as cores contend.
	AtomicRef RefKind = "atomic"
	// BiasedRef is PEP 703's biased counting: the owning thread changes a
	// local count without atomics, other threads a shared count atomically.
	BiasedRef RefKind = "biased"
	// ImmortalRef is PEP 683's immortal object: the count never changes.
	ImmortalRef RefKind = "immortal"
)

// RefKinds lists every kind, in the order RefCounts shows them.
var RefKinds = []RefKind{PlainRef, LockedRef, AtomicRef, BiasedRef, ImmortalRef}

// immortalCount is the count of an immortal object: sys.getrefcount(None)
// is 4294967295 (2**32−1, _Py_IMMORTAL_REFCNT) on 64-bit CPython 3.12 and
// 3.13. (3.14 starts immortal objects at 3 << 30 instead.)
const immortalCount = 1<<32 - 1

// refObject is one shared object with a reference count of some kind.
type refObject struct {
	kind   RefKind
	n      atomic.Int64 // plain (by load and store), atomic, immortal
	mu     sync.Mutex   // locked
	locked int64        // locked
	owner  *gil.Thread  // biased: the owning thread
	local  int64        // biased: owner's count, no atomics
	shared atomic.Int64 // biased: everyone else's
	freed  atomic.Bool  // the count reached 0 while references were held
}

func newRefObject(k RefKind) *refObject {
	o := &refObject{kind: k}
	switch k {
	case ImmortalRef:
		o.n.Store(immortalCount)
	case LockedRef:
		o.locked = 1
	case BiasedRef:
		o.local = 1 // the owner's own reference
	default:
		o.n.Store(1) // the reference the notebook holds
	}
	return o
}

func (o *refObject) incref(t *gil.Thread) {
	switch o.kind {
	case PlainRef:
		v := o.n.Load()  // a separate load and store: a read-modify-write
		o.n.Store(v + 1) // that another core can interleave with
	case LockedRef:
		o.mu.Lock()
		o.locked++
		o.mu.Unlock()
	case AtomicRef:
		o.n.Add(1)
	case BiasedRef:
		if t == o.owner {
			o.local++
		} else {
			o.shared.Add(1)
		}
	case ImmortalRef:
		if o.n.Load() >= immortalCount {
			return
		}
		o.n.Add(1)
	}
}

func (o *refObject) decref(t *gil.Thread) {
	var v int64
	switch o.kind {
	case PlainRef:
		v = o.n.Load() - 1
		o.n.Store(v)
	case LockedRef:
		o.mu.Lock()
		o.locked--
		v = o.locked
		o.mu.Unlock()
	case AtomicRef:
		v = o.n.Add(-1)
	case BiasedRef:
		if t == o.owner {
			o.local--
		} else {
			o.shared.Add(-1)
		}
		return // merged at the end, as PEP 703 merges when the owner exits
	case ImmortalRef:
		if o.n.Load() >= immortalCount {
			return
		}
		v = o.n.Add(-1)
	}
	if v <= 0 {
		o.freed.Store(true)
	}
}

func (o *refObject) count() int64 {
	switch o.kind {
	case LockedRef:
		return o.locked
	case BiasedRef:
		return o.local + o.shared.Load()
	}
	return o.n.Load()
}

// RefResult is one kind's outcome.
type RefResult struct {
	Kind          RefKind
	Final         int64         // the count after all workers finished
	Expected      int64         // what it should be
	FreedTooEarly bool          // the count reached 0 while references were held (in any round)
	PerOp         time.Duration // wall time per incref+decref pair, per worker (the fastest round)
	// Overlap is the share of the run's wall time during which every
	// worker was inside its loop (0 to 1; 1 for a single worker). Workers
	// start together after a barrier and each keeps taking and dropping
	// references until all have done ops pairs, so it is above 0.
	Overlap float64
}

// Overlapped reports whether all workers were in their loops at once for
// some time — without that, even plain counts come out exact.
func (r RefResult) Overlapped() bool { return r.Overlap > 0 }

// Verdict says "exact", "freed too early" or "leaked".
func (r RefResult) Verdict() string {
	switch {
	case r.FreedTooEarly || r.Final < r.Expected:
		return "freed too early"
	case r.Final > r.Expected:
		return "leaked"
	}
	return "exact"
}

// RefReport is what RefCounts or RefCountsOwned measured.
type RefReport struct {
	Model   Model
	Workers int
	Ops     int
	// Every is how the work was spread: 0 (RefCounts) if every operation
	// was on the one shared object, n (RefCountsOwned) if one operation in
	// n was and the others were on objects the worker created itself.
	Every   int
	Results []RefResult
}

// RefCounts has workers take and drop a reference to one shared object
// ops times each, under model m (GIL, Free or Isolates — where each
// isolate has its own copy of the object), once per kind (nil = all), and
// reports the final count against the expected one and the cost per
// operation. Every worker hammering one object is the worst case of
// biased counting: all but one worker pay for atomics.
//
//	rt.RefCounts(rt.Free, 2, 1_000_000, nil)
func RefCounts(m Model, workers, ops int, kinds []RefKind) *RefReport {
	return refCounts("rt.RefCounts", m, workers, ops, 0, kinds)
}

// RefCountsOwned is RefCounts where each worker does what PEP 703 expects
// most threads to do: it takes and drops references mostly to an object it
// created itself, and only one operation in every to the shared object.
// That is where biased counting pays: the owner's operations need no
// atomics.
//
//	rt.RefCountsOwned(rt.Free, 2, 1_000_000, 16, nil) // 1 in 16 on the shared object
func RefCountsOwned(m Model, workers, ops, every int, kinds []RefKind) *RefReport {
	if every < 2 || every > 1_000_000 {
		usage("rt.RefCountsOwned: every = %d; want 2..1e6 (one operation in every on the shared object)", every)
	}
	return refCounts("rt.RefCountsOwned", m, workers, ops, every, kinds)
}

func refCounts(name string, m Model, workers, ops, every int, kinds []RefKind) *RefReport {
	if m != GIL && m != Free && m != Isolates {
		usage("%s: model %s; use rt.GIL, rt.Free or rt.Isolates (a process has its own objects, like an isolate)", name, m)
	}
	if workers < 1 || workers > 64 || ops < 1 || ops > 100_000_000 {
		usage("%s(%s, %d, %d): want 1..64 workers and 1..1e8 ops", name, m, workers, ops)
	}
	if len(kinds) == 0 {
		kinds = RefKinds
	}
	rep := &RefReport{Model: m, Workers: workers, Ops: ops, Every: every}
	resume := block()
	defer resume()
	for _, k := range kinds {
		ok := false
		for _, kk := range RefKinds {
			ok = ok || k == kk
		}
		if !ok {
			usage("%s: unknown kind %q", name, k)
		}
	}
	// Every kind runs refRounds times, the kinds interleaved, so that a
	// moment of load from elsewhere on the machine does not land on one
	// kind only: the cost kept is each kind's fastest round, the count a
	// round that went wrong if any did.
	rep.Results = make([]RefResult, len(kinds))
	for round := 0; round < refRounds; round++ {
		for i, k := range kinds {
			x := refRun(m, workers, ops, every, k)
			if round == 0 {
				rep.Results[i] = x
				continue
			}
			kept := &rep.Results[i]
			if x.Verdict() != "exact" && kept.Verdict() == "exact" {
				kept.Final, kept.Expected, kept.FreedTooEarly = x.Final, x.Expected, x.FreedTooEarly
			}
			kept.PerOp = min(kept.PerOp, x.PerOp)
			kept.Overlap = min(kept.Overlap, x.Overlap)
		}
	}
	return rep
}

// refRounds is how many times RefCounts runs each kind.
const refRounds = 3

// refRun measures one kind. With every > 0 each worker also has an object
// of its own, which it owns (biased counting), and works on the shared one
// only once in every operations.
func refRun(m Model, workers, ops, every int, k RefKind) RefResult {
	objs := make([]*refObject, workers)
	own := make([]*refObject, workers)
	locks := make([]*gil.GIL, workers)
	shared := newRefObject(k)
	var lock *gil.GIL
	if m != Isolates {
		lock = newLock(m)
	}
	for i := range objs {
		if m == Isolates {
			objs[i] = newRefObject(k) // each isolate has its own object
			locks[i] = newLock(GIL)
		} else {
			objs[i], locks[i] = shared, lock
		}
	}
	threads := make([]*gil.Thread, workers)
	for i := range threads {
		threads[i] = locks[i].NewThread(fmt.Sprintf("worker %d", i))
	}
	if k == BiasedRef {
		for i, o := range objs {
			if o.owner == nil {
				o.owner = threads[i]
			}
		}
	}
	if every > 0 {
		for i := range own {
			own[i] = newRefObject(k)
			own[i].owner = threads[i]
		}
	}
	// All workers start together (a barrier before the lock), and each
	// goes on past its ops pairs until every worker has done its ops, so
	// that they overlap however short the run; extra pairs leave the
	// expected count unchanged.
	start := make(chan struct{})
	var wg sync.WaitGroup
	var arrived, finished atomic.Int64
	l := theLab()
	starts := make([]time.Time, workers)
	ends := make([]time.Time, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() { // joined below
			defer wg.Done()
			defer func() { _ = recover() }() // KeyboardInterrupt: re-raised by the caller
			t, o, mine := threads[i], objs[i], own[i]
			t.Bind()
			defer t.Unbind()
			<-start
			arrived.Add(1)
			for arrived.Load() < int64(workers) && !l.Interrupted.Load() {
				goruntime.Gosched()
			}
			t.Acquire()
			defer t.Exit()
			starts[i] = time.Now()
			defer func() { ends[i] = time.Now() }()
			for n := 1; ; n++ {
				if every > 0 && n%every != 0 {
					mine.incref(t)
					mine.decref(t)
				} else {
					o.incref(t)
					o.decref(t)
				}
				if n == ops {
					finished.Add(1)
				}
				if n&63 == 0 || n == ops {
					check(t, l)
					if n >= ops && finished.Load() == int64(workers) {
						return
					}
				}
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall := time.Since(t0)
	if interrupted() {
		panic(ErrInterrupted)
	}
	res := RefResult{Kind: k, PerOp: wall / time.Duration(ops), Overlap: overlap(starts, ends)}
	seen := map[*refObject]bool{}
	all := objs
	if every > 0 {
		all = append(append([]*refObject{}, objs...), own...)
	}
	for _, o := range all {
		if seen[o] {
			continue
		}
		seen[o] = true
		res.Final += o.count()
		res.Expected += newRefObject(k).count()
		res.FreedTooEarly = res.FreedTooEarly || o.freed.Load()
	}
	return res
}

// overlap is the share of [first start, last end] during which every
// worker was between its start and its end.
func overlap(starts, ends []time.Time) float64 {
	if len(starts) < 2 {
		return 1
	}
	first, lastStart, firstEnd, last := starts[0], starts[0], ends[0], ends[0]
	for i := range starts {
		if starts[i].Before(first) {
			first = starts[i]
		}
		if starts[i].After(lastStart) {
			lastStart = starts[i]
		}
		if ends[i].Before(firstEnd) {
			firstEnd = ends[i]
		}
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	span := last.Sub(first)
	both := firstEnd.Sub(lastStart)
	if span <= 0 || both <= 0 {
		return 0
	}
	return float64(both) / float64(span)
}

func (r *RefReport) rows() (header []string, rows [][]string) {
	header = []string{"kind", "final count", "expected", "verdict", "ns per op", "workers overlapped"}
	for _, x := range r.Results {
		final, expected := fmt.Sprint(x.Final), fmt.Sprint(x.Expected)
		if x.Kind == ImmortalRef {
			expected += " (2**32−1 each, as sys.getrefcount(None) in 3.12)"
		}
		ov := "—"
		if r.Workers > 1 {
			ov = fmt.Sprintf("%.0f %% of the run", 100*x.Overlap)
			if x.Overlap < 0.005 {
				ov = "< 1 % of the run"
			}
			if !x.Overlapped() {
				ov = "no: ran one after another"
			}
		}
		rows = append(rows, []string{string(x.Kind), final, expected, x.Verdict(),
			fmt.Sprintf("%.1f", float64(x.PerOp.Nanoseconds())), ov})
	}
	return header, rows
}

func (r *RefReport) title() string {
	where := "one shared object"
	if r.Every > 0 {
		where = fmt.Sprintf("each worker's own object, 1 in %d on the shared one", r.Every)
	}
	return fmt.Sprintf("Reference counts: %d worker(s) × %d take+drop · %s · %s", r.Workers, r.Ops, where, r.Model)
}

func (r *RefReport) result(k RefKind) (RefResult, bool) {
	for _, x := range r.Results {
		if x.Kind == k {
			return x, true
		}
	}
	return RefResult{}, false
}

// Findings says in sentences what this run's numbers show: which kinds
// were wrong, how each exact kind's cost compares with plain, and when the
// run cannot show the lesson (one worker, or workers that never overlapped).
func (r *RefReport) Findings() []string {
	var out []string
	say := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	plain, hasPlain := r.result(PlainRef)
	for _, x := range r.Results {
		if x.Verdict() != "exact" {
			say("%s counting went wrong: %s (count %d, want %d).", x.Kind, x.Verdict(), x.Final, x.Expected)
		}
	}
	if hasPlain && plain.Verdict() == "exact" && r.Workers > 1 && r.Model == Free {
		say("plain counting came out exact this time. A race that did not happen is still a race: run the cell again.")
	}
	var costs []string
	for _, x := range r.Results {
		costs = append(costs, fmt.Sprintf("%s %.0f", x.Kind, float64(x.PerOp.Nanoseconds())))
	}
	say("ns per take+drop: %s.", strings.Join(costs, ", "))
	if b, ok := r.result(BiasedRef); ok && r.Model != Isolates {
		if a, ok := r.result(AtomicRef); ok && a.PerOp > 0 {
			ratio := float64(b.PerOp) / float64(a.PerOp)
			switch {
			case r.Workers == 1:
				say("biased cost %.2f× what atomic did: the only worker owns the object and needs no atomics.", ratio)
			case r.Every > 0:
				say("biased cost %.2f× what atomic did, here where each owner did %d of every %d operations without atomics.", ratio, r.Every-1, r.Every)
			default:
				say("biased cost %.2f× what atomic did, here where every worker works on one object: all but the owner pay for atomics — biased counting's worst case.", ratio)
			}
		}
	}
	plainExact := !hasPlain || plain.Verdict() == "exact"
	switch {
	case r.Workers == 1:
		say("One worker: nothing to contend with; the costs are single-thread costs.")
	case r.Model == GIL && plainExact:
		say("Under the GIL one worker runs at a time, so plain counts came out exact; they pay for lock hand-overs instead.")
	case r.Model == Isolates && plainExact:
		say("Each isolate has its own object, so every count has one owner and even plain counting came out exact.")
	}
	if r.Workers > 1 {
		for _, x := range r.Results {
			if !x.Overlapped() {
				say("%s: the workers ran one after another, never at the same time, so this run cannot show contention for it.", x.Kind)
			}
		}
		if c := budget().Cores(); c < 2 && r.Model == Free {
			say("Your core budget is %g: the workers take turns on one core, so there is little contention to measure and plain counts go wrong less often than on two cores.", c)
		}
	}
	return out
}

// String is the report as a text table, followed by its findings.
func (r *RefReport) String() string {
	var b strings.Builder
	b.WriteString(r.title() + "\n" + report.TextTable(r.rows()))
	for _, f := range r.Findings() {
		b.WriteString("• " + f + "\n")
	}
	return b.String()
}

// DisplayBundle shows the table and ns per op as bars.
func (r *RefReport) DisplayBundle() display.Bundle {
	bars := make([]report.Bar, len(r.Results))
	for i, x := range r.Results {
		bars[i] = report.Bar{Label: string(x.Kind), Value: float64(x.PerOp.Nanoseconds()), Note: x.Verdict()}
	}
	svg := report.Bars(bars, report.Options{Title: r.title(), Subtitle: fmt.Sprintf("ns per take+drop (wall, per worker; the fastest of %d rounds, kinds interleaved)", refRounds), Unit: "ns", XLabel: "ns per take+drop"})
	var h strings.Builder
	h.WriteString(report.Table(r.rows()))
	h.WriteString(svg)
	if f := r.Findings(); len(f) > 0 {
		h.WriteString("<ul>")
		for _, line := range f {
			h.WriteString("<li>" + html.EscapeString(line) + "</li>")
		}
		h.WriteString("</ul>")
	}
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: h.String(), display.MIMEText: r.String()}
}
