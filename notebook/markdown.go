package notebook

import (
	"bytes"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// RenderMarkdown renders the Markdown of a notebook cell to HTML with
// goldmark: CommonMark plus GitHub's tables, strikethrough, bare-URL
// autolinks and task lists. Three things are ours:
//
//   - TeX math ($...$, $$...$$) is kept as escaped text in a
//     <span class="math"> or <div class="math">, untouched by emphasis, for
//     a reader or a MathJax/KaTeX pass to typeset;
//   - raw HTML is escaped, except a few attribute-free inline tags (<kbd>,
//     <sub>, <sup>, <b>, <i>, <br>, ...), balanced within their block, and
//     folded sections: a line `<details>` or `<details><summary>text</summary>`
//     opens one, a line `</details>` closes it (what the workshop's worked
//     solutions use; sections still open at the end of the cell are closed);
//   - link and image URLs with a scheme other than http, https, mailto or
//     ftp (and data:image/... for images) are dropped, and headings get
//     Jupyter's anchors (words joined by "-").
//
// So its output never carries markup the source did not ask for.
func RenderMarkdown(src string) string {
	return newMarkdown(nil).render(src)
}

// markdown is one rendering session: heading ids stay unique across all
// the cells of a handout rendered with it.
type markdown struct {
	// image resolves an image source before it is checked, e.g. an
	// "attachment:" reference to a data URI; nil leaves it alone.
	image func(src string) string
	ids   map[string]int
	open  int // <details> sections opened and not yet closed in this cell
	gm    goldmark.Markdown
}

func newMarkdown(image func(string) string) *markdown {
	m := &markdown{image: image, ids: map[string]int{}}
	m.gm = goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignStyle)),
			extension.Strikethrough, extension.Linkify, extension.TaskList,
		),
		goldmark.WithParserOptions(
			// Display math may interrupt a paragraph and is tried before
			// fenced code (700); inline math right after code spans (100),
			// so `$x$` in backticks stays code and a_1 * b_2 in $...$ is
			// never emphasis.
			parser.WithBlockParsers(util.Prioritized(mathBlockParser{}, 650)),
			parser.WithInlineParsers(util.Prioritized(mathInlineParser{}, 150)),
			parser.WithASTTransformers(util.Prioritized(transformer{m}, 1000)),
		),
		// A priority below the HTML renderer's (1000) and the table's
		// (500) registers last, so these functions win.
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(nodeRenderer{m}, 1))),
	)
	return m
}

func (m *markdown) render(src string) string {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	source := []byte(src)
	m.open = 0
	var b bytes.Buffer
	doc := m.gm.Parser().Parse(text.NewReader(source))
	if err := m.gm.Renderer().Render(&b, source, doc); err != nil {
		// Our renderers never fail and a bytes.Buffer takes any length.
		panic("notebook: rendering Markdown: " + err.Error())
	}
	for ; m.open > 0; m.open-- {
		b.WriteString("</details>\n")
	}
	return b.String()
}

// Node kinds of our own: math, and raw HTML after the allow-list has
// judged it (a tag let through, or text).
var (
	kindMathInline = ast.NewNodeKind("MathInline")
	kindMathBlock  = ast.NewNodeKind("MathBlock")
	kindTag        = ast.NewNodeKind("AllowedTag")
	kindEscaped    = ast.NewNodeKind("EscapedHTML")
)

// mathInline is TeX in a line of text, kept as it is: $...$ or $$...$$.
type mathInline struct {
	ast.BaseInline
	tex []byte
}

func (n *mathInline) Kind() ast.NodeKind            { return kindMathInline }
func (n *mathInline) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// mathBlock is display math: its lines, from $$ to $$, kept as they are.
type mathBlock struct {
	ast.BaseBlock
	closed bool // the closing $$ has been read
}

func (n *mathBlock) Kind() ast.NodeKind            { return kindMathBlock }
func (n *mathBlock) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }
func (n *mathBlock) IsRaw() bool                   { return true }

// allowedTag is an attribute-free inline tag from the allow-list.
type allowedTag struct {
	ast.BaseInline
	name  string
	close bool
}

func (n *allowedTag) Kind() ast.NodeKind            { return kindTag }
func (n *allowedTag) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// escapedHTML is raw HTML outside the allow-list, shown as text.
type escapedHTML struct {
	ast.BaseInline
	raw []byte
}

func (n *escapedHTML) Kind() ast.NodeKind            { return kindEscaped }
func (n *escapedHTML) Dump(source []byte, level int) { ast.DumpHelper(n, source, level, nil, nil) }

