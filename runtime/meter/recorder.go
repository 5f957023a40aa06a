package meter

import (
	"sync"
	"sync/atomic"
	"time"
)

// State is what a worker is doing at a moment, as drawn in a lane.
type State uint8

// Worker states, in the vocabulary of Dave Beazley's GIL charts.
const (
	Running State = iota // executing (holding the lock, or with no lock at all)
	Waiting              // ready to run but waiting for the lock
	Blocked              // in a blocking operation (sleep, channel, I/O), lock released
	Done                 // finished: the lane ends here
	// Released is running with the lock released, as a C extension runs
	// after it drops the GIL (rt.NoGIL): on a core, yet not holding the lock.
	Released
	numStates
)

// String returns the name used in legends and summaries.
func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Waiting:
		return "waiting for the lock"
	case Blocked:
		return "blocked"
	case Done:
		return "done"
	case Released:
		return "running, lock released"
	}
	return "unknown"
}

// Interval is a stretch of time a worker spent in one state.
type Interval struct {
	Start, End time.Duration // since the recorder was created
	State      State
}

// Lane is one worker's history: its intervals (Done is not drawn) and the
// exact total time in each state. Totals stay exact even when a very long
// history has been coarsened to bound memory.
type Lane struct {
	Name                      string
	Intervals                 []Interval
	Running, Waiting, Blocked time.Duration
	Released                  time.Duration // running with the lock released (see [Released])
}

// Total is the time the worker existed: running + waiting + blocked +
// running with the lock released.
func (l Lane) Total() time.Duration { return l.Running + l.Waiting + l.Blocked + l.Released }

// Share is the fraction of the lane's total time spent in state s (0 if empty).
func (l Lane) Share(s State) float64 {
	t := l.Total()
	if t <= 0 {
		return 0
	}
	switch s {
	case Running:
		return float64(l.Running) / float64(t)
	case Waiting:
		return float64(l.Waiting) / float64(t)
	case Blocked:
		return float64(l.Blocked) / float64(t)
	case Released:
		return float64(l.Released) / float64(t)
	}
	return 0
}

// laneCap is the number of events a lane stores before it coarsens its
// history to half as many (a chart is ~1000 px wide; this keeps far more).
const laneCap = 1 << 14

// Recorder collects per-worker state changes with monotonic timestamps, and
// counts lock hand-overs and drop requests. It is safe for concurrent use and
// cheap enough to be called at every hand-over: each lane has its own mutex,
// so workers recording their own state never contend.
type Recorder struct {
	start        time.Time
	mu           sync.Mutex // serialises AddWorker
	lanes        atomic.Pointer[[]*lane]
	handovers    atomic.Int64
	dropRequests atomic.Int64
}

type event struct {
	t int64 // ns since start
	s State
}

type lane struct {
	mu      sync.Mutex
	name    string
	events  []event
	started bool
	last    State
	lastT   int64
	totals  [numStates]int64
}

// NewRecorder returns a recorder whose clock starts now.
func NewRecorder() *Recorder {
	r := &Recorder{start: time.Now()}
	r.lanes.Store(&[]*lane{})
	return r
}

// StartTime is the moment the recorder's clock started.
func (r *Recorder) StartTime() time.Time { return r.start }

// Now is the time since the recorder started, on the monotonic clock.
func (r *Recorder) Now() time.Duration { return time.Since(r.start) }

// AddWorker adds a lane and returns its index for Record.
func (r *Recorder) AddWorker(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.lanes.Load()
	next := make([]*lane, len(old), len(old)+1)
	copy(next, old)
	next = append(next, &lane{name: name})
	r.lanes.Store(&next)
	return len(next) - 1
}

// Record notes that worker is in state s from now on. Recording the state
// the worker is already in costs a clock read and nothing more. A negative
// worker index is ignored, so code can run untracked threads with index -1;
// an index never returned by AddWorker panics (a programmer error).
func (r *Recorder) Record(worker int, s State) {
	if worker < 0 {
		return
	}
	l := (*r.lanes.Load())[worker]
	now := int64(time.Since(r.start))
	l.mu.Lock()
	l.record(now, s)
	l.mu.Unlock()
}

