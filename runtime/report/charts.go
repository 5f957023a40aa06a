package report

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// Point is one (x, y) value of a line chart.
type Point struct {
	X, Y float64
	// Low and High, when High > Low, are the spread of Y over repeated
	// measurements, drawn as an error bar.
	Low, High float64
	// Void marks a point that is not a result (a speed-up above the core
	// budget: a quota burst or other load). It is drawn hollow, off the
	// line, with Note as its tooltip.
	Void bool
	Note string
}

// Series is a named line of points, drawn in SeriesColor(index).
type Series struct {
	Name   string
	Points []Point
}

// frame maps data coordinates onto a plot rectangle.
type frame struct {
	x, y, w, h         float64
	xlo, xhi, ylo, yhi float64
	logX               bool
}

func (f frame) px(v float64) float64 {
	if f.logX {
		v, lo, hi := math.Log10(math.Max(v, f.xlo)), math.Log10(f.xlo), math.Log10(f.xhi)
		return f.x + (v-lo)/(hi-lo)*f.w
	}
	return f.x + (v-f.xlo)/(f.xhi-f.xlo)*f.w
}

func (f frame) py(v float64) float64 { return f.y + f.h - (v-f.ylo)/(f.yhi-f.ylo)*f.h }

// axes draws grid lines, ticks and tick labels of an XY frame.
func (f frame) axes(g *strings.Builder, xticks, yticks []float64, xfmt, yfmt func(float64) string, xlabel, ylabel string) {
	g.WriteString(`<g class="axes">`)
	for _, v := range yticks {
		y := f.py(v)
		line(g, f.x, y, f.x+f.w, y, colGrid, "")
		text(g, f.x-6, y+4, yfmt(v), `text-anchor="end" fill="`+colMuted+`" font-size="11"`)
	}
	for _, v := range xticks {
		x := f.px(v)
		line(g, x, f.y, x, f.y+f.h, colGrid, "")
		line(g, x, f.y+f.h, x, f.y+f.h+4, colAxis, "")
		text(g, x, f.y+f.h+16, xfmt(v), `text-anchor="middle" fill="`+colMuted+`" font-size="11"`)
	}
	line(g, f.x, f.y+f.h, f.x+f.w, f.y+f.h, colAxis, "")
	line(g, f.x, f.y, f.x, f.y+f.h, colAxis, "")
	if xlabel != "" {
		text(g, f.x+f.w/2, f.y+f.h+32, xlabel, `text-anchor="middle" fill="`+colMuted+`"`)
	}
	if ylabel != "" {
		fmt.Fprintf(g, `<text transform="translate(%s,%s) rotate(-90)" text-anchor="middle" fill="%s">%s</text>`,
			num(f.x-40), num(f.y+f.h/2), colMuted, esc(ylabel))
	}
	g.WriteString("</g>\n")
}

