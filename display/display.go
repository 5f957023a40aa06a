package display

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
)

// MIME types used in bundles.
const (
	MIMEText     = "text/plain"
	MIMEHTML     = "text/html"
	MIMEMarkdown = "text/markdown"
	MIMESVG      = "image/svg+xml"
	MIMEPNG      = "image/png"
	MIMEJSON     = "application/json"
)

// Bundle maps MIME types to data, like the data field of a Jupyter
// display_data message. Values are strings (PNG as base64 text) except
// application/json, whose value is a JSON-encodable value.
type Bundle map[string]any

// DisplayBundle returns b itself, so a Bundle left as a cell's trailing
// expression is shown richly like any other [Displayer].
func (b Bundle) DisplayBundle() Bundle { return b }

// Displayer is implemented by values that know how to show themselves. The
// kernel shows a cell's trailing expression through DisplayBundle when the
// value implements it.
type Displayer interface {
	DisplayBundle() Bundle
}

// Sink receives everything shown. displayID is "" for anonymous output;
// update is true for a replacement of the output with that displayID
// (update_display_data). Implementations must be safe for concurrent use.
type Sink interface {
	Publish(b Bundle, meta map[string]any, displayID string, update bool)
}

// sinkBox lets an interface value live in an atomic.Pointer.
type sinkBox struct{ s Sink }

var current atomic.Pointer[sinkBox]

// SetSink installs s as the process-wide sink; nil restores the default sink,
// which writes text/plain to os.Stdout.
func SetSink(s Sink) {
	if s == nil {
		current.Store(nil)
		return
	}
	current.Store(&sinkBox{s})
}

// CurrentSink returns the installed sink (the default sink if none is set).
func CurrentSink() Sink {
	if b := current.Load(); b != nil {
		return b.s
	}
	return stdoutSink
}

// WriterSink is a Sink that writes the text/plain part of every bundle (or a
// short placeholder naming its MIME types) to W, one bundle per line.
// Updates are written again, prefixed with nothing: a console has no way to
// replace earlier output. It serialises writes, so it is safe for concurrent use.
type WriterSink struct {
	mu sync.Mutex
	W  io.Writer // nil means os.Stdout at the time of the write
}

// Publish writes the plain-text form of b; an empty update ([Handle.Clear])
// writes nothing.
func (w *WriterSink) Publish(b Bundle, meta map[string]any, displayID string, update bool) {
	if len(b) == 0 {
		return
	}
	text := PlainText(b)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.W
	if out == nil {
		out = os.Stdout
	}
	io.WriteString(out, text)
}

var stdoutSink = &WriterSink{}

// Publish sends b to the current sink with metadata and display id as given.
// Most callers want [Show] or a [Handle]; Publish is for code that forwards
// output it received from elsewhere (isolates, worker processes).
func Publish(b Bundle, meta map[string]any, displayID string, update bool) {
	if len(b) == 0 {
		return
	}
	CurrentSink().Publish(b, meta, displayID, update)
}

// Show displays b as a new output (display_data).
func Show(b Bundle) { Publish(b, nil, "", false) }

// Value displays v: through its DisplayBundle method when it is a
// [Displayer], otherwise as text formatted with %v.
func Value(v any) { Show(Of(v)) }

// Of returns the bundle for v: v.DisplayBundle() when v is a [Displayer],
// otherwise text/plain formatted with %v.
func Of(v any) Bundle {
	if d, ok := v.(Displayer); ok {
		if b := d.DisplayBundle(); len(b) > 0 {
			return b
		}
	}
	return Bundle{MIMEText: fmt.Sprintf("%v", v)}
}

// HTML displays an HTML fragment.
func HTML(s string) { Show(HTMLBundle(s)) }

// SVG displays an SVG document (a complete <svg> element).
func SVG(s string) { Show(SVGBundle(s)) }

// Markdown displays Markdown text.
func Markdown(s string) { Show(MarkdownBundle(s)) }

// PNG displays PNG image bytes.
func PNG(b []byte) { Show(PNGBundle(b)) }

// JSON displays v as application/json (rendered as a tree by JupyterLab).
func JSON(v any) { Show(JSONBundle(v)) }

// Text displays plain text.
func Text(s string) { Show(TextBundle(s)) }

// TextBundle returns a bundle holding only text/plain.
func TextBundle(s string) Bundle { return Bundle{MIMEText: s} }

// HTMLBundle returns a bundle with the HTML and a plain-text rendering of it
// (tags removed) for consoles.
func HTMLBundle(s string) Bundle { return Bundle{MIMEHTML: s, MIMEText: StripTags(s)} }

// SVGBundle returns a bundle with the SVG image and a text placeholder.
func SVGBundle(s string) Bundle {
	return Bundle{MIMESVG: s, MIMEText: "[SVG image]"}
}

