package meter

import (
	"strings"
	"testing"
	"time"

	"corelab/runtime/limits"
)

func TestParseCPUStat(t *testing.T) {
	cases := []struct {
		name, in           string
		periods, throttled int64
		time               time.Duration
		bad                bool
	}{
		{name: "v1", in: "nr_periods 229\nnr_throttled 11\nthrottled_time 93929764\nnr_bursts 0\nburst_time 0\n",
			periods: 229, throttled: 11, time: 93929764},
		{name: "v2", in: "usage_usec 5000\nuser_usec 4000\nsystem_usec 1000\nnr_periods 40\nnr_throttled 12\nthrottled_usec 310000\n",
			periods: 40, throttled: 12, time: 310 * time.Millisecond},
		{name: "v2 without a quota has no throttling fields", in: "usage_usec 5000\nuser_usec 4000\n", bad: true},
		{name: "garbage", in: "nr_throttled many\n", bad: true},
		{name: "negative", in: "nr_throttled -1\n", bad: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, n, d, err := ParseCPUStat(c.in)
			if c.bad {
				if err == nil {
					t.Fatalf("no error for %q", c.in)
				}
				return
			}
			if err != nil || p != c.periods || n != c.throttled || d != c.time {
				t.Fatalf("got %d %d %v %v, want %d %d %v", p, n, d, err, c.periods, c.throttled, c.time)
			}
		})
	}
}

// The caveats a learner reads follow from the numbers: each appears exactly
// when its condition holds.
func TestCaveats(t *testing.T) {
	quota := limits.Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 2, CgroupCPUs: 1, CgroupPeriod: 100 * time.Millisecond}
	two := limits.Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 2}
	cases := []struct {
		name string
		m    Measurement
		want []string // substrings, one per caveat, in order
	}{
		{"quiet, long, within budget", Measurement{Budget: two, Wall: time.Second, CoresUsed: 1.9, MachineCores: 2,
			Cores: make([]CoreSeries, 2)}, nil},
		{"short burst under a quota", Measurement{Budget: quota, Wall: 60 * time.Millisecond, CoresUsed: 1.7,
			Throttling: Throttling{Period: 100 * time.Millisecond, Periods: 2, Throttled: 1, Time: 40 * time.Millisecond}},
			[]string{"throttled 1 time, 40 ms", "less than 10 periods of the 100 ms quota", "1.70 cores, above the budget of 1"}},
		{"long under a quota, throttled", Measurement{Budget: quota, Wall: 2 * time.Second, CoresUsed: 1,
			Throttling: Throttling{Period: 100 * time.Millisecond, Periods: 20, Throttled: 12, Time: 310 * time.Millisecond}},
			[]string{"throttled 12 times, 310 ms"}},
		{"other load on two cores", Measurement{Budget: two, Wall: time.Second, CoresUsed: 1, MachineCores: 1.9,
			Cores: make([]CoreSeries, 2)}, []string{"Other processes kept 0.90 cores busy"}},
		{"other load on the core one worker has no use for", Measurement{Budget: two, Wall: time.Second, CoresUsed: 1, MachineCores: 2,
			Cores: make([]CoreSeries, 2), Lanes: make([]Lane, 1)}, nil},
		{"other load taking a single worker's core", Measurement{Budget: two, Wall: time.Second, CoresUsed: 0.5, MachineCores: 2,
			Cores: make([]CoreSeries, 2), Lanes: make([]Lane, 1)}, []string{"Other processes kept 1.50 cores busy"}},
		{"machine not saturated", Measurement{Budget: quota, Wall: 2 * time.Second, CoresUsed: 1, MachineCores: 1.4,
			Cores: make([]CoreSeries, 2)}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.m.Caveats()
			if len(got) != len(c.want) {
				t.Fatalf("caveats %q, want %d", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("caveat %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// The sampler turns the cgroup's throttled time into the intervals in which
// it grew, and nowhere else.
func TestSamplerThrottledIntervals(t *testing.T) {
	f := newFake(2)
	var s Sampler
	startFake(t, &s, f)
	for k := 1; k <= 6; k++ {
		f.step(2, 1, 1)
		if k == 3 || k == 4 {
			f.thr += uint64(10 * time.Millisecond)
		}
		s.mu.Lock()
		s.add(f.snap(), time.Duration(k)*20*time.Millisecond)
		s.mu.Unlock()
	}
	thr := s.Throttled()
	if len(thr) != 2 || thr[0].Start != 40*time.Millisecond || thr[1].End != 80*time.Millisecond {
		t.Fatalf("throttled intervals %+v, want 40–60 ms and 60–80 ms", thr)
	}
	if thr[0].Busy != 0.5 {
		t.Errorf("held-off share %v, want 0.5", thr[0].Busy)
	}
}
