package report

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
)

// Bundle renders a measurement for display: image/svg+xml (lanes and
// per-core usage), text/html (the same figure inline, then tables: HTML is
// what Jupyter front ends prefer, so it must carry the chart) and
// text/plain (Summary).
func Bundle(m meter.Measurement, title string) display.Bundle {
	svg := MeasurementSVG(m, title)
	return display.Bundle{
		display.MIMESVG:  svg,
		display.MIMEHTML: MeasurementHTML(m, title, svg),
		display.MIMEText: Summary(m, title),
	}
}

// MeasurementSVG draws the measurement as one figure: a heading with the
// one-line summary, the worker lanes (if any workers were recorded) and the
// per-core usage (if cores were sampled).
func MeasurementSVG(m meter.Measurement, title string) string {
	c := newCanvas(defaultWidth)
	g, end := c.panel()
	y := heading(g, Options{Title: titleOr(title, "Core usage"), Subtitle: OneLine(m)}, 12, false)
	if w := m.Budget.Warning(); w != "" {
		for i, l := range wrapWords("⚠ "+w, 118) {
			if i == 3 {
				break
			}
			y += 2
			text(g, 12, y, l, `fill="`+colBudget+`" font-size="11"`)
			y += 13
		}
		y -= 5
	}
	for _, cv := range m.Caveats() {
		y = note(g, y, "⚠ "+cv, colBudget, "caveat")
	}
	end(y - 8)
	// both panels share the label column so that their time axes line up
	labelW := math.Max(laneLabelWidth(m.Lanes), coreLabelW)
	if len(m.Lanes) > 0 {
		drawLanes(c, m.Lanes, m.Throttled, m.Wall, Options{Title: "Workers"}, true, labelW, lockStates)
	}
	if len(m.Cores) > 0 {
		drawCores(c, m.Cores, m.Process, m.Throttled, m.Wall, Options{Title: "Cores"}, true, labelW)
	}
	return c.svg(titleOr(title, "Core usage"))
}

// note draws a paragraph of small text under a heading that ends at y, in
// colour col and with class cls; it returns the new y.
func note(g *strings.Builder, y float64, s, col, cls string) float64 {
	y += 5
	for _, l := range wrapWords(s, 118) {
		y += 2
		text(g, 12, y, l, `fill="`+col+`" font-size="11" class="`+cls+`"`)
		y += 13
	}
	return y - 5
}

// MeasurementHTML is the text/html part of Bundle: the figure svg (as
// returned by MeasurementSVG; "" to leave it out), a table of the numbers and
// a table of per-worker shares.
func MeasurementHTML(m meter.Measurement, title, svg string) string {
	var b strings.Builder
	b.WriteString(`<div class="corelab-report">`)
	if svg != "" {
		b.WriteString(`<div class="corelab-figure">` + svg + `</div>`)
	} else if title != "" {
		b.WriteString("<h4>" + html.EscapeString(title) + "</h4>")
	}
	if w := m.Budget.Warning(); w != "" {
		b.WriteString(`<p><strong>Core budget:</strong> ` + html.EscapeString(w) + `</p>`)
	}
	for _, cv := range m.Caveats() {
		b.WriteString(`<p class="caveat"><strong>Note:</strong> ` + html.EscapeString(cv) + `</p>`)
	}
	b.WriteString(Table([]string{"measure", "value"}, numberRows(m)))
	if len(m.Lanes) > 0 {
		b.WriteString(Table(workerColumns(m.Lanes), workerRows(m.Lanes)))
	}
	b.WriteString(`</div>`)
	return b.String()
}

var workerHeader = []string{"worker", "running", "waiting", "blocked", "time"}

// workerColumns is workerHeader, with a column for running with the lock
// released when any lane has some.
func workerColumns(lanes []meter.Lane) []string {
	for _, l := range lanes {
		if l.Released > 0 {
			return []string{"worker", "running", "lock released", "waiting", "blocked", "time"}
		}
	}
	return workerHeader
}

