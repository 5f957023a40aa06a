package notebook

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is the inline half of the Markdown renderer: code spans,
// emphasis, links, autolinks, math and escaping within one block.

// inode is a piece of inline output: rendered HTML, or a run of emphasis
// delimiters still waiting for a partner.
type inode struct {
	html   string
	delim  byte // '*', '_' or '~'; 0 for plain HTML
	n      int  // delimiters left in the run
	orig   int  // run length as written
	open   bool // can open emphasis
	close  bool // can close emphasis
	before string
	after  string
}

// inline renders inline Markdown. In a link's text, nested links are not
// recognised (noLinks), as CommonMark forbids links in links.
func (m *legacyMarkdown) inline(s string, noLinks bool) string {
	var nodes []*inode
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &inode{html: html.EscapeString(text.String())})
			text.Reset()
		}
	}
	add := func(h string) {
		flush()
		nodes = append(nodes, &inode{html: h})
	}
	brackets := matchBrackets(s)
	var tags inlineTags
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			add("<br>\n")
			i += 2
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			text.WriteByte(s[i+1])
			i += 2
		case c == '`':
			if h, n := codeSpan(s[i:]); n > 0 {
				add(h)
				i += n
			} else {
				n := runLen(s[i:], '`')
				text.WriteString(s[i : i+n])
				i += n
			}
		case c == '$':
			if h, n := inlineMath(s[i:]); n > 0 {
				add(h)
				i += n
			} else {
				text.WriteByte(c)
				i++
			}
		case c == '<':
			if h, n := autolink(s[i:]); n > 0 {
				add(h)
				i += n
			} else if h, n := tags.tag(s[i:]); n > 0 {
				add(h)
				i += n
			} else {
				text.WriteByte(c)
				i++
			}
		case c == '!' && i+1 < len(s) && s[i+1] == '[':
			if h, n := m.link(s, i+1, brackets[i+1], true); n > 0 {
				add(h)
				i += 1 + n
			} else {
				text.WriteByte(c)
				i++
			}
		case c == '[' && !noLinks:
			if h, n := m.link(s, i, brackets[i], false); n > 0 {
				add(h)
				i += n
			} else {
				text.WriteByte(c)
				i++
			}
		case c == '*' || c == '_' || c == '~':
			n := runLen(s[i:], c)
			flush()
			nodes = append(nodes, delimRun(s, i, n))
			i += n
		case c == '&':
			if n := entityLen(s[i:]); n > 0 {
				flush()
				nodes = append(nodes, &inode{html: s[i : i+n]})
				i += n
			} else {
				text.WriteByte(c)
				i++
			}
		case c == '\n':
			// Trailing spaces go; two or more of them make a hard break.
			t := text.String()
			trimmed := strings.TrimRight(t, " ")
			text.Reset()
			if trimmed != "" {
				nodes = append(nodes, &inode{html: html.EscapeString(trimmed)})
			}
			if len(t)-len(trimmed) >= 2 {
				add("<br>\n")
			} else {
				text.WriteByte('\n')
			}
			i++
		case (c == 'h' || c == 'H') && !noLinks && wordStart(s, i):
			if h, n := bareURL(s[i:]); n > 0 {
				add(h)
				i += n
			} else {
				text.WriteByte(c)
				i++
			}
		default:
			text.WriteByte(c)
			i++
		}
	}
	flush()
	if close := tags.closeAll(); close != "" {
		nodes = append(nodes, &inode{html: close})
	}
	emphasis(nodes)
	var b strings.Builder
	for _, nd := range nodes {
		b.WriteString(nd.before)
		if nd.delim != 0 {
			b.WriteString(strings.Repeat(string(nd.delim), nd.n))
		} else {
			b.WriteString(nd.html)
		}
		b.WriteString(nd.after)
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return c < 0x80 && unicode.IsPunct(rune(c)) || strings.IndexByte("$+<=>^`|~", c) >= 0
}

func runLen(s string, c byte) int {
	n := 0
	for n < len(s) && s[n] == c {
		n++
	}
	return n
}