// SpeedupChart draws speed-up against the number of workers: one line per
// series (e.g. per model), each point's range over repeated measurements,
// the ideal line (speed-up = workers, flat from the core budget on) and a
// horizontal line at the core budget, which no model can beat. Void points
// (above the budget: not results) are drawn hollow, off their line.
func SpeedupChart(series []Series, budget float64, o Options) string {
	c := newCanvas(o.width())
	g, end := c.panel()
	y := heading(g, o, 12, false)
	maxX, maxY := 1.0, 1.0
	series = finitePoints(series)
	for _, s := range series {
		for _, p := range s.Points {
			maxX, maxY = math.Max(maxX, p.X), math.Max(maxY, math.Max(p.Y, p.High))
		}
	}
	budget = clean(budget)
	maxX = math.Min(math.Ceil(maxX), 1e6)
	maxY = math.Min(maxY, 1e6)
	yhi := niceMax(math.Max(math.Max(maxY, maxX), budget)*1.05, 5)
	f := frame{x: 64, y: y + 6, w: c.w - 64 - 24, h: 260, xlo: 1, xhi: math.Max(maxX, 2), ylo: 0, yhi: yhi}
	var xt []float64
	step := math.Max(1, niceStep((f.xhi-1)/8))
	for v := 1.0; v <= f.xhi+1e-9; v += step {
		xt = append(xt, v)
	}
	f.axes(g, xt, niceTicks(0, yhi, 5), fmtNum, func(v float64) string { return fmtNum(v) + "×" },
		titleOr(o.XLabel, "workers"), titleOr(o.YLabel, "speed-up"))

	// ideal: speed-up equals workers, up to the budget (no more cores to
	// use), then flat
	knee := math.Min(f.xhi, yhi)
	if budget >= 1 {
		knee = math.Min(knee, budget)
	}
	fmt.Fprintf(g, `<polyline class="ideal" points="%s,%s %s,%s %s,%s" fill="none" stroke="%s" stroke-width="1.5" stroke-dasharray="5 4"/>`,
		num(f.px(1)), num(f.py(1)), num(f.px(knee)), num(f.py(knee)), num(f.px(f.xhi)), num(f.py(knee)), colIdeal)
	if budget > 0 {
		by := f.py(budget)
		fmt.Fprintf(g, `<line class="budget" x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="2 3"/>`,
			num(f.x), num(by), num(f.x+f.w), num(by), colBudget)
		text(g, f.x+f.w-4, by-5, "core budget "+fmtNum(budget), `text-anchor="end" fill="`+colBudget+`" font-size="11"`)
	}
	for i, s := range series {
		col := SeriesColor(i)
		pts := append([]Point(nil), s.Points...)
		sort.Slice(pts, func(a, b int) bool { return pts[a].X < pts[b].X })
		fmt.Fprintf(g, `<g class="series"><title>%s</title>`, esc(s.Name))
		// the line joins results only: a void point breaks it
		var path strings.Builder
		flush := func() {
			if strings.Contains(path.String(), " ") {
				fmt.Fprintf(g, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2.2" stroke-linejoin="round"/>`, path.String(), col)
			}
			path.Reset()
		}
		for _, p := range pts {
			if p.Void {
				flush()
				continue
			}
			if path.Len() > 0 {
				path.WriteByte(' ')
			}
			path.WriteString(num(f.px(p.X)) + "," + num(f.py(p.Y)))
		}
		flush()
		for _, p := range pts {
			dx := (float64(i) - float64(len(series)-1)/2) * 3 // keep overlapping error bars apart
			if p.High > p.Low {
				x := f.px(p.X) + dx
				fmt.Fprintf(g, `<path class="spread" d="M%s %sV%sM%s %sH%sM%s %sH%s" stroke="%s" stroke-width="1.2" fill="none"/>`,
					num(x), num(f.py(math.Min(p.High, f.yhi))), num(f.py(p.Low)),
					num(x-3), num(f.py(math.Min(p.High, f.yhi))), num(x+3), num(x-3), num(f.py(p.Low)), num(x+3), col)
			}
			tip := fmt.Sprintf("%s, %s workers: %s×", s.Name, fmtNum(p.X), fmtNum(p.Y))
			if p.High > p.Low {
				tip += fmt.Sprintf(" (%s–%s×)", fmtNum(p.Low), fmtNum(p.High))
			}
			if p.Note != "" {
				tip += " — " + p.Note
			}
			if p.Void {
				fmt.Fprintf(g, `<circle class="void" cx="%s" cy="%s" r="4" fill="%s" stroke="%s" stroke-width="1.5" stroke-dasharray="2 1.5"><title>%s</title></circle>`,
					num(f.px(p.X)), num(f.py(math.Min(p.Y, f.yhi))), colBackground, col, esc(tip))
				continue
			}
			fmt.Fprintf(g, `<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s</title></circle>`,
				num(f.px(p.X)), num(f.py(p.Y)), col, esc(tip))
		}
		g.WriteString("</g>\n")
	}
	ly := f.y + f.h + 44
	items := make([]legendItem, 0, len(series)+2)
	for i, s := range series {
		items = append(items, legendItem{SeriesColor(i), s.Name})
	}
	items = append(items, legendItem{colIdeal, "ideal (speed-up = workers, up to the budget)"})
	if budget > 0 {
		items = append(items, legendItem{colBudget, "core budget"})
	}
	for _, s := range series {
		if hasVoid(s.Points) {
			items = append(items, legendItem{colBorder, "hollow: above the budget, not a result"})
			break
		}
	}
	ly = wrapLegend(g, f.x, ly, c.w-24, items)
	end(ly + 10)
	return c.svg(titleOr(o.Title, "Speed-up vs workers"))
}

func hasVoid(pts []Point) bool {
	for _, p := range pts {
		if p.Void {
			return true
		}
	}
	return false
}

// finitePoints drops points with NaN or infinite coordinates, or beyond a
// million (no sensible worker count or speed-up is).
func finitePoints(series []Series) []Series {
	out := make([]Series, len(series))
	for i, s := range series {
		out[i].Name = s.Name
		for _, p := range s.Points {
			if finite(p.X) && finite(p.Y) && math.Abs(p.X) <= 1e6 && math.Abs(p.Y) <= 1e6 {
				if !finite(p.Low) || !finite(p.High) || math.Abs(p.High) > 1e6 {
					p.Low, p.High = 0, 0
				}
				out[i].Points = append(out[i].Points, p)
			}
		}
	}
	return out
}

// wrapLegend draws legend items, wrapping to new rows before maxX; it
// returns the y below the last row.
func wrapLegend(g *strings.Builder, x0, y, maxX float64, items []legendItem) float64 {
	x := x0
	g.WriteString(`<g class="legend">`)
	for _, it := range items {
		w := 17 + textWidth(it.label)*0.95 + 18
		if x > x0 && x+w > maxX {
			x, y = x0, y+18
		}
		rect(g, x, y, 12, 12, it.color, `rx="2"`)
		text(g, x+17, y+10, it.label, `font-size="11"`)
		x += w
	}
	g.WriteString("</g>")
	return y + 12
}

// Sample is a named set of observations (e.g. lateness in ms of every UI tick).
type Sample struct {
	Name   string
	Values []float64
}

// Percentile returns the p-th percentile (0..100) of values by linear
// interpolation between closest ranks; NaN for no values. values is not modified.
func Percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	return percentileSorted(v, p)
}

