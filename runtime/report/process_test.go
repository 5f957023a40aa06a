package report

import (
	"strings"
	"testing"
	"time"

	"corelab/runtime/meter"
)

func TestProcessBundleNamesStatesItsOwnWay(t *testing.T) {
	lane := meter.Lane{Name: "main thread", Running: 30 * time.Millisecond, Blocked: 70 * time.Millisecond,
		Intervals: []meter.Interval{{Start: 0, End: 30 * time.Millisecond, State: meter.Running},
			{Start: 30 * time.Millisecond, End: 100 * time.Millisecond, State: meter.Blocked}}}
	m := meter.Measurement{Wall: 100 * time.Millisecond, User: 30 * time.Millisecond, CoresUsed: 0.3,
		Lanes: []meter.Lane{lane}, Handovers: 0}
	names := StateNames{Running: "on a CPU", Waiting: "runnable", Blocked: "not runnable", BlockedLegend: "not runnable: GIL or sleep"}
	b := ProcessBundle(ProcessRun{Title: "CPython 3.11.2", M: m, States: names, Lane: "thread",
		Facts: [][]string{{"interpreter", "CPython 3.11.2"}}, Notes: []string{"sampling cannot tell"}})
	svg, html, text := b["image/svg+xml"].(string), b["text/html"].(string), b["text/plain"].(string)
	for _, want := range []string{"on a CPU", "not runnable: GIL or sleep", "sampling cannot tell", "1 thread seen", `class="lane"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("svg lacks %q", want)
		}
	}
	for _, s := range []string{svg, html, text} {
		if strings.Contains(s, "waiting for the lock") || strings.Contains(s, "hand-overs") || strings.Contains(s, "GC") {
			t.Errorf("the lab lock's words in a process report:\n%s", s)
		}
	}
	for _, want := range []string{"interpreter", "CPython 3.11.2", "not runnable", "70.0%", "note: sampling cannot tell"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(html, "<svg") || !strings.Contains(html, "wall time") {
		t.Errorf("html lacks the figure or the numbers")
	}
	// the lab's own reports keep their words
	if svg := MeasurementSVG(m, ""); !strings.Contains(svg, "waiting for the lock") {
		t.Error("MeasurementSVG lost its legend")
	}
}
