package runtime

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"corelab/display"
	"corelab/runtime/report"
)

// Frame is the UI tick period of Responsiveness: a desktop app redrawing
// every 10 ms.
const Frame = 10 * time.Millisecond

// Lateness is how late a UI tick loop woke up beside CPU-bound jobs in one
// model: each tick sleeps Frame and measures how much longer it took.
type Lateness struct {
	Model    Model
	Jobs     int
	Interval time.Duration // switch interval (GIL)
	Late     []time.Duration
	Missed   int   // frames skipped: a tick late by k·Frame misses k frames
	JobsWork int64 // loop iterations the jobs did meanwhile (their progress)
}

// P returns the p-th percentile (0..100) of the lateness.
func (l *Lateness) P(p float64) time.Duration {
	if len(l.Late) == 0 {
		return 0
	}
	s := make([]float64, len(l.Late))
	for i, d := range l.Late {
		s[i] = float64(d)
	}
	return time.Duration(report.Percentile(s, p))
}

func (l *Lateness) label() string {
	s := string(l.Model)
	if l.Model == GIL {
		s += " " + fmtDur(l.Interval)
	}
	if l.Jobs == 0 {
		s = "idle"
	}
	return s
}

// Responsive compares lateness across models.
type Responsive struct {
	Jobs    int
	Results []*Lateness
}

// Responsiveness runs a UI tick loop (sleep 10 ms, measure how late it
// woke) for duration d beside jobs CPU-bound jobs, once per model (nil =
// all four), plus an idle baseline, and reports lateness p50/p99, its CDF
// and missed frames. Under the GIL the tick waits for the lock after each
// sleep: about a switch interval with one job, more with several.
//
//	rt.Responsiveness(nil, 1, 2*time.Second)
func Responsiveness(models []Model, jobs int, d time.Duration) *Responsive {
	models = modelsOrAll(models)
	if jobs < 0 || jobs > 32 {
		usage("rt.Responsiveness: %d jobs; want 0..32", jobs)
	}
	if d < 100*time.Millisecond || d > 2*time.Minute {
		usage("rt.Responsiveness: duration %v; want 100ms..2m", d)
	}
	defer boostProcs()()
	for _, m := range models {
		if err := m.check(); err != nil {
			usage("%v", err)
		}
	}
	resume := block()
	defer resume()
	r := &Responsive{Jobs: jobs}
	var h *display.Handle
	if d*time.Duration(len(models)+1) > 2*time.Second {
		h = display.New()
		h.Show(display.TextBundle("measuring UI ticks: idle…"))
		defer h.Clear() // the report replaces it
	}
	r.Results = append(r.Results, tickBeside(GIL, 0, d))
	for _, m := range models {
		if h != nil {
			h.Update(display.TextBundle(fmt.Sprintf("measuring UI ticks beside %d job(s): %s…", jobs, m)))
		}
		r.Results = append(r.Results, tickBeside(m, jobs, d))
	}
	return r
}

// tickBeside measures the tick loop beside jobs CPU jobs in model m.
func tickBeside(m Model, jobs int, d time.Duration) *Lateness {
	res := &Lateness{Model: m, Jobs: jobs, Interval: SwitchInterval()}
	uiLock := newLock(GIL)
	if m == Free {
		uiLock = newLock(Free)
	}
	var stop atomic.Bool
	var work atomic.Int64
	var wg sync.WaitGroup
	var procs []*proc
	switch m {
	case Processes:
		procs = make([]*proc, jobs)
		var ready sync.WaitGroup
		for i := range procs {
			ready.Add(1)
			go func() { // joined by ready.Wait
				defer ready.Done()
				procs[i], _, _ = startProc("")
			}()
		}
		ready.Wait()
		remove := theLab().AddStopper(func() { // Interrupt kills the spinning workers
			for _, p := range procs {
				if p != nil {
					p.kill()
				}
			}
		})
		defer func() {
			remove()
			for _, p := range procs {
				if p != nil {
					p.close()
				}
			}
		}()
		for _, p := range procs {
			if p == nil {
				usage("rt.Responsiveness: a worker process did not start")
			}
			wg.Add(1)
			go func() { // ends when the process's call returns (after d)
				defer wg.Done()
				out, err := p.call("rt.Spin", []any{d + 20*time.Millisecond})
				if err == nil && len(out) == 1 {
					if n, ok := out[0].(int); ok {
						work.Add(int64(n))
					}
				}
			}()
		}
	default:
		for i := 0; i < jobs; i++ {
			lock := uiLock // GIL and Free: the jobs share the UI's lock
			if m == Isolates {
				lock = newLock(Isolates) // each job has its own
			}
			t := lock.NewThread(fmt.Sprintf("job %d", i))
			wg.Add(1)
			go func() { // stopped by stop
				defer wg.Done()
				t.Bind()
				defer t.Unbind()
				t.Acquire()
				defer t.Exit()
				n, l := 0, theLab()
				for !stop.Load() && !l.Interrupted.Load() {
					n += spin(200*time.Microsecond, t, l)
				}
				work.Add(int64(n))
			}()
		}
	}
	ui := uiLock.NewThread("ui")
	ui.Bind()
	ui.Acquire()
	time.Sleep(20 * time.Millisecond) // let the jobs start
	end := time.Now().Add(d)
	for time.Now().Before(end) && !interrupted() {
		t0 := time.Now()
		ui.Blocking(func() { time.Sleep(Frame) })
		late := time.Since(t0) - Frame
		res.Late = append(res.Late, late)
		res.Missed += int(late / Frame)
	}
	ui.Exit()
	ui.Unbind()
	stop.Store(true)
	wg.Wait()
	res.JobsWork = work.Load()
	if interrupted() {
		panic(ErrInterrupted)
	}
	return res
}

func (r *Responsive) rows() (header []string, rows [][]string) {
	header = []string{"model", "jobs", "ticks", "p50 late", "p99 late", "max", "missed frames", "job work (M loops)"}
	for _, l := range r.Results {
		mx := time.Duration(0)
		for _, d := range l.Late {
			mx = max(mx, d)
		}
		rows = append(rows, []string{l.label(), fmt.Sprint(l.Jobs), fmt.Sprint(len(l.Late)),
			fmtMS(l.P(50)), fmtMS(l.P(99)), fmtMS(mx), fmt.Sprint(l.Missed), fmt.Sprintf("%.1f", float64(l.JobsWork)/1e6)})
	}
	return header, rows
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func (r *Responsive) title() string {
	return fmt.Sprintf("UI tick every %s beside %d CPU-bound job(s): how late it wakes", fmtDur(Frame), r.Jobs)
}

// String is the lateness table.
func (r *Responsive) String() string { return r.title() + "\n" + report.TextTable(r.rows()) }

// DisplayBundle shows the lateness CDF per model and the table.
func (r *Responsive) DisplayBundle() display.Bundle {
	samples := make([]report.Sample, len(r.Results))
	for i, l := range r.Results {
		v := make([]float64, len(l.Late))
		for j, d := range l.Late {
			v[j] = math.Max(float64(d)/1e6, 0.01)
		}
		sort.Float64s(v)
		samples[i] = report.Sample{Name: l.label(), Values: v}
	}
	svg := report.CDF(samples, report.Options{Title: r.title(), XLabel: "lateness", Unit: "ms", Log: true})
	var h strings.Builder
	h.WriteString(svg)
	h.WriteString(report.Table(r.rows()))
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: h.String(), display.MIMEText: r.String()}
}
