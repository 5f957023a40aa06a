package meter

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc/stat and /proc/self/stat times.
// Linux exports 100 on every architecture Go supports.
const clockTicks = 100

// DefaultInterval is the sampling period of a Sampler with Interval 0.
// /proc/stat counts in 10 ms ticks, so shorter periods only add noise.
const DefaultInterval = 20 * time.Millisecond

// maxPeriod caps the sampling period as it doubles on long runs.
const maxPeriod = 10 * time.Second

// DefaultMaxSamples bounds a Sampler with MaxSamples 0.
const DefaultMaxSamples = 2048

// Level is how busy something was during one interval of a run: for a core
// the busy fraction 0..1, for the process the cores it used (CPU/wall).
type Level struct {
	Start, End time.Duration // since the sampler started
	Busy       float64
}

// CoreSeries is one core's busy fraction over a run, read from /proc/stat.
// It counts every process on the machine, not just this one.
type CoreSeries struct {
	CPU    int     // the N of "cpuN" in /proc/stat
	Levels []Level // consecutive intervals
	Mean   float64 // busy fraction over the whole run, time-weighted
}

// Sampler reads per-core busy time from /proc/stat, and this process's CPU
// time from /proc/self/stat, every Interval between Start and Stop. Memory is
// bounded: when MaxSamples intervals are stored, neighbours are merged in
// pairs and the period doubles, so a long run keeps its whole span at a
// coarser grain. The sampling goroutine is owned by the Sampler: Stop ends it.
type Sampler struct {
	Interval   time.Duration // 0 = DefaultInterval
	MaxSamples int           // 0 = DefaultMaxSamples; at least 16
	// CPUStat is a cgroup cpu.stat file whose throttled time is sampled
	// too (see [Sampler.Throttled]); "" = none.
	CPUStat string

	mu      sync.Mutex
	cpus    []int
	start   time.Time
	first   statSnap
	prev    statSnap
	prevAt  time.Duration
	samples []rawSample
	period  time.Duration
	stop    chan struct{}
	done    chan struct{}
	running bool

	// read is the /proc reader; tests replace it.
	read func() (statSnap, error)
}

// statSnap is one read of the cumulative counters, per CPU in s.cpus order.
type statSnap struct {
	cpus  []int
	busy  []uint64
	total []uint64
	proc  uint64 // this process's utime+stime in ticks
	thr   uint64 // the cgroup's throttled time in ns (0 without CPUStat)
}

// rawSample holds the counter deltas of one interval.
type rawSample struct {
	start, end  time.Duration
	busy, total []uint32
	proc        uint32
	thr         uint64 // ns the cgroup was held off by its quota
}

// ErrNoProcStat is returned by Start where /proc/stat cannot be read.
var ErrNoProcStat = errors.New("meter: /proc/stat not readable")

// ErrBadFormat is returned by the parsers for input they do not understand.
var ErrBadFormat = errors.New("meter: unrecognised format")

// Start takes the first reading and starts sampling. It fails where the
// system gives no per-core times (Linux reads /proc/stat; macOS and Windows
// ask the system through gopsutil); callers may carry on without core data.
func (s *Sampler) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return errors.New("meter: sampler already started")
	}
	if s.read == nil {
		file := s.CPUStat
		s.read = func() (statSnap, error) { return readSnap(file) }
	}
	snap, err := s.read()
	if err != nil {
		return err
	}
	s.start = time.Now()
	s.cpus = snap.cpus
	s.first, s.prev, s.prevAt = snap, snap, 0
	s.samples = s.samples[:0]
	s.period = s.Interval
	if s.period <= 0 {
		s.period = DefaultInterval
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	s.running = true
	go s.loop(s.period)
	return nil
}

func (s *Sampler) loop(period time.Duration) {
	defer close(s.done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if p := s.sampleOnce(); p != period {
				period = p
				t.Reset(p)
			}
		}
	}
}

