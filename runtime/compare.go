package runtime

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strings"
	"time"

	"corelab/display"
	"corelab/runtime/limits"
	"corelab/runtime/meter"
	"corelab/runtime/report"
)

func fmtDur(d time.Duration) string { return report.FormatDuration(d) }

// FormatDurations prints durations that are read together — a table's
// column — in one unit with fixed decimals, chosen from the largest:
// 28.457µs beside 5.89ms print as "0.03 ms" and "5.89 ms". Every table
// the lab prints does this; call it for a table of your own.
func FormatDurations(ds ...time.Duration) []string { return report.FormatDurations(ds...) }

func (r *Report) title() string {
	t := fmt.Sprintf("%s × %d %s(s) · %s", r.Func, r.Workers, workerNoun(r.Model), r.Model)
	if r.Model == GIL {
		t += " (switch interval " + fmtDur(r.Interval) + ")"
	}
	return t
}

// extraRows are per-worker rows beyond the measurement: results, start-up,
// memory, errors.
func (r *Report) extraRows() (header []string, rows [][]string) {
	header = []string{"worker", "result"}
	var startup []string
	if r.Startup != nil {
		header = append(header, "start-up", "memory")
		startup = report.FormatDurations(r.Startup...)
	}
	for i := 0; i < r.Workers; i++ {
		res := "—"
		if i < len(r.Results) && r.Results[i] != nil {
			res = fmt.Sprint(r.Results[i]...)
		}
		if i < len(r.Errors) && r.Errors[i] != nil {
			res = "ERROR: " + r.Errors[i].Error()
		}
		if len(res) > 80 {
			res = res[:77] + "..."
		}
		row := []string{fmt.Sprintf("%s %d", workerNoun(r.Model), i), res}
		if r.Startup != nil {
			row = append(row, startup[i], limits.FormatBytes(r.Memory[i]))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// Says states what the run shows, from its own numbers: whether the
// workers ran in parallel (cores used against what the workers and the
// budget allow), took turns on the lock, waited, or ran with the lock
// released — and what on this machine makes the numbers less than a
// result (a budget of one core, quota throttling, other load).
func (r *Report) Says() string { return r.says(true) }

// says is Says, with the meter's caveats or without (String prints them
// already, in the summary).
func (r *Report) says(caveats bool) string {
	m := r.Measurement
	possible := math.Min(float64(r.Workers), m.Budget.Cores())
	var run, wait, block, rel float64
	for _, l := range m.Lanes {
		run += l.Share(meter.Running)
		wait += l.Share(meter.Waiting)
		block += l.Share(meter.Blocked)
		rel += l.Share(meter.Released)
	}
	if n := float64(len(m.Lanes)); n > 0 {
		run, wait, block, rel = run/n, wait/n, block/n, rel/n
	}
	var out []string
	lead := fmt.Sprintf("%d %s(s) under %s used %.2f cores of the %s they could (%s budget)",
		r.Workers, workerNoun(r.Model), r.Model, m.CoresUsed, limits.FormatCPUs(possible), limits.Cores(m.Budget.Cores()))
	switch {
	case m.OverBudget():
		out = append(out, lead+": more than the budget, which is a quota burst or a measuring error, not parallelism that lasts.")
	case m.Busy() && m.CoresUsed < 0.8*possible:
		out = append(out, lead+fmt.Sprintf(": other processes kept %.2f cores busy meanwhile, so this does not show what the model allows.", m.OtherCores()))
	case possible >= 1.5 && m.CoresUsed >= 0.8*possible:
		out = append(out, lead+": they ran in parallel.")
	case possible >= 1.5 && m.CoresUsed < 1.25:
		out = append(out, lead+": about one at a time.")
	case possible < 1.5 && r.Workers > 1:
		out = append(out, lead+": with one core of budget they can only take turns, whatever the model.")
	default:
		out = append(out, lead+".")
	}
	if len(m.Lanes) > 0 {
		shares := fmt.Sprintf("On average each was running %s of the time", pct(run))
		if rel > 0.005 {
			shares += fmt.Sprintf(", running with the lock released %s", pct(rel))
		}
		if wait > 0.005 {
			shares += fmt.Sprintf(", waiting for the lock %s", pct(wait))
		}
		if block > 0.005 {
			shares += fmt.Sprintf(", blocked %s", pct(block))
		}
		out = append(out, shares+".")
	}
	if caveats {
		out = append(out, m.Caveats()...)
	}
	return strings.Join(out, " ")
}

func pct(f float64) string { return fmt.Sprintf("%.0f %%", 100*f) }

// String is the plain-text report: the meter's summary, per-worker rows
// and what the run says.
func (r *Report) String() string {
	var b strings.Builder
	b.WriteString(report.Summary(r.Measurement, r.title()))
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	b.WriteString(report.TextTable(r.extraRows()))
	b.WriteString(r.says(false))
	return b.String()
}

// DisplayBundle renders the report for Jupyter: lanes and per-core usage
// (SVG), tables (HTML) and the text summary.
func (r *Report) DisplayBundle() display.Bundle {
	b := report.Bundle(r.Measurement, r.title())
	h, rows := r.extraRows()
	if s, ok := b[display.MIMEHTML].(string); ok {
		b[display.MIMEHTML] = s + report.Table(h, rows) + "<p>" + html.EscapeString(r.Says()) + "</p>"
	}
	b[display.MIMEText] = r.String()
	return b
}

// Rounds is how many times Compare and Scale measure each case. Rounds
// alternate their order (forward, then backward), so a load that comes or
// goes during the measurement falls on every case alike, and the spread
// over rounds shows how noisy the machine is.
const Rounds = 3

// Comparison is the same work run under several models.
type Comparison struct {
	Workers int
	Func    string
	// Reports holds, per model, the round with the median wall time.
	Reports []*Report
	// Walls holds every round's wall time per model, in round order.
	Walls  map[Model][]time.Duration
	Budget limits.Budget
	cond   conditions
}

// Compare runs fn with args on the given number of workers under each
// model, Rounds times with the order alternated, and compares wall time,
// cores used, hand-overs and start-up (see Run for what fn may be). Pass
// nil for all four models.
//
//	rt.Compare(nil, 2, rt.Fib, 32)
//	rt.Compare([]rt.Model{rt.GIL, rt.Free}, 2, "work", 1000)
func Compare(models []Model, workers int, fn any, args ...any) *Comparison {
	if workers < 1 || workers > 512 {
		usage("rt.Compare: %d workers; want 1..512", workers)
	}
	models = checked(models, fn, args)
	c := &Comparison{Workers: workers, Walls: map[Model][]time.Duration{}, Budget: budget()}
	all := map[Model][]*Report{}
	p := newProgress(len(models) * Rounds)
	defer p.done()
	for round := 0; round < Rounds; round++ {
		for _, m := range alternate(models, round) {
			p.next(fmt.Sprintf("comparing: %s with %d worker(s), round %d of %d", m, workers, round+1, Rounds))
			r := runRound(&c.cond, m, workers, fn, args)
			c.Func = r.Func
			all[m] = append(all[m], r)
			c.Walls[m] = append(c.Walls[m], r.Wall())
		}
	}
	for _, m := range models {
		c.Reports = append(c.Reports, medianReport(all[m]))
	}
	return c
}

func modelsOrAll(models []Model) []Model {
	if len(models) == 0 {
		return append([]Model(nil), Models...)
	}
	return models
}

// alternate returns xs in order for even rounds and reversed for odd ones.
func alternate[T any](xs []T, round int) []T {
	out := append([]T(nil), xs...)
	if round%2 == 1 {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

// medianReport returns the report with the median wall time.
func medianReport(rs []*Report) *Report {
	s := append([]*Report(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].Wall() < s[j].Wall() })
	return s[(len(s)-1)/2]
}

// spread is the median, smallest and largest of xs.
func spread(xs []float64) (med, lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	med = s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return med, s[0], s[n-1]
}

// Report returns the report of model m (nil if it was not compared).
func (c *Comparison) Report(m Model) *Report {
	for _, r := range c.Reports {
		if r.Model == m {
			return r
		}
	}
	return nil
}

// Speedup returns model m's speed-up over the GIL, n = how much faster m
// ran than the GIL in the same round: the median over rounds and its
// range. All zero when either was not compared.
func (c *Comparison) Speedup(m Model) (med, lo, hi float64) {
	g, w := c.Walls[GIL], c.Walls[m]
	var xs []float64
	for i := range min(len(g), len(w)) {
		if w[i] > 0 {
			xs = append(xs, float64(g[i])/float64(w[i]))
		}
	}
	return spread(xs)
}

// ceiling is the most any model can be faster than another on this
// budget: min(workers, cores).
func (c *Comparison) ceiling() float64 { return math.Min(float64(c.Workers), c.Budget.Cores()) }

// void reports whether a speed-up over the GIL is above what the budget
// allows. It leaves 10 %: this is a speed-up over another model, not over
// fewer workers, and models differ in single-thread cost (the lock's check
// points, a copy of arguments) by a few per cent.
func (c *Comparison) void(sp float64) bool { return sp > 1.1*c.ceiling() }

func (c *Comparison) rows() (header []string, rows [][]string) {
	header = []string{"model", "wall (median)", "wall range", "CPU", "cores used", "speed-up vs GIL", "hand-overs", "start-up/worker", "memory/worker"}
	// One unit for the wall and CPU columns, one for start-up.
	var times, startups []time.Duration
	for _, r := range c.Reports {
		_, lo, hi := spreadDur(c.Walls[r.Model])
		times = append(times, r.Wall(), lo, hi, r.Measurement.CPU())
		if r.Startup != nil {
			startups = append(startups, r.StartupMean())
		}
	}
	tu, su := report.UnitFor(times...), report.UnitFor(startups...)
	for _, r := range c.Reports {
		sp := "—"
		if med, lo, hi := c.Speedup(r.Model); med > 0 {
			sp = fmtSpread(med, lo, hi)
			if c.void(med) {
				sp += " ⚠ not a result"
			}
		}
		start, mem := "—", "—"
		if r.Startup != nil {
			start, mem = su.Format(r.StartupMean()), limits.FormatBytes(r.MemoryMean())
		}
		_, lo, hi := spreadDur(c.Walls[r.Model])
		rows = append(rows, []string{string(r.Model), tu.Format(r.Wall()), tu.Format(lo) + "–" + tu.Format(hi), tu.Format(r.Measurement.CPU()),
			fmt.Sprintf("%.2f", r.Cores()), sp, fmt.Sprint(r.Measurement.Handovers), start, mem})
	}
	return header, rows
}

func spreadDur(ds []time.Duration) (med, lo, hi time.Duration) {
	xs := make([]float64, len(ds))
	for i, d := range ds {
		xs[i] = float64(d)
	}
	m, l, h := spread(xs)
	return time.Duration(m), time.Duration(l), time.Duration(h)
}

// fmtSpread prints a median with its range: "1.95× (1.90–1.99)".
func fmtSpread(med, lo, hi float64) string {
	if hi-lo < 0.005 {
		return fmt.Sprintf("%.2f×", med)
	}
	return fmt.Sprintf("%.2f× (%.2f–%.2f)", med, lo, hi)
}

func (c *Comparison) title() string {
	return fmt.Sprintf("%s × %d worker(s), by model (median of %d rounds)", c.Func, c.Workers, Rounds)
}

// Says states what the comparison shows, from its own numbers: how each
// model's speed compares with the GIL's, and what on this machine makes a
// number not a result (a speed-up above the budget, quota throttling,
// other load, a budget of one core).
func (c *Comparison) Says() string {
	var parts []string
	if c.cond.inconclusive() {
		parts = append(parts, c.cond.inconclusiveNote())
	}
	if c.Report(GIL) != nil {
		var rel []string
		var void []string
		for _, r := range c.Reports {
			if r.Model == GIL {
				continue
			}
			med, lo, hi := c.Speedup(r.Model)
			if c.void(med) {
				void = append(void, fmt.Sprintf("%s %.2f×", r.Model, med))
				continue
			}
			rel = append(rel, fmt.Sprintf("%s %s (%.2f cores used)", r.Model, fmtSpread(med, lo, hi), r.Cores()))
		}
		lead := fmt.Sprintf("With %d workers, speed relative to gil (%.2f cores used): ", c.Workers, c.Report(GIL).Cores())
		if c.Workers == 1 {
			lead = "With 1 worker nothing runs in parallel, so any difference is overhead; speed relative to gil: "
		}
		if len(rel) > 0 {
			parts = append(parts, lead+strings.Join(rel, ", ")+".")
		}
		if len(void) > 0 {
			parts = append(parts, fmt.Sprintf("Not results: %s — above the budget of %s (at most %s× here): other load or a quota burst.",
				strings.Join(void, ", "), limits.FormatCPUs(c.Budget.Cores()), limits.FormatCPUs(c.ceiling())))
		}
	} else if len(c.Reports) > 0 {
		fast := firstBy(c.Reports, func(a, b *Report) bool { return a.Wall() < b.Wall() })
		parts = append(parts, fmt.Sprintf("Fastest: %s, %s median wall, %.2f cores used.", fast.Model, fmtDur(fast.Wall()), fast.Cores()))
	}
	parts = append(parts, c.cond.notes()...)
	return strings.Join(parts, " ")
}

// firstBy returns the report that comes first in the order less.
func firstBy(rs []*Report, less func(a, b *Report) bool) *Report {
	best := rs[0]
	for _, r := range rs[1:] {
		if less(r, best) {
			best = r
		}
	}
	return best
}

// String is the comparison as a text table with what it says.
func (c *Comparison) String() string {
	return c.title() + "\n" + report.TextTable(c.rows()) + c.Says()
}

// DisplayBundle renders the comparison: wall-time bars, a table, what it
// says, and each model's lanes and core usage.
func (c *Comparison) DisplayBundle() display.Bundle {
	bars := make([]report.Bar, len(c.Reports))
	var ranges []time.Duration
	for _, r := range c.Reports {
		_, lo, hi := spreadDur(c.Walls[r.Model])
		ranges = append(ranges, lo, hi)
	}
	u := report.UnitFor(ranges...)
	for i, r := range c.Reports {
		_, lo, hi := spreadDur(c.Walls[r.Model])
		bars[i] = report.Bar{Label: string(r.Model), Value: r.Wall().Seconds(),
			Note: fmt.Sprintf("%.2f cores · range %s–%s", r.Cores(), u.Format(lo), u.Format(hi))}
	}
	svg := report.Bars(bars, report.Options{Title: c.title(), Subtitle: "median wall time (shorter is better)", Unit: "s"})
	var h strings.Builder
	h.WriteString(svg)
	h.WriteString(report.Table(c.rows()))
	h.WriteString("<p>" + html.EscapeString(c.Says()) + "</p>")
	for _, r := range c.Reports {
		h.WriteString(report.MeasurementSVG(r.Measurement, r.title()))
	}
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: h.String(), display.MIMEText: c.String()}
}

// Scaling is speed-up against the number of workers, per model.
type Scaling struct {
	Func    string
	Workers []int
	// Speedup[model][i] is how much more work per second Workers[i]
	// workers did than one worker of the same model, n·T(1)/T(n), with
	// T(1) from the same round: the median over Rounds rounds.
	Speedup map[Model][]float64
	// Low and High are the smallest and largest speed-up over the rounds.
	Low, High map[Model][]float64
	Wall      map[Model][]time.Duration // median wall time
	Models    []Model
	Budget    limits.Budget
	cond      conditions
}

// Scale runs fn on 1, 2, ... maxWorkers workers under each model (every
// worker does the same job) and reports the speed-up n·T(1)/T(n) against
// the ideal line and the core budget. It measures Rounds rounds, each
// running every worker count under every model in turn (backwards in odd
// rounds), and shows the median and range. A speed-up above the budget is
// shown as not a result. Pass nil for all four models.
//
//	rt.Scale([]rt.Model{rt.GIL, rt.Free, rt.Isolates}, 4, rt.Fib, 30)
func Scale(models []Model, maxWorkers int, fn any, args ...any) *Scaling {
	if maxWorkers < 1 || maxWorkers > 64 {
		usage("rt.Scale: maxWorkers %d; want 1..64", maxWorkers)
	}
	models = checked(models, fn, args)
	s := &Scaling{Speedup: map[Model][]float64{}, Low: map[Model][]float64{}, High: map[Model][]float64{},
		Wall: map[Model][]time.Duration{}, Models: models, Budget: budget()}
	for n := 1; n <= maxWorkers; n++ {
		s.Workers = append(s.Workers, n)
	}
	walls := map[Model][][]time.Duration{} // [model][worker index][round]
	for _, m := range models {
		walls[m] = make([][]time.Duration, maxWorkers)
	}
	p := newProgress(len(models) * maxWorkers * Rounds)
	defer p.done()
	for round := 0; round < Rounds; round++ {
		for _, n := range alternate(s.Workers, round) {
			for _, m := range alternate(models, round) {
				p.next(fmt.Sprintf("scaling: %s with %d worker(s), round %d of %d", m, n, round+1, Rounds))
				r := runRound(&s.cond, m, n, fn, args)
				s.Func = r.Func
				walls[m][n-1] = append(walls[m][n-1], r.Wall())
			}
		}
	}
	for _, m := range models {
		for i, n := range s.Workers {
			var sp []float64
			for round, w := range walls[m][i] {
				t1 := walls[m][0][round]
				sp = append(sp, float64(n)*float64(t1)/float64(max(w, 1)))
			}
			med, lo, hi := spread(sp)
			wm, _, _ := spreadDur(walls[m][i])
			s.Speedup[m] = append(s.Speedup[m], med)
			s.Low[m] = append(s.Low[m], lo)
			s.High[m] = append(s.High[m], hi)
			s.Wall[m] = append(s.Wall[m], wm)
		}
	}
	return s
}

// progress shows "what runs now" while a long measurement lasts, updating
// one display; it appears only once the measurement has taken a second, and
// done clears it.
type progress struct {
	h           *display.Handle
	start       time.Time
	total, step int
}

func newProgress(total int) *progress { return &progress{total: total, start: time.Now()} }

func (p *progress) next(msg string) {
	p.step++
	if p.h == nil && time.Since(p.start) < time.Second {
		return
	}
	b := display.TextBundle(fmt.Sprintf("%s (%d/%d)…", msg, p.step, p.total))
	if p.h == nil {
		p.h = display.New()
		p.h.Show(b)
		return
	}
	p.h.Update(b)
}

func (p *progress) done() {
	if p.h != nil {
		p.h.Clear()
	}
}

// at is the median speed-up of model m at Workers[i] and its range (the
// median alone when no range was measured).
func (s *Scaling) at(m Model, i int) (med, lo, hi float64) {
	med = s.Speedup[m][i]
	lo, hi = med, med
	if i < len(s.Low[m]) && i < len(s.High[m]) {
		lo, hi = s.Low[m][i], s.High[m][i]
	}
	return med, lo, hi
}

// ceiling is the most n workers can speed up on this budget.
func (s *Scaling) ceiling(n int) float64 { return math.Min(float64(n), s.Budget.Cores()) }

// Void reports whether model m's speed-up at Workers[i], as the table
// prints it (two decimals), is above what n workers can reach on the core
// budget: noise, other load or a quota burst — not a result.
func (s *Scaling) Void(m Model, i int) bool {
	return i < len(s.Speedup[m]) && math.Round(100*s.Speedup[m][i]) > math.Round(100*s.ceiling(s.Workers[i]))
}

func (s *Scaling) rows() (header []string, rows [][]string) {
	header = []string{"workers"}
	for _, m := range s.Models {
		header = append(header, string(m))
	}
	// The ideal speed-up is n× only up to the core budget: with 1 core,
	// no model can do better than 1×.
	cores := s.Budget.Cores()
	header = append(header, fmt.Sprintf("ideal (budget %s cores)", limits.FormatCPUs(cores)))
	for i, n := range s.Workers {
		row := []string{fmt.Sprint(n)}
		for _, m := range s.Models {
			cell := fmtSpread(s.at(m, i))
			if s.Void(m, i) {
				cell += " ⚠"
			}
			row = append(row, cell)
		}
		row = append(row, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", s.ceiling(n)), "0"), ".")+"×")
		rows = append(rows, row)
	}
	return header, rows
}

func (s *Scaling) title() string {
	return fmt.Sprintf("Speed-up of %s vs workers (budget %s cores; median and range of %d rounds)",
		s.Func, limits.FormatCPUs(s.Budget.Cores()), Rounds)
}

// Verdict states the shape the measurement shows, from its own numbers:
// which models scaled and to how many cores of the budget, which did not,
// which speed-ups are not results, and what this machine cannot show (a
// budget of one core, a CPU quota, other load).
func (s *Scaling) Verdict() string {
	cores := s.Budget.Cores()
	top := s.ceiling(s.Workers[len(s.Workers)-1])
	var scaled, flat, partly, void []string
	for _, m := range s.Models {
		best, at := 0.0, 0
		var over []string
		worst := 0.0
		for i, n := range s.Workers {
			if s.Void(m, i) {
				over = append(over, fmt.Sprint(n))
				worst = math.Max(worst, s.Speedup[m][i])
				continue
			}
			if s.Speedup[m][i] > best {
				best, at = s.Speedup[m][i], n
			}
		}
		if len(over) > 0 {
			void = append(void, fmt.Sprintf("%s at %s workers (up to %.2f×)", m, strings.Join(over, ", "), worst))
		}
		switch {
		case top >= 1.5 && best >= 1+0.75*(top-1):
			scaled = append(scaled, fmt.Sprintf("%s %.2f× at %d workers", m, best, at))
		case best < 1.25:
			flat = append(flat, fmt.Sprintf("%s (at most %.2f×)", m, best))
		default:
			partly = append(partly, fmt.Sprintf("%s %.2f× at %d workers", m, best, at))
		}
	}
	var out []string
	if c := s.cond; c.inconclusive() {
		out = append(out, c.inconclusiveNote())
		scaled, partly, flat = nil, nil, nil // the shapes are the load's, not the models'
	}
	if top < 1.5 {
		out = append(out, fmt.Sprintf("With a core budget of %s, no model can do more than one worker's work per second here: this machine cannot show a parallel speed-up, and every line should stay at or below 1×.",
			limits.FormatCPUs(cores)))
	} else {
		if len(scaled) > 0 {
			out = append(out, fmt.Sprintf("Scaled to about the budget of %s cores: %s.", limits.FormatCPUs(top), strings.Join(scaled, ", ")))
		}
		if len(partly) > 0 {
			out = append(out, fmt.Sprintf("Scaled part of the way: %s.", strings.Join(partly, ", ")))
		}
		if len(flat) > 0 {
			out = append(out, fmt.Sprintf("Did not scale: %s.", strings.Join(flat, ", ")))
		}
	}
	if len(void) > 0 {
		out = append(out, fmt.Sprintf("Not results — above the budget of %s, from noise, other load or a quota burst: %s.",
			limits.FormatCPUs(cores), strings.Join(void, "; ")))
	}
	out = append(out, s.cond.notes()...)
	return strings.Join(out, " ")
}

// rowsText is the speed-up table as text.
func (s *Scaling) rowsText() string { return report.TextTable(s.rows()) }

// String is the speed-up table and its verdict.
func (s *Scaling) String() string {
	return s.title() + "\n" + s.rowsText() + s.Verdict()
}

// DisplayBundle renders the speed-up chart with its ideal line, the core
// budget and each point's range, then the table and the verdict.
func (s *Scaling) DisplayBundle() display.Bundle {
	series := make([]report.Series, len(s.Models))
	for i, m := range s.Models {
		series[i].Name = string(m)
		for j, n := range s.Workers {
			med, lo, hi := s.at(m, j)
			p := report.Point{X: float64(n), Y: med, Low: lo, High: hi}
			if s.Void(m, j) {
				p.Void, p.Note = true, fmt.Sprintf("above the budget of %s — noise, other load or quota burst; not a result", limits.FormatCPUs(s.Budget.Cores()))
			}
			series[i].Points = append(series[i].Points, p)
		}
	}
	svg := report.SpeedupChart(series, s.Budget.Cores(), report.Options{Title: s.title(),
		XLabel: "workers", YLabel: "speed-up (median; bars: range)"})
	return display.Bundle{display.MIMESVG: svg,
		display.MIMEHTML: svg + report.Table(s.rows()) + "<p>" + html.EscapeString(s.Verdict()) + "</p>",
		display.MIMEText: s.String()}
}

// conditions sums what the meter saw over the runs of a Compare or Scale:
// the runs' quota throttling, how many were too short for the quota to
// hold, how many ran beside other load.
type conditions struct {
	runs, short, busy int
	other             float64 // the most cores other processes used during one run
	thr               meter.Throttling
	budget            limits.Budget
}

func (c *conditions) add(m meter.Measurement) {
	c.runs++
	c.budget = m.Budget
	if m.Short() {
		c.short++
	}
	if m.Busy() {
		c.busy++
		c.other = math.Max(c.other, m.OtherCores())
	}
	c.thr.Period = m.Throttling.Period
	c.thr.Periods += m.Throttling.Periods
	c.thr.Throttled += m.Throttling.Throttled
	c.thr.Time += m.Throttling.Time
}

// inconclusive reports whether other load touched most runs: then the
// shape of the numbers is the competition's, not the models'.
func (c *conditions) inconclusive() bool { return c.runs > 0 && 2*c.busy >= c.runs }

func (c *conditions) inconclusiveNote() string {
	return fmt.Sprintf("Inconclusive: other processes took up to %.2f cores during %d of %d runs, so these numbers measure the competition for the machine more than the models (the ranges show how much they moved); run it again when the machine is quieter.",
		c.other, c.busy, c.runs)
}

// notes are the sentences that say what this machine did to the runs.
func (c *conditions) notes() []string {
	var out []string
	if c.thr.Throttled > 0 {
		out = append(out, fmt.Sprintf("The CPU quota %s over the %d runs: the group was held off, which slows the runs unevenly.", c.thr, c.runs))
	}
	if c.short > 0 {
		out = append(out, fmt.Sprintf("%d of %d runs lasted less than %d periods of the %s CPU quota: within a period the group may run on every core until its quota is spent, so speed-ups from them are not meaningful (give each run at least %s of work for the budget to hold).",
			c.short, c.runs, meter.MinQuotaPeriods, fmtDur(c.budget.CgroupPeriod), fmtDur(meter.MinQuotaPeriods*c.budget.CgroupPeriod)))
	}
	if c.busy > 0 && !c.inconclusive() {
		out = append(out, fmt.Sprintf("Other processes took CPU during %d of %d runs (up to %.2f cores): the numbers are noisier than on a quiet machine, and more workers win a larger share of a busy machine, which inflates speed-ups.",
			c.busy, c.runs, c.other))
	}
	return out
}

// BudgetInfo is the core budget of this process, shown as a table.
type BudgetInfo struct{ limits.Budget }

// Budget returns the core budget: GOMAXPROCS, NumCPU, the cgroup CPU
// quota and affinity — what any speed-up here is bounded by.
func Budget() BudgetInfo { return BudgetInfo{budget()} }

// DisplayBundle shows the budget as a table with a warning when the limits
// disagree (as on Binder).
func (b BudgetInfo) DisplayBundle() display.Bundle { return report.BudgetBundle(b.Budget) }

// String is the budget as text.
func (b BudgetInfo) String() string { return b.Budget.String() }

// checked returns models (all four for nil) once fn with args is known to
// run under each: Compare and Scale fail with a UsageError before running
// any.
func checked(models []Model, fn any, args []any) []Model {
	models = modelsOrAll(models)
	for _, m := range models {
		if err := m.check(); err != nil {
			usage("%v", err)
		}
		newJob(m, fn, args)
	}
	return models
}

// runRound is one measured run of a Compare or Scale round: without a
// progress line of its own (the caller shows one for all rounds), its
// conditions noted in cond.
func runRound(cond *conditions, m Model, workers int, fn any, args []any) *Report {
	j := newJob(m, fn, args)
	j.quiet = true
	r := j.run(m, workers)
	cond.add(r.Measurement)
	return r
}
