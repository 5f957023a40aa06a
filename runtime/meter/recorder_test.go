package meter

import (
	"sync"
	"testing"
	"time"
)

// recordAt drives a lane with explicit timestamps (ns since start).
func recordAt(l *lane, steps ...any) {
	for i := 0; i < len(steps); i += 2 {
		l.record(int64(steps[i].(int)), steps[i+1].(State))
	}
}

func TestLaneIntervalsAndTotals(t *testing.T) {
	l := &lane{name: "w"}
	recordAt(l, 0, Running, 10, Waiting, 10, Waiting, 25, Running, 30, Blocked, 50, Running, 60, Done)
	got := l.snapshot(100)
	want := []Interval{{0, 10, Running}, {10, 25, Waiting}, {25, 30, Running}, {30, 50, Blocked}, {50, 60, Running}}
	if len(got.Intervals) != len(want) {
		t.Fatalf("intervals %+v", got.Intervals)
	}
	for i := range want {
		if got.Intervals[i] != want[i] {
			t.Errorf("interval %d = %+v, want %+v", i, got.Intervals[i], want[i])
		}
	}
	if got.Running != 25 || got.Waiting != 15 || got.Blocked != 20 || got.Total() != 60 {
		t.Errorf("totals %v %v %v", got.Running, got.Waiting, got.Blocked)
	}
	if s := got.Share(Waiting); s != 0.25 {
		t.Errorf("waiting share %v", s)
	}
}

func TestLaneOpenIntervalClosesAtSnapshot(t *testing.T) {
	l := &lane{}
	recordAt(l, 5, Running, 15, Waiting)
	got := l.snapshot(40)
	if n := len(got.Intervals); n != 2 || got.Intervals[1] != (Interval{15, 40, Waiting}) {
		t.Fatalf("intervals %+v", got.Intervals)
	}
	if got.Waiting != 25 || got.Running != 10 {
		t.Errorf("totals running %v waiting %v", got.Running, got.Waiting)
	}
	// the snapshot does not change the lane
	if again := l.snapshot(50); again.Waiting != 35 {
		t.Errorf("second snapshot waiting %v", again.Waiting)
	}
	if (Lane{}).Share(Running) != 0 {
		t.Error("empty lane share not 0")
	}
}

func TestLaneTimeStaysMonotonic(t *testing.T) {
	l := &lane{}
	recordAt(l, 100, Running, 90, Waiting) // a racing recorder read the clock earlier
	got := l.snapshot(120)
	if len(got.Intervals) != 1 || got.Intervals[0] != (Interval{100, 120, Waiting}) || got.Running != 0 || got.Waiting != 20 {
		t.Errorf("lane %+v", got)
	}
}

func TestLaneZeroLengthStatesVanish(t *testing.T) {
	l := &lane{}
	recordAt(l, 0, Running, 10, Waiting, 10, Running, 20, Blocked)
	got := l.snapshot(30)
	want := []Interval{{0, 20, Running}, {20, 30, Blocked}}
	if len(got.Intervals) != 2 || got.Intervals[0] != want[0] || got.Intervals[1] != want[1] {
		t.Errorf("intervals %+v, want %+v", got.Intervals, want)
	}
}

func TestLaneCoarsensLongHistory(t *testing.T) {
	l := &lane{}
	// alternate 3 ns running / 1 ns waiting, far beyond laneCap events
	now := 0
	for i := 0; i < 5*laneCap; i++ {
		recordAt(l, now, Running, now+3, Waiting)
		now += 4
	}
	if len(l.events) >= laneCap {
		t.Fatalf("lane holds %d events, cap %d", len(l.events), laneCap)
	}
	got := l.snapshot(int64(now))
	if got.Running != time.Duration(3*5*laneCap) || got.Waiting != time.Duration(5*laneCap) {
		t.Errorf("totals not exact after coarsening: running %v waiting %v", got.Running, got.Waiting)
	}
	for i := 1; i < len(got.Intervals); i++ {
		if got.Intervals[i].Start < got.Intervals[i-1].End || got.Intervals[i].Start < got.Intervals[i-1].Start {
			t.Fatalf("intervals out of order at %d: %+v %+v", i, got.Intervals[i-1], got.Intervals[i])
		}
	}
	if last := got.Intervals[len(got.Intervals)-1]; last.State != Waiting || last.End != time.Duration(now) {
		t.Errorf("last interval %+v, want the current state Waiting up to %d", last, now)
	}
}

