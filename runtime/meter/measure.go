package meter

import (
	"runtime/metrics"
	"strings"
	"time"

	"corelab/runtime/limits"
)

// Measurement is everything measured about one run.
type Measurement struct {
	Start     time.Time
	Wall      time.Duration // monotonic wall time
	User, Sys time.Duration // CPU time of this process, plus child processes reaped during the run
	Children  time.Duration // the part of User+Sys that child processes used
	GC        time.Duration // GC CPU estimate (runtime/metrics), already inside User+Sys; reported apart
	CoresUsed float64       // (User+Sys) / Wall

	// MachineCores is how many cores the whole machine kept busy on
	// average (sum of per-core busy fractions from /proc/stat). It counts
	// other processes too, so it is at least CoresUsed on a quiet machine.
	MachineCores float64
	Budget       limits.Budget
	Cores        []CoreSeries // per-core busy fraction over time; nil where /proc/stat is missing
	Process      []Level      // this process's cores used over time (/proc/self/stat)
	Lanes        []Lane       // one per worker added to the Recorder

	Handovers, DropRequests int64
	MaxRSS                  uint64 // peak resident memory of this process so far, in bytes

	// Unmeasured names what this system could not measure during the run
	// (e.g. per-core busy time where /proc/stat and its equivalents are
	// missing, child processes' CPU on Windows); "" when nothing is missing.
	// [Measurement.Caveats] says it in a sentence.
	Unmeasured string

	// Throttling is what the cgroup's CPU quota did during the run
	// (cpu.stat at start and end); zero without a quota.
	Throttling Throttling
	// Throttled are the sampling intervals in which the quota held the
	// group off; Busy is the held-off time over the interval (summed over
	// CPUs as the kernel counts it, at most 1). Nil when never throttled.
	Throttled []Level
}

// CPU is User+Sys.
func (m Measurement) CPU() time.Duration { return m.User + m.Sys }

// Options tunes a Meter. The zero value is ready to use.
type Options struct {
	Interval   time.Duration // core sampling period; 0 = DefaultInterval
	MaxSamples int           // bound on stored sampling intervals; 0 = DefaultMaxSamples
	Recorder   *Recorder     // lanes to record into; nil = a fresh one
	NoSampler  bool          // skip /proc/stat sampling (no per-core data)
}

// Meter measures a run between Start and Stop. Its sampling goroutine is
// stopped by Stop; a Meter is used once.
type Meter struct {
	rec      *Recorder
	sampler  *Sampler
	sampled  bool
	budget   limits.Budget
	start    time.Time
	r0       usage
	statFile string  // the quota's cpu.stat; "" without a quota
	stat0    cpuStat // its reading at the start
	// unmeasured lists what this run cannot report (see Measurement.Unmeasured).
	unmeasured []string
}

// usage is a reading of the process's CPU counters.
type usage struct {
	user, sys, childUser, childSys, gc time.Duration
	maxRSS                             uint64
}

// GCCPU is the runtime's running estimate of CPU time spent on garbage
// collection since the process started ("/cpu/classes/gc/total:cpu-seconds").
// The runtime updates it at GC cycles, so compare differences over a run.
func GCCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return time.Duration(s[0].Value.Float64() * float64(time.Second))
}

// ProcessCPU is this process's user and system CPU time so far (getrusage).
func ProcessCPU() (user, sys time.Duration) {
	u := readUsage()
	return u.user, u.sys
}

// Start begins a measurement: it reads the budget, the process's CPU
// counters and starts sampling cores (unless opts.NoSampler).
func Start(opts Options) *Meter {
	return start(opts, nil)
}

