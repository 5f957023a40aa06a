package runtime

import (
	"fmt"
	"strings"
	"time"

	"corelab/display"
	"corelab/runtime/meter"
	"corelab/runtime/report"
)

func fmtDur(d time.Duration) string { return report.FormatDuration(d) }

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
	if r.Startup != nil {
		header = append(header, "start-up", "memory")
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
		row := []string{fmt.Sprintf("%s %d", workerNoun(r.Model), i+1), res}
		if r.Startup != nil {
			row = append(row, fmtDur(r.Startup[i]), meter.FormatBytes(r.Memory[i]))
		}
		rows = append(rows, row)
	}
	return header, rows
}

// String is the plain-text report: the meter's summary and per-worker rows.
func (r *Report) String() string {
	var b strings.Builder
	b.WriteString(report.Summary(r.Measurement, r.title()))
	if !strings.HasSuffix(b.String(), "\n") {
		b.WriteString("\n")
	}
	b.WriteString(report.TextTable(r.extraRows()))
	return b.String()
}

// DisplayBundle renders the report for Jupyter: lanes and per-core usage
// (SVG), tables (HTML) and the text summary.
func (r *Report) DisplayBundle() display.Bundle {
	b := report.Bundle(r.Measurement, r.title())
	h, rows := r.extraRows()
	if s, ok := b[display.MIMEHTML].(string); ok {
		b[display.MIMEHTML] = s + report.Table(h, rows)
	}
	b[display.MIMEText] = r.String()
	return b
}

// Comparison is the same work run under several models.
type Comparison struct {
	Workers int
	Func    string
	Reports []*Report
}

// Compare runs fn with args on the given number of workers under each
// model in turn (see Run for what fn may be) and compares wall time, cores
// used, hand-overs and start-up. Pass nil for all four models.
//
//	rt.Compare(nil, 2, rt.Fib, 32)
//	rt.Compare([]rt.Model{rt.GIL, rt.Free}, 2, "work", 1000)
func Compare(models []Model, workers int, fn any, args ...any) *Comparison {
	models = modelsOrAll(models)
	for _, m := range models {
		if err := m.check(); err != nil {
			usage("%v", err)
		}
		newJob(m, fn, args) // validate every model before running any
	}
	c := &Comparison{Workers: workers}
	for _, m := range models {
		r := Run(m, workers, fn, args...)
		c.Func = r.Func
		c.Reports = append(c.Reports, r)
	}
	return c
}

