package notebook

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		// Headings.
		{"atx", "# Title", `<h1 id="Title">Title</h1>` + "\n"},
		{"atx levels", "### Three ###", `<h3 id="Three">Three</h3>` + "\n"},
		{"atx needs space", "#5 is not a heading", "<p>#5 is not a heading</p>\n"},
		{"setext", "Big\n===\nSmall\n---", `<h1 id="Big">Big</h1>` + "\n" + `<h2 id="Small">Small</h2>` + "\n"},
		{"heading ids unique", "# A b\n# A b", `<h1 id="A-b">A b</h1>` + "\n" + `<h1 id="A-b-1">A b</h1>` + "\n"},
		{"heading with markup", "## The *GIL* & `go`", `<h2 id="The-GIL-go">The <em>GIL</em> &amp; <code>go</code></h2>` + "\n"},

		// Folded sections (worked solutions).
		{"details", "<details><summary>Worked *solution*</summary>\n\n```go\nx := 1\n```\n\n</details>",
			"<details><summary>Worked <em>solution</em></summary>\n<pre><code class=\"language-go\">x := 1\n</code></pre>\n</details>\n"},
		{"details without summary, closed at the end", "<details>\ntext", "<details>\n<p>text</p>\n</details>\n"},
		{"a stray details close is text", "a\n</details>", "<p>a</p>\n<p>&lt;/details&gt;</p>\n"},
		{"details close only what is open", "</details>\n<details>\nb\n</details>", "<p>&lt;/details&gt;</p>\n<details>\n<p>b</p>\n</details>\n"},
		{"summary keeps its inline tags", "<details><summary>The <code>dis</code> of *it*</summary>\n\n</details>",
			"<details><summary>The <code>dis</code> of <em>it</em></summary>\n</details>\n"},
		{"summary that is not one paragraph is text", "<details><summary># x</summary>\n\n</details>",
			"<details><summary># x</summary>\n</details>\n"},
		{"details with attributes stay text", `<details open onclick="x()">`, "<p>&lt;details open onclick=&quot;x()&quot;&gt;</p>\n"},

		// Paragraphs and breaks.
		{"paragraphs", "one\ntwo\n\nthree", "<p>one\ntwo</p>\n<p>three</p>\n"},
		{"hard break spaces", "a  \nb", "<p>a<br>\nb</p>\n"},
		{"hard break backslash", "a\\\nb", "<p>a<br>\nb</p>\n"},
		{"thematic break", "a\n\n***\n\nb", "<p>a</p>\n<hr>\n<p>b</p>\n"},

		// Emphasis.
		{"em strong", "*a* **b** _c_ __d__", "<p><em>a</em> <strong>b</strong> <em>c</em> <strong>d</strong></p>\n"},
		{"nested", "*a **b** c*", "<p><em>a <strong>b</strong> c</em></p>\n"},
		{"triple", "***x***", "<p><em><strong>x</strong></em></p>\n"},
		{"intraword underscore", "snake_case_name", "<p>snake_case_name</p>\n"},
		{"intraword star", "a*b*c", "<p>a<em>b</em>c</p>\n"},
		{"unmatched", "2 * 3 * 4 and *open", "<p>2 * 3 * 4 and *open</p>\n"},
		{"strike", "~~gone~~ ~one~", "<p><del>gone</del> <del>one</del></p>\n"}, // GFM: one tilde strikes too
		{"escaped", `\*not\* \_em\_`, "<p>*not* _em_</p>\n"},

		// Code.
		{"inline code", "use `x := <-ch` here", "<p>use <code>x := &lt;-ch</code> here</p>\n"},
		{"double backticks", "``a ` b``", "<p><code>a ` b</code></p>\n"},
		{"unclosed backtick", "a `b", "<p>a `b</p>\n"},
		{"code keeps emphasis", "`*a*`", "<p><code>*a*</code></p>\n"},
		{"fenced", "```go\nif a < b && c {\n}\n```", `<pre><code class="language-go">if a &lt; b &amp;&amp; c {` + "\n}\n</code></pre>\n"},
		{"fenced tilde unclosed", "~~~\nx\n\ny", "<pre><code>x\n\ny\n</code></pre>\n"},
		{"fenced info escaped", "```\"><script>\nx\n```", `<pre><code class="language-&quot;&gt;&lt;script&gt;">x` + "\n</code></pre>\n"},
		{"indented code", "para\n\n    code <b>\n    more", "<p>para</p>\n<pre><code>code &lt;b&gt;\nmore\n</code></pre>\n"},

		// Lists.
		{"bullets", "- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"ordered start", "3. c\n4. d", "<ol start=\"3\">\n<li>c</li>\n<li>d</li>\n</ol>\n"},
		{"nested list", "1. one\n   - sub\n2. two", "<ol>\n<li>one\n<ul>\n<li>sub</li>\n</ul>\n</li>\n<li>two</li>\n</ol>\n"},
		{"loose list", "- a\n\n- b", "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>\n"},
		{"lazy continuation", "- a\ncontinued\n- b", "<ul>\n<li>a\ncontinued</li>\n<li>b</li>\n</ul>\n"},
		{"list after paragraph", "Steps:\n- a\n- b", "<p>Steps:</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"},
		{"year is not a list", "In\n2024. A year", "<p>In\n2024. A year</p>\n"},
		{"item with code", "- run:\n\n  ```\n  go test\n  ```", "<ul>\n<li>\n<p>run:</p>\n<pre><code>go test\n</code></pre>\n</li>\n</ul>\n"},

		{"task list", "- [x] done\n- [ ] todo", "<ul>\n<li><input checked=\"\" disabled=\"\" type=\"checkbox\"> done</li>\n<li><input disabled=\"\" type=\"checkbox\"> todo</li>\n</ul>\n"},

		// Tables.
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th style=\"text-align:left\">a</th>\n<th style=\"text-align:right\">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td style=\"text-align:left\">1</td>\n<td style=\"text-align:right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"table no outer pipes", "model | cores\n--- | :-:\nGIL | *1*\nFree", "<table>\n<thead>\n<tr>\n<th>model</th>\n<th style=\"text-align:center\">cores</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>GIL</td>\n<td style=\"text-align:center\"><em>1</em></td>\n</tr>\n<tr>\n<td>Free</td>\n<td></td>\n</tr>\n</tbody>\n</table>\n"},
		{"table escaped pipe", "| a |\n|---|\n| x \\| y |", "<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>x | y</td>\n</tr>\n</tbody>\n</table>\n"},
		// GFM says a header row and a delimiter row of different widths make no
		// table; goldmark makes one as wide as the delimiter row.
		{"rows of different widths", "a | b\n--|--|--", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n<th></th>\n</tr>\n</thead>\n</table>\n"},

		// Links and images.
		{"link", `[Go](https://go.dev "The Go site")`, `<p><a href="https://go.dev" title="The Go site">Go</a></p>` + "\n"},
		{"relative link", "[next](01-intro.ipynb#Part-1)", `<p><a href="01-intro.ipynb#Part-1">next</a></p>` + "\n"},
		{"link with parens", "[pep](https://x.org/a_(b))", `<p><a href="https://x.org/a_(b)">pep</a></p>` + "\n"},
		{"reference link", "[PEP 703][pep]\n\n[pep]: https://peps.python.org/pep-0703/", `<p><a href="https://peps.python.org/pep-0703/">PEP 703</a></p>` + "\n"},
		{"shortcut reference", "see [docs]\n\n[Docs]: /d 'T'", `<p>see <a href="/d" title="T">docs</a></p>` + "\n"},
		{"no such reference", "[a][b] [c]", "<p>[a][b] [c]</p>\n"},
		{"image", `![a <chart>](fig.png)`, `<p><img alt="a &lt;chart&gt;" src="fig.png"></p>` + "\n"},
		{"image in link", "[![badge](b.svg)](https://mybinder.org)", `<p><a href="https://mybinder.org"><img alt="badge" src="b.svg"></a></p>` + "\n"},
		{"autolink", "<https://a.b/c?d=1&e=2>", `<p><a href="https://a.b/c?d=1&amp;e=2">https://a.b/c?d=1&amp;e=2</a></p>` + "\n"},
		{"email autolink", "<me@example.com>", `<p><a href="mailto:me@example.com">me@example.com</a></p>` + "\n"},
		{"bare url", "see https://go.dev/doc.", `<p>see <a href="https://go.dev/doc">https://go.dev/doc</a>.</p>` + "\n"},
		{"bare url in parens", "(https://go.dev)", `<p>(<a href="https://go.dev">https://go.dev</a>)</p>` + "\n"},

		// Blockquotes.
		{"blockquote", "> quoted *text*\n> more\n\nafter", "<blockquote>\n<p>quoted <em>text</em>\nmore</p>\n</blockquote>\n<p>after</p>\n"},
		{"nested blockquote", "> a\n>> b", "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n"},
		{"blockquote lazy", "> a\nb", "<blockquote>\n<p>a\nb</p>\n</blockquote>\n"},

		// Math is kept as text, untouched by emphasis.
		{"inline math", "$a_1 * b_2$ and $x$", `<p><span class="math">$a_1 * b_2$</span> and <span class="math">$x$</span></p>` + "\n"},
		{"prices are not math", "costs $5 and $10", "<p>costs $5 and $10</p>\n"},
		{"display math", "$$\n\\sum_i x_i\n$$", "<div class=\"math\">$$\n\\sum_i x_i\n$$</div>\n"},

		// A few attribute-free inline tags pass, balanced within their span.
		{"inline tags", "Press <kbd>Shift</kbd>+<KBD>Enter</KBD>; H<sub>2</sub>O<br/>x", "<p>Press <kbd>Shift</kbd>+<kbd>Enter</kbd>; H<sub>2</sub>O<br>x</p>\n"},
		{"unclosed tag closed", "<b>bold\n\nnext", "<p><b>bold</b></p>\n<p>next</p>\n"},
		{"stray close stays text", "a</i> <i>b <sup>c</i>", "<p>a&lt;/i&gt; <i>b <sup>c</sup></i></p>\n"},
		{"other tags escaped", "<div>x</div> <span class=a>", "<p>&lt;div&gt;x&lt;/div&gt; &lt;span class=a&gt;</p>\n"},

		// Everything else is escaped.
		{"entities pass", "a &amp; b &copy; &#169; &bogus; & c", "<p>a &amp; b © © &amp;bogus; &amp; c</p>\n"},
		{"crlf", "a\r\nb\r\n\r\nc", "<p>a\nb</p>\n<p>c</p>\n"},
		{"tabs", "-\tone\n-\ttwo", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RenderMarkdown(tc.in); got != tc.want {
				t.Errorf("RenderMarkdown(%q)\n got: %q\nwant: %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestRenderMarkdownEscapes feeds hostile Markdown and checks that no tag,
// attribute or URL scheme gets into the output's markup (as text, escaped,
// it may stay).
func TestRenderMarkdownEscapes(t *testing.T) {
	for _, tc := range []struct{ in, mustNot string }{
		{"<script>alert(1)</script>", "<script"},
		{"<div onclick=\"x()\">hi</div>", "<div"},
		{"<img src=x onerror=alert(1)>", "<img"},
		{"# <b onclick=x>bold</b>", " onclick"},
		{"<kbd style=\"x\">k</kbd>", "style"},
		{"<b\nonmouseover=x>", "onmouseover"},
		{"</p></div><main>", "</div>"},
		{"<svg/onload=alert(1)>", "<svg"},
		{"[x](javascript:alert(1))", "javascript:"},
		{"[x](JavaScript:alert(1))", "avascript:"},
		{"[x](  java\tscript:alert(1))", "href"},
		{"![x](javascript:alert(1))", "javascript:"},
		{"[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"},
		{"<javascript:alert(1)>", "href"},
		{"[x](vbscript:msgbox)", "vbscript"},
		{`[x](https://a.b "t\" onmouseover=\"x")`, `" onmouseover`},
		{`[x](<https://a.b" onclick="x>)`, `" onclick`},
		{"| <i>a</i> |\n|---|\n| <iframe> |", "<iframe"},
		{"- <style>body{}</style>", "<style"},
		{"> <object>", "<object"},
		{"`</code><script>`", "<script"},
		{"```\n</code></pre><script>\n```", "<script"},
		{"$</span><script>$", "<script"},
		{"&lt;script&gt;", "<script"},
		{"[a](#x\"><script>)", "<script"},
		{"[ref]\n\n[ref]: \"><script>", "<script"},
		{"<!-- comment -->", "<!--"},
	} {
		got := RenderMarkdown(tc.in)
		for _, tag := range tagRe.FindAllString(got, -1) {
			if strings.Contains(strings.ToLower(tag), strings.ToLower(tc.mustNot)) {
				t.Errorf("RenderMarkdown(%q) = %q: tag %q contains %q", tc.in, got, tag, tc.mustNot)
			}
		}
	}
}

func TestRenderMarkdownImageResolver(t *testing.T) {
	m := newMarkdown(func(src string) string {
		if src == "attachment:a.png" {
			return "data:image/png;base64,AAAA"
		}
		return src
	})
	got := m.render("![fig](attachment:a.png) ![no](attachment:b.png)")
	want := `<p><img alt="fig" src="data:image/png;base64,AAAA"> <img alt="no"></p>` + "\n"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func FuzzRenderMarkdown(f *testing.F) {
	for _, s := range []string{"# a\n\n- b\n  - c\n\n| x | y |\n|---|---|\n| 1 | 2 |", "*a **b", "[a](b \"c\")", "```\nx", "> - a\n> b", "$a$ `c` <http://x>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := RenderMarkdown(s)
		// Whatever the input, every tag in the output is one we write.
		for _, m := range tagRe.FindAllString(got, -1) {
			name := strings.TrimLeft(strings.Fields(strings.Trim(m, "<>/"))[0], "/")
			if !allowedTagName[name] {
				t.Fatalf("RenderMarkdown(%q) wrote tag %q", s, m)
			}
		}
	})
}

var allowedTagName = map[string]bool{
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "p": true, "br": true,
	"em": true, "strong": true, "del": true, "code": true, "pre": true, "ul": true, "ol": true,
	"li": true, "table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"a": true, "img": true, "input": true, "details": true, "summary": true, "blockquote": true, "hr": true, "span": true, "div": true,
	"kbd": true, "sub": true, "sup": true, "b": true, "i": true, "s": true, "u": true, "mark": true, "small": true,
}

// BenchmarkRenderMarkdown measures a typical lesson cell and inputs built
// to hit quadratic paths (unclosed brackets, unmatched emphasis, deep
// nesting, long paragraphs); each should stay linear or close to it.
func BenchmarkRenderMarkdown(b *testing.B) {
	var nested strings.Builder
	for i := 0; i < 200; i++ {
		nested.WriteString(strings.Repeat(" ", 2*i) + "- x\n")
	}
	for _, bc := range []struct{ name, src string }{
		{"lesson", "# The GIL\n\nOnly **one** goroutine runs *interpreted* code at a time; see `rt.Run`.\n\n" +
			"| model | cores |\n|---|--:|\n| GIL | 1 |\n| Free | 2 |\n\n- a [link](https://go.dev)\n- b\n\n```go\nrt.Run(rt.GIL, 2, fib, 30)\n```\n"},
		{"brackets", strings.Repeat("[", 20000)},
		{"unmatched-emphasis", strings.Repeat("a* ", 20000)},
		{"lines", strings.Repeat("a\n", 20000)},
		{"deep-list", strings.Repeat("- ", 5000) + "x"},
		{"nested-lists", nested.String()},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.src)))
			for b.Loop() {
				RenderMarkdown(bc.src)
			}
		})
	}
}

// BenchmarkRenderMarkdownWorkshop renders the Markdown of every workshop
// notebook in one session, as a handout does.
func BenchmarkRenderMarkdownWorkshop(b *testing.B) {
	paths, _ := filepath.Glob("../notebooks/*.ipynb")
	var cells []string
	size := 0
	for _, p := range paths {
		nb, err := ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range nb.Cells {
			if c.Type == "markdown" {
				cells = append(cells, c.Source)
				size += len(c.Source)
			}
		}
	}
	if len(cells) == 0 {
		b.Fatal("no workshop Markdown found")
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		m := newMarkdown(nil)
		for _, c := range cells {
			m.render(c)
		}
	}
}