// codeSpan renders the code span at the start of s, returning its length,
// or 0 if the opening backticks have no closing run of the same length.
func codeSpan(s string) (string, int) {
	n := runLen(s, '`')
	for k := n; k < len(s); {
		j := strings.IndexByte(s[k:], '`')
		if j < 0 {
			return "", 0
		}
		k += j
		run := runLen(s[k:], '`')
		if run == n {
			code := strings.ReplaceAll(s[n:k], "\n", " ")
			if len(code) >= 2 && code[0] == ' ' && code[len(code)-1] == ' ' && strings.Trim(code, " ") != "" {
				code = code[1 : len(code)-1]
			}
			return "<code>" + html.EscapeString(code) + "</code>", k + run
		}
		k += run
	}
	return "", 0
}

// inlineMath keeps $...$ and $$...$$ TeX as escaped text in a span, so
// that emphasis inside formulas (a_1 * b_2) is left alone. A single $ opens
// only before a non-space and closes only after one, not before a digit,
// so prices ("$5 and $10") stay text.
func inlineMath(s string) (string, int) {
	delim := "$"
	if strings.HasPrefix(s, "$$") {
		delim = "$$"
	}
	body := s[len(delim):]
	if body == "" || body[0] == ' ' || body[0] == '\n' {
		return "", 0
	}
	for k := 0; k < len(body); k++ {
		switch {
		case body[k] == '\\':
			k++
		case strings.HasPrefix(body[k:], delim) && k > 0:
			if body[k-1] == ' ' || body[k-1] == '\n' {
				continue
			}
			end := k + len(delim)
			if delim == "$" && end < len(body) && body[end] >= '0' && body[end] <= '9' {
				continue
			}
			n := len(delim) + end
			return `<span class="math">` + html.EscapeString(s[:n]) + `</span>`, n
		}
	}
	return "", 0
}

// inlineTags lets through the few inline HTML tags notebooks write in
// Markdown for looks (<kbd>Ctrl</kbd>, H<sub>2</sub>O, <br>) — only
// without attributes, so they can carry nothing but formatting — and keeps
// them balanced within the span: a stray closing tag stays text, and tags
// left open are closed at its end.
type inlineTags struct{ open []string }

var (
	legacyRawTagRe  = regexp.MustCompile(`^<(/?)([A-Za-z]+)\s*/?>`)
	legacyInlineTag = map[string]bool{"kbd": true, "sub": true, "sup": true, "b": true, "i": true, "em": true, "strong": true, "s": true, "del": true, "u": true, "mark": true, "small": true}
	autolinkRe      = regexp.MustCompile(`^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>`)
	emailRe         = regexp.MustCompile(`^<([A-Za-z0-9.!#$%&'*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>`)
	bareURLRe       = regexp.MustCompile(`^(?i:https?://)[^\s<>]+`)
	entityRe        = regexp.MustCompile(`^&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});`)
)

// tag renders the allowed tag at the start of s, or returns 0.
func (t *inlineTags) tag(s string) (string, int) {
	f := legacyRawTagRe.FindStringSubmatch(s)
	if f == nil {
		return "", 0
	}
	name := strings.ToLower(f[2])
	switch {
	case name == "br":
		return "<br>", len(f[0])
	case !legacyInlineTag[name]:
		return "", 0
	case f[1] == "":
		t.open = append(t.open, name)
		return "<" + name + ">", len(f[0])
	}
	for k := len(t.open) - 1; k >= 0; k-- {
		if t.open[k] == name {
			var b strings.Builder
			for _, inner := range slices.Backward(t.open[k:]) {
				b.WriteString("</" + inner + ">")
			}
			t.open = t.open[:k]
			return b.String(), len(f[0])
		}
	}
	return "", 0
}

// closeAll closes the tags still open at the end of a span.
func (t *inlineTags) closeAll() string {
	var b strings.Builder
	for _, name := range slices.Backward(t.open) {
		b.WriteString("</" + name + ">")
	}
	t.open = nil
	return b.String()
}

func autolink(s string) (string, int) {
	if f := autolinkRe.FindStringSubmatch(s); f != nil {
		if u, ok := safeURL(f[1], false); ok {
			return `<a href="` + html.EscapeString(u) + `">` + html.EscapeString(f[1]) + "</a>", len(f[0])
		}
		return html.EscapeString(f[0]), len(f[0])
	}
	if f := emailRe.FindStringSubmatch(s); f != nil {
		return `<a href="mailto:` + html.EscapeString(f[1]) + `">` + html.EscapeString(f[1]) + "</a>", len(f[0])
	}
	return "", 0
}

