package notebook

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// renderMarkdownLegacy renders the Markdown of a notebook cell to HTML. It knows
// what notebooks use — ATX and setext headings, paragraphs, emphasis,
// strong, strikethrough, inline code, fenced and indented code, ordered and
// bullet lists (nested), GFM pipe tables, links and images (inline and by
// reference), autolinks, blockquotes, thematic breaks, hard line breaks,
// TeX math kept as text, a few attribute-free inline tags (<kbd>,
// <sub>, <sup>, <b>, <i>, <br>, ...), and folded sections: a line
// `<details>` or `<details><summary>text</summary>` opens one and a line
// `</details>` closes it (what the workshop's worked solutions use; every
// section still open at the end of the cell is closed) — and escapes everything else, other
// raw HTML included, so its output never carries markup the source did not
// ask for. Link and image URLs with a scheme other than http, https, mailto
// or ftp (and data:image/... for images) are dropped.
func renderMarkdownLegacy(src string) string {
	r := newLegacyMarkdown(nil)
	return r.render(src)
}

// markdown is one rendering session: heading ids stay unique across all
// the cells of a handout rendered with it.
type legacyMarkdown struct {
	// image resolves an image source before it is checked, e.g. an
	// "attachment:" reference to a data URI; nil leaves it alone.
	image func(src string) string
	ids   map[string]int
	refs  map[string]linkRef
	depth int // nesting of blocks being rendered (lists, quotes)
	open  int // <details> sections opened and not yet closed in this cell
}

// maxNesting bounds how deeply lists and blockquotes nest.
const maxNesting = 16

type linkRef struct{ dest, title string }

func newLegacyMarkdown(image func(string) string) *legacyMarkdown {
	return &legacyMarkdown{image: image, ids: map[string]int{}}
}

func (m *legacyMarkdown) render(src string) string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	src = strings.ReplaceAll(src, "\x00", "\uFFFD")
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		lines[i] = expandTabs(l)
	}
	m.refs = collectRefs(lines)
	m.open = 0
	var b strings.Builder
	m.blocks(&b, lines, false)
	for ; m.open > 0; m.open-- {
		b.WriteString("</details>\n")
	}
	return b.String()
}