// start is Start with the per-core reader replaced when read is not nil
// (tests use it to run the path of systems without per-core times).
func start(opts Options, read func() (statSnap, error)) *Meter {
	m := &Meter{rec: opts.Recorder, budget: limits.Read()}
	if usageUnmeasured != "" {
		m.unmeasured = append(m.unmeasured, usageUnmeasured)
	}
	if m.rec == nil {
		m.rec = NewRecorder()
	}
	if f := m.budget.CPUStatFile(); f != "" {
		if st, err := readCPUStat(f); err == nil {
			m.statFile, m.stat0 = f, st
		}
	}
	if !opts.NoSampler {
		m.sampler = &Sampler{Interval: opts.Interval, MaxSamples: opts.MaxSamples, CPUStat: m.statFile, read: read}
		if err := m.sampler.Start(); err != nil {
			m.unmeasured = append(m.unmeasured, "per-core busy time and this process's timeline ("+err.Error()+")")
		} else {
			m.sampled = true
		}
	}
	m.r0 = readUsage()
	m.start = time.Now()
	return m
}

// Recorder returns the recorder that lanes and counters go to.
func (m *Meter) Recorder() *Recorder { return m.rec }

// Snapshot returns the measurement so far without stopping.
func (m *Meter) Snapshot() Measurement {
	var cores []CoreSeries
	if m.sampled {
		cores = m.sampler.Snapshot()
	}
	return m.build(cores)
}

// Stop ends sampling and returns the measurement.
func (m *Meter) Stop() Measurement {
	var cores []CoreSeries
	if m.sampled {
		cores = m.sampler.Stop()
		m.sampled = false
		return m.build(cores)
	}
	return m.build(nil)
}

func (m *Meter) build(cores []CoreSeries) Measurement {
	r1 := readUsage()
	wall := time.Since(m.start)
	out := Measurement{
		Start:    m.start,
		Wall:     wall,
		User:     r1.user - m.r0.user + r1.childUser - m.r0.childUser,
		Sys:      r1.sys - m.r0.sys + r1.childSys - m.r0.childSys,
		Children: r1.childUser - m.r0.childUser + r1.childSys - m.r0.childSys,
		GC:       max(0, r1.gc-m.r0.gc),
		Budget:   m.budget,
		Cores:    cores,
		Lanes:    shiftLanes(m.rec.Lanes(), m.start.Sub(m.rec.StartTime())),
		MaxRSS:   r1.maxRSS,

		Unmeasured: strings.Join(m.unmeasured, "; "),
	}
	if m.sampler != nil {
		out.Process = m.sampler.Process()
		out.Throttled = m.sampler.Throttled()
	}
	if m.statFile != "" {
		if st, err := readCPUStat(m.statFile); err == nil {
			out.Throttling = st.since(m.stat0, m.budget.CgroupPeriod)
		}
	}
	out.Handovers, out.DropRequests = m.rec.Counts()
	if wall > 0 {
		out.CoresUsed = float64(out.User+out.Sys) / float64(wall)
	}
	for _, c := range cores {
		out.MachineCores += c.Mean
	}
	return out
}

// shiftLanes moves lane times by -d so that they count from the meter's
// start like the core samples do (a Recorder passed in Options may have
// started earlier); anything before the start is cut off.
func shiftLanes(lanes []Lane, d time.Duration) []Lane {
	if d <= 0 {
		return lanes
	}
	for i := range lanes {
		kept := lanes[i].Intervals[:0]
		for _, iv := range lanes[i].Intervals {
			iv.Start, iv.End = max(0, iv.Start-d), iv.End-d
			if iv.End > iv.Start {
				kept = append(kept, iv)
			}
		}
		lanes[i].Intervals = kept
	}
	return lanes
}

// Measure runs fn with a fresh Recorder and returns what it used.
func Measure(fn func(rec *Recorder)) Measurement {
	return MeasureWith(Options{}, fn)
}

// MeasureWith is Measure with options. The meter is stopped even if fn
// panics; the panic then continues.
func MeasureWith(opts Options, fn func(rec *Recorder)) Measurement {
	m := Start(opts)
	stopped := false
	defer func() {
		if !stopped {
			m.Stop()
		}
	}()
	fn(m.rec)
	stopped = true
	return m.Stop()
}