// wordStart reports whether s[i] starts a word (for bare URLs).
func wordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r) || strings.ContainsRune("(*_~", r)
}

// bareURL links an http(s) URL written as plain text, as GitHub and
// Jupyter do; trailing punctuation and an unbalanced ")" stay text.
func bareURL(s string) (string, int) {
	u := bareURLRe.FindString(s)
	if u == "" {
		return "", 0
	}
	for len(u) > 0 {
		last := u[len(u)-1]
		if strings.IndexByte("?!.,:;*_~'\"", last) >= 0 ||
			last == ')' && strings.Count(u, "(") < strings.Count(u, ")") {
			u = u[:len(u)-1]
			continue
		}
		break
	}
	if len(u) <= len("https://") {
		return "", 0
	}
	return `<a href="` + html.EscapeString(u) + `">` + html.EscapeString(u) + "</a>", len(u)
}

func entityLen(s string) int {
	if e := entityRe.FindString(s); e != "" && html.UnescapeString(e) != e {
		return len(e)
	}
	return 0
}

// link parses a link (or, with image, the part of an image after "!")
// starting at s[i] == '[' and closed by s[end] == ']' (end < 0: no link):
// inline [text](dest "title"), full [text][label], collapsed [text][] or
// shortcut [text] reference. It returns the HTML and how many bytes it
// used, or 0 if there is no link there.
func (m *legacyMarkdown) link(s string, i, end int, image bool) (string, int) {
	if end <= i {
		return "", 0
	}
	label := s[i+1 : end]
	dest, title, n, ok := "", "", 0, false
	rest := s[end+1:]
	if strings.HasPrefix(rest, "(") {
		dest, title, n, ok = linkTail(rest)
	}
	if !ok && strings.HasPrefix(rest, "[") {
		if e := strings.IndexByte(rest, ']'); e > 0 {
			ref := rest[1:e]
			if ref == "" {
				ref = label
			}
			if r, found := m.refs[normLabel(ref)]; found {
				dest, title, n, ok = r.dest, r.title, e+1, true
			}
		}
	}
	if !ok {
		if r, found := m.refs[normLabel(label)]; found {
			dest, title, n, ok = r.dest, r.title, 0, true
		}
	}
	if !ok {
		return "", 0
	}
	used := end + 1 - i + n
	if image {
		if m.image != nil {
			dest = m.image(dest)
		}
		alt := plainText(m.inline(label, true))
		h := `<img alt="` + html.EscapeString(alt) + `"`
		if u, ok := safeURL(dest, true); ok {
			h += ` src="` + html.EscapeString(u) + `"`
		}
		if title != "" {
			h += ` title="` + html.EscapeString(title) + `"`
		}
		return h + ">", used
	}
	text := m.inline(label, true)
	u, safe := safeURL(dest, false)
	if !safe {
		return text, used
	}
	h := `<a href="` + html.EscapeString(u) + `"`
	if title != "" {
		h += ` title="` + html.EscapeString(title) + `"`
	}
	return h + ">" + text + "</a>", used
}

// matchBrackets pairs the square brackets of s in one pass, skipping
// escaped ones and those in code spans: for each "[" at i that is closed,
// the index of its "]"; missing entries (0) mean unclosed.
func matchBrackets(s string) map[int]int {
	if !strings.Contains(s, "]") {
		return nil
	}
	match := map[int]int{}
	var open []int
	for k := 0; k < len(s); k++ {
		switch s[k] {
		case '\\':
			k++
		case '`':
			if _, n := codeSpan(s[k:]); n > 0 {
				k += n - 1
			} else {
				k += runLen(s[k:], '`') - 1
			}
		case '[':
			open = append(open, k)
		case ']':
			if len(open) > 0 {
				match[open[len(open)-1]] = k
				open = open[:len(open)-1]
			}
		}
	}
	return match
}