// expandTabs turns tabs into spaces, to tab stops of 4, so that
// indentation can be measured in columns.
func expandTabs(line string) string {
	if !strings.Contains(line, "\t") {
		return line
	}
	var b strings.Builder
	col := 0
	for _, r := range line {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

func indentOf(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

var (
	atxRe      = regexp.MustCompile(`^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$`)
	fenceRe    = regexp.MustCompile("^(`{3,}|~{3,})[ \t]*([^`]*)$")
	thematicRe = regexp.MustCompile(`^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$`)
	setextRe   = regexp.MustCompile(`^(=+|-+)[ \t]*$`)
	// A folded section, on lines of its own; the summary is Markdown text.
	legacyDetailsOpenRe  = regexp.MustCompile(`^<details>(?:<summary>(.*)</summary>)?[ \t]*$`)
	legacyDetailsCloseRe = regexp.MustCompile(`^</details>[ \t]*$`)
	bulletRe             = regexp.MustCompile(`^([-*+])( +|$)`)
	orderedRe            = regexp.MustCompile(`^([0-9]{1,9})([.)])( +|$)`)
	refDefRe             = regexp.MustCompile(`^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>]*>|\S+)(?:[ \t]+("[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$`)
	delimCellRe          = regexp.MustCompile(`^:?-+:?$`)
)

// collectRefs finds the link reference definitions ([label]: url "title")
// outside fenced code, so that links may use labels defined after them.
func collectRefs(lines []string) map[string]linkRef {
	refs := map[string]linkRef{}
	fence := ""
	for _, l := range lines {
		t := strings.TrimLeft(l, " ")
		if fence != "" {
			if strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" ") == "" {
				fence = ""
			}
			continue
		}
		if f := fenceRe.FindStringSubmatch(t); f != nil && indentOf(l) < 4 {
			fence = f[1]
			continue
		}
		if d := refDefRe.FindStringSubmatch(l); d != nil {
			label := normLabel(d[1])
			if _, dup := refs[label]; !dup {
				title := d[3]
				if len(title) >= 2 {
					title = title[1 : len(title)-1]
				}
				refs[label] = linkRef{dest: strings.Trim(d[2], "<>"), title: title}
			}
		}
	}
	return refs
}

func normLabel(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// blocks renders lines as a sequence of blocks. In a tight list item,
// paragraphs are written without <p>.
func (m *legacyMarkdown) blocks(b *strings.Builder, lines []string, tight bool) {
	m.depth++
	defer func() { m.depth-- }()
	if m.depth > maxNesting {
		// Deeper than any real notebook nests: plain text, so that
		// hostile input cannot make rendering quadratic.
		b.WriteString("<p>" + html.EscapeString(strings.Join(lines, "\n")) + "</p>\n")
		return
	}
	for i := 0; i < len(lines); {
		line := lines[i]
		if isBlank(line) {
			i++
			continue
		}
		ind := indentOf(line)
		if ind >= 4 {
			i = m.indentedCode(b, lines, i)
			continue
		}
		t := line[ind:]
		switch {
		case fenceRe.MatchString(t):
			i = m.fencedCode(b, lines, i)
		case atxRe.MatchString(t):
			f := atxRe.FindStringSubmatch(t)
			m.heading(b, len(f[1]), f[2])
			i++
		case thematicRe.MatchString(t):
			b.WriteString("<hr>\n")
			i++
		case strings.HasPrefix(t, ">"):
			i = m.blockquote(b, lines, i)
		case strings.HasPrefix(t, "$$"):
			i = m.mathBlock(b, lines, i)
		case legacyDetailsOpenRe.MatchString(t):
			m.open++
			b.WriteString("<details>")
			if f := legacyDetailsOpenRe.FindStringSubmatch(t); f[1] != "" {
				b.WriteString("<summary>" + m.inline(f[1], false) + "</summary>")
			}
			b.WriteString("\n")
			i++
		case legacyDetailsCloseRe.MatchString(t) && m.open > 0:
			m.open--
			b.WriteString("</details>\n")
			i++
		case listMarker(line) != nil:
			i = m.list(b, lines, i)
		case isTableStart(lines, i):
			i = m.table(b, lines, i)
		default:
			i = m.paragraph(b, lines, i, tight)
		}
	}
}

func (m *legacyMarkdown) indentedCode(b *strings.Builder, lines []string, i int) int {
	var code []string
	for ; i < len(lines) && (isBlank(lines[i]) || indentOf(lines[i]) >= 4); i++ {
		l := lines[i]
		if len(l) >= 4 {
			l = l[4:]
		} else {
			l = ""
		}
		code = append(code, l)
	}
	for len(code) > 0 && isBlank(code[len(code)-1]) {
		code = code[:len(code)-1]
		i--
	}
	b.WriteString("<pre><code>")
	b.WriteString(html.EscapeString(strings.Join(code, "\n") + "\n"))
	b.WriteString("</code></pre>\n")
	return i
}

func (m *legacyMarkdown) fencedCode(b *strings.Builder, lines []string, i int) int {
	ind := indentOf(lines[i])
	f := fenceRe.FindStringSubmatch(lines[i][ind:])
	fence, info := f[1], strings.TrimSpace(f[2])
	var code []string
	for i++; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimLeft(l, " ")
		if indentOf(l) < 4 && strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]+" ") == "" {
			i++
			break
		}
		// Remove up to the fence's own indentation from each line.
		n := min(ind, indentOf(l))
		code = append(code, l[n:])
	}
	b.WriteString("<pre><code")
	if lang, _, _ := strings.Cut(info, " "); lang != "" {
		b.WriteString(` class="language-` + html.EscapeString(lang) + `"`)
	}
	b.WriteString(">")
	if len(code) > 0 {
		b.WriteString(html.EscapeString(strings.Join(code, "\n") + "\n"))
	}
	b.WriteString("</code></pre>\n")
	return i
}

