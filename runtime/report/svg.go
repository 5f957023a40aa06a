package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Palette. Every chart draws its own white card (background rect and
// border), so the colours are chosen against white and stay readable when
// the notebook theme is dark. State and series colours follow Okabe & Ito's
// colour-blind-safe palette.
const (
	colBackground = "#ffffff"
	colBorder     = "#d0d7de"
	colText       = "#1f2328"
	colMuted      = "#57606a"
	colGrid       = "#e6e9ed"
	colAxis       = "#8c959f"
	colIdeal      = "#6e7781"
	colBudget     = "#cf222e"

	colRunning = "#009E73"
	colWaiting = "#D55E00"
	colBlocked = "#56B4E9"
	// colReleased is running with the lock released (rt.NoGIL): a blue,
	// like blocked (the lock is free), but dark (a core is busy).
	colReleased = "#0072B2"
	// colThrottled marks intervals in which a CPU quota held the whole
	// process off: neither the lock nor the work, so it is grey.
	colThrottled = "#424a53"
)

// seriesColors are used in order for lines and bar groups.
var seriesColors = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"}

// SeriesColor returns the colour charts use for the i-th series.
func SeriesColor(i int) string {
	return seriesColors[((i%len(seriesColors))+len(seriesColors))%len(seriesColors)]
}

const (
	fontSans = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
	fontMono = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"
	svgNS    = "http://www.w3.org/2000/svg"

	defaultWidth = 760
)

// Options are the common knobs of every chart. The zero value is fine.
type Options struct {
	Title    string // drawn at the top; also the SVG's <title>
	Subtitle string // a muted line under the title
	Width    int    // viewBox width in px; 0 = 760. Charts scale down to their container.
	XLabel   string // axis captions, where the chart has them
	YLabel   string
	Unit     string // unit of the values (bars, CDF): "ms", "req/s", "×"
	Log      bool   // logarithmic value axis (bars, CDF)
}

func (o Options) width() float64 {
	if o.Width < 320 {
		if o.Width == 0 {
			return defaultWidth
		}
		return 320
	}
	return float64(o.Width)
}

// canvas collects SVG elements of one or more stacked panels. Charts use no
// ids, gradients or patterns, so several of them inline in one HTML page
// cannot interfere with each other.
type canvas struct {
	w    float64
	body strings.Builder
	y    float64 // where the next panel starts
}

func newCanvas(w float64) *canvas { return &canvas{w: w} }

// panel starts a group at the current y; the returned function closes it
// after the panel's height h is known.
func (c *canvas) panel() (g *strings.Builder, end func(h float64)) {
	fmt.Fprintf(&c.body, `<g transform="translate(0,%s)">`, num(c.y))
	return &c.body, func(h float64) {
		c.body.WriteString("</g>\n")
		c.y += h
	}
}

// svg returns the finished standalone document.
func (c *canvas) svg(title string) string {
	h := math.Ceil(c.y)
	if h < 40 {
		h = 40
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="%s" viewBox="0 0 %s %s" width="%s" height="%s" style="max-width:100%%;height:auto" font-family="%s" font-size="12" fill="%s" role="img" aria-label="%s">`+"\n",
		svgNS, num(c.w), num(h), num(c.w), num(h), esc(fontSans), colText, esc(title))
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(title))
	fmt.Fprintf(&b, `<rect x="0.5" y="0.5" width="%s" height="%s" rx="6" fill="%s" stroke="%s"/>`+"\n",
		num(c.w-1), num(h-1), colBackground, colBorder)
	b.WriteString(c.body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

// heading draws title and subtitle and returns the y below them; a section
// heading (a panel inside a larger figure) is smaller.
func heading(g *strings.Builder, o Options, x float64, section bool) float64 {
	y := 10.0
	avail := o.width() - 2*x // long titles wrap instead of running off the right edge
	if o.Title != "" {
		size, attrs := 15.0, `font-size="15" font-weight="600"`
		if section {
			size, attrs = 13, `font-size="13" font-weight="600"`
		}
		for i, l := range wrapWords(o.Title, fitRunes(avail, size)) {
			y += 16 + 2*float64(min(i, 1))
			text(g, x, y, l, attrs)
		}
	}
	if o.Subtitle != "" {
		for i, l := range wrapWords(o.Subtitle, fitRunes(avail, 12)) {
			y += 17 - 2*float64(min(i, 1))
			text(g, x, y, l, `fill="`+colMuted+`"`)
		}
	}
	return y + 10
}

// fitRunes is how many runes of text at size px fit in w px (bold titles
// run a little wider than textWidth's estimate).
func fitRunes(w, size float64) int {
	n := int(w / (textWidth("m") * size / 12 * 1.05))
	return max(n, 10)
}

// esc escapes s for XML text and attribute values, and replaces characters
// XML 1.0 cannot carry (control characters, invalid UTF-8) by U+FFFD.
func esc(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				b.WriteRune('\uFFFD')
				continue
			}
		}
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\'':
			b.WriteString("&apos;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteRune(r)
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r <= 0xDFFF):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// num prints a coordinate compactly.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func text(g *strings.Builder, x, y float64, s, attrs string) {
	fmt.Fprintf(g, `<text x="%s" y="%s" %s>%s</text>`, num(x), num(y), attrs, esc(s))
}

func rect(g *strings.Builder, x, y, w, h float64, fill, attrs string) {
	if w <= 0 || h <= 0 {
		return
	}
	fmt.Fprintf(g, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" %s/>`, num(x), num(y), num(w), num(h), esc(fill), attrs)
}

func line(g *strings.Builder, x1, y1, x2, y2 float64, stroke, attrs string) {
	fmt.Fprintf(g, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" %s/>`, num(x1), num(y1), num(x2), num(y2), esc(stroke), attrs)
}

// wrapWords splits s into lines of at most n runes at spaces.
func wrapWords(s string, n int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range strings.Fields(s) {
		if cur.Len() > 0 && utf8.RuneCountInString(cur.String())+1+utf8.RuneCountInString(w) > n {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	if cur.Len() > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

// truncate shortens s to at most n runes with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// textWidth estimates the width of s at 12 px in a sans font.
func textWidth(s string) float64 { return 6.8 * float64(utf8.RuneCountInString(s)) }

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if !finite(lo) || !finite(hi) {
		return nil
	}
	if !(hi > lo) {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / float64(max(n, 1)))
	var out []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+step*1e-9 && len(out) <= 4*n+2; v += step {
		out = append(out, math.Round(v/step)*step+0) // +0 turns -0 into 0
	}
	return out
}

func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// clean maps NaN and ±Inf to 0 so that they cannot break an axis.
func clean(v float64) float64 {
	if finite(v) {
		return v
	}
	return 0
}

// niceMax rounds hi up to the next tick boundary.
func niceMax(hi float64, n int) float64 {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return 1
	}
	step := niceStep(hi / float64(n))
	return math.Ceil(hi/step-1e-9) * step
}

// fmtNum prints a value for labels: 3 significant digits, thousands kept whole.
func fmtNum(v float64) string {
	a := math.Abs(v)
	switch {
	case v == 0:
		return "0"
	case a >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64))
	case a >= 1:
		return trimZeros(strconv.FormatFloat(v, 'f', 2, 64))
	default:
		return trimZeros(strconv.FormatFloat(v, 'g', 3, 64))
	}
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// FormatDuration prints d for people: 850 µs, 12.3 ms, 1.23 s, 2m05s.
func FormatDuration(d time.Duration) string {
	switch a := d.Abs(); {
	case a == 0:
		return "0 s"
	case a < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case a < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	case a < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case a < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	case a < 100*time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}

// percent prints a fraction as a percentage with one decimal.
func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// mix blends two #rrggbb colours; t=0 gives a, t=1 gives b.
func mix(a, b string, t float64) string {
	t = math.Max(0, math.Min(1, t))
	pa, pb := parseHex(a), parseHex(b)
	var out [3]int
	for i := range out {
		out[i] = int(math.Round(float64(pa[i])*(1-t) + float64(pb[i])*t))
	}
	return fmt.Sprintf("#%02x%02x%02x", out[0], out[1], out[2])
}

func parseHex(s string) [3]int {
	var r, g, b int
	fmt.Sscanf(strings.TrimPrefix(s, "#"), "%02x%02x%02x", &r, &g, &b)
	return [3]int{r, g, b}
}