// mathInlineParser keeps $...$ and $$...$$ on one line as TeX. A single $
// opens only before a non-space and closes only after one, not before a
// digit, so prices ("$5 and $10") stay text.
type mathInlineParser struct{}

func (mathInlineParser) Trigger() []byte { return []byte{'$'} }

func (mathInlineParser) Parse(parent ast.Node, block text.Reader, pc parser.Context) ast.Node {
	line, _ := block.PeekLine()
	delim := []byte("$")
	if bytes.HasPrefix(line, []byte("$$")) {
		delim = []byte("$$")
	}
	body := line[len(delim):]
	if len(body) == 0 || body[0] == ' ' || body[0] == '\n' {
		return nil
	}
	for k := 1; k < len(body); k++ {
		switch {
		case body[k-1] == '\\':
			continue
		case !bytes.HasPrefix(body[k:], delim) || body[k-1] == ' ':
			continue
		}
		end := k + len(delim)
		if len(delim) == 1 && end < len(body) && body[end] >= '0' && body[end] <= '9' {
			continue
		}
		n := len(delim) + end
		block.Advance(n)
		return &mathInline{tex: bytes.Clone(line[:n])}
	}
	return nil
}

// mathBlockParser keeps display math, from a line starting with $$ to one
// ending with $$, as TeX.
type mathBlockParser struct{}

func (mathBlockParser) Trigger() []byte                             { return []byte{'$'} }
func (mathBlockParser) CanInterruptParagraph() bool                 { return true }
func (mathBlockParser) CanAcceptIndentedLine() bool                 { return false }
func (mathBlockParser) Close(ast.Node, text.Reader, parser.Context) {}

func (mathBlockParser) Open(parent ast.Node, reader text.Reader, pc parser.Context) (ast.Node, parser.State) {
	line, seg := reader.PeekLine()
	pos := pc.BlockOffset()
	if pos < 0 || !bytes.HasPrefix(line[pos:], []byte("$$")) {
		return nil, parser.NoChildren
	}
	first := bytes.TrimSpace(line)
	n := &mathBlock{closed: len(first) > 2 && bytes.HasSuffix(first, []byte("$$"))}
	n.Lines().Append(text.NewSegment(seg.Start+pos, seg.Stop))
	reader.AdvanceToEOL()
	return n, parser.NoChildren
}

func (mathBlockParser) Continue(node ast.Node, reader text.Reader, pc parser.Context) parser.State {
	n := node.(*mathBlock)
	if n.closed {
		return parser.Close
	}
	line, seg := reader.PeekLine()
	n.Lines().Append(seg)
	n.closed = bytes.HasSuffix(bytes.TrimSpace(line), []byte("$$"))
	reader.AdvanceToEOL()
	return parser.Continue | parser.NoChildren
}

// transformer gives headings their anchors and judges raw HTML against the
// allow-list, once the document is parsed.
type transformer struct{ m *markdown }

func (t transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	source := reader.Source()
	var blocks []ast.Node // blocks holding inline content
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if h, ok := n.(*ast.Heading); ok {
			h.SetAttributeString("id", []byte(t.m.headingID(plain(h, source))))
		}
		if n.Type() == ast.TypeBlock && n.FirstChild() != nil && n.FirstChild().Type() == ast.TypeInline {
			blocks = append(blocks, n)
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	for _, b := range blocks {
		balanceTags(b, source)
	}
}

var (
	rawTagRe  = regexp.MustCompile(`^<(/?)([A-Za-z]+)\s*/?>$`)
	inlineTag = map[string]bool{"kbd": true, "sub": true, "sup": true, "b": true, "i": true, "em": true,
		"strong": true, "s": true, "del": true, "u": true, "mark": true, "small": true, "code": true}
	detailsOpenRe  = regexp.MustCompile(`(?i)^\s*<details>\s*(?:<summary>(.*)</summary>\s*)?$`)
	detailsCloseRe = regexp.MustCompile(`(?i)^\s*</details>\s*$`)
)

// balanceTags replaces the raw HTML in block b's inlines: an allowed tag
// stays a tag if it keeps the tags balanced (a closing tag closes the
// ones opened after its opener too), anything else becomes text; tags
// still open at the block's end are closed there.
func balanceTags(b ast.Node, source []byte) {
	var raws []*ast.RawHTML
	_ = ast.Walk(b, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if r, ok := n.(*ast.RawHTML); ok && entering {
			raws = append(raws, r)
		}
		return ast.WalkContinue, nil
	})
	var open []string
	for _, r := range raws {
		var raw []byte
		for i := 0; i < r.Segments.Len(); i++ {
			seg := r.Segments.At(i)
			raw = append(raw, seg.Value(source)...)
		}
		var repl []ast.Node
		f := rawTagRe.FindSubmatch(raw)
		name := ""
		if f != nil {
			name = strings.ToLower(string(f[2]))
		}
		switch {
		case name == "br":
			repl = []ast.Node{&allowedTag{name: "br"}}
		case !inlineTag[name]:
		case len(f[1]) == 0:
			open = append(open, name)
			repl = []ast.Node{&allowedTag{name: name}}
		default:
			for k := len(open) - 1; k >= 0; k-- {
				if open[k] == name {
					for j := len(open) - 1; j >= k; j-- {
						repl = append(repl, &allowedTag{name: open[j], close: true})
					}
					open = open[:k]
					break
				}
			}
		}
		if repl == nil {
			repl = []ast.Node{&escapedHTML{raw: raw}}
		}
		parent := r.Parent()
		for _, n := range repl {
			parent.InsertBefore(parent, r, n)
		}
		parent.RemoveChild(parent, r)
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.AppendChild(b, &allowedTag{name: open[j], close: true})
	}
}