func (l *lane) record(now int64, s State) {
	if l.started {
		if s == l.last {
			return
		}
		if now < l.lastT {
			now = l.lastT // two goroutines raced to record; keep time monotonic per lane
		}
		l.totals[l.last] += now - l.lastT
	}
	l.started, l.last, l.lastT = true, s, now
	if n := len(l.events); n > 0 && l.events[n-1].t == now {
		// the previous state lasted no time at all: replace it
		l.events = l.events[:n-1]
		if n > 1 && l.events[n-2].s == s {
			return
		}
	}
	l.events = append(l.events, event{now, s})
	if len(l.events) >= laneCap {
		l.events = coarsen(l.events, now, laneCap/2)
		if n := len(l.events); l.events[n-1].s != s {
			l.events = append(l.events, event{max(now, l.events[n-1].t), s})
		}
	}
}

// coarsen rebuilds ev (sorted events, the last open until end) as buckets of
// equal width, each taking the state the worker spent most time in, and
// merges neighbours with the same state. It returns at most buckets events.
func coarsen(ev []event, end int64, buckets int) []event {
	t0 := ev[0].t
	q := (end - t0 + int64(buckets) - 1) / int64(buckets)
	if q < 1 {
		q = 1
	}
	out := make([]event, 0, cap(ev))
	i := 0
	for bs := t0; bs < end; bs += q {
		be := min(bs+q, end)
		var acc [numStates]int64
		for {
			segEnd := end
			if i+1 < len(ev) {
				segEnd = ev[i+1].t
			}
			if s, e := max(ev[i].t, bs), min(segEnd, be); e > s {
				acc[ev[i].s] += e - s
			}
			if segEnd <= be && i+1 < len(ev) {
				i++
				continue
			}
			break
		}
		dom := Running
		for _, s := range []State{Waiting, Blocked, Done, Released} {
			if acc[s] > acc[dom] {
				dom = s
			}
		}
		if len(out) == 0 || out[len(out)-1].s != dom {
			out = append(out, event{bs, dom})
		}
	}
	return out
}

// AddCounts adds hand-overs and drop requests counted elsewhere (e.g. by a
// lock's own statistics or a worker process).
func (r *Recorder) AddCounts(handovers, dropRequests int64) {
	r.handovers.Add(handovers)
	r.dropRequests.Add(dropRequests)
}

// Counts returns the hand-overs and drop requests counted so far.
func (r *Recorder) Counts() (handovers, dropRequests int64) {
	return r.handovers.Load(), r.dropRequests.Load()
}

// Lanes returns a snapshot of every lane, in AddWorker order, with open
// intervals closed at the moment of the call.
func (r *Recorder) Lanes() []Lane { return r.LanesAt(r.Now()) }

// LanesAt is Lanes with open intervals closed at end (since the start).
func (r *Recorder) LanesAt(end time.Duration) []Lane {
	ls := *r.lanes.Load()
	out := make([]Lane, len(ls))
	for i, l := range ls {
		out[i] = l.snapshot(int64(end))
	}
	return out
}

func (l *lane) snapshot(end int64) Lane {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := Lane{Name: l.name}
	totals := l.totals
	if l.started && end > l.lastT {
		totals[l.last] += end - l.lastT
	}
	out.Running = time.Duration(totals[Running])
	out.Waiting = time.Duration(totals[Waiting])
	out.Blocked = time.Duration(totals[Blocked])
	out.Released = time.Duration(totals[Released])
	out.Intervals = make([]Interval, 0, len(l.events))
	for i, e := range l.events {
		if e.s == Done {
			continue
		}
		stop := end
		if i+1 < len(l.events) {
			stop = l.events[i+1].t
		}
		if stop <= e.t {
			continue
		}
		out.Intervals = append(out.Intervals, Interval{time.Duration(e.t), time.Duration(stop), e.s})
	}
	return out
}
