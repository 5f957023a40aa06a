package report

import (
	"fmt"
	"html"
	"math"
	"strings"

	"corelab/display"
	"corelab/runtime/limits"
	"corelab/runtime/meter"
)

// ProcessRun is a measurement of another process watched from outside (a
// CPython interpreter running a %%python cell): its lanes are its OS
// threads as sampled from /proc, not workers recorded at the lab's lock.
type ProcessRun struct {
	Title  string
	M      meter.Measurement // Lanes: one per OS thread; Process: its cores used over time
	States StateNames        // what each lane state means here
	Lane   string            // what a lane is, for the table's first column: "thread"
	Facts  [][]string        // extra rows for the numbers table, e.g. {"interpreter", "CPython 3.13.1"}
	Notes  []string          // what the sampling can and cannot tell, shown under the heading
}

// ProcessBundle renders r for display like Bundle renders a lab run
// (image/svg+xml, text/html with the figure and tables, text/plain), with
// r's state names, r's notes, and without the lock's counters.
func ProcessBundle(r ProcessRun) display.Bundle {
	svg := processSVG(r)
	return display.Bundle{
		display.MIMESVG:  svg,
		display.MIMEHTML: processHTML(r, svg),
		display.MIMEText: processText(r),
	}
}

// processLine is the one-line summary under the title.
func processLine(r ProcessRun) string {
	m := r.M
	s := fmt.Sprintf("%.2f cores used of %s · wall %s · CPU %s", m.CoresUsed, limits.FormatCPUs(m.Budget.Cores()),
		FormatDuration(m.Wall), FormatDuration(m.CPU()))
	if len(m.Lanes) > 0 {
		noun := titleOr(r.Lane, "thread")
		if len(m.Lanes) != 1 {
			noun += "s"
		}
		s += fmt.Sprintf(" · %d %s seen", len(m.Lanes), noun)
	}
	return s
}

func processSVG(r ProcessRun) string {
	m := r.M
	c := newCanvas(defaultWidth)
	g, end := c.panel()
	y := heading(g, Options{Title: titleOr(r.Title, "Core usage"), Subtitle: processLine(r)}, 12, false)
	notes := append(append([]string(nil), r.Notes...), m.Caveats()...)
	if w := m.Budget.Warning(); w != "" {
		notes = append(notes, w)
	}
	for _, n := range notes {
		y = note(g, y, n, colMuted, "note")
	}
	end(y - 8)
	labelW := math.Max(laneLabelWidth(m.Lanes), coreLabelW)
	if len(m.Lanes) > 0 {
		drawLanes(c, m.Lanes, m.Throttled, m.Wall, Options{Title: "Threads (sampled from /proc)"}, true, labelW, r.States)
	}
	if len(m.Cores) > 0 {
		drawCores(c, m.Cores, m.Process, m.Throttled, m.Wall, Options{Title: "Cores"}, true, labelW)
	}
	return c.svg(titleOr(r.Title, "Core usage"))
}

// processRows are the numbers of the run: the lab's rows without the
// lock's counters and the Go GC, which mean nothing for another process.
func processRows(r ProcessRun) [][]string {
	m := r.M
	rows := append([][]string(nil), r.Facts...)
	rows = append(rows,
		[]string{"wall time", FormatDuration(m.Wall)},
		[]string{"CPU time (user + sys)", fmt.Sprintf("%s (user %s, sys %s)", FormatDuration(m.CPU()), FormatDuration(m.User), FormatDuration(m.Sys))},
		[]string{"cores used (CPU / wall)", fmt.Sprintf("%.2f of %s", m.CoresUsed, limits.FormatCPUs(m.Budget.Cores()))},
		[]string{"core budget", m.Budget.String()},
	)
	if len(m.Cores) > 0 {
		rows = append(rows, []string{"machine busy (all processes)", fmt.Sprintf("%.2f cores", m.MachineCores)},
			[]string{"other processes", fmt.Sprintf("%.2f cores", m.OtherCores())})
	}
	if m.MaxRSS > 0 {
		rows = append(rows, []string{"peak memory (process)", limits.FormatBytes(m.MaxRSS)})
	}
	return rows
}

// processLaneHeader names workerRows' columns with r's words.
func processLaneHeader(r ProcessRun) []string {
	h := []string{titleOr(r.Lane, "thread"), r.States.Running}
	if len(workerColumns(r.M.Lanes)) > len(workerHeader) {
		h = append(h, r.States.Released)
	}
	return append(h, r.States.Waiting, r.States.Blocked, "time")
}

func processHTML(r ProcessRun, svg string) string {
	var b strings.Builder
	b.WriteString(`<div class="corelab-report">`)
	if svg != "" {
		b.WriteString(`<div class="corelab-figure">` + svg + `</div>`)
	}
	for _, n := range r.Notes {
		b.WriteString(`<p class="note">` + html.EscapeString(n) + `</p>`)
	}
	for _, cv := range r.M.Caveats() {
		b.WriteString(`<p class="caveat"><strong>Note:</strong> ` + html.EscapeString(cv) + `</p>`)
	}
	b.WriteString(Table([]string{"measure", "value"}, processRows(r)))
	if len(r.M.Lanes) > 0 {
		b.WriteString(Table(processLaneHeader(r), workerRows(r.M.Lanes)))
	}
	b.WriteString(`</div>`)
	return b.String()
}

func processText(r ProcessRun) string {
	var b strings.Builder
	if r.Title != "" {
		b.WriteString(r.Title + "\n")
	}
	b.WriteString(processLine(r) + "\n")
	b.WriteString(TextTable([]string{"measure", "value"}, processRows(r)))
	if len(r.M.Lanes) > 0 {
		b.WriteString(TextTable(processLaneHeader(r), workerRows(r.M.Lanes)))
	}
	for _, n := range r.Notes {
		b.WriteString("note: " + n + "\n")
	}
	for _, cv := range r.M.Caveats() {
		b.WriteString("note: " + cv + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}