func modelsOrAll(models []Model) []Model {
	if len(models) == 0 {
		return append([]Model(nil), Models...)
	}
	return models
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

func (c *Comparison) rows() (header []string, rows [][]string) {
	header = []string{"model", "wall", "CPU", "cores used", "speed-up vs GIL", "hand-overs", "start-up/worker", "memory/worker"}
	var base time.Duration
	if g := c.Report(GIL); g != nil {
		base = g.Wall()
	}
	for _, r := range c.Reports {
		sp := "—"
		if base > 0 && r.Wall() > 0 {
			sp = fmt.Sprintf("%.2f×", float64(base)/float64(r.Wall()))
		}
		su, mem := "—", "—"
		if r.Startup != nil {
			su, mem = fmtDur(r.StartupMean()), meter.FormatBytes(r.MemoryMean())
		}
		rows = append(rows, []string{string(r.Model), fmtDur(r.Wall()), fmtDur(r.Measurement.CPU()),
			fmt.Sprintf("%.2f", r.Cores()), sp, fmt.Sprint(r.Measurement.Handovers), su, mem})
	}
	return header, rows
}

func (c *Comparison) title() string {
	return fmt.Sprintf("%s × %d worker(s), by model", c.Func, c.Workers)
}

// String is the comparison as a text table.
func (c *Comparison) String() string {
	return c.title() + "\n" + report.TextTable(c.rows())
}

// DisplayBundle renders the comparison: wall-time bars, a table, and each
// model's lanes and core usage.
func (c *Comparison) DisplayBundle() display.Bundle {
	bars := make([]report.Bar, len(c.Reports))
	for i, r := range c.Reports {
		bars[i] = report.Bar{Label: string(r.Model), Value: r.Wall().Seconds(),
			Note: fmt.Sprintf("%.2f cores", r.Cores())}
	}
	svg := report.Bars(bars, report.Options{Title: c.title(), Subtitle: "wall time (shorter is better)", Unit: "s"})
	var h strings.Builder
	h.WriteString(svg)
	h.WriteString(report.Table(c.rows()))
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
	// workers did than one worker of the same model: n·T(1)/T(n).
	Speedup map[Model][]float64
	Wall    map[Model][]time.Duration
	Models  []Model
	Budget  meter.Budget
}

// Scale runs fn on 1, 2, ... maxWorkers workers under each model (every
// worker does the same job) and reports the speed-up n·T(1)/T(n) against
// the ideal line and the core budget. Pass nil for all four models.
//
//	rt.Scale([]rt.Model{rt.GIL, rt.Free, rt.Isolates}, 4, rt.Fib, 30)
func Scale(models []Model, maxWorkers int, fn any, args ...any) *Scaling {
	models = modelsOrAll(models)
	if maxWorkers < 1 || maxWorkers > 64 {
		usage("rt.Scale: maxWorkers %d; want 1..64", maxWorkers)
	}
	for _, m := range models {
		if err := m.check(); err != nil {
			usage("%v", err)
		}
		newJob(m, fn, args)
	}
	s := &Scaling{Speedup: map[Model][]float64{}, Wall: map[Model][]time.Duration{}, Models: models, Budget: budget()}
	for n := 1; n <= maxWorkers; n++ {
		s.Workers = append(s.Workers, n)
	}
	var h *display.Handle
	total, done := len(models)*maxWorkers, 0
	for _, m := range models {
		for _, n := range s.Workers {
			done++
			if total > 2 {
				msg := display.TextBundle(fmt.Sprintf("scaling: %s with %d worker(s) (%d/%d)…", m, n, done, total))
				if h == nil {
					h = display.New()
					h.Show(msg)
				} else {
					h.Update(msg)
				}
			}
			r := newJob(m, fn, args).run(m, n)
			s.Func = r.Func
			s.Wall[m] = append(s.Wall[m], r.Wall())
			t1 := s.Wall[m][0]
			s.Speedup[m] = append(s.Speedup[m], float64(n)*float64(t1)/float64(max(r.Wall(), 1)))
		}
	}
	if h != nil {
		h.Update(display.TextBundle(fmt.Sprintf("scaling %s: done", s.Func)))
	}
	return s
}

func (s *Scaling) rows() (header []string, rows [][]string) {
	header = []string{"workers"}
	for _, m := range s.Models {
		header = append(header, string(m))
	}
	// The ideal speed-up is n× only up to the core budget: with 1 core,
	// no model can do better than 1×.
	cores := s.Budget.Cores()
	header = append(header, fmt.Sprintf("ideal (budget %s cores)", meter.FormatCPUs(cores)))
	for i, n := range s.Workers {
		row := []string{fmt.Sprint(n)}
		for _, m := range s.Models {
			row = append(row, fmt.Sprintf("%.2f×", s.Speedup[m][i]))
		}
		ideal := float64(n)
		if cores > 0 && cores < ideal {
			ideal = cores
		}
		row = append(row, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", ideal), "0"), ".")+"×")
		rows = append(rows, row)
	}
	return header, rows
}

func (s *Scaling) title() string {
	return fmt.Sprintf("Speed-up of %s vs workers (budget %s cores)", s.Func, meter.FormatCPUs(s.Budget.Cores()))
}

// String is the speed-up table.
func (s *Scaling) String() string { return s.title() + "\n" + report.TextTable(s.rows()) }

// DisplayBundle renders the speed-up chart with its ideal line and the
// core budget, and the table.
func (s *Scaling) DisplayBundle() display.Bundle {
	series := make([]report.Series, len(s.Models))
	for i, m := range s.Models {
		series[i].Name = string(m)
		for j, n := range s.Workers {
			series[i].Points = append(series[i].Points, report.Point{X: float64(n), Y: s.Speedup[m][j]})
		}
	}
	svg := report.SpeedupChart(series, s.Budget.Cores(), report.Options{Title: s.title(),
		XLabel: "workers", YLabel: "speed-up"})
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: svg + report.Table(s.rows()),
		display.MIMEText: s.String()}
}

// BudgetInfo is the core budget of this process, shown as a table.
type BudgetInfo struct{ meter.Budget }

// Budget returns the core budget: GOMAXPROCS, NumCPU, the cgroup CPU
// quota and affinity — what any speed-up here is bounded by.
func Budget() BudgetInfo { return BudgetInfo{budget()} }

// DisplayBundle shows the budget as a table with a warning when the limits
// disagree (as on Binder).
func (b BudgetInfo) DisplayBundle() display.Bundle { return report.BudgetBundle(b.Budget) }

// String is the budget as text.
func (b BudgetInfo) String() string { return b.Budget.String() }

// CoreSummary is the one-line core-usage summary %cores appends to a cell.
func CoreSummary(m meter.Measurement) string { return report.OneLine(m) }
