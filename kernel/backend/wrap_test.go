package backend

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrapWords(t *testing.T) {
	long := strings.Repeat("x", 30)
	for _, c := range []struct {
		text, indent string
		width        int
		want         string
	}{
		{"", "  ", 10, ""},
		{"one two three", "", 80, "one two three\n"},
		{"one two three", "", 7, "one two\nthree\n"},
		{"one two three", "  ", 9, "  one two\n  three\n"},
		{"a " + long + " b", "", 10, "a\n" + long + "\nb\n"},
		{"runs — under one lock", "", 11, "runs —\nunder one\nlock\n"},
	} {
		if got := wrapWords(c.text, c.indent, c.width); got != c.want {
			t.Errorf("wrapWords(%q, %q, %d) = %q, want %q", c.text, c.indent, c.width, got, c.want)
		}
	}
}

// Every magic's help keeps all its words whole, on lines that fit.
func TestHelpFitsBetweenWords(t *testing.T) {
	for _, m := range magicTable {
		got := wrapWords(m.help, "      ", helpWidth)
		for _, l := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
			if n := utf8.RuneCountInString(l); n > helpWidth {
				t.Errorf("%%%s: a line of %d columns: %q", m.name, n, l)
			}
		}
		if strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(m.help), " ") {
			t.Errorf("%%%s: wrapping changed the words:\n%s", m.name, got)
		}
	}
}
