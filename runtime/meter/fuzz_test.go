package meter

import (
	"testing"
	"testing/fstest"
	"time"
)

// The parsers read files the kernel (or a container runtime) writes; they
// must never panic, whatever they are given.

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte(stat16))
	f.Add([]byte("cpu0 1 2 3 4 5 6 7 8 9 10\ncpu1 1 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := parseProcStat(data)
		if err == nil && (len(s.cpus) != len(s.busy) || len(s.busy) != len(s.total)) {
			t.Fatalf("inconsistent snapshot %+v", s)
		}
		countStatCPUs(data)
		parseSelfStat(data)
		parseMemTotal(data)
	})
}

func FuzzParseLimits(f *testing.F) {
	f.Add("max 100000", "-1", "100000")
	f.Add("150000 100000\n", "9223372036854771712", "0")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if v, err := ParseCPUMax(a); err == nil && v < 0 {
			t.Fatalf("ParseCPUMax(%q) = %v", a, v)
		}
		if v, err := ParseCFS(b, c); err == nil && v < 0 {
			t.Fatalf("ParseCFS(%q, %q) = %v", b, c, v)
		}
		ParseMemoryMax(a)
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
		if d := cpuMaxPeriod(s); d <= 0 {
			t.Fatalf("cpuMaxPeriod(%q) = %v", s, d)
		}
	})
}

func FuzzCgroupFiles(f *testing.F) {
	f.Add("0::/a/b\n", mountinfoV2, "200000 100000")
	f.Add("2:cpu,cpuacct:/docker/x\n", mountinfoHybrid, "max")
	f.Fuzz(func(t *testing.T, cgroup, mountinfo, cpumax string) {
		fsys := fstest.MapFS{
			"proc/self/cgroup":          file(cgroup),
			"proc/self/mountinfo":       file(mountinfo),
			"sys/fs/cgroup/cpu.max":     file(cpumax),
			"sys/fs/cgroup/a/b/cpu.max": file(cpumax),
		}
		b := readBudgetFS(fsys)
		if b.CgroupCPUs < 0 {
			t.Fatalf("negative quota %v", b.CgroupCPUs)
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