// plain is the text of n's inline content, without markup.
func plain(n ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			b.Write(c.Segment.Value(source))
			if c.SoftLineBreak() || c.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(c.Value)
		case *ast.AutoLink:
			b.Write(c.Label(source))
		case *mathInline:
			b.Write(c.tex)
		case *escapedHTML:
			b.Write(c.raw)
		}
		return ast.WalkContinue, nil
	})
	return html.UnescapeString(b.String())
}

// headingID makes an anchor from a heading's text the way Jupyter does
// (words joined by "-"), unique within the session.
func (m *markdown) headingID(text string) string {
	var words []string
	for _, w := range strings.Fields(text) {
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

// nodeRenderer writes our node kinds and replaces goldmark's writers for
// raw HTML, links and images with allow-listing ones.
type nodeRenderer struct{ m *markdown }

func (r nodeRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindMathInline, r.mathInline)
	reg.Register(kindMathBlock, r.mathBlock)
	reg.Register(kindTag, r.tag)
	reg.Register(kindEscaped, r.escaped)
	reg.Register(ast.KindRawHTML, r.rawHTML)
	reg.Register(ast.KindHTMLBlock, r.htmlBlock)
	reg.Register(ast.KindLink, r.link)
	reg.Register(ast.KindImage, r.image)
	reg.Register(ast.KindAutoLink, r.autoLink)
}

func (r nodeRenderer) mathInline(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString(`<span class="math">`)
		w.Write(util.EscapeHTML(n.(*mathInline).tex))
		w.WriteString(`</span>`)
	}
	return ast.WalkSkipChildren, nil
}

func (r nodeRenderer) mathBlock(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	lines := n.Lines()
	var tex [][]byte
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		l := bytes.TrimRight(seg.Value(source), "\n")
		if i == 0 {
			l = bytes.TrimSpace(l)
		}
		tex = append(tex, l)
	}
	w.WriteString(`<div class="math">`)
	w.Write(util.EscapeHTML(bytes.Join(tex, []byte("\n"))))
	w.WriteString("</div>\n")
	return ast.WalkSkipChildren, nil
}

func (r nodeRenderer) tag(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	t := n.(*allowedTag)
	switch {
	case !entering:
	case t.close:
		w.WriteString("</" + t.name + ">")
	default:
		w.WriteString("<" + t.name + ">")
	}
	return ast.WalkSkipChildren, nil
}

func (r nodeRenderer) escaped(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.Write(util.EscapeHTML(n.(*escapedHTML).raw))
	}
	return ast.WalkSkipChildren, nil
}

// rawHTML escapes raw HTML the transformer did not reach (none is expected).
func (r nodeRenderer) rawHTML(w util.BufWriter, source []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		segs := n.(*ast.RawHTML).Segments
		for i := 0; i < segs.Len(); i++ {
			seg := segs.At(i)
			w.Write(util.EscapeHTML(seg.Value(source)))
		}
	}
	return ast.WalkSkipChildren, nil
}

