package meter

import (
	"testing"
	"time"
)

// The parsers read files the kernel (or a container runtime) writes; they
// must never panic, whatever they are given.

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("cpu  4 0 2 9 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 3 0 1 8 0 0 0 0 0 0\nctxt 5\n"))
	f.Add([]byte("cpu0 1 2 3 4 5 6 7 8 9 10\ncpu1 1 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseProcStat(data)
		if err == nil && (len(s.cpus) != len(s.busy) || len(s.busy) != len(s.total)) {
			t.Fatalf("inconsistent snapshot %+v", s)
		}
		parseSelfStat(data)
	})
}

func FuzzParseCPUStat(f *testing.F) {
	f.Add("nr_periods 229\nnr_throttled 11\nthrottled_time 93929764\n")
	f.Add("usage_usec 1\nnr_periods 40\nnr_throttled 12\nthrottled_usec 9223372036854775807\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, n, d, err := ParseCPUStat(s)
		if err == nil && (p < 0 || n < 0 || d < 0) {
			t.Fatalf("ParseCPUStat(%q) = %d, %d, %v", s, p, n, d)
		}
	})
}

func TestShiftLanes(t *testing.T) {
	lanes := []Lane{{Intervals: []Interval{{0, 5, Running}, {5, 20, Waiting}}}}
	got := shiftLanes(lanes, 10)
	if len(got[0].Intervals) != 1 || got[0].Intervals[0] != (Interval{0, 10, Waiting}) {
		t.Errorf("shifted %+v", got[0].Intervals)
	}
	rec := NewRecorder()
	w := rec.AddWorker("early")
	rec.Record(w, Running)
	time.Sleep(5 * time.Millisecond)
	m := MeasureWith(Options{Recorder: rec, NoSampler: true}, func(r *Recorder) {
		time.Sleep(5 * time.Millisecond)
	})
	if iv := m.Lanes[0].Intervals; len(iv) != 1 || iv[0].Start != 0 || iv[0].End > m.Wall+time.Millisecond {
		t.Errorf("lane not aligned to the meter's start: %+v (wall %v)", iv, m.Wall)
	}
}
