package kernel

import (
	"fmt"
	"path/filepath"
	"testing"
)

func TestHistoryQuery(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.jsonl")
	h, err := openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	h.add(1, "a := 1")
	h.add(2, "fmt.Println(a)")
	h.close()
	// A second session reads the first from the file.
	h, err = openHistory(path)
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	h.add(1, "b := 2")
	h.add(2, "a + b")
	for _, tc := range []struct {
		c    historyContent
		want string
	}{
		{historyContent{HistAccessType: "tail", N: 2}, "[[2 1 b := 2] [2 2 a + b]]"},
		{historyContent{HistAccessType: "tail", N: 10}, "[[1 1 a := 1] [1 2 fmt.Println(a)] [2 1 b := 2] [2 2 a + b]]"},
		{historyContent{HistAccessType: "range", Session: -1, Start: 1, Stop: 2}, "[[1 1 a := 1]]"},
		{historyContent{HistAccessType: "range", Session: 0, Start: 2}, "[[2 2 a + b]]"},
		{historyContent{HistAccessType: "search", Pattern: "a*"}, "[[1 1 a := 1] [2 2 a + b]]"},
		{historyContent{HistAccessType: "search", Pattern: "*Print*", N: 1}, "[[1 2 fmt.Println(a)]]"},
		{historyContent{HistAccessType: "tail", N: 1, Output: true}, "[[2 2 [a + b <nil>]]]"},
	} {
		if got := fmt.Sprint(h.query(tc.c)); got != tc.want {
			t.Errorf("%+v: got %s, want %s", tc.c, got, tc.want)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		p, s string
		want bool
	}{
		{"", "anything", true},
		{"a*", "abc", true},
		{"a*", "bac", false},
		{"*c", "abc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"Print", "fmt.Println(x)", true},
	} {
		if got := globMatch(tc.p, tc.s); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.p, tc.s, got)
		}
	}
}