// htmlBlock opens and closes folded sections on their own lines and shows
// every other line of an HTML block as text.
func (r nodeRenderer) htmlBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.HTMLBlock)
	var lines []string
	for i := 0; i < n.Lines().Len(); i++ {
		seg := n.Lines().At(i)
		lines = append(lines, string(seg.Value(source)))
	}
	if n.HasClosure() {
		lines = append(lines, string(n.ClosureLine.Value(source)))
	}
	var text []string
	flush := func() {
		if len(text) > 0 {
			w.WriteString("<p>")
			w.Write(util.EscapeHTML([]byte(strings.TrimSpace(strings.Join(text, "\n")))))
			w.WriteString("</p>\n")
			text = nil
		}
	}
	for _, l := range lines {
		l = strings.TrimRight(l, "\n")
		if f := detailsOpenRe.FindStringSubmatch(l); f != nil {
			flush()
			w.WriteString("<details>")
			if strings.Contains(strings.ToLower(l), "<summary>") {
				w.WriteString("<summary>" + r.m.inline(f[1]) + "</summary>")
			}
			w.WriteString("\n")
			r.m.open++
			continue
		}
		if detailsCloseRe.MatchString(l) && r.m.open > 0 {
			flush()
			w.WriteString("</details>\n")
			r.m.open--
			continue
		}
		text = append(text, l)
	}
	flush()
	return ast.WalkSkipChildren, nil
}

// inline renders s, a summary's text, as one paragraph's inline content;
// anything that does not parse as a single paragraph is escaped.
func (m *markdown) inline(s string) string {
	source := []byte(strings.TrimSpace(s))
	doc := m.gm.Parser().Parse(text.NewReader(source))
	p, ok := doc.FirstChild().(*ast.Paragraph)
	if !ok || p.NextSibling() != nil {
		return html.EscapeString(string(source))
	}
	var b bytes.Buffer
	if m.gm.Renderer().Render(&b, source, doc) != nil {
		return html.EscapeString(string(source))
	}
	return strings.TrimSuffix(strings.TrimPrefix(b.String(), "<p>"), "</p>\n")
}

func (r nodeRenderer) link(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	if !entering {
		w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	w.WriteString("<a")
	if u, ok := safeURL(string(n.Destination), false); ok {
		w.WriteString(` href="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(u), true)))
		w.WriteString(`"`)
	}
	writeTitle(w, n.Title)
	w.WriteString(">")
	return ast.WalkContinue, nil
}

func (r nodeRenderer) image(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.Image)
	w.WriteString(`<img alt="`)
	w.WriteString(html.EscapeString(plain(n, source)))
	w.WriteString(`"`)
	src := string(n.Destination)
	if r.m.image != nil {
		src = r.m.image(src)
	}
	if u, ok := safeURL(src, true); ok {
		w.WriteString(` src="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(u), true)))
		w.WriteString(`"`)
	}
	writeTitle(w, n.Title)
	w.WriteString(">")
	return ast.WalkSkipChildren, nil
}

func writeTitle(w util.BufWriter, title []byte) {
	if title != nil {
		w.WriteString(` title="`)
		w.Write(util.EscapeHTML(title))
		w.WriteString(`"`)
	}
}

func (r nodeRenderer) autoLink(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	n := node.(*ast.AutoLink)
	url, label := string(n.URL(source)), n.Label(source)
	switch {
	case n.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(strings.ToLower(url), "mailto:"):
		url = "mailto:" + url
	case n.AutoLinkType == ast.AutoLinkURL && !strings.Contains(url, ":"):
		url = "http://" + url // a bare www. link
	}
	u, ok := safeURL(url, false)
	if !ok {
		w.Write(util.EscapeHTML(label))
		return ast.WalkSkipChildren, nil
	}
	w.WriteString(`<a href="`)
	w.Write(util.EscapeHTML(util.URLEscape([]byte(u), false)))
	w.WriteString(`">`)
	w.Write(util.EscapeHTML(label))
	w.WriteString("</a>")
	return ast.WalkSkipChildren, nil
}

// safeURL vets a link or image URL: relative URLs and fragments pass;
// absolute ones only with a harmless scheme (and, for images, data URIs
// of images, which cannot run script there).
func safeURL(u string, image bool) (string, bool) {
	u = strings.TrimSpace(u)
	colon := strings.IndexByte(u, ':')
	if colon < 0 || strings.ContainsAny(u[:colon], "/?#") {
		return u, true // no scheme: relative
	}
	switch scheme := strings.ToLower(u[:colon]); scheme {
	case "http", "https", "mailto", "ftp":
		return u, true
	case "data":
		return u, image && strings.HasPrefix(strings.ToLower(u), "data:image/")
	}
	return "", false
}

var tagRe = regexp.MustCompile(`<[^>]*>`)

// plainText is the text of rendered inline HTML, tags removed and
// entities decoded.
func plainText(h string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(h, ""))
}
