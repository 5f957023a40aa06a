package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"corelab/runtime/meter"
)

// stateColor is the fill of each drawn state.
func stateColor(s meter.State) string {
	switch s {
	case meter.Running:
		return colRunning
	case meter.Waiting:
		return colWaiting
	case meter.Blocked:
		return colBlocked
	case meter.Released:
		return colReleased
	}
	return colBackground
}

// StateNames name the lane states where a chart or table shows them.
type StateNames struct {
	Running, Waiting, Blocked, Released string
	BlockedLegend                       string // the legend's longer name for Blocked
	// ReleasedRuns counts Released as running in a lane's "run %".
	ReleasedRuns bool
}

// lockStates are the names for lanes recorded at the emulated lock.
var lockStates = StateNames{Running: "running", Waiting: "waiting for the lock", Blocked: "blocked",
	Released: "running, lock released", BlockedLegend: "blocked (lock released)", ReleasedRuns: true}

var drawnStates = []meter.State{meter.Running, meter.Waiting, meter.Blocked, meter.Released}

// Lanes draws one horizontal lane per worker, coloured by state over time
// (running / waiting for the lock / blocked), in the style of Dave Beazley's
// GIL charts, with a time axis and a legend. span is the time axis length;
// 0 means up to the last recorded moment.
func Lanes(lanes []meter.Lane, span time.Duration, o Options) string {
	c := newCanvas(o.width())
	drawLanes(c, lanes, nil, span, o, false, laneLabelWidth(lanes), lockStates)
	return c.svg(titleOr(o.Title, "Worker states over time"))
}

func titleOr(t, def string) string {
	if t == "" {
		return def
	}
	return t
}

// laneLabelWidth is the width of the lane-name column.
func laneLabelWidth(lanes []meter.Lane) float64 {
	w := 60.0
	for _, l := range lanes {
		w = math.Max(w, textWidth(truncate(l.Name, 24)))
	}
	return math.Min(math.Max(w, textWidth("this process")), 180)
}

// drawLanes draws the lanes; thr are the intervals a CPU quota held the
// process off (meter.Measurement.Throttled), drawn as a row of their own
// above the lanes and shaded across them, so that a quota pause is not read
// as waiting for the lock.
//
// words name the states in the tooltips and the legend.
func drawLanes(c *canvas, lanes []meter.Lane, thr []meter.Level, span time.Duration, o Options, section bool, labelW float64, words StateNames) {
	g, end := c.panel()
	y := heading(g, o, 12, section)
	if span <= 0 {
		for _, l := range lanes {
			if n := len(l.Intervals); n > 0 && l.Intervals[n-1].End > span {
				span = l.Intervals[n-1].End
			}
		}
	}
	if len(lanes) == 0 || span <= 0 {
		text(g, 12, y+14, "No worker states were recorded.", `fill="`+colMuted+`"`)
		end(y + 30)
		return
	}

	const rightW, laneH, gap = 70.0, 18.0, 6.0
	plotX := 12 + labelW + 10
	plotW := c.w - plotX - rightW - 12
	top := y
	if len(thr) > 0 {
		drawThrottledRow(g, thr, span, plotX, top, plotW, 10)
		top += 10 + gap
	}

	for _, x := range timeTicks(plotX, plotW, span) {
		line(g, x.px, top-3, x.px, top+float64(len(lanes))*(laneH+gap)-gap+3, colGrid, "")
	}

	for i, l := range lanes {
		ly := top + float64(i)*(laneH+gap)
		tip := fmt.Sprintf("%s: %s %s, %s %s, %s %s", l.Name, words.Running, percent(l.Share(meter.Running)),
			words.Waiting, percent(l.Share(meter.Waiting)), words.Blocked, percent(l.Share(meter.Blocked)))
		if l.Released > 0 {
			tip += ", " + words.Released + " " + percent(l.Share(meter.Released))
		}
		run := l.Share(meter.Running)
		if words.ReleasedRuns {
			run += l.Share(meter.Released)
		}
		fmt.Fprintf(g, `<g class="lane"><title>%s</title>`, esc(tip))
		text(g, plotX-8, ly+laneH/2+4, truncate(l.Name, 24), `text-anchor="end"`)
		rect(g, plotX, ly, plotW, laneH, "#f6f8fa", `stroke="`+colGrid+`"`)
		drawLaneStrip(g, l, span, plotX, ly, plotW, laneH)
		text(g, plotX+plotW+8, ly+laneH/2+4, "run "+fmt.Sprintf("%.0f%%", 100*run),
			`fill="`+colMuted+`" font-family="`+esc(fontMono)+`" font-size="11"`)
		g.WriteString("</g>\n")
	}
	if len(thr) > 0 {
		shadeThrottled(g, thr, span, plotX, top, plotW, float64(len(lanes))*(laneH+gap)-gap)
	}

	ay := top + float64(len(lanes))*(laneH+gap) - gap + 4
	timeAxis(g, plotX, plotW, ay, span, o.XLabel)

	items := []legendItem{{colRunning, words.Running}, {colWaiting, words.Waiting}, {colBlocked, words.BlockedLegend}}
	released := false
	for _, l := range lanes {
		released = released || l.Released > 0
	}
	if released {
		items = append(items, legendItem{colReleased, words.Released})
	}
	if len(thr) > 0 {
		items = append(items, legendItem{colThrottled, "held off by the CPU quota"})
	}
	ly := wrapLegend(g, plotX, ay+26, c.w-24, items)
	end(ly + 10)
}

