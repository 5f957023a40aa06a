package cpython

import (
	"testing"
	"time"
)

func TestLaneStaysBoundedAndExact(t *testing.T) {
	var tl threadLane
	var run, rq uint64
	now := time.Duration(0)
	for i := 0; i < 5*maxIntervals; i++ {
		now += 2 * time.Millisecond
		run += uint64(time.Millisecond) // half of every period on a CPU
		tl.add(run, rq, now, i%2 == 0)
	}
	l := tl.lane
	if len(l.Intervals) > maxIntervals {
		t.Errorf("%d intervals stored, want at most %d", len(l.Intervals), maxIntervals)
	}
	if l.Running != now/2 || l.Running+l.Waiting+l.Blocked != now {
		t.Errorf("totals running %v waiting %v blocked %v over %v: not exact", l.Running, l.Waiting, l.Blocked, now)
	}
	if last := l.Intervals[len(l.Intervals)-1]; last.End != now {
		t.Errorf("the lane ends at %v, want %v", last.End, now)
	}
	for i := 1; i < len(l.Intervals); i++ {
		if l.Intervals[i].Start != l.Intervals[i-1].End {
			t.Fatalf("gap or overlap at %d: %+v then %+v", i, l.Intervals[i-1], l.Intervals[i])
		}
	}
}

func TestParseSchedstat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		run, rq uint64
		ok      bool
	}{
		{"7792433 24993995 9\n", 7792433, 24993995, true},
		{"1 2", 1, 2, true},
		{"", 0, 0, false},
		{"x 2 3", 0, 0, false},
	} {
		run, rq, ok := parseSchedstat([]byte(tc.in))
		if ok != tc.ok || (ok && (run != tc.run || rq != tc.rq)) {
			t.Errorf("parseSchedstat(%q) = %d %d %v", tc.in, run, rq, ok)
		}
	}
}
