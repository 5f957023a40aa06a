package runtime

import (
	"fmt"
	"strings"

	"corelab/display"
	"corelab/runtime/report"
)

// A LostTable collects the share of updates a racy counter lost, per
// variant of the code and per policy (a model, or a model with a check-point
// policy), as notebook 03 measures them; shown as a cell's value it draws
// them as grouped bars and a table. The cells fill it as they measure:
//
//	lost := rt.NewLostTable("Lost updates, 2 workers")
//	lost.Add("gil, 3.10+ check points", "counter++", 0)
//	lost.Add("free", "counter++", 0.31)
//	lost
type LostTable struct {
	Title    string
	variants []string
	policies []string
	share    map[[2]string]float64 // {policy, variant} → share lost, 0 to 1
}

// NewLostTable returns an empty table with the given title.
func NewLostTable(title string) *LostTable {
	return &LostTable{Title: title, share: map[[2]string]float64{}}
}

// Add records that variant, run under policy, lost the given share of its
// updates (0 to 1). Recording the same pair again replaces the value.
func (t *LostTable) Add(policy, variant string, share float64) {
	if !contains(t.policies, policy) {
		t.policies = append(t.policies, policy)
	}
	if !contains(t.variants, variant) {
		t.variants = append(t.variants, variant)
	}
	t.share[[2]string{policy, variant}] = share
}

// Lost returns the share recorded for variant under policy, and whether
// one was recorded.
func (t *LostTable) Lost(policy, variant string) (float64, bool) {
	v, ok := t.share[[2]string{policy, variant}]
	return v, ok
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (t *LostTable) rows() (header []string, rows [][]string) {
	header = append([]string{"variant"}, t.policies...)
	for _, v := range t.variants {
		row := []string{v}
		for _, p := range t.policies {
			cell := "not measured"
			if x, ok := t.Lost(p, v); ok {
				cell = fmt.Sprintf("%.1f %% lost", 100*x)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return header, rows
}

// String is the table as text.
func (t *LostTable) String() string { return t.Title + "\n" + report.TextTable(t.rows()) }

// DisplayBundle draws one bar per variant and policy that was measured,
// coloured by policy, and the table.
func (t *LostTable) DisplayBundle() display.Bundle {
	var bars []report.Bar
	for _, v := range t.variants {
		for j, p := range t.policies {
			if x, ok := t.Lost(p, v); ok {
				bars = append(bars, report.Bar{Label: v + " · " + p, Value: 100 * x, Color: report.SeriesColor(j)})
			}
		}
	}
	svg := report.Bars(bars, report.Options{
		Title:    t.Title,
		Subtitle: "share of the updates lost (the worst of the runs), by variant · policy",
		Unit:     "%", XLabel: "updates lost (%)",
	})
	var h strings.Builder
	h.WriteString(svg)
	h.WriteString(report.Table(t.rows()))
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: h.String(), display.MIMEText: t.String()}
}