func workerRows(lanes []meter.Lane) [][]string {
	released := len(workerColumns(lanes)) > len(workerHeader)
	totals := make([]time.Duration, len(lanes))
	for i, l := range lanes {
		totals[i] = l.Total()
	}
	times := FormatDurations(totals...)
	rows := make([][]string, len(lanes))
	for i, l := range lanes {
		rows[i] = []string{l.Name, percent(l.Share(meter.Running))}
		if released {
			rows[i] = append(rows[i], percent(l.Share(meter.Released)))
		}
		rows[i] = append(rows[i], percent(l.Share(meter.Waiting)), percent(l.Share(meter.Blocked)), times[i])
	}
	return rows
}

// timesUnit is the one unit a measurement's times print in.
func timesUnit(m meter.Measurement) DurationUnit {
	return UnitFor(m.Wall, m.CPU(), m.User, m.Sys, m.Children, m.GC)
}

func numberRows(m meter.Measurement) [][]string {
	u := timesUnit(m)
	rows := [][]string{
		{"wall time", u.Format(m.Wall)},
		{"CPU time (user + sys)", fmt.Sprintf("%s (user %s, sys %s)", u.Format(m.CPU()), u.Format(m.User), u.Format(m.Sys))},
	}
	if m.Children > 0 {
		rows = append(rows, []string{"of which child processes", u.Format(m.Children)})
	}
	rows = append(rows,
		[]string{"GC CPU (reported apart)", u.Format(m.GC)},
		[]string{"cores used (CPU / wall)", fmt.Sprintf("%.2f of %s", m.CoresUsed, limits.FormatCPUs(m.Budget.Cores()))},
		[]string{"core budget", m.Budget.String()},
	)
	if len(m.Cores) > 0 {
		rows = append(rows, []string{"machine busy (all processes)", fmt.Sprintf("%.2f cores", m.MachineCores)},
			[]string{"other processes", fmt.Sprintf("%.2f cores", m.OtherCores())})
	}
	if t := m.Throttling; t.Period > 0 {
		v := "not throttled"
		if s := t.String(); s != "" {
			v = s
		}
		rows = append(rows, []string{"CPU quota throttling (cpu.stat)", v})
	}
	rows = append(rows,
		[]string{"lock hand-overs", fmt.Sprint(m.Handovers)},
		[]string{"drop requests", fmt.Sprint(m.DropRequests)},
	)
	if m.MaxRSS > 0 {
		rows = append(rows, []string{"peak memory (process)", limits.FormatBytes(m.MaxRSS)})
	}
	return rows
}

// OneLine is a one-line core-usage summary, e.g.
// "1.96 cores used of 2 · wall 1.23 s · CPU 2.41 s · GC 12.0 ms · 240 hand-overs".
func OneLine(m meter.Measurement) string {
	u := UnitFor(m.Wall, m.CPU(), m.GC)
	s := fmt.Sprintf("%.2f cores used of %s · wall %s · CPU %s · GC %s",
		m.CoresUsed, limits.FormatCPUs(m.Budget.Cores()), u.Format(m.Wall), u.Format(m.CPU()), u.Format(m.GC))
	if m.Handovers > 0 || m.DropRequests > 0 {
		s += fmt.Sprintf(" · %d hand-overs, %d drop requests", m.Handovers, m.DropRequests)
	}
	if t := m.Throttling.String(); t != "" {
		s += " · " + t
	}
	return s
}