func TestCoarsenDominantState(t *testing.T) {
	// 0-10 running, 10-12 waiting, 12-20 running, 20-40 blocked; 4 buckets of 10
	ev := []event{{0, Running}, {10, Waiting}, {12, Running}, {20, Blocked}}
	got := coarsen(ev, 40, 4)
	want := []event{{0, Running}, {20, Blocked}}
	if len(got) != len(want) {
		t.Fatalf("coarsen = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestRecorderConcurrent(t *testing.T) {
	r := NewRecorder()
	const workers, steps = 8, 2000
	var wg sync.WaitGroup
	ids := make([]int, workers)
	for i := range ids {
		ids[i] = r.AddWorker("w")
	}
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := 0; k < steps; k++ {
				r.Record(w, State(k%3))
				if k%2 == 0 {
					r.AddCounts(1, 0)
				} else {
					r.AddCounts(0, 1)
				}
				if w == 0 && k%100 == 0 {
					r.AddWorker("late") // grows the lane table while others record
					_ = r.Lanes()
				}
			}
			r.Record(w, Done)
			r.Record(-1, Running) // untracked: ignored
		}(ids[i])
	}
	wg.Wait()
	lanes := r.Lanes()
	if len(lanes) != workers+steps/100 {
		t.Fatalf("%d lanes", len(lanes))
	}
	h, d := r.Counts()
	if h != workers*steps/2 || d != workers*steps/2 {
		t.Errorf("counts %d %d", h, d)
	}
	for i := 0; i < workers; i++ {
		if n := len(lanes[i].Intervals); n != steps {
			t.Errorf("lane %d has %d intervals, want %d", i, n, steps)
		}
	}
	r.AddCounts(5, 7)
	if h2, d2 := r.Counts(); h2 != h+5 || d2 != d+7 {
		t.Errorf("AddCounts: %d %d", h2, d2)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{Running: "running", Waiting: "waiting for the lock", Blocked: "blocked", Done: "done", 99: "unknown"} {
		if s.String() != want {
			t.Errorf("%d.String() = %q", s, s.String())
		}
	}
}

// BenchmarkRecord is the cost of one state change, as at a lock hand-over.
func BenchmarkRecord(b *testing.B) {
	r := NewRecorder()
	w := r.AddWorker("w")
	for i := 0; i < b.N; i++ {
		r.Record(w, State(i&1))
	}
}

// BenchmarkRecordSameState is the cost when the state does not change.
func BenchmarkRecordSameState(b *testing.B) {
	r := NewRecorder()
	w := r.AddWorker("w")
	for i := 0; i < b.N; i++ {
		r.Record(w, Running)
	}
}

// BenchmarkRecordParallel has every goroutine record its own lane.
func BenchmarkRecordParallel(b *testing.B) {
	r := NewRecorder()
	var mu sync.Mutex
	b.RunParallel(func(pb *testing.PB) {
		mu.Lock()
		w := r.AddWorker("w")
		mu.Unlock()
		i := 0
		for pb.Next() {
			r.Record(w, State(i&1))
			i++
		}
	})
}

// BenchmarkHandover is what the lock pays per hand-over: two state changes
// (old holder waits, new holder runs) and one counter.
func BenchmarkHandover(b *testing.B) {
	r := NewRecorder()
	a, c := r.AddWorker("a"), r.AddWorker("b")
	for i := 0; i < b.N; i++ {
		if i&1 == 0 {
			r.Record(a, Waiting)
			r.Record(c, Running)
		} else {
			r.Record(c, Waiting)
			r.Record(a, Running)
		}
		r.AddCounts(1, 0)
	}
}
