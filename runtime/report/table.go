package report

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

var numericCell = regexp.MustCompile(`^[-+]?[0-9][0-9,.]*\s*(%|×|x|[a-zA-Zµ/]+)?$`)

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
