package cpython

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"corelab/runtime/meter"
)

// threadSampler reads /proc/PID/task/*/schedstat every interval: for each
// OS thread of the process, the nanoseconds it has spent on a CPU and
// runnable on a run queue. Between two reads a thread was on a CPU for the
// first difference (Running), runnable but without a CPU for the second
// (Released, named so in the report) and not runnable for the rest. The
// rest is told apart by the system call the thread is in at the read
// (/proc/PID/task/TID/syscall, a number of the kernel's ABI): a futex wait
// is how CPython waits for the GIL — and for a lock, an Event, a Queue or
// a join, which the counters cannot tell from it — (Waiting); any other
// call is a sleep or I/O (Blocked). Where the syscall file cannot be read,
// all of it is Blocked. Its goroutine is owned by the sampler: stop ends it.
type threadSampler struct {
	pid      int
	interval time.Duration
	t0       time.Time
	quit     chan struct{}
	done     chan struct{}

	// written by the sampling goroutine, read after done is closed
	byTID   map[int]*threadLane
	order   []int
	max     int
	samples int
	procLvl []meter.Level
	lastT   time.Duration
	lastRun uint64 // sum of the live threads' run time at lastT

	// results, set by stop
	lanes   []meter.Lane
	process []meter.Level
	ok      bool
	note    string
	// futex: the blocking system call was read at least once, so Waiting
	// means a futex wait and Blocked any other call.
	futex bool
}

type threadLane struct {
	lane     meter.Lane
	futex    bool   // in a futex wait at the last read that found it blocked
	blocked  bool   // blocked in a system call at the last read
	run, rq  uint64 // schedstat counters at the last read
	at       time.Duration
	seen     bool // read at the latest tick
	finished bool
}

// maxThreadSamples bounds the ticks kept at full rate; after that the
// period doubles, each time the count doubles, so long runs stay bounded.
const maxThreadSamples = 4096

// maxLanes bounds the threads drawn (a cell starting thousands of threads
// still gets a chart).
const maxLanes = 64

func startThreads(pid int, interval time.Duration, t0 time.Time) *threadSampler {
	if interval <= 0 {
		interval = DefaultInterval
	}
	s := &threadSampler{pid: pid, interval: interval, t0: t0, quit: make(chan struct{}), done: make(chan struct{}),
		byTID: map[int]*threadLane{}}
	go s.loop()
	return s
}

func (s *threadSampler) loop() {
	defer close(s.done)
	tk := time.NewTicker(s.interval)
	defer tk.Stop()
	s.tick()
	for {
		select {
		case <-s.quit:
			return
		case <-tk.C:
			if s.tick() {
				s.samples++
				if s.samples >= maxThreadSamples {
					s.samples = 0
					s.interval *= 2
					tk.Reset(s.interval)
				}
			}
		}
	}
}

// tick reads every thread once; false when the process is gone.
func (s *threadSampler) tick() bool {
	dir := fmt.Sprintf("/proc/%d/task", s.pid)
	ents, err := os.ReadDir(dir)
	now := time.Since(s.t0)
	if err != nil {
		return false
	}
	for _, tl := range s.byTID {
		tl.seen = false
	}
	live, sumRun := 0, uint64(0)
	for _, e := range ents {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(dir + "/" + e.Name() + "/schedstat")
		if err != nil {
			continue
		}
		run, rq, ok := parseSchedstat(b)
		if !ok {
			continue
		}
		live++
		sumRun += run
		call := s.syscall(dir + "/" + e.Name() + "/syscall")
		s.futex = s.futex || call != callUnknown
		tl := s.byTID[tid]
		if tl == nil {
			if len(s.order) >= maxLanes {
				continue
			}
			// It started since the last tick: what it ran so far fell in
			// that gap.
			from := s.lastT
			if len(s.order) == 0 {
				from = 0
			}
			tl = &threadLane{at: from}
			tl.lane.Name = s.laneName(tid, len(s.order))
			s.byTID[tid] = tl
			s.order = append(s.order, tid)
		}
		tl.seen = true
		tl.add(run, rq, now, tl.restInFutex(call))
	}
	for _, tl := range s.byTID {
		if !tl.seen {
			tl.finished = true
		}
	}
	if live > s.max {
		s.max = live
	}
	if now > s.lastT {
		busy := float64(int64(sumRun)-int64(s.lastRun)) / float64(now-s.lastT)
		s.procLvl = append(s.procLvl, meter.Level{Start: s.lastT, End: now, Busy: max(0, busy)})
	}
	s.lastT, s.lastRun = now, sumRun
	return true
}

// What a thread was doing when its syscall file was read.
const (
	callUnknown = iota // unreadable (no permission, or the thread is gone)
	callNone           // not in a system call: on a CPU or runnable
	callFutex          // blocked in a futex wait: the GIL, a lock, an Event...
	callOther          // in another system call: sleep, I/O
)