// MarkdownBundle returns a bundle with the Markdown and the same text as plain text.
func MarkdownBundle(s string) Bundle { return Bundle{MIMEMarkdown: s, MIMEText: s} }

// PNGBundle returns a bundle with the PNG image (base64, as Jupyter expects).
func PNGBundle(b []byte) Bundle {
	return Bundle{
		MIMEPNG:  base64.StdEncoding.EncodeToString(b),
		MIMEText: fmt.Sprintf("[PNG image, %d bytes]", len(b)),
	}
}

// JSONBundle returns a bundle with v as application/json and indented JSON
// text. v is normalised through encoding/json so that the sink can always
// encode it; a value JSON cannot encode becomes a text/plain error.
func JSONBundle(v any) Bundle {
	raw, err := json.Marshal(v)
	if err != nil {
		return Bundle{MIMEText: fmt.Sprintf("display.JSON: %v", err)}
	}
	var norm any
	if err := json.Unmarshal(raw, &norm); err != nil {
		return Bundle{MIMEText: fmt.Sprintf("display.JSON: %v", err)}
	}
	var ind bytes.Buffer
	json.Indent(&ind, raw, "", "  ")
	return Bundle{MIMEJSON: norm, MIMEText: ind.String()}
}

// PlainText returns the text/plain part of b, or a placeholder naming the
// MIME types it holds when there is none.
func PlainText(b Bundle) string {
	if s, ok := b[MIMEText].(string); ok {
		return s
	}
	types := make([]string, 0, len(b))
	for k := range b {
		types = append(types, k)
	}
	sort.Strings(types)
	return "[" + strings.Join(types, ", ") + "]"
}

var (
	reBlockEnd = regexp.MustCompile(`(?i)</(p|div|tr|h[1-6]|li|table|thead|tbody|pre)>|<br\s*/?>`)
	reCellEnd  = regexp.MustCompile(`(?i)</(td|th)>`)
	reTag      = regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`)
	reSpaces   = regexp.MustCompile(`[ \t]+`)
	reBlank    = regexp.MustCompile(`\n\s*\n+`)
)

// StripTags turns an HTML fragment into readable plain text: block ends
// become line breaks, table cells are separated by two spaces, tags are
// dropped and entities decoded. It is meant for console fallbacks, not as an
// HTML parser.
func StripTags(s string) string {
	s = reBlockEnd.ReplaceAllString(s, "\n")
	s = reCellEnd.ReplaceAllString(s, "\x00")
	s = reTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = reSpaces.ReplaceAllString(s, " ")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		cells := strings.Split(l, "\x00")
		for j, c := range cells {
			cells[j] = strings.TrimSpace(c)
		}
		lines[i] = strings.TrimSpace(strings.Join(cells, "  "))
	}
	s = strings.Join(lines, "\n")
	s = reBlank.ReplaceAllString(s, "\n")
	return strings.TrimSpace(s)
}

// Handle names one output area by a display_id so it can be replaced later.
// Create it with [New]. It is safe for concurrent use.
type Handle struct {
	id    string
	shown atomic.Bool
}

// New returns a handle with a fresh display_id (a random UUID). Nothing is
// shown until [Handle.Show] or [Handle.Update].
func New() *Handle { return &Handle{id: uuid.NewString()} }

// ID returns the display_id.
func (h *Handle) ID() string { return h.id }

// Show displays b as a new output carrying the handle's display_id. Showing
// the same handle twice makes two outputs that later updates both replace.
func (h *Handle) Show(b Bundle) {
	h.shown.Store(true)
	Publish(b, nil, h.id, false)
}

// Update replaces every output shown with this handle by b
// (update_display_data). If the handle was never shown, Update shows it, so
// a progress loop can call Update from its first step.
func (h *Handle) Update(b Bundle) {
	if !h.shown.Swap(true) {
		Publish(b, nil, h.id, false)
		return
	}
	Publish(b, nil, h.id, true)
}

// Clear empties every output shown with this handle (an update_display_data
// with no data), so a progress line leaves nothing behind once the work it
// followed is done: not in the frontend, not in the saved notebook. A later
// Update fills the same outputs again. Clear on a handle never shown does
// nothing.
func (h *Handle) Clear() {
	if h.shown.Load() {
		CurrentSink().Publish(Bundle{}, nil, h.id, true)
	}
}

// HTML updates the output with an HTML fragment.
func (h *Handle) HTML(s string) { h.Update(HTMLBundle(s)) }

// SVG updates the output with an SVG document.
func (h *Handle) SVG(s string) { h.Update(SVGBundle(s)) }

// Markdown updates the output with Markdown text.
func (h *Handle) Markdown(s string) { h.Update(MarkdownBundle(s)) }

// Text updates the output with plain text.
func (h *Handle) Text(s string) { h.Update(TextBundle(s)) }