func (m *legacyMarkdown) heading(b *strings.Builder, level int, text string) {
	text = strings.TrimSpace(text)
	id := m.headingID(text)
	tag := "h" + strconv.Itoa(level)
	b.WriteString("<" + tag + ` id="` + html.EscapeString(id) + `">`)
	b.WriteString(m.inline(text, false))
	b.WriteString("</" + tag + ">\n")
}

// headingID makes an anchor from a heading's text the way Jupyter does
// (words joined by "-"), unique within the session.
func (m *legacyMarkdown) headingID(text string) string {
	plain := plainText(m.inline(text, true))
	var words []string
	for _, w := range strings.Fields(plain) {
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_' || r == '.' {
				return r
			}
			return -1
		}, w)
		if w != "" {
			words = append(words, w)
		}
	}
	id := strings.Join(words, "-")
	if id == "" {
		id = "section"
	}
	n := m.ids[id]
	m.ids[id] = n + 1
	if n > 0 {
		id += "-" + strconv.Itoa(n)
	}
	return id
}

func (m *legacyMarkdown) blockquote(b *strings.Builder, lines []string, i int) int {
	var inner []string
	for ; i < len(lines) && !isBlank(lines[i]); i++ {
		t := strings.TrimLeft(lines[i], " ")
		if strings.HasPrefix(t, ">") && indentOf(lines[i]) < 4 {
			t = strings.TrimPrefix(t[1:], " ")
			inner = append(inner, t)
			continue
		}
		if startsBlock(lines, i) {
			break
		}
		inner = append(inner, lines[i]) // lazy continuation of a quoted paragraph
	}
	b.WriteString("<blockquote>\n")
	m.blocks(b, inner, false)
	b.WriteString("</blockquote>\n")
	return i
}

func (m *legacyMarkdown) mathBlock(b *strings.Builder, lines []string, i int) int {
	var tex []string
	first := strings.TrimSpace(lines[i])
	tex = append(tex, first)
	closed := len(first) > 2 && strings.HasSuffix(first, "$$")
	for i++; !closed && i < len(lines); i++ {
		tex = append(tex, lines[i])
		closed = strings.HasSuffix(strings.TrimSpace(lines[i]), "$$")
	}
	b.WriteString(`<div class="math">`)
	b.WriteString(html.EscapeString(strings.Join(tex, "\n")))
	b.WriteString("</div>\n")
	return i
}

// startsBlock reports whether line i begins a block that ends a paragraph.
func startsBlock(lines []string, i int) bool {
	line := lines[i]
	if isBlank(line) {
		return true
	}
	ind := indentOf(line)
	if ind >= 4 {
		return false
	}
	t := line[ind:]
	if fenceRe.MatchString(t) || atxRe.MatchString(t) || thematicRe.MatchString(t) ||
		strings.HasPrefix(t, ">") || strings.HasPrefix(t, "$$") || isTableStart(lines, i) ||
		legacyDetailsOpenRe.MatchString(t) || legacyDetailsCloseRe.MatchString(t) {
		return true
	}
	// A list item interrupts a paragraph only if it has content, and an
	// ordered one only if it starts at 1 (so "2024. A year" stays text).
	if lm := listMarker(line); lm != nil && !isBlank(lm.rest) {
		return !lm.ordered || lm.start == 1
	}
	return false
}

