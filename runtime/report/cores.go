package report

import (
	"fmt"
	"math"
	"strings"
	"time"

	"corelab/runtime/meter"
)

// heat maps a busy fraction to a colour from near-white (idle) through mid
// blue to dark blue (fully busy).
func heat(v float64) string {
	v = math.Max(0, math.Min(1, clean(v)))
	if v < 0.5 {
		return mix("#eef2f6", "#6aa5d8", v*2)
	}
	return mix("#6aa5d8", "#08306b", (v-0.5)*2)
}

// CoreUsage draws one heat strip per core (busy % over time, from
// /proc/stat) and a last strip with the average over all cores; the right
// column gives each core's mean. span is the time axis length; 0 means up to
// the last sample.
func CoreUsage(cores []meter.CoreSeries, span time.Duration, o Options) string {
	c := newCanvas(o.width())
	drawCores(c, cores, nil, nil, span, o, false, coreLabelW)
	return c.svg(titleOr(o.Title, "Per-core usage over time"))
}

// coreLabelW is the width of the core-name column.
const coreLabelW = 60.0

// drawCores draws the core rows, the average row and, when process is not
// nil, a row for this process's own use (cores used / cores, same scale);
// thr (the quota's held-off intervals) adds a "CPU quota" row and shades
// those intervals across the rows.
func drawCores(c *canvas, cores []meter.CoreSeries, process, thr []meter.Level, span time.Duration, o Options, section bool, labelW float64) {
	g, end := c.panel()
	y := heading(g, o, 12, section)
	for _, cs := range cores {
		if n := len(cs.Levels); n > 0 && cs.Levels[n-1].End > span {
			span = cs.Levels[n-1].End
		}
	}
	if len(cores) == 0 || span <= 0 {
		text(g, 12, y+14, "No per-core samples (the run was shorter than one /proc/stat tick, or /proc/stat is missing).", `fill="`+colMuted+`"`)
		end(y + 30)
		return
	}
	n := len(cores)
	rowH := 16.0
	if n > 8 {
		rowH = math.Max(5, math.Floor(150/float64(n)))
	}
	gap := 3.0
	if rowH < 10 {
		gap = 1
	}
	labelEvery := int(math.Ceil(12 / (rowH + gap)))
	const rightW = 70.0
	plotX := 12 + labelW + 10
	plotW := c.w - plotX - rightW - 12
	cols := int(math.Min(plotW/3, 240))
	top := y

	mean := make([]float64, cols)
	covered := make([]float64, cols)
	var meanAll float64
	for i, cs := range cores {
		ry := top + float64(i)*(rowH+gap)
		vals, cov := bucketLevels(cs.Levels, span, cols)
		fmt.Fprintf(g, `<g class="core"><title>%s</title>`, esc(fmt.Sprintf("cpu%d: busy %s on average", cs.CPU, percent(cs.Mean))))
		if i%labelEvery == 0 {
			text(g, plotX-8, ry+rowH/2+4, fmt.Sprintf("cpu%d", cs.CPU), `text-anchor="end" font-family="`+esc(fontMono)+`" font-size="11"`)
		}
		drawHeatRow(g, vals, cov, plotX, ry, plotW, rowH)
		if i%labelEvery == 0 {
			text(g, plotX+plotW+8, ry+rowH/2+4, fmt.Sprintf("%3.0f%%", 100*cs.Mean),
				`fill="`+colMuted+`" font-family="`+esc(fontMono)+`" font-size="11"`)
		}
		g.WriteString("</g>\n")
		for k := range vals {
			if cov[k] > 0 {
				mean[k] += vals[k]
				covered[k]++
			}
		}
		meanAll += cs.Mean
	}
	for k := range mean {
		if covered[k] > 0 {
			mean[k] /= covered[k]
			covered[k] = 1
		}
	}
	meanAll /= float64(n)

	ry := top + float64(n)*(rowH+gap) + 4
	avgH := 16.0
	g.WriteString(`<g class="core-average">`)
	fmt.Fprintf(g, `<title>%s</title>`, esc(fmt.Sprintf("all %d cores: busy %s on average (%s cores)", n, percent(meanAll), fmtNum(meanAll*float64(n)))))
	text(g, plotX-8, ry+avgH/2+4, "average", `text-anchor="end" font-weight="600" font-size="11"`)
	drawHeatRow(g, mean, covered, plotX, ry, plotW, avgH)
	text(g, plotX+plotW+8, ry+avgH/2+4, fmt.Sprintf("%3.0f%%", 100*meanAll),
		`font-weight="600" font-family="`+esc(fontMono)+`" font-size="11"`)
	g.WriteString("</g>\n")

	if len(process) > 0 {
		ry += avgH + 3
		scaled := make([]meter.Level, len(process))
		var cpu, wall float64
		for i, l := range process {
			scaled[i] = meter.Level{Start: l.Start, End: l.End, Busy: l.Busy / float64(n)}
			d := (l.End - l.Start).Seconds()
			cpu += l.Busy * d
			wall += d
		}
		used := 0.0
		if wall > 0 {
			used = cpu / wall
		}
		vals, cov := bucketLevels(scaled, span, cols)
		g.WriteString(`<g class="core-process">`)
		fmt.Fprintf(g, `<title>%s</title>`, esc(fmt.Sprintf("this process: %s cores of %d on average (/proc/self/stat)", fmtNum(used), n)))
		text(g, plotX-8, ry+avgH/2+4, "this process", `text-anchor="end" font-size="11"`)
		drawHeatRow(g, vals, cov, plotX, ry, plotW, avgH)
		text(g, plotX+plotW+8, ry+avgH/2+4, fmt.Sprintf("%.2f cores", used), `font-family="`+esc(fontMono)+`" font-size="11"`)
		g.WriteString("</g>\n")
	}

	if len(thr) > 0 {
		shadeThrottled(g, thr, span, plotX, top, plotW, ry+avgH-top)
		ry += avgH + 3
		drawThrottledRow(g, thr, span, plotX, ry, plotW, 10)
		ry -= avgH - 10
	}

	ay := ry + avgH + 4
	timeAxis(g, plotX, plotW, ay, span, o.XLabel)

	// discrete colour scale as the legend
	ly := ay + 26
	x := plotX
	text(g, x, ly+10, "busy:", `font-size="11" fill="`+colMuted+`"`)
	x += 40
	g.WriteString(`<g class="legend">`)
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		rect(g, x, ly, 12, 12, heat(v), `rx="2" stroke="`+colGrid+`"`)
		text(g, x+16, ly+10, fmt.Sprintf("%.0f%%", 100*v), `font-size="11"`)
		x += 58
	}
	g.WriteString("</g>")
	text(g, plotX+plotW, ly+10, "all processes on the machine (/proc/stat)", `text-anchor="end" font-size="11" fill="`+colMuted+`"`)
	end(ly + 22)
}