// linkTail parses "(dest "title")" at the start of s.
func linkTail(s string) (dest, title string, n int, ok bool) {
	k := 1
	skip := func() {
		for k < len(s) && (s[k] == ' ' || s[k] == '\n' || s[k] == '\t') {
			k++
		}
	}
	skip()
	if k < len(s) && s[k] == '<' {
		e := strings.IndexAny(s[k:], ">\n")
		if e < 0 || s[k+e] != '>' {
			return "", "", 0, false
		}
		dest = s[k+1 : k+e]
		k += e + 1
	} else {
		start, depth := k, 0
		for ; k < len(s); k++ {
			c := s[k]
			if c == '\\' && k+1 < len(s) {
				k++
				continue
			}
			if c == '(' {
				depth++
			} else if c == ')' {
				if depth == 0 {
					break
				}
				depth--
			} else if c == ' ' || c == '\n' || c == '\t' || c < 0x20 {
				break
			}
		}
		dest = unescapePunct(s[start:k])
	}
	skip()
	if k < len(s) && (s[k] == '"' || s[k] == '\'' || s[k] == '(') {
		closer := s[k]
		if closer == '(' {
			closer = ')'
		}
		e := strings.IndexByte(s[k+1:], closer)
		if e < 0 {
			return "", "", 0, false
		}
		title = unescapePunct(s[k+1 : k+1+e])
		k += e + 2
		skip()
	}
	if k >= len(s) || s[k] != ')' {
		return "", "", 0, false
	}
	return dest, title, k + 1, true
}

func unescapePunct(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for k := 0; k < len(s); k++ {
		if s[k] == '\\' && k+1 < len(s) && isASCIIPunct(s[k+1]) {
			k++
		}
		b.WriteByte(s[k])
	}
	return b.String()
}

// delimRun makes the node for a run of n emphasis characters at s[i],
// deciding from its neighbours whether it can open or close emphasis
// (CommonMark's left- and right-flanking rules).
func delimRun(s string, i, n int) *inode {
	c := s[i]
	before, after := ' ', ' '
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if i+n < len(s) {
		after, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	punct := func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }
	left := !unicode.IsSpace(after) && (!punct(after) || unicode.IsSpace(before) || punct(before))
	right := !unicode.IsSpace(before) && (!punct(before) || unicode.IsSpace(after) || punct(after))
	nd := &inode{delim: c, n: n, orig: n}
	switch c {
	case '*':
		nd.open, nd.close = left, right
	case '_':
		nd.open = left && (!right || punct(before))
		nd.close = right && (!left || punct(after))
	case '~':
		nd.open, nd.close = left && n == 2, right && n == 2
	}
	return nd
}

// emphasis pairs delimiter runs into <em>, <strong> and <del>, following
// CommonMark's algorithm: each closer takes the nearest opener of its kind
// before it, strong before em, and delimiters between them become text.
func emphasis(nodes []*inode) {
	// bottom[kind] is the lowest index worth searching for an opener
	// for a closer of that kind: below it, an earlier search found none.
	// This keeps runs of unmatched delimiters linear.
	type kind struct {
		delim byte
		open  bool
		mod   int
	}
	bottom := map[kind]int{}
	for c, cl := range nodes {
		if cl.delim == 0 || !cl.close {
			continue
		}
		for cl.n > 0 {
			key := kind{cl.delim, cl.open, cl.orig % 3}
			o := -1
			for k := c - 1; k >= bottom[key]; k-- {
				op := nodes[k]
				if op.delim != cl.delim || !op.open || op.n == 0 {
					continue
				}
				if cl.delim != '~' && (op.close || cl.open) &&
					(op.orig+cl.orig)%3 == 0 && (op.orig%3 != 0 || cl.orig%3 != 0) {
					continue // the "rule of 3"
				}
				if cl.delim == '~' && op.n != cl.n {
					continue
				}
				o = k
				break
			}
			if o < 0 {
				bottom[key] = c
				break
			}
			op := nodes[o]
			use, tag := 1, "em"
			switch {
			case cl.delim == '~':
				use, tag = 2, "del"
			case op.n >= 2 && cl.n >= 2:
				use, tag = 2, "strong"
			}
			op.n -= use
			cl.n -= use
			op.after = "<" + tag + ">" + op.after
			cl.before += "</" + tag + ">"
			for k := o + 1; k < c; k++ {
				nodes[k].open, nodes[k].close = false, false
			}
		}
	}
}