func (m *legacyMarkdown) paragraph(b *strings.Builder, lines []string, i int, tight bool) int {
	// Reference definitions at the start of a paragraph were collected
	// already; they render as nothing.
	for i < len(lines) && refDefRe.MatchString(lines[i]) {
		i++
	}
	var text []string
	for ; i < len(lines); i++ {
		if len(text) > 0 {
			if t := strings.TrimSpace(lines[i]); setextRe.MatchString(t) && indentOf(lines[i]) < 4 {
				level := 1
				if t[0] == '-' {
					level = 2
				}
				m.heading(b, level, strings.Join(text, "\n"))
				return i + 1
			}
			if startsBlock(lines, i) {
				break
			}
		} else if isBlank(lines[i]) {
			break
		}
		text = append(text, strings.TrimLeft(lines[i], " "))
	}
	if len(text) == 0 {
		return i
	}
	body := m.inline(strings.TrimRight(strings.Join(text, "\n"), " \t"), false)
	if tight {
		b.WriteString(body + "\n")
	} else {
		b.WriteString("<p>" + body + "</p>\n")
	}
	return i
}

// marker is a list item's marker line, parsed.
type marker struct {
	ordered bool
	delim   byte // '-', '*', '+' for bullets; '.' or ')' for ordered
	start   int
	content int    // column where the item's content starts
	rest    string // the content on the marker line
}

func listMarker(line string) *marker {
	ind := indentOf(line)
	if ind >= 4 {
		return nil
	}
	t := line[ind:]
	if thematicRe.MatchString(t) {
		return nil
	}
	if f := bulletRe.FindStringSubmatch(t); f != nil {
		return newMarker(false, f[1][0], 0, ind, len(f[1]), f[2], t[len(f[0]):])
	}
	if f := orderedRe.FindStringSubmatch(t); f != nil {
		n, _ := strconv.Atoi(f[1])
		return newMarker(true, f[2][0], n, ind, len(f[1])+1, f[3], t[len(f[0]):])
	}
	return nil
}

func newMarker(ordered bool, delim byte, start, ind, width int, spaces, rest string) *marker {
	pad := len(spaces)
	if pad == 0 || pad > 4 {
		// No content on the line, or content that is itself indented
		// code: the item's content starts one space after the marker.
		if pad > 4 {
			rest = strings.Repeat(" ", pad-1) + rest
		}
		pad = 1
	}
	return &marker{ordered: ordered, delim: delim, start: start, content: ind + width + pad, rest: rest}
}

func (lm *marker) sameList(o *marker) bool {
	return o != nil && o.ordered == lm.ordered && o.delim == lm.delim
}

func (m *legacyMarkdown) list(b *strings.Builder, lines []string, i int) int {
	first := listMarker(lines[i])
	var items [][]string
	loose := false
	for i < len(lines) {
		lm := listMarker(lines[i])
		if !first.sameList(lm) {
			break
		}
		item := []string{lm.rest}
		blankInside := false
		j := i + 1
		for j < len(lines) {
			l := lines[j]
			if isBlank(l) {
				// Keep the blank only if the item goes on after it.
				k := j
				for k < len(lines) && isBlank(lines[k]) {
					k++
				}
				if k < len(lines) && indentOf(lines[k]) >= lm.content {
					for ; j < k; j++ {
						item = append(item, "")
					}
					blankInside = true
					continue
				}
				break
			}
			if indentOf(l) >= lm.content {
				item = append(item, l[lm.content:])
				j++
				continue
			}
			if listMarker(l) != nil || startsBlock(lines, j) {
				break
			}
			item = append(item, strings.TrimLeft(l, " ")) // lazy continuation
			j++
		}
		if blankInside && hasBlankBetweenBlocks(item) {
			loose = true
		}
		items = append(items, item)
		// Blank lines before the next item of the same list make it loose.
		k := j
		for k < len(lines) && isBlank(lines[k]) {
			k++
		}
		if k < len(lines) && first.sameList(listMarker(lines[k])) {
			if k > j {
				loose = true
			}
			i = k
			continue
		}
		i = j
		break
	}
	tag := "ul"
	if first.ordered {
		tag = "ol"
	}
	b.WriteString("<" + tag)
	if first.ordered && first.start != 1 {
		b.WriteString(` start="` + strconv.Itoa(first.start) + `"`)
	}
	b.WriteString(">\n")
	for _, item := range items {
		b.WriteString("<li>")
		var inner strings.Builder
		m.blocks(&inner, item, !loose)
		b.WriteString(strings.TrimSuffix(inner.String(), "\n"))
		b.WriteString("</li>\n")
	}
	b.WriteString("</" + tag + ">\n")
	return i
}