// sampleOnce reads the counters and stores the interval since the previous
// reading; it returns the (possibly doubled) period.
func (s *Sampler) sampleOnce() time.Duration {
	s.readAndAdd()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.period
}

// readAndAdd takes one reading (outside the lock: it is a file read) and
// stores it; a failed read is skipped, the next one covers the gap.
func (s *Sampler) readAndAdd() {
	snap, err := s.read()
	now := time.Since(s.start)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.add(snap, now)
}

// add stores the deltas from s.prev to snap. An interval in which no CPU's
// counters moved is not stored: it stays open until the next reading, so
// every stored interval spans at least one tick.
func (s *Sampler) add(snap statSnap, now time.Duration) {
	if len(snap.cpus) != len(s.cpus) || !sameInts(snap.cpus, s.cpus) {
		snap = realign(snap, s.cpus) // a CPU went on- or offline
	}
	r := rawSample{start: s.prevAt, end: now,
		busy: make([]uint32, len(s.cpus)), total: make([]uint32, len(s.cpus))}
	moved := false
	for i := range s.cpus {
		r.busy[i] = delta32(s.prev.busy[i], snap.busy[i])
		r.total[i] = delta32(s.prev.total[i], snap.total[i])
		if r.total[i] > 0 {
			moved = true
		}
	}
	r.proc = delta32(s.prev.proc, snap.proc)
	if snap.thr > s.prev.thr {
		r.thr = snap.thr - s.prev.thr
	}
	if !moved {
		return
	}
	s.prev, s.prevAt = snap, now
	s.samples = append(s.samples, r)
	max := s.MaxSamples
	if max <= 0 {
		max = DefaultMaxSamples
	}
	if max < 16 {
		max = 16
	}
	if len(s.samples) >= max {
		s.samples = mergePairs(s.samples)
		s.period = min(2*s.period, maxPeriod)
	}
}

func delta32(a, b uint64) uint32 {
	if b <= a {
		return 0
	}
	d := b - a
	if d > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(d)
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// realign reorders snap to the CPU list cpus; a CPU missing from snap keeps
// a zero counter, which delta32 turns into "no movement".
func realign(snap statSnap, cpus []int) statSnap {
	out := statSnap{cpus: cpus, busy: make([]uint64, len(cpus)), total: make([]uint64, len(cpus)), proc: snap.proc, thr: snap.thr}
	idx := make(map[int]int, len(snap.cpus))
	for i, c := range snap.cpus {
		idx[c] = i
	}
	for i, c := range cpus {
		if j, ok := idx[c]; ok {
			out.busy[i], out.total[i] = snap.busy[j], snap.total[j]
		}
	}
	return out
}

// mergePairs halves the number of samples by summing neighbours.
func mergePairs(in []rawSample) []rawSample {
	out := in[:0]
	for i := 0; i < len(in); i += 2 {
		r := in[i]
		if i+1 < len(in) {
			n := in[i+1]
			r.end = n.end
			for c := range r.busy {
				r.busy[c] += n.busy[c]
				r.total[c] += n.total[c]
			}
			r.proc += n.proc
			r.thr += n.thr
		}
		out = append(out, r)
	}
	return out
}

// Stop takes a last reading, ends sampling and returns the per-core series.
// It returns nil if the sampler was not running.
func (s *Sampler) Stop() []CoreSeries {
	s.mu.Lock()
	if !s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = false
	close(s.stop)
	s.mu.Unlock()
	<-s.done
	s.readAndAdd()
	return s.Snapshot()
}

// Snapshot returns the series so far without stopping (for live progress).
func (s *Sampler) Snapshot() []CoreSeries {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seriesLocked()
}

// Process returns this process's cores used (CPU time / wall time) per
// interval so far, from /proc/self/stat.
func (s *Sampler) Process() []Level {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Level, 0, len(s.samples))
	for _, r := range s.samples {
		wall := (r.end - r.start).Seconds()
		if wall <= 0 {
			continue
		}
		out = append(out, Level{r.start, r.end, float64(r.proc) / clockTicks / wall})
	}
	return out
}