// bucketLevels averages levels into cols equal columns over [0, span]; cov
// is the fraction of each column the levels cover.
func bucketLevels(levels []meter.Level, span time.Duration, cols int) (vals, cov []float64) {
	vals, cov = make([]float64, cols), make([]float64, cols)
	per := float64(span) / float64(cols)
	for _, l := range levels {
		busy := clean(l.Busy)
		spread(float64(l.Start)/per, float64(l.End)/per, cols, func(col int, w float64) {
			vals[col] += busy * w
			cov[col] += w
		})
	}
	for i := range vals {
		if cov[i] > 0 {
			vals[i] /= cov[i]
		}
	}
	return vals, cov
}

// spread calls add for each of cols unit columns that [a, b) overlaps, with
// the width of the overlap: how rasterising charts share time among pixels.
func spread(a, b float64, cols int, add func(col int, w float64)) {
	if !(b > 0) || !(a < float64(cols)) {
		return
	}
	a, b = math.Max(a, 0), math.Min(b, float64(cols))
	for col := int(a); col < cols && float64(col) < b; col++ {
		if lo, hi := math.Max(a, float64(col)), math.Min(b, float64(col+1)); hi > lo {
			add(col, hi-lo)
		}
	}
}

// drawHeatRow draws columns of a heat strip, merging neighbours of the same colour.
func drawHeatRow(g *strings.Builder, vals, cov []float64, x0, y0, w, h float64) {
	rect(g, x0, y0, w, h, "#f6f8fa", `stroke="`+colGrid+`"`)
	cw := w / float64(len(vals))
	for i := 0; i < len(vals); {
		if cov[i] <= 0 {
			i++
			continue
		}
		col := heat(vals[i])
		j := i + 1
		for j < len(vals) && cov[j] > 0 && heat(vals[j]) == col {
			j++
		}
		rect(g, x0+float64(i)*cw, y0, float64(j-i)*cw+0.3, h, col, "")
		i = j
	}
}