func percentileSorted(v []float64, p float64) float64 {
	if len(v) == 1 {
		return v[0]
	}
	r := math.Max(0, math.Min(1, p/100)) * float64(len(v)-1)
	lo := int(math.Floor(r))
	if lo >= len(v)-1 {
		return v[len(v)-1]
	}
	return v[lo] + (v[lo+1]-v[lo])*(r-float64(lo))
}

// CDF draws the cumulative distribution of each sample (fraction of values
// at or below x), marking p50 and p99; the legend gives both. o.Unit names
// the values' unit, o.Log uses a logarithmic x axis (values ≤ 0 are clamped).
// NaN and infinite values are left out.
func CDF(samples []Sample, o Options) string {
	c := newCanvas(o.width())
	g, end := c.panel()
	y := heading(g, o, 12, false)
	lo, hi := math.Inf(1), math.Inf(-1)
	sorted := make([][]float64, len(samples))
	for i, s := range samples {
		v := make([]float64, 0, len(s.Values))
		for _, x := range s.Values {
			if finite(x) {
				v = append(v, x)
			}
		}
		sort.Float64s(v)
		sorted[i] = v
		if len(v) > 0 {
			lo, hi = math.Min(lo, v[0]), math.Max(hi, v[len(v)-1])
		}
	}
	if math.IsInf(lo, 1) {
		lo, hi = 0, 1
	}
	f := frame{x: 64, y: y + 6, w: c.w - 64 - 24, h: 240, ylo: 0, yhi: 1}
	var xt []float64
	if o.Log {
		pos := math.Inf(1)
		for _, v := range sorted {
			for _, x := range v {
				if x > 0 {
					pos = math.Min(pos, x)
					break
				}
			}
		}
		if math.IsInf(pos, 1) {
			pos = 1
		}
		f.logX = true
		f.xlo, f.xhi, xt = logRange(pos, hi, false)
	} else {
		f.xlo = math.Min(0, lo)
		f.xhi = niceMax(hi, 6)
		if f.xhi <= f.xlo {
			f.xhi = f.xlo + 1
		}
		xt = niceTicks(f.xlo, f.xhi, 6)
	}
	xlabel := axisCaption(o.XLabel, o.Unit, o.Log)
	f.axes(g, xt, []float64{0, 0.25, 0.5, 0.75, 1}, fmtNum, func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) },
		xlabel, titleOr(o.YLabel, "fraction ≤ x"))
	for _, p := range []float64{0.5, 0.99} {
		yy := f.py(p)
		line(g, f.x, yy, f.x+f.w, yy, colAxis, `stroke-dasharray="2 4"`)
		text(g, f.x+4, yy-4, fmt.Sprintf("p%.0f", p*100), `fill="`+colMuted+`" font-size="10"`)
	}
	var items []legendItem
	for i, v := range sorted {
		col := SeriesColor(i)
		fmt.Fprintf(g, `<g class="series"><title>%s</title>`, esc(samples[i].Name))
		if len(v) > 0 {
			var path strings.Builder
			n := float64(len(v))
			fmt.Fprintf(&path, "%s,%s", num(f.px(v[0])), num(f.py(0)))
			// step function, thinned to at most ~2 points per pixel column
			lastX := math.Inf(-1)
			for k, x := range v {
				px := f.px(x)
				if px-lastX < 0.5 && k < len(v)-1 && v[k+1] == x {
					continue
				}
				fmt.Fprintf(&path, " %s,%s %s,%s", num(px), num(f.py(float64(k)/n)), num(px), num(f.py(float64(k+1)/n)))
				lastX = px
			}
			fmt.Fprintf(g, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, path.String(), col)
			p50, p99 := percentileSorted(v, 50), percentileSorted(v, 99)
			for _, pp := range []struct {
				p, v float64
			}{{0.5, p50}, {0.99, p99}} {
				fmt.Fprintf(g, `<circle cx="%s" cy="%s" r="3.5" fill="%s" stroke="%s"><title>%s</title></circle>`,
					num(f.px(pp.v)), num(f.py(pp.p)), colBackground, col,
					esc(fmt.Sprintf("%s p%.0f = %s %s", samples[i].Name, pp.p*100, fmtNum(pp.v), o.Unit)))
			}
			items = append(items, legendItem{col, fmt.Sprintf("%s: p50 %s, p99 %s%s", samples[i].Name, fmtNum(p50), fmtNum(p99), unitSuffix(o.Unit))})
		} else {
			items = append(items, legendItem{col, samples[i].Name + ": no values"})
		}
		g.WriteString("</g>\n")
	}
	ly := wrapLegend(g, f.x, f.y+f.h+44, c.w-24, items)
	end(ly + 10)
	return c.svg(titleOr(o.Title, "Cumulative distribution"))
}

