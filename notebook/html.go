package notebook

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// HTMLOptions tune WriteHTML.
type HTMLOptions struct {
	// NoInput leaves code out and keeps Markdown and outputs, like
	// `jupyter nbconvert --no-input`.
	NoInput bool
	// Title is the page title; "" means Title(nb), or "Notebook".
	Title string
}

// Title returns the plain text of the notebook's first Markdown heading,
// or "" if it has none.
func Title(nb *Notebook) string {
	for _, c := range nb.Cells {
		if c.Type != "markdown" {
			continue
		}
		h := newMarkdown(nil).render(c.Source)
		if m := headingRe.FindStringSubmatch(h); m != nil {
			return strings.TrimSpace(plainText(m[1]))
		}
	}
	return ""
}

var headingRe = regexp.MustCompile(`(?s)<h[1-6][^>]*>(.*?)</h[1-6]>`)

// WithoutTag returns a copy of nb without the cells tagged tag (the cells
// themselves are shared). WithoutTag(nb, "solution") makes the learners'
// handout of a notebook whose worked solutions are tagged "solution".
func WithoutTag(nb *Notebook, tag string) *Notebook {
	c := *nb
	c.Cells = nil
	for _, cell := range nb.Cells {
		if !cell.HasTag(tag) {
			c.Cells = append(c.Cells, cell)
		}
	}
	return &c
}

