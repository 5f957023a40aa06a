package report

import (
	"math"
	"testing"
	"time"

	"corelab/runtime/meter"
)

// FuzzChartsStayValid feeds arbitrary labels and values (NaN, ±Inf,
// negative, huge) to every chart: each must still be well-formed SVG.
func FuzzChartsStayValid(f *testing.F) {
	f.Add("GIL <&>", 1.5, -3.0, int64(5e6))
	f.Add("\x00\xff", math.NaN(), math.Inf(1), int64(-1))
	f.Add("", 0.0, 1e300, int64(0))
	f.Fuzz(func(t *testing.T, label string, a, b float64, d int64) {
		dur := time.Duration(d)
		o := Options{Title: label, Subtitle: label, XLabel: label, YLabel: label, Unit: label}
		parseSVG(t, Bars([]Bar{{Label: label, Value: a, Note: label}, {Label: label, Value: b, Reference: true}}, o))
		o.Log = true
		parseSVG(t, Bars([]Bar{{Label: label, Value: a}, {Label: label, Value: b}}, o))
		parseSVG(t, GroupedBars([]string{label}, []BarSeries{{label, []float64{a}}, {label, []float64{b, a}}}, o))
		parseSVG(t, CDF([]Sample{{label, []float64{a, b, a}}}, o))
		o.Log = false
		parseSVG(t, CDF([]Sample{{label, []float64{a, b}}}, o))
		parseSVG(t, SpeedupChart([]Series{{label, []Point{{X: a, Y: b, Low: b, High: a, Note: label}, {X: b, Y: a, Void: true}}}}, a, o))
		parseSVG(t, ThroughputLatency([]LoadRow{{Label: label, Throughput: a, P50: dur, P99: -dur}}, o))
		parseSVG(t, Lanes([]meter.Lane{{Name: label, Intervals: []meter.Interval{{Start: dur, End: 2 * dur, State: meter.Waiting}}}}, dur, o))
		parseSVG(t, CoreUsage([]meter.CoreSeries{{CPU: 3, Levels: []meter.Level{{Start: 0, End: dur, Busy: a}}, Mean: b}}, 0, o))
		m := meter.Measurement{Wall: dur, CoresUsed: a, MachineCores: b,
			Lanes: []meter.Lane{{Name: label}}, Process: []meter.Level{{Start: 0, End: dur, Busy: a}},
			Cores:     []meter.CoreSeries{{Levels: []meter.Level{{Start: 0, End: dur, Busy: b}}}},
			Throttled: []meter.Level{{Start: dur, End: 2 * dur, Busy: a}}}
		parseSVG(t, MeasurementSVG(m, label))
		Summary(m, label)
	})
}