// drawThrottledRow draws a thin row, labelled "CPU quota", dark where the
// quota held the process off.
func drawThrottledRow(g *strings.Builder, thr []meter.Level, span time.Duration, x0, y0, w, h float64) {
	var held time.Duration
	for _, l := range thr {
		held += time.Duration(float64(l.End-l.Start) * l.Busy)
	}
	fmt.Fprintf(g, `<g class="throttled"><title>%s</title>`, esc(fmt.Sprintf(
		"the CPU quota held this process off for about %s in %d sampling intervals", FormatDuration(held), len(thr))))
	text(g, x0-8, y0+h/2+4, "CPU quota", `text-anchor="end" font-size="10" fill="`+colMuted+`"`)
	rect(g, x0, y0, w, h, "#f6f8fa", `stroke="`+colGrid+`"`)
	for _, l := range thr {
		a, b := x0+float64(l.Start)/float64(span)*w, x0+float64(l.End)/float64(span)*w
		rect(g, a, y0, math.Min(b, x0+w)-a, h, colThrottled, fmt.Sprintf(`fill-opacity="%s"`, num(0.3+0.7*clean(l.Busy))))
	}
	g.WriteString("</g>\n")
}

// shadeThrottled lays a translucent grey band over [y0, y0+h) wherever the
// quota held the process off.
func shadeThrottled(g *strings.Builder, thr []meter.Level, span time.Duration, x0, y0, w, h float64) {
	g.WriteString(`<g class="throttled-shade">`)
	for _, l := range thr {
		a, b := x0+float64(l.Start)/float64(span)*w, x0+float64(l.End)/float64(span)*w
		rect(g, a, y0, math.Min(b, x0+w)-a, h, colThrottled, `fill-opacity="0.35"`)
	}
	g.WriteString("</g>")
}

// timeUnit picks ms or s for an axis of the given span: value/scale is the
// tick value in that unit.
func timeUnit(span time.Duration) (string, float64) {
	if span >= 10*time.Second {
		return "s", float64(time.Second)
	}
	return "ms", float64(time.Millisecond)
}

type tick struct {
	px    float64 // x position
	value float64 // in the axis unit
}

// timeTicks places round time values along a plot spanning span.
func timeTicks(plotX, plotW float64, span time.Duration) []tick {
	_, scale := timeUnit(span)
	var out []tick
	for _, tv := range niceTicks(0, float64(span)/scale, 6) {
		if x := plotX + tv*scale/float64(span)*plotW; x <= plotX+plotW+0.5 {
			out = append(out, tick{x, tv})
		}
	}
	return out
}

// timeAxis draws a time axis at height y under a plot, with its caption
// (default "time (ms)") in the right margin.
func timeAxis(g *strings.Builder, plotX, plotW, y float64, span time.Duration, caption string) {
	unit, _ := timeUnit(span)
	line(g, plotX, y, plotX+plotW, y, colAxis, "")
	for _, t := range timeTicks(plotX, plotW, span) {
		line(g, t.px, y, t.px, y+4, colAxis, "")
		text(g, t.px, y+16, fmtNum(t.value), `text-anchor="middle" fill="`+colMuted+`" font-size="11"`)
	}
	text(g, plotX+plotW+8, y+30, titleOr(caption, "time ("+unit+")"), `fill="`+colMuted+`" font-size="11"`)
}

// drawLaneStrip rasterises a lane into 1 px columns, each showing the state
// the worker spent most of that column's time in, then draws runs of equal
// columns as rectangles. The SVG stays small however many intervals the lane
// has, and states shorter than a pixel do not flicker.
func drawLaneStrip(g *strings.Builder, l meter.Lane, span time.Duration, x0, y0, w, h float64) {
	cols := int(math.Max(1, math.Floor(w)))
	acc := make([][4]float64, cols)
	per := float64(span) / float64(cols)
	for _, iv := range l.Intervals {
		si := stateIndex(iv.State)
		if si < 0 {
			continue
		}
		spread(float64(iv.Start)/per, float64(iv.End)/per, cols, func(col int, w float64) { acc[col][si] += w })
	}
	colState := make([]int, cols)
	for i, a := range acc {
		best, bestV := -1, 0.0
		for s, v := range a {
			if v > bestV {
				best, bestV = s, v
			}
		}
		if a[0]+a[1]+a[2]+a[3] < 0.5 {
			best = -1
		}
		colState[i] = best
	}
	cw := w / float64(cols)
	for i := 0; i < cols; {
		j := i
		for j < cols && colState[j] == colState[i] {
			j++
		}
		if s := colState[i]; s >= 0 {
			rect(g, x0+float64(i)*cw, y0, float64(j-i)*cw, h, stateColor(drawnStates[s]), `class="state-`+stateClass(drawnStates[s])+`"`)
		}
		i = j
	}
}

func stateIndex(s meter.State) int {
	for i, d := range drawnStates {
		if d == s {
			return i
		}
	}
	return -1
}

func stateClass(s meter.State) string {
	switch s {
	case meter.Running:
		return "running"
	case meter.Waiting:
		return "waiting"
	case meter.Blocked:
		return "blocked"
	case meter.Released:
		return "released"
	}
	return "done"
}

type legendItem struct{ color, label string }

// legend draws colour swatches with labels in a row starting at (x, y).
func legend(g *strings.Builder, x, y float64, items []legendItem) float64 {
	g.WriteString(`<g class="legend">`)
	for _, it := range items {
		rect(g, x, y, 12, 12, it.color, `rx="2"`)
		text(g, x+17, y+10, it.label, `font-size="11"`)
		x += 17 + textWidth(it.label)*0.95 + 18
	}
	g.WriteString("</g>")
	return x
}