func unitSuffix(u string) string {
	if u == "" {
		return ""
	}
	if u == "×" || u == "%" {
		return u
	}
	return " " + u
}

// Bar is one horizontal bar. Reference bars (numbers quoted from CPython,
// not measured here) are drawn pale with a dashed outline and marked "ref".
type Bar struct {
	Label     string
	Value     float64
	Note      string // shown after the value, e.g. "83 MB" or "CPython 3.13, 2 CPUs"
	Reference bool
	Color     string // "#rrggbb"; "" = SeriesColor(index)
}

// Bars draws labelled horizontal bars with their values (compare by model).
// o.Unit is appended to values; o.Log uses a logarithmic value axis.
func Bars(bars []Bar, o Options) string {
	c := newCanvas(o.width())
	g, end := c.panel()
	y := heading(g, o, 12, false)
	groups := make([]hgroup, len(bars))
	for i, b := range bars {
		col := b.Color
		if col == "" {
			col = SeriesColor(i)
		}
		groups[i] = hgroup{label: b.Label, bars: []hbar{{value: b.Value, color: col, ref: b.Reference, note: b.Note}}}
	}
	h := drawHBars(g, 12, y, c.w-24, groups, 1, o.Unit, o.Log, o.XLabel)
	end(y + h + 8)
	return c.svg(titleOr(o.Title, "Comparison"))
}

// BarSeries is one colour of a grouped bar chart: a value per group.
type BarSeries struct {
	Name   string
	Values []float64
}

// GroupedBars draws, for each group label, one bar per series (e.g. per model:
// requests/s alone and with a hog). Missing values are left out. o.Log is
// useful when values span orders of magnitude.
func GroupedBars(groups []string, series []BarSeries, o Options) string {
	c := newCanvas(o.width())
	g, end := c.panel()
	y := heading(g, o, 12, false)
	hg := make([]hgroup, len(groups))
	for i, name := range groups {
		hg[i].label = name
		for j, s := range series {
			if i < len(s.Values) {
				hg[i].bars = append(hg[i].bars, hbar{value: s.Values[i], color: SeriesColor(j), tip: s.Name})
			}
		}
	}
	h := drawHBars(g, 12, y, c.w-24, hg, len(series), o.Unit, o.Log, o.XLabel)
	items := make([]legendItem, len(series))
	for j, s := range series {
		items[j] = legendItem{SeriesColor(j), s.Name}
	}
	ly := wrapLegend(g, 12, y+h+6, c.w-24, items)
	end(ly + 10)
	return c.svg(titleOr(o.Title, "Comparison"))
}

