package runtime

import (
	"strings"
	"testing"
	"time"
)

// unitOf returns the unit a printed duration ends with ("ms" of "0.03 ms").
func unitOf(cell string) string { return cell[strings.LastIndexByte(cell, ' ')+1:] }

// A column of times in the lab's tables prints in one unit: a goroutine's
// microseconds beside a process's milliseconds are both milliseconds.
func TestTablesPrintOneUnitPerColumn(t *testing.T) {
	us, ms := time.Microsecond, time.Millisecond
	start := &StartupCost{N: 4, Rows: []StartupRow{
		{Kind: "goroutine", Startup: 28457 * time.Nanosecond},
		{Kind: "isolate", Startup: 5890 * us},
		{Kind: "process", Startup: 770 * ms},
	}}
	web := &WebReport{Workers: 2, Results: []ServerResult{
		{Model: GIL, Startup: 40 * us, Batch: 900 * ms, P50: 800 * us, P99: 12 * ms, HogP99: 250 * ms},
		{Model: Processes, Startup: 60 * ms, Batch: 1400 * ms, P50: 3 * ms, P99: 30 * ms, HogP99: 5 * ms},
	}}
	for _, c := range []struct {
		name    string
		rows    func() ([]string, [][]string)
		columns [][]string // headers of columns that must share one unit
	}{
		{"StartupCost", start.rows, [][]string{{"start-up"}}},
		{"WebReport", web.rows, [][]string{{"start-up"}, {"batch"}, {"p50", "p99", "small p99 beside hog"}}},
	} {
		header, rows := c.rows()
		for _, group := range c.columns {
			units := map[string]bool{}
			for _, h := range group {
				i := indexOf(header, h)
				if i < 0 {
					t.Fatalf("%s: no column %q in %q", c.name, h, header)
				}
				for _, r := range rows {
					units[unitOf(r[i])] = true
				}
			}
			if len(units) != 1 {
				t.Errorf("%s: columns %q print in %d units: %v\n%s", c.name, group, len(units), units, rows)
			}
		}
	}
	if s := start.String(); !strings.Contains(s, "0.03 ms") || !strings.Contains(s, "5.89 ms") {
		t.Errorf("StartupCost table:\n%s", s)
	}
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}
