package report

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var numericCell = regexp.MustCompile(`^(<\s*)?[-+]?[0-9][0-9,.]*\s*(%|×|x|[a-zA-Zµ/]+)?$`)

// Table returns an HTML table with a header row. Every cell is escaped;
// numeric-looking cells are right-aligned. It relies on the notebook's own
// table style, so it follows light and dark themes.
func Table(header []string, rows [][]string) string {
	right := numericColumns(header, rows)
	align := func(i int) string {
		if i < len(right) && right[i] {
			return "right"
		}
		return "left"
	}
	var b strings.Builder
	b.WriteString(`<table class="corelab-table">`)
	if len(header) > 0 {
		b.WriteString("<thead><tr>")
		for i, h := range header {
			b.WriteString(`<th style="text-align:` + align(i) + `">` + html.EscapeString(h) + "</th>")
		}
		b.WriteString("</tr></thead>")
	}
	b.WriteString("<tbody>")
	for _, r := range rows {
		b.WriteString("<tr>")
		for i, c := range r {
			b.WriteString(`<td style="text-align:` + align(i) + `">` + html.EscapeString(c) + "</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
	return b.String()
}

// numericColumns reports, per column, whether every non-empty body cell
// looks like a number (such columns are right-aligned, header included).
func numericColumns(header []string, rows [][]string) []bool {
	ncol := len(header)
	for _, r := range rows {
		ncol = max(ncol, len(r))
	}
	out := make([]bool, ncol)
	for i := range out {
		seen := false
		out[i] = true
		for _, r := range rows {
			if i >= len(r) || strings.TrimSpace(r[i]) == "" {
				continue
			}
			seen = true
			if !numericCell.MatchString(strings.TrimSpace(r[i])) {
				out[i] = false
				break
			}
		}
		out[i] = out[i] && seen
	}
	return out
}

// TextTable returns rows aligned in columns for plain text: numeric columns
// right, others left, two spaces between columns, a rule under the header.
func TextTable(header []string, rows [][]string) string {
	right := numericColumns(header, rows)
	ncol := len(right)
	width := make([]int, ncol)
	all := append([][]string{header}, rows...)
	for _, r := range all {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	writeRow := func(r []string) {
		var line strings.Builder
		for i := 0; i < ncol; i++ {
			c := ""
			if i < len(r) {
				c = r[i]
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				line.WriteString("  ")
			}
			if right[i] {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
	if len(header) > 0 {
		writeRow(header)
		total := 2 * (ncol - 1)
		for _, w := range width {
			total += w
		}
		b.WriteString(strings.Repeat("-", total) + "\n")
	}
	for _, r := range rows {
		writeRow(r)
	}
	return b.String()
}

// A DurationUnit prints durations that are read together — a table's
// column, or the times of one summary — in one unit with the same number of
// decimals, so "28.457µs" never stands beside "5.89ms" and the digits line up.
// Make one with [UnitFor].
type DurationUnit struct {
	size     time.Duration
	name     string
	decimals int
}

// UnitFor picks the unit for ds: the largest of s, ms, µs and ns in which
// the largest of them is at least 1, with enough decimals to give that one
// three significant digits and the smallest non-zero one a digit of its own
// (at most three decimals; a value still too small prints as "< 0.001 ms").
func UnitFor(ds ...time.Duration) DurationUnit {
	var hi, lo time.Duration
	for _, d := range ds {
		d = d.Abs()
		hi = max(hi, d)
		if d > 0 && (lo == 0 || d < lo) {
			lo = d
		}
	}
	u := DurationUnit{size: time.Second, name: "s"}
	switch {
	case hi == 0:
		return u
	case hi < time.Microsecond:
		return DurationUnit{size: time.Nanosecond, name: "ns"}
	case hi < time.Millisecond:
		u.size, u.name = time.Microsecond, "µs"
	case hi < time.Second:
		u.size, u.name = time.Millisecond, "ms"
	}
	top := float64(hi) / float64(u.size)
	switch {
	case top < 10:
		u.decimals = 2
	case top < 100:
		u.decimals = 1
	}
	if small := float64(lo) / float64(u.size); small < 1 {
		u.decimals = max(u.decimals, int(math.Ceil(-math.Log10(small))))
	}
	u.decimals = min(u.decimals, 3)
	return u
}

// Format prints d in the unit, e.g. "0.03 ms" beside "5.89 ms".
func (u DurationUnit) Format(d time.Duration) string {
	if u.size == 0 {
		u = UnitFor(d)
	}
	v := float64(d) / float64(u.size)
	s := strconv.FormatFloat(v, 'f', u.decimals, 64)
	if d != 0 && strings.Trim(s, "-0.") == "" {
		return "< " + strconv.FormatFloat(math.Pow(10, -float64(u.decimals)), 'f', u.decimals, 64) + " " + u.name
	}
	return s + " " + u.name
}

// FormatDurations prints ds in the one unit [UnitFor] picks for them.
func FormatDurations(ds ...time.Duration) []string {
	u := UnitFor(ds...)
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = u.Format(d)
	}
	return out
}
