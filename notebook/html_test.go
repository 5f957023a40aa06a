package notebook

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// smallScript answers the cells of testdata/small.ipynb with what the
// kernel's evaluator publishes for them.
func smallScript(t testing.TB, nb *Notebook) *scripted {
	t.Helper()
	byID := map[string][]Event{
		"hello": {
			{Kind: "stream", Name: "stdout", Text: "hello from corelab\n"},
			{Kind: "stream", Name: "stdout", Text: "second line\n"},
		},
		"figure": {{Kind: "display_data", Data: map[string]any{
			"image/svg+xml": `<?xml version="1.0"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect id="small-bar" width="42" height="12" fill="#4a7"/></svg>`,
			"text/plain":    "[svg]",
		}}},
		"update": {
			{Kind: "display_data", Data: map[string]any{"text/plain": "working..."}, DisplayID: "h1"},
			{Kind: "update_display_data", Data: map[string]any{"text/plain": "done"}, DisplayID: "h1"},
		},
		"result": {{Kind: "execute_result", Data: map[string]any{"text/plain": "49"}}},
	}
	s := &scripted{script: map[string][]Event{}}
	for _, c := range nb.Cells {
		s.script[c.Source] = byID[c.ID]
	}
	return s
}

func runSmall(t *testing.T) *Notebook {
	t.Helper()
	nb, err := ReadFile("testdata/small.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), nb, smallScript(t, nb), RunOptions{}); err != nil {
		t.Fatal(err)
	}
	return nb
}

func handout(t *testing.T, nb *Notebook, opts HTMLOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, nb, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestHandout(t *testing.T) {
	nb := runSmall(t)
	h := handout(t, nb, HTMLOptions{})
	for _, want := range []string{
		"<!DOCTYPE html>",
		"<title>A small notebook</title>",
		`<h1 id="A-small-notebook">A small notebook</h1>`,
		`<div class="figure"><svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect id="small-bar"`,
		`<pre class="output stream stdout">hello from corelab` + "\nsecond line\n</pre>",
		`<pre class="source">import &#34;fmt&#34;`,
		"In&nbsp;[1]:",
		"Out&nbsp;[5]:</div><pre>49</pre>",
		"<pre>done</pre>",
		"<table>",
		"func square(x int) int",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("handout lacks %q", want)
		}
	}
	for _, bad := range []string{
		`class="output error"`, "<pre>working...</pre>", "<?xml", "<script", "<link", `src="http`, `href="http`, "@import",
	} {
		if strings.Contains(h, bad) {
			t.Errorf("handout contains %q", bad)
		}
	}
}

func TestHandoutNoInputAndSolutions(t *testing.T) {
	nb := runSmall(t)
	h := handout(t, WithoutTag(nb, "solution"), HTMLOptions{NoInput: true})
	for _, bad := range []string{`class="input"`, "fmt.Println(", "func square", "Out&nbsp;["} {
		if strings.Contains(h, bad) {
			t.Errorf("--no-input --strip-solutions handout contains %q", bad)
		}
	}
	for _, want := range []string{"<rect id=\"small-bar\"", "hello from corelab", "<pre>49</pre>", "Write <code>square</code>"} {
		if !strings.Contains(h, want) {
			t.Errorf("--no-input handout lacks %q", want)
		}
	}
	if len(nb.Cells) != 7 {
		t.Errorf("WithoutTag changed the original notebook: %d cells", len(nb.Cells))
	}
}

func TestHandoutEscapesAndFigures(t *testing.T) {
	nb := &Notebook{Format: 4, Minor: 5, Cells: []*Cell{
		{Type: "markdown", Source: "Setup <script>alert(1)</script>\n\n![att](attachment:p.png)",
			Extra: map[string]json.RawMessage{"attachments": json.RawMessage(`{"p.png": {"image/png": "QUJD\n"}}`)}},
		{Type: "code", Source: "x := `</pre><script>`", ExecutionCount: 1, Outputs: []*Output{
			{Type: "stream", Name: "stderr", Text: "\x1b[31mwarn\x1b[0m <b>\n"},
			{Type: "display_data", Data: map[string]any{"image/png": "iVBORw0K\nGgo=\n", "text/plain": "<Figure>"},
				Metadata: map[string]any{"image/png": map[string]any{"width": 320.0}}},
			{Type: "display_data", Data: map[string]any{"text/plain": "a < b & c"}},
			{Type: "display_data", Data: map[string]any{"text/html": "<table><tr><td>kept</td></tr></table>", "text/plain": "kept"}},
			{Type: "display_data", Data: map[string]any{"application/javascript": "alert(1)", "text/plain": "js fallback"}},
			{Type: "error", EName: "Panic", EValue: "boom", Traceback: []string{"\x1b[1;31mpanic: <boom>\x1b[0m", "  cell line 1"}},
		}},
		{Type: "raw", Source: "<i>raw not html</i>"},
		{Type: "raw", Source: "<i>raw html</i>", Metadata: map[string]any{"format": "text/html"}},
	}}
	h := handout(t, nb, HTMLOptions{Title: `Tricky "title" <x>`})
	for _, want := range []string{
		"<title>Tricky &#34;title&#34; &lt;x&gt;</title>",
		"Setup &lt;script&gt;alert(1)&lt;/script&gt;",
		`<img alt="att" src="data:image/png;base64,QUJD">`,
		"x := `&lt;/pre&gt;&lt;script&gt;`",
		`<pre class="output stream stderr">warn &lt;b&gt;`,
		`<img src="data:image/png;base64,iVBORw0KGgo=" alt="figure" width="320">`,
		"<pre>a &lt; b &amp; c</pre>",
		"<table><tr><td>kept</td></tr></table>",
		"<pre>js fallback</pre>",
		`<pre class="output error">panic: &lt;boom&gt;` + "\n  cell line 1</pre>",
		"<i>raw html</i>",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("handout lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "\x1b", "raw not html", "alert(1)</"} {
		if strings.Contains(h, bad) {
			t.Errorf("handout contains %q", bad)
		}
	}
}

func TestTitle(t *testing.T) {
	nb := &Notebook{Cells: []*Cell{
		{Type: "code", Source: "# not markdown"},
		{Type: "markdown", Source: "intro text"},
		{Type: "markdown", Source: "Intro\n\n## The *GIL* &amp; you\n# Later"},
	}}
	if got := Title(nb); got != "The GIL & you" {
		t.Errorf("Title = %q", got)
	}
	if got := Title(&Notebook{}); got != "" {
		t.Errorf("Title of an empty notebook = %q", got)
	}
}

func TestWriteIndex(t *testing.T) {
	var b bytes.Buffer
	err := WriteIndex(&b, "Handouts", []IndexEntry{
		{Title: "00 — Your machine", Href: "00-machine.html", Source: "00-machine.ipynb"},
		{Title: "<evil>", Href: "javascript:alert(1)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, want := range []string{`<a href="00-machine.html">00 — Your machine</a>`, "00-machine.ipynb", "&lt;evil&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	if strings.Contains(h, "javascript:") {
		t.Error("index links a javascript: URL")
	}
}