// hasBlankBetweenBlocks reports whether an item's own top-level blocks are
// separated by a blank line (which makes its list loose), as opposed to
// blank lines only inside a nested list or code block.
func hasBlankBetweenBlocks(item []string) bool {
	for k := 1; k+1 < len(item); k++ {
		if isBlank(item[k]) && !isBlank(item[k+1]) && indentOf(item[k+1]) == 0 && listMarker(item[k+1]) == nil {
			return true
		}
	}
	return false
}

// isTableStart reports whether lines i and i+1 are a table's header and
// delimiter rows with the same number of cells.
func isTableStart(lines []string, i int) bool {
	if i+1 >= len(lines) || !strings.Contains(lines[i], "|") || indentOf(lines[i]) >= 4 {
		return false
	}
	aligns := delimRow(lines[i+1])
	return aligns != nil && len(splitRow(lines[i])) == len(aligns)
}

// delimRow parses a table's delimiter row into column alignments, or nil.
func delimRow(line string) []string {
	t := strings.TrimSpace(line)
	if !strings.Contains(t, "-") || strings.Trim(t, "|:- \t") != "" {
		return nil
	}
	cells := splitRow(line)
	if len(cells) == 0 || (len(cells) == 1 && !strings.Contains(t, "|")) {
		return nil
	}
	aligns := make([]string, len(cells))
	for k, c := range cells {
		if !delimCellRe.MatchString(c) {
			return nil
		}
		switch {
		case c[0] == ':' && c[len(c)-1] == ':':
			aligns[k] = "center"
		case c[len(c)-1] == ':':
			aligns[k] = "right"
		case c[0] == ':':
			aligns[k] = "left"
		}
	}
	return aligns
}

// splitRow splits a table row into trimmed cells at unescaped pipes; an
// escaped pipe (\|) becomes part of the cell.
func splitRow(line string) []string {
	t := strings.TrimSpace(line)
	t = strings.TrimPrefix(t, "|")
	if strings.HasSuffix(t, "|") && !strings.HasSuffix(t, `\|`) {
		t = t[:len(t)-1]
	}
	var cells []string
	var cell strings.Builder
	for k := 0; k < len(t); k++ {
		switch {
		case t[k] == '\\' && k+1 < len(t) && t[k+1] == '|':
			cell.WriteByte('|')
			k++
		case t[k] == '|':
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(t[k])
		}
	}
	return append(cells, strings.TrimSpace(cell.String()))
}

func (m *legacyMarkdown) table(b *strings.Builder, lines []string, i int) int {
	aligns := delimRow(lines[i+1])
	row := func(line, cellTag string) {
		cells := splitRow(line)
		b.WriteString("<tr>")
		for k, a := range aligns {
			b.WriteString("<" + cellTag)
			if a != "" {
				b.WriteString(` style="text-align:` + a + `"`)
			}
			b.WriteString(">")
			if k < len(cells) {
				b.WriteString(m.inline(cells[k], false))
			}
			b.WriteString("</" + cellTag + ">")
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("<table>\n<thead>\n")
	row(lines[i], "th")
	b.WriteString("</thead>\n")
	i += 2
	body := false
	for ; i < len(lines) && !isBlank(lines[i]); i++ {
		if t := strings.TrimLeft(lines[i], " "); !strings.Contains(t, "|") && startsBlock(lines, i) {
			break
		}
		if !body {
			b.WriteString("<tbody>\n")
			body = true
		}
		row(lines[i], "td")
	}
	if body {
		b.WriteString("</tbody>\n")
	}
	b.WriteString("</table>\n")
	return i
}
