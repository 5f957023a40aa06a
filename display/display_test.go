package display

import (
	"bytes"
	"encoding/base64"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
)

type published struct {
	b      Bundle
	meta   map[string]any
	id     string
	update bool
}

type recordSink struct {
	mu  sync.Mutex
	got []published
}

func (r *recordSink) Publish(b Bundle, meta map[string]any, id string, update bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, published{b, meta, id, update})
}

func (r *recordSink) all() []published {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]published(nil), r.got...)
}

// withSink installs a recording sink for the test and restores the default after.
func withSink(t *testing.T) *recordSink {
	t.Helper()
	r := &recordSink{}
	SetSink(r)
	t.Cleanup(func() { SetSink(nil) })
	return r
}

func TestHelpersMIME(t *testing.T) {
	r := withSink(t)
	HTML("<b>hi</b> &amp; bye")
	SVG(`<svg xmlns="http://www.w3.org/2000/svg"/>`)
	Markdown("# title")
	PNG([]byte{0x89, 'P', 'N', 'G'})
	JSON(map[string]int{"a": 1})
	Text("plain")
	got := r.all()
	want := []struct{ mime, text string }{
		{MIMEHTML, "hi & bye"},
		{MIMESVG, "[SVG image]"},
		{MIMEMarkdown, "# title"},
		{MIMEPNG, "[PNG image, 4 bytes]"},
		{MIMEJSON, "{\n  \"a\": 1\n}"},
		{MIMEText, "plain"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d outputs, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if _, ok := p.b[w.mime]; !ok {
			t.Errorf("output %d: no %s in %v", i, w.mime, p.b)
		}
		if txt := p.b[MIMEText]; txt != w.text {
			t.Errorf("output %d: text/plain = %q, want %q", i, txt, w.text)
		}
		if p.id != "" || p.update {
			t.Errorf("output %d: anonymous show has id %q update %v", i, p.id, p.update)
		}
	}
	png, _ := base64.StdEncoding.DecodeString(got[3].b[MIMEPNG].(string))
	if !bytes.Equal(png, []byte{0x89, 'P', 'N', 'G'}) {
		t.Errorf("PNG not base64 of input: %q", png)
	}
	if m, ok := got[4].b[MIMEJSON].(map[string]any); !ok || m["a"] != float64(1) {
		t.Errorf("JSON value not normalised: %#v", got[4].b[MIMEJSON])
	}
}

func TestJSONUnencodable(t *testing.T) {
	b := JSONBundle(func() {})
	if _, ok := b[MIMEJSON]; ok {
		t.Fatal("unencodable value produced application/json")
	}
	if !strings.Contains(b[MIMEText].(string), "display.JSON") {
		t.Errorf("error text = %q", b[MIMEText])
	}
}

func TestHandleShowUpdate(t *testing.T) {
	r := withSink(t)
	h := New()
	if _, err := uuid.Parse(h.ID()); err != nil {
		t.Fatalf("display id %q is not a UUID: %v", h.ID(), err)
	}
	if New().ID() == h.ID() {
		t.Fatal("two handles share a display id")
	}
	h.Text("first") // never shown: Update shows
	h.HTML("<p>second</p>")
	h.Show(TextBundle("again"))
	got := r.all()
	if len(got) != 3 {
		t.Fatalf("got %d outputs", len(got))
	}
	wantUpdate := []bool{false, true, false}
	for i, p := range got {
		if p.id != h.ID() {
			t.Errorf("output %d id %q, want %q", i, p.id, h.ID())
		}
		if p.update != wantUpdate[i] {
			t.Errorf("output %d update=%v, want %v", i, p.update, wantUpdate[i])
		}
	}
}

// Clear replaces what a handle showed with nothing, and only if it showed
// something; a console sink writes nothing for it.
func TestHandleClear(t *testing.T) {
	r := withSink(t)
	New().Clear()
	if n := len(r.all()); n != 0 {
		t.Fatalf("Clear of a handle never shown published %d outputs", n)
	}
	h := New()
	h.Text("working…")
	h.Clear()
	got := r.all()
	if len(got) != 2 {
		t.Fatalf("got %d outputs, want the line and its clearing", len(got))
	}
	if c := got[1]; c.id != h.ID() || !c.update || len(c.b) != 0 {
		t.Errorf("Clear published %+v, want an empty update of %s", c, h.ID())
	}
	var buf bytes.Buffer
	SetSink(&WriterSink{W: &buf})
	h = New()
	h.Text("working…")
	h.Clear()
	if buf.String() != "working…\n" {
		t.Errorf("console got %q", buf.String())
	}
}

type thing struct{}

func (thing) DisplayBundle() Bundle { return Bundle{MIMEHTML: "<i>thing</i>", MIMEText: "thing"} }

func TestOfAndDisplayer(t *testing.T) {
	var _ Displayer = thing{}
	var _ Displayer = Bundle{}
	if b := Of(thing{}); b[MIMEHTML] != "<i>thing</i>" {
		t.Errorf("Of(Displayer) = %v", b)
	}
	if b := Of(42); b[MIMEText] != "42" {
		t.Errorf("Of(42) = %v", b)
	}
	in := Bundle{MIMEText: "x"}
	if b := Of(in); b[MIMEText] != "x" {
		t.Errorf("Of(Bundle) = %v", b)
	}
}

func TestDefaultSinkWritesText(t *testing.T) {
	var buf bytes.Buffer
	w := &WriterSink{W: &buf}
	SetSink(w)
	defer SetSink(nil)
	HTML("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td><td>2</td></tr></table>")
	Show(Bundle{MIMESVG: "<svg/>"})
	got := buf.String()
	if !strings.Contains(got, "a  b\n1  2\n") {
		t.Errorf("table text = %q", got)
	}
	if !strings.Contains(got, "[image/svg+xml]\n") {
		t.Errorf("placeholder missing: %q", got)
	}
	SetSink(nil)
	if CurrentSink() != Sink(stdoutSink) {
		t.Error("SetSink(nil) did not restore the stdout sink")
	}
}

func TestEmptyBundleNotPublished(t *testing.T) {
	r := withSink(t)
	Show(nil)
	Show(Bundle{})
	if n := len(r.all()); n != 0 {
		t.Errorf("empty bundles published %d outputs", n)
	}
}

func TestConcurrentShowAndSetSink(t *testing.T) {
	r := withSink(t)
	var buf bytes.Buffer
	ws := &WriterSink{W: &buf}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			h := New()
			for j := 0; j < 200; j++ {
				h.Text("x")
				Text("y")
				if i == 0 && j%50 == 0 {
					SetSink(ws)
					SetSink(r)
				}
			}
		}(i)
	}
	wg.Wait()
	if n := len(r.all()) + strings.Count(buf.String(), "\n"); n != 8*200*2 {
		t.Errorf("published %d outputs, want %d", n, 8*200*2)
	}
}

func TestStripTags(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"<p>a</p><p>b</p>", "a\nb"},
		{"x<br>y<br/>z", "x\ny\nz"},
		{"<!-- c -->&lt;tag&gt;", "<tag>"},
		{"  <div>\n\n  spaced   out </div>  ", "spaced out"},
	}
	for _, c := range cases {
		if got := StripTags(c.in); got != c.want {
			t.Errorf("StripTags(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
