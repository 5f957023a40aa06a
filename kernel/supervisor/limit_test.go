package supervisor

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCapBundle(t *testing.T) {
	big := strings.Repeat("é", 600) // 1200 bytes
	for _, tc := range []struct {
		name   string
		in     map[string]any
		keep   []string // keys kept
		drop   []string // keys dropped
		inText []string // text/plain contains
	}{
		{"small", map[string]any{"text/plain": "x", "text/html": "<b>x</b>"}, []string{"text/plain", "text/html"}, nil, []string{"x"}},
		{"text cut", map[string]any{"text/plain": big}, []string{"text/plain"}, nil, []string{"only the first 1000 bytes are shown", "1.2 KiB"}},
		{"html dropped", map[string]any{"text/plain": "t", "text/html": big}, []string{"text/plain"}, []string{"text/html"}, []string{"t\n", "text/html form of this output (1.2 KiB) is over the 1000 bytes limit"}},
		{"json dropped, note made", map[string]any{"application/json": []any{big}}, []string{"text/plain"}, []string{"application/json"}, []string{"application/json form"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := capBundle(tc.in, 1000)
			for _, k := range tc.keep {
				if _, ok := out[k]; !ok {
					t.Errorf("%s dropped: %v", k, out)
				}
			}
			for _, k := range tc.drop {
				if _, ok := out[k]; ok {
					t.Errorf("%s kept", k)
				}
			}
			text, _ := out["text/plain"].(string)
			for _, want := range tc.inText {
				if !strings.Contains(text, want) {
					t.Errorf("text/plain %q lacks %q", text, want)
				}
			}
			if !utf8.ValidString(text) || len(text) > 1000+200 {
				t.Errorf("text/plain: %d bytes, valid UTF-8 %v", len(text), utf8.ValidString(text))
			}
		})
	}
	if out := capBundle(map[string]any{"text/plain": big}, -1); out["text/plain"] != big {
		t.Errorf("a negative limit cut the text")
	}
}

func TestCapError(t *testing.T) {
	tb := make([]string, 50)
	for i := range tb {
		tb[i] = strings.Repeat("x", 100)
	}
	e := capError(&Error{Name: "Panic", Value: strings.Repeat("v", 5000), Traceback: tb}, 1000)
	if e.Name != "Panic" || len(e.Value) > 1100 || !strings.Contains(e.Value, "more not shown") {
		t.Errorf("value: %d bytes %q", len(e.Value), e.Value[len(e.Value)-40:])
	}
	if n := len(e.Traceback); n > 12 || !strings.Contains(e.Traceback[n-1], "40 more traceback entries not shown") {
		t.Errorf("traceback: %d entries, last %q", n, e.Traceback[n-1])
	}
}