// Throttled returns the intervals so far in which the cgroup of CPUStat was
// held off by its quota, with Busy the held-off share of the interval
// (at most 1); nil if it never was.
func (s *Sampler) Throttled() []Level {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Level
	for _, r := range s.samples {
		if wall := r.end - r.start; r.thr > 0 && wall > 0 {
			out = append(out, Level{r.start, r.end, min(1, float64(r.thr)/float64(wall))})
		}
	}
	return out
}

// ProcessCPU is this process's CPU time (user+sys) between Start and the
// last reading, as /proc/self/stat counts it (10 ms resolution).
func (s *Sampler) ProcessCPU() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prev.proc < s.first.proc {
		return 0
	}
	return time.Duration(s.prev.proc-s.first.proc) * time.Second / clockTicks
}

// Elapsed is the wall time between Start and the last stored reading.
func (s *Sampler) Elapsed() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prevAt
}

func (s *Sampler) seriesLocked() []CoreSeries {
	out := make([]CoreSeries, len(s.cpus))
	for i, c := range s.cpus {
		cs := CoreSeries{CPU: c, Levels: make([]Level, 0, len(s.samples))}
		var busy, total uint64
		for _, r := range s.samples {
			f := 0.0
			if r.total[i] > 0 {
				f = float64(r.busy[i]) / float64(r.total[i])
			}
			cs.Levels = append(cs.Levels, Level{r.start, r.end, f})
			busy += uint64(r.busy[i])
			total += uint64(r.total[i])
		}
		if total > 0 {
			cs.Mean = float64(busy) / float64(total)
		}
		out[i] = cs
	}
	return out
}

// parseProcStat reads the per-CPU lines of /proc/stat:
// cpuN user nice system idle iowait irq softirq steal guest guest_nice.
// Busy is user+nice+system+irq+softirq+steal (guest time is already in user);
// total adds idle and iowait.
func parseProcStat(data []byte) (statSnap, error) {
	var s statSnap
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) < 4 || !bytes.HasPrefix(line, []byte("cpu")) || line[3] < '0' || line[3] > '9' {
			continue
		}
		f := bytes.Fields(line)
		if len(f) < 5 {
			return s, fmt.Errorf("/proc/stat line %q: %w", line, ErrBadFormat)
		}
		id, err := strconv.Atoi(string(f[0][3:]))
		if err != nil {
			return s, fmt.Errorf("/proc/stat cpu %q: %w", f[0], ErrBadFormat)
		}
		var v [8]uint64
		for i := 0; i < 8 && i+1 < len(f); i++ {
			if v[i], err = strconv.ParseUint(string(f[i+1]), 10, 64); err != nil {
				return s, fmt.Errorf("/proc/stat %s field %d: %w", f[0], i+1, ErrBadFormat)
			}
		}
		busy := v[0] + v[1] + v[2] + v[5] + v[6] + v[7]
		s.cpus = append(s.cpus, id)
		s.busy = append(s.busy, busy)
		s.total = append(s.total, busy+v[3]+v[4])
	}
	if len(s.cpus) == 0 {
		return s, fmt.Errorf("/proc/stat: no cpuN lines: %w", ErrBadFormat)
	}
	return s, nil
}

// parseSelfStat returns utime+stime (ticks) from /proc/self/stat. The comm
// field may hold spaces and parentheses, so fields are counted after the
// last ')'.
func parseSelfStat(data []byte) (uint64, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, ErrBadFormat
	}
	f := bytes.Fields(data[i+1:])
	// after comm: state(3) ppid(4) ... utime(14) stime(15) -> indexes 11, 12
	if len(f) < 13 {
		return 0, ErrBadFormat
	}
	u, err1 := strconv.ParseUint(string(f[11]), 10, 64)
	st, err2 := strconv.ParseUint(string(f[12]), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, ErrBadFormat
	}
	return u + st, nil
}