// syscall reads the system call the thread whose syscall file is path is
// in: its first field is the call's number, or "running".
func (s *threadSampler) syscall(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return callUnknown
	}
	f := bytes.Fields(b)
	switch {
	case len(f) == 0:
		return callUnknown
	case string(f[0]) == "running":
		return callNone
	}
	nr, err := strconv.Atoi(string(f[0]))
	switch {
	case err != nil:
		return callUnknown
	case nr == unix.SYS_FUTEX:
		return callFutex
	}
	return callOther
}

// restInFutex says whether the time the thread was not runnable since the
// last read was a futex wait: the call it is blocked in now, or — when it
// has woken since — the call it was blocked in at the last read.
func (tl *threadLane) restInFutex(call int) bool {
	switch call {
	case callFutex, callOther:
		tl.blocked, tl.futex = true, call == callFutex
		return tl.futex
	}
	was := tl.blocked && tl.futex
	tl.blocked = false
	return was
}

// add records the stretch since the last read: on a CPU, then waiting for
// a CPU, then not runnable — in a futex wait (GIL or lock) or elsewhere, as
// read at its end (the order inside a stretch is not known; the stretch is
// one sampling period).
func (tl *threadLane) add(run, rq uint64, now time.Duration, inFutex bool) {
	dt := now - tl.at
	if dt <= 0 {
		return
	}
	dRun := time.Duration(run - tl.run)
	dRQ := time.Duration(rq - tl.rq)
	if run < tl.run {
		dRun = 0
	}
	if rq < tl.rq {
		dRQ = 0
	}
	dRun = min(dRun, dt)
	dRQ = min(dRQ, dt-dRun)
	t := tl.at
	rest := meter.Blocked
	if inFutex {
		rest = meter.Waiting
	}
	tl.push(t, t+dRun, meter.Running)
	tl.push(t+dRun, t+dRun+dRQ, meter.Released)
	tl.push(t+dRun+dRQ, now, rest)
	tl.run, tl.rq, tl.at = run, rq, now
}

func (tl *threadLane) push(from, to time.Duration, st meter.State) {
	if to <= from {
		return
	}
	l := &tl.lane
	switch st {
	case meter.Running:
		l.Running += to - from
	case meter.Waiting:
		l.Waiting += to - from
	case meter.Blocked:
		l.Blocked += to - from
	case meter.Released:
		l.Released += to - from
	}
	if n := len(l.Intervals); n > 0 && l.Intervals[n-1].State == st && l.Intervals[n-1].End == from {
		l.Intervals[n-1].End = to
		return
	}
	if len(l.Intervals) >= maxIntervals {
		l.Intervals = coarsen(l.Intervals)
	}
	l.Intervals = append(l.Intervals, meter.Interval{Start: from, End: to, State: st})
}

// maxIntervals bounds a lane's stored intervals (a chart is about a
// thousand pixels wide); the lane's totals stay exact.
const maxIntervals = 8192

// coarsen halves ivs: each pair of neighbours becomes one interval over
// both, in the state that lasted longer.
func coarsen(ivs []meter.Interval) []meter.Interval {
	out := ivs[:0]
	for i := 0; i < len(ivs); i += 2 {
		iv := ivs[i]
		if i+1 < len(ivs) {
			next := ivs[i+1]
			if next.End-next.Start > iv.End-iv.Start {
				iv.State = next.State
			}
			iv.End = next.End
		}
		if n := len(out); n > 0 && out[n-1].State == iv.State && out[n-1].End == iv.Start {
			out[n-1].End = iv.End
			continue
		}
		out = append(out, iv)
	}
	return out
}

// laneName names thread tid: the main thread, or the OS thread's name
// (CPython 3.14 gives threads their threading names) and its id.
func (s *threadSampler) laneName(tid, i int) string {
	comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/comm", s.pid, tid))
	name := string(bytes.TrimSpace(comm))
	if tid == s.pid {
		return "main thread"
	}
	main, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", s.pid))
	if name == "" || name == string(bytes.TrimSpace(main)) {
		return fmt.Sprintf("thread %d (tid %d)", i, tid)
	}
	return fmt.Sprintf("%s (tid %d)", name, tid)
}

// parseSchedstat reads "run_ns runqueue_ns timeslices".
func parseSchedstat(b []byte) (run, rq uint64, ok bool) {
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0, 0, false
	}
	run, err1 := strconv.ParseUint(string(f[0]), 10, 64)
	rq, err2 := strconv.ParseUint(string(f[1]), 10, 64)
	return run, rq, err1 == nil && err2 == nil
}

// stop ends sampling and returns the most threads seen at once and the
// lanes, in the order the threads appeared.
func (s *threadSampler) stop() (int, []meter.Lane) {
	close(s.quit)
	<-s.done
	tids := append([]int(nil), s.order...)
	sort.SliceStable(tids, func(i, j int) bool { return tids[i] == s.pid && tids[j] != s.pid })
	for _, tid := range tids {
		s.lanes = append(s.lanes, s.byTID[tid].lane)
	}
	s.process = s.procLvl
	s.ok = len(s.lanes) > 0
	if !s.ok {
		s.note = "the process ended before its threads could be read from /proc"
	}
	return s.max, s.lanes
}