// LoadRow is one server under load: throughput and latency percentiles.
type LoadRow struct {
	Label      string
	Throughput float64 // requests per second
	P50, P99   time.Duration
	Reference  bool // quoted, not measured here
}

// ThroughputLatency draws two panels side by side: throughput (requests/s)
// and latency (p50 solid, p99 pale) for each row.
func ThroughputLatency(rows []LoadRow, o Options) string {
	c := newCanvas(o.width())
	g, end := c.panel()
	y := heading(g, o, 12, false)
	half := (c.w - 24 - 16) / 2
	tp := make([]hgroup, len(rows))
	lat := make([]hgroup, len(rows))
	for i, r := range rows {
		tp[i] = hgroup{label: r.Label, bars: []hbar{{value: r.Throughput, color: SeriesColor(0), ref: r.Reference}}}
		lat[i] = hgroup{label: r.Label, bars: []hbar{
			{value: ms(r.P50), color: SeriesColor(1), ref: r.Reference, tip: "p50"},
			{value: ms(r.P99), color: mix(SeriesColor(1), "#ffffff", 0.45), ref: r.Reference, tip: "p99"},
		}}
	}
	text(g, 12, y+8, "throughput", `font-weight="600"`)
	text(g, 12+half+16, y+8, "latency", `font-weight="600"`)
	h1 := drawHBars(g, 12, y+16, half, tp, 2, "req/s", o.Log, "")
	h2 := drawHBars(g, 12+half+16, y+16, half, lat, 2, "ms", false, "")
	ly := wrapLegend(g, 12, y+16+math.Max(h1, h2)+6, c.w-24, []legendItem{
		{SeriesColor(0), "requests/s"}, {SeriesColor(1), "p50 latency"}, {mix(SeriesColor(1), "#ffffff", 0.45), "p99 latency"}})
	end(ly + 10)
	return c.svg(titleOr(o.Title, "Throughput and latency"))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// labelRunes is the longest bar label drawn in full.
const labelRunes = 36

func barLabel(b hbar, unit string) string {
	s := fmtNum(b.value) + unitSuffix(unit)
	if b.ref {
		s += " ref"
	}
	return s
}

// logRange returns a logarithmic axis range [lo, hi] covering minPos..maxV,
// hi the next 1, 2 or 5 × 10^k. With pad, the smallest value is kept off
// the left edge (a bar of zero length would be invisible).
func logRange(minPos, maxV float64, pad bool) (lo, hi float64, ticks []float64) {
	minPos = math.Min(math.Max(minPos, 1e-250), 1e250)
	maxV = math.Min(math.Max(maxV, minPos), 1e250)
	lo = math.Pow(10, math.Floor(math.Log10(minPos)))
	if pad && lo >= minPos*0.999 {
		lo /= 10
	}
	hi = lo * 10
	for i := 0; hi < maxV*0.999 && i < 400; i++ {
		switch m := hi / math.Pow(10, math.Floor(math.Log10(hi)+1e-9)); {
		case m < 1.5:
			hi *= 2
		case m < 3:
			hi *= 2.5
		default:
			hi *= 2
		}
	}
	// at most ~12 labelled decades: skip some when the range is wider
	decades := math.Log10(hi / lo)
	every := math.Max(1, math.Ceil(decades/12))
	for v := lo; v <= hi*1.0001; v *= math.Pow(10, every) {
		ticks = append(ticks, v)
	}
	return lo, hi, ticks
}

type hgroup struct {
	label string
	bars  []hbar
}

type hbar struct {
	value float64
	color string
	ref   bool
	note  string
	tip   string
}

// drawHBars draws groups of horizontal bars at (x, y) within width w, each
// group slots bars tall; it returns the height used (axis included).
func drawHBars(g *strings.Builder, x, y, w float64, groups []hgroup, slots int, unit string, logScale bool, caption string) float64 {
	labelW, valueW := 40.0, 60.0
	maxV, minPos := 0.0, math.Inf(1)
	for _, gr := range groups {
		labelW = math.Max(labelW, textWidth(truncate(gr.label, labelRunes)))
		for _, b := range gr.bars {
			maxV = math.Max(maxV, clean(b.value))
			if clean(b.value) > 0 {
				minPos = math.Min(minPos, b.value)
			}
			vw := textWidth(barLabel(b, unit))*0.95 + 12
			if b.note != "" {
				vw += 6 + textWidth(truncate(b.note, 40))*0.9
			}
			valueW = math.Max(valueW, vw)
		}
	}
	labelW = math.Min(labelW, w*0.35)
	valueW = math.Min(valueW, w*0.4)
	const barH, barGap, groupGap = 16.0, 2.0, 10.0
	slots = max(slots, 1)
	groupH := float64(slots)*(barH+barGap) - barGap
	f := frame{x: x + labelW + 8, y: y, w: w - labelW - 8 - valueW, h: float64(len(groups)) * (groupH + groupGap)}
	var ticks []float64
	if logScale && minPos < math.Inf(1) {
		f.logX = true
		f.xlo, f.xhi, ticks = logRange(minPos, maxV, true)
	} else {
		f.xlo, f.xhi = 0, niceMax(maxV, 5)
		ticks = niceTicks(0, f.xhi, 5)
	}
	for _, v := range ticks {
		px := f.px(v)
		line(g, px, f.y, px, f.y+f.h, colGrid, "")
		text(g, px, f.y+f.h+14, fmtNum(v), `text-anchor="middle" fill="`+colMuted+`" font-size="11"`)
	}
	line(g, f.x, f.y, f.x, f.y+f.h, colAxis, "")
	line(g, f.x, f.y+f.h, f.x+f.w, f.y+f.h, colAxis, "")
	for i, gr := range groups {
		gy := f.y + groupGap/2 + float64(i)*(groupH+groupGap)
		text(g, f.x-8, gy+groupH/2+4, truncate(gr.label, labelRunes), `text-anchor="end"`)
		for j, b := range gr.bars {
			by := gy + float64(j)*(barH+barGap)
			if len(gr.bars) < slots {
				by += (groupH - (float64(len(gr.bars))*(barH+barGap) - barGap)) / 2
			}
			x1 := f.px(math.Min(math.Max(clean(b.value), f.xlo), f.xhi))
			if clean(b.value) <= 0 {
				x1 = f.x
			}
			tip := gr.label
			if b.tip != "" {
				tip += " · " + b.tip
			}
			tip += ": " + fmtNum(b.value) + unitSuffix(unit)
			label := barLabel(b, unit)
			if b.ref {
				tip += " (reference figure, not measured here)"
			}
			if b.note != "" {
				tip += " — " + b.note
			}
			fmt.Fprintf(g, `<g class="bar"><title>%s</title>`, esc(tip))
			if b.ref {
				rect(g, f.x, by, x1-f.x, barH, mix(b.color, "#ffffff", 0.6), `stroke="`+esc(b.color)+`" stroke-dasharray="3 2"`)
			} else {
				rect(g, f.x, by, x1-f.x, barH, b.color, `rx="1"`)
			}
			text(g, x1+5, by+barH/2+4, label, `font-family="`+esc(fontMono)+`" font-size="11"`)
			if b.note != "" {
				text(g, x1+10+textWidth(label)*0.95, by+barH/2+4, truncate(b.note, 40), `fill="`+colMuted+`" font-size="11"`)
			}
			g.WriteString("</g>")
		}
		g.WriteString("\n")
	}
	h := f.h + 20
	if caption = axisCaption(caption, unit, f.logX); caption != "" {
		text(g, f.x+f.w/2, f.y+f.h+30, caption, `text-anchor="middle" fill="`+colMuted+`" class="axis-caption"`)
		h += 14
	}
	return h
}

// axisCaption is a value axis's caption with its unit and, on a
// logarithmic axis, "log scale" — so that equal steps are not read as equal
// differences: "lateness (ms, log scale)".
func axisCaption(label, unit string, log bool) string {
	var extra []string
	if unit != "" && !strings.Contains(label, unit) {
		if label == "" {
			label = unit
		} else {
			extra = append(extra, unit)
		}
	}
	if log {
		extra = append(extra, "log scale")
	}
	switch {
	case len(extra) == 0:
		return label
	case label == "":
		return strings.Join(extra, ", ")
	}
	return label + " (" + strings.Join(extra, ", ") + ")"
}