// Summary is the readable plain-text form of a measurement: wall and CPU
// time, cores used of the budget, GC CPU, machine-wide core use, lock
// hand-overs and drop requests, each worker's running / waiting / blocked
// shares, and the budget warning if any.
func Summary(m meter.Measurement, title string) string {
	var b strings.Builder
	if title != "" {
		b.WriteString(title + "\n")
	}
	u := timesUnit(m)
	fmt.Fprintf(&b, "wall %s · CPU %s (user %s, sys %s)", u.Format(m.Wall), u.Format(m.CPU()),
		u.Format(m.User), u.Format(m.Sys))
	if m.Children > 0 {
		fmt.Fprintf(&b, ", %s of it in child processes", u.Format(m.Children))
	}
	fmt.Fprintf(&b, " · GC CPU %s (reported apart)\n", u.Format(m.GC))
	fmt.Fprintf(&b, "cores used %.2f of a budget of %s (%s)\n", m.CoresUsed, limits.FormatCPUs(m.Budget.Cores()), m.Budget.Limits())
	if len(m.Cores) > 0 {
		fmt.Fprintf(&b, "machine busy %.2f cores (all processes, /proc/stat): %s; other processes %.2f cores\n",
			m.MachineCores, coreList(m.Cores), m.OtherCores())
	}
	if t := m.Throttling.String(); t != "" {
		fmt.Fprintf(&b, "CPU quota: %s\n", t)
	}
	fmt.Fprintf(&b, "lock hand-overs %d · drop requests %d\n", m.Handovers, m.DropRequests)
	if len(m.Lanes) > 0 {
		b.WriteString(TextTable(workerColumns(m.Lanes), workerRows(m.Lanes)))
	}
	if w := m.Budget.Warning(); w != "" {
		b.WriteString("warning: " + w + "\n")
	}
	for _, cv := range m.Caveats() {
		b.WriteString("note: " + cv + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// coreList lists each core's mean busy share, or min/mean/max on big machines.
func coreList(cores []meter.CoreSeries) string {
	if len(cores) <= 16 {
		parts := make([]string, len(cores))
		for i, c := range cores {
			parts[i] = fmt.Sprintf("cpu%d %.0f%%", c.CPU, 100*c.Mean)
		}
		return strings.Join(parts, ", ")
	}
	means := make([]float64, len(cores))
	for i, c := range cores {
		means[i] = c.Mean
	}
	sort.Float64s(means)
	sum := 0.0
	for _, v := range means {
		sum += v
	}
	return fmt.Sprintf("%d cores, min %.0f%%, mean %.0f%%, max %.0f%%", len(cores),
		100*means[0], 100*sum/float64(len(means)), 100*means[len(means)-1])
}

// BudgetRows is the core budget as (what, value, meaning) rows.
func BudgetRows(b limits.Budget) [][]string {
	quota, mem := "none", "none"
	if b.CgroupCPUs > 0 {
		quota = limits.FormatCPUs(b.CgroupCPUs) + " CPU (" + b.CgroupFile + ")"
		if b.CgroupPeriod > 0 {
			quota += ", period " + FormatDuration(b.CgroupPeriod)
		}
	}
	if b.CgroupMem > 0 {
		mem = limits.FormatBytes(b.CgroupMem)
	}
	total := "unknown"
	if b.MemTotal > 0 {
		total = limits.FormatBytes(b.MemTotal)
	}
	return [][]string{
		{"core budget", limits.FormatCPUs(b.Cores()), "the most cores any run here can use"},
		{"GOMAXPROCS", fmt.Sprint(b.GOMAXPROCS), "goroutines running Go code at once (Go ≥1.25 derives it from the cgroup)"},
		{"runtime.NumCPU()", fmt.Sprint(b.NumCPU), "CPUs the process could run on at start-up"},
		{"CPUs online", fmt.Sprint(b.Online), "what the machine has (Python's os.cpu_count())"},
		{"affinity mask", fmt.Sprint(b.Affinity), "sched_getaffinity (Python's os.sched_getaffinity)"},
		{"cgroup CPU quota", quota, "cpu.max (v2) or cfs_quota/period (v1): CPU time per wall time, enforced per period"},
		{"memory", total, "MemTotal"},
		{"cgroup memory limit", mem, "memory.max (v2) or memory.limit_in_bytes (v1)"},
	}
}

// BudgetBundle shows the core budget as an HTML table (with the warning when
// the limits disagree) and as text.
func BudgetBundle(b limits.Budget) display.Bundle {
	rows := BudgetRows(b)
	header := []string{"limit", "value", "meaning"}
	var h strings.Builder
	h.WriteString(Table(header, rows))
	txt := TextTable(header, rows)
	if w := b.Warning(); w != "" {
		h.WriteString(`<p><strong>Warning:</strong> ` + html.EscapeString(w) + `</p>`)
		txt += "warning: " + w + "\n"
	}
	return display.Bundle{display.MIMEHTML: h.String(), display.MIMEText: strings.TrimRight(txt, "\n")}
}