// WriteHTML writes nb as one self-contained HTML page: inline CSS, no
// scripts or external references of its own, SVG figures inline, PNG and
// JPEG figures as data URIs, Markdown rendered by RenderMarkdown, and
// everything else (code, text, errors) escaped. HTML and SVG outputs are
// copied as they are: they come from the notebook's own code.
func WriteHTML(w io.Writer, nb *Notebook, opts HTMLOptions) error {
	title := opts.Title
	if title == "" {
		title = Title(nb)
	}
	if title == "" {
		title = "Notebook"
	}
	bw := bufio.NewWriter(w)
	p := &page{w: bw, md: newMarkdown(nil), noInput: opts.NoInput}
	p.printf("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p.printf("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p.printf("<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main class=\"notebook\">\n", html.EscapeString(title), handoutCSS)
	for _, c := range nb.Cells {
		p.cell(c)
	}
	p.printf("</main>\n</body>\n</html>\n")
	return bw.Flush()
}

// page writes one handout.
type page struct {
	w       *bufio.Writer
	md      *markdown
	noInput bool
}

func (p *page) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

func (p *page) cell(c *Cell) {
	switch c.Type {
	case "markdown":
		p.md.image = attachmentResolver(c)
		p.printf("<div class=\"cell markdown\">\n%s</div>\n", p.md.render(c.Source))
	case "raw":
		// Like nbconvert: raw cells reach an HTML page only when they say
		// they are HTML.
		format, _ := c.Metadata["format"].(string)
		if format == "" {
			format, _ = c.Metadata["raw_mimetype"].(string)
		}
		if format == "text/html" {
			p.printf("<div class=\"cell raw\">\n%s\n</div>\n", c.Source)
		}
	case "code":
		p.code(c)
	}
}

func (p *page) code(c *Cell) {
	if p.noInput && len(c.Outputs) == 0 {
		return
	}
	p.printf("<div class=\"cell code\">\n")
	if !p.noInput {
		p.printf("<div class=\"input\"><div class=\"prompt\">%s</div><pre class=\"source\">%s</pre></div>\n",
			prompt("In", c.ExecutionCount), html.EscapeString(c.Source))
	}
	for _, o := range c.Outputs {
		p.output(o)
	}
	p.printf("</div>\n")
}

func prompt(what string, n int) string {
	if n == 0 {
		return what + "&nbsp;[&nbsp;]:"
	}
	return what + "&nbsp;[" + strconv.Itoa(n) + "]:"
}

func (p *page) output(o *Output) {
	switch o.Type {
	case "stream":
		p.printf("<pre class=\"output stream %s\">%s</pre>\n", html.EscapeString(o.Name), html.EscapeString(stripANSI(o.Text)))
	case "error":
		text := strings.Join(o.Traceback, "\n")
		if strings.TrimSpace(text) == "" {
			text = o.EName + ": " + o.EValue
		}
		p.printf("<pre class=\"output error\">%s</pre>\n", html.EscapeString(stripANSI(text)))
	case "display_data", "execute_result":
		body := p.bundle(o)
		if body == "" {
			return
		}
		if o.Type == "execute_result" && !p.noInput {
			p.printf("<div class=\"output result\"><div class=\"prompt\">%s</div>%s</div>\n", prompt("Out", o.ExecutionCount), body)
		} else {
			p.printf("<div class=\"output display\">%s</div>\n", body)
		}
	}
}

// bundle renders the richest representation of a MIME bundle that a
// static page can show, in the order Jupyter prefers them.
func (p *page) bundle(o *Output) string {
	for _, mime := range []string{"text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "image/gif", "text/latex", "text/plain"} {
		v, ok := o.Data[mime]
		if !ok {
			continue
		}
		s, isString := v.(string)
		if !isString {
			continue
		}
		switch mime {
		case "text/html":
			return "<div class=\"html\">" + s + "</div>"
		case "text/markdown":
			return "<div class=\"markdown\">" + newMarkdown(nil).render(s) + "</div>"
		case "image/svg+xml":
			return "<div class=\"figure\">" + stripXMLProlog(s) + "</div>"
		case "image/png", "image/jpeg", "image/gif":
			return "<div class=\"figure\">" + imgTag(mime, s, o.Metadata) + "</div>"
		default:
			return "<pre>" + html.EscapeString(stripANSI(s)) + "</pre>"
		}
	}
	return ""
}

var prologRe = regexp.MustCompile(`^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?`)

// stripXMLProlog drops an XML declaration and DOCTYPE, which have no place
// inside an HTML page.
func stripXMLProlog(svg string) string {
	return prologRe.ReplaceAllString(svg, "")
}

var base64Re = regexp.MustCompile(`^[A-Za-z0-9+/=]*$`)

// imgTag embeds base64 image data as a data URI, with the width and height
// the output's metadata asks for.
func imgTag(mime, data string, meta map[string]any) string {
	data = strings.Join(strings.Fields(data), "")
	if !base64Re.MatchString(data) {
		return "<pre>(invalid " + html.EscapeString(mime) + " data)</pre>"
	}
	h := `<img src="data:` + mime + `;base64,` + data + `" alt="figure"`
	if m, ok := meta[mime].(map[string]any); ok {
		for _, dim := range []string{"width", "height"} {
			if v := positiveInt(m[dim]); v > 0 {
				h += fmt.Sprintf(` %s="%d"`, dim, v)
			}
		}
	}
	return h + ">"
}

// positiveInt reads a JSON number decoded either way (json.Number from a
// file, float64 from the evaluator), or returns 0.
func positiveInt(v any) int64 {
	var f float64
	switch n := v.(type) {
	case json.Number:
		f, _ = n.Float64()
	case float64:
		f = n
	case int:
		f = float64(n)
	}
	if f < 1 || f > 1e6 {
		return 0
	}
	return int64(f)
}

var ansiRe = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]`)

// stripANSI removes terminal colour and cursor codes from text output.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	return ansiRe.ReplaceAllString(s, "")
}

// attachmentResolver maps "attachment:NAME" image sources of a Markdown
// cell to data URIs of the cell's attachments.
func attachmentResolver(c *Cell) func(string) string {
	raw, ok := c.Extra["attachments"]
	if !ok {
		return nil
	}
	var atts map[string]map[string]json.RawMessage
	if json.Unmarshal(raw, &atts) != nil {
		return nil
	}
	return func(src string) string {
		name, ok := strings.CutPrefix(src, "attachment:")
		if !ok {
			return src
		}
		for mime, v := range atts[name] {
			if !strings.HasPrefix(mime, "image/") || mime == "image/svg+xml" {
				continue
			}
			data, err := multiline(v)
			if err != nil {
				continue
			}
			data = strings.Join(strings.Fields(data), "")
			if base64Re.MatchString(data) {
				return "data:" + mime + ";base64," + data
			}
		}
		return src
	}
}

// IndexEntry is one handout listed by WriteIndex.
type IndexEntry struct {
	Title  string // the handout's title
	Href   string // its file name, relative to the index
	Source string // the notebook it was made from, shown beside the title
}

// WriteIndex writes index.html for a set of handouts, in the given order.
func WriteIndex(w io.Writer, title string, entries []IndexEntry) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	fmt.Fprintf(bw, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	fmt.Fprintf(bw, "<title>%s</title>\n<style>\n%s</style>\n</head>\n<body>\n<main class=\"index\">\n", html.EscapeString(title), handoutCSS)
	fmt.Fprintf(bw, "<h1>%s</h1>\n<ol class=\"handouts\">\n", html.EscapeString(title))
	for _, e := range entries {
		href, _ := safeURL(e.Href, false)
		fmt.Fprintf(bw, "<li><a href=\"%s\">%s</a>", html.EscapeString(href), html.EscapeString(e.Title))
		if e.Source != "" {
			fmt.Fprintf(bw, " <span class=\"source\">%s</span>", html.EscapeString(e.Source))
		}
		fmt.Fprintf(bw, "</li>\n")
	}
	fmt.Fprintf(bw, "</ol>\n</main>\n</body>\n</html>\n")
	return bw.Flush()
}

// handoutCSS styles handouts and the index for screens and for print:
// black on white, monospace code without highlighting, figures scaled to
// the page, cells kept whole across page breaks where they fit.
const handoutCSS = `:root { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 56rem; margin: 0 auto; padding: 2rem 1.25rem 4rem; }
h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.4em 0 .5em; }
h1 { font-size: 1.9rem; } h2 { font-size: 1.45rem; } h3 { font-size: 1.2rem; }
a { color: #0b5cad; }
pre, code, .prompt { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; }
code { font-size: .9em; background: #f3f4f6; padding: .05em .3em; border-radius: 3px; }
pre { font-size: .86rem; line-height: 1.45; margin: 0; padding: .55rem .8rem;
  white-space: pre-wrap; overflow-wrap: anywhere; tab-size: 4; }
pre code { background: none; padding: 0; font-size: inherit; }
.markdown pre { background: #f6f7f9; border: 1px solid #dfe2e6; border-radius: 4px; margin: .75em 0; }
.cell { margin: 1rem 0; }
.cell.code { margin: 1.1rem 0 1.4rem; }
.prompt { font-size: .72rem; color: #6b7280; margin: 0 0 .15rem; }
.input pre { background: #f6f7f9; border: 1px solid #dfe2e6; border-left: 3px solid #9aa5b1; border-radius: 4px; }
.output { margin-top: .4rem; }
.output.stream { padding-left: .8rem; border-left: 3px solid transparent; }
.output.stderr { background: #fff7ed; border-left-color: #f59e0b; }
.output.error { background: #fdecea; border-left: 3px solid #c0392b; color: #5c1010; }
.output pre { padding-left: .8rem; }
.figure svg, .figure img { display: block; max-width: 100%; height: auto; }
.html { overflow-x: auto; }
table { border-collapse: collapse; margin: .75em 0; font-size: .92em; }
th, td { border: 1px solid #cfd4da; padding: .25em .6em; vertical-align: top; }
thead th { background: #f0f2f5; }
blockquote { margin: .75em 0; padding: .1em 1em; border-left: 4px solid #cfd4da; color: #3f4650; }
.math { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .92em; }
div.math { margin: .75em 0; white-space: pre-wrap; }
hr { border: 0; border-top: 1px solid #cfd4da; margin: 2em 0; }
.index .source { color: #6b7280; font-size: .85em; margin-left: .5em; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; }
  pre { font-size: 8.5pt; }
  .input, .figure, tr, img, svg { break-inside: avoid; }
  h1, h2, h3, h4 { break-after: avoid; }
}
`
