package meter

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"corelab/runtime/limits"
)

// MinQuotaPeriods is how many periods of a CPU quota a run must last for
// the quota to hold on average. Within one period a group may run on every
// visible core until its quota is spent (then it is throttled until the
// next period), so a run of k periods can use up to about (k+1)/k of its
// budget: 10 periods keep that within 10 %.
const MinQuotaPeriods = 10

// Throttling is what a CFS CPU quota did to the process's cgroup during a
// run: the difference of the group's cpu.stat between the run's start and
// end. The zero value means no quota (or none readable).
type Throttling struct {
	Period    time.Duration // the quota's period (cpu.cfs_period_us, or cpu.max's second field)
	Periods   int64         // periods in which the group had runnable tasks (nr_periods)
	Throttled int64         // periods in which it spent its quota and was held off (nr_throttled)
	// Time is how long the group's run queues were held off
	// (throttled_time on v1, throttled_usec on v2). The kernel sums it
	// over CPUs, so with two CPUs held off for 50 ms it is 100 ms.
	Time time.Duration
}

// String is e.g. "throttled 12 times, 310 ms held off (summed over CPUs)
// in 40 periods of 100 ms", or "" if the group was never throttled.
func (t Throttling) String() string {
	if t.Throttled <= 0 {
		return ""
	}
	times := "times"
	if t.Throttled == 1 {
		times = "time"
	}
	return fmt.Sprintf("throttled %d %s, %s held off (summed over CPUs) in %d periods of %s", t.Throttled, times,
		fmtMS(t.Time), t.Periods, fmtMS(t.Period))
}

func fmtMS(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(float64(d)/1e6, 'f', 0, 64) + " ms"
}

// cpuStat is one reading of a cgroup's cpu.stat.
type cpuStat struct {
	periods, throttled int64
	time               time.Duration
}

// readCPUStat reads and parses a cpu.stat file.
func readCPUStat(file string) (cpuStat, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return cpuStat{}, err
	}
	return parseCPUStat(string(data))
}

// ParseCPUStat parses a cgroup cpu.stat file (v1 or v2) into the number of
// periods, throttled periods and the throttled time.
func ParseCPUStat(s string) (periods, throttled int64, throttledTime time.Duration, err error) {
	c, err := parseCPUStat(s)
	return c.periods, c.throttled, c.time, err
}

func parseCPUStat(s string) (cpuStat, error) {
	var c cpuStat
	seen := false
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			return cpuStat{}, fmt.Errorf("cpu.stat %q: %w", line, ErrBadFormat)
		}
		switch f[0] {
		case "nr_periods":
			c.periods = n
		case "nr_throttled":
			c.throttled, seen = n, true
		case "throttled_time": // v1, ns
			c.time = time.Duration(n)
		case "throttled_usec": // v2, µs
			c.time = usec(n)
		}
	}
	if !seen {
		return cpuStat{}, fmt.Errorf("cpu.stat without nr_throttled: %w", ErrBadFormat)
	}
	return c, nil
}

// usec converts microseconds to a Duration, saturating instead of
// overflowing on absurd input.
func usec(n int64) time.Duration {
	if n > math.MaxInt64/int64(time.Microsecond) {
		return math.MaxInt64
	}
	return time.Duration(n) * time.Microsecond
}

// since returns the throttling between an earlier reading a and c.
func (c cpuStat) since(a cpuStat, period time.Duration) Throttling {
	return Throttling{Period: period, Periods: max(0, c.periods-a.periods),
		Throttled: max(0, c.throttled-a.throttled), Time: max(0, c.time-a.time)}
}

// OtherCores is how many cores other processes kept busy on average
// during the run: machine busy (/proc/stat) minus this process's cores
// used; 0 without per-core samples.
func (m Measurement) OtherCores() float64 {
	if len(m.Cores) == 0 {
		return 0
	}
	return max(0, m.MachineCores-m.CoresUsed)
}

// Busy reports whether other processes took CPU this run wanted: the
// machine was saturated (every visible core busy, give or take a quarter),
// others used at least a quarter of a core, and this run used less than
// 90 % of what it could (its workers — one per lane — up to the budget).
// Others on a core this run had no use for do not count.
func (m Measurement) Busy() bool {
	o := m.OtherCores()
	vis := float64(m.Budget.Visible())
	could := m.Budget.Cores()
	if n := len(m.Lanes); n > 0 {
		could = min(could, float64(n))
	}
	return o >= 0.25 && m.MachineCores >= vis-0.25 && m.CoresUsed < 0.9*could
}

// Short reports whether the run lasted fewer than MinQuotaPeriods periods
// of a CPU quota, so it may have burst above its budget (see
// MinQuotaPeriods). Always false without a quota.
func (m Measurement) Short() bool {
	p := m.Budget.CgroupPeriod
	return m.Budget.CgroupCPUs > 0 && p > 0 && m.Wall < MinQuotaPeriods*p
}

// OverBudget reports whether the run used more cores than its budget (by
// more than 5 %, which sampling cannot explain): a quota burst, not
// parallelism that could last.
func (m Measurement) OverBudget() bool {
	return m.CoresUsed > 1.05*m.Budget.Cores()
}

// Caveats says, one sentence each, what makes this run's timing other than
// what the budget promises: quota throttling, a run too short for the
// quota to hold, cores used above the budget, other processes taking CPU,
// and what this system could not measure.
// Nil when none applies.
func (m Measurement) Caveats() []string {
	var out []string
	if t := m.Throttling; t.Throttled > 0 {
		out = append(out, fmt.Sprintf("The CPU quota %s: pauses in the lanes may be the quota holding every worker off, not the lock.", t))
	}
	if m.Short() {
		out = append(out, fmt.Sprintf("The run lasted %s, less than %d periods of the %s quota: within a period the group may run on every core until its quota is spent, so its cores used and a speed-up from it are not meaningful.",
			fmtMS(m.Wall), MinQuotaPeriods, fmtMS(m.Budget.CgroupPeriod)))
	}
	if m.OverBudget() {
		out = append(out, fmt.Sprintf("It used %.2f cores, above the budget of %s: a quota burst or other load, not a result.",
			m.CoresUsed, limits.FormatCPUs(m.Budget.Cores())))
	}
	if m.Busy() {
		out = append(out, fmt.Sprintf("Other processes kept %.2f cores busy meanwhile (machine %.2f − this process %.2f): timings are slower and noisier than on a quiet machine.",
			m.OtherCores(), m.MachineCores, m.CoresUsed))
	}
	if m.Unmeasured != "" {
		out = append(out, "Not measured on this system: "+m.Unmeasured+".")
	}
	return out
}
