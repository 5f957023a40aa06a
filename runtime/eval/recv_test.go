package eval

import (
	"strings"
	"testing"
)

// TestMoreReceivesUnderLock: receives in for conditions and post
// statements, after && in a for condition, and nested receives release the
// lock (under lockHooks a missed one deadlocks the cell).
func TestMoreReceivesUnderLock(t *testing.T) {
	steps := []step{
		{src: "sig := make(chan bool)\ngo func() { for i := 0; i < 3; i++ { sig <- true }; sig <- false }()\nn := 0\nfor <-sig {\n\tn++\n}\nn", want: "3"},
		{src: "go func() { for i := 0; i < 5; i++ { sig <- true } }()\nm := 0\nfor m < 5 && <-sig {\n\tm++\n}\nm", want: "5"},
		{src: "vals := make(chan int)\ngo func() { for i := 1; i <= 4; i++ { vals <- i }; close(vals) }()\nsum := 0\nfor v, ok := 0, true; ok; v, ok = <-vals {\n\tsum += v\n}\nsum", want: "10"},
		{src: "step := make(chan int)\ngo func() { for i := 0; i < 4; i++ { step <- 2 } }()\nk := 0\nfor i := 0; i < 7; i += <-step {\n\tk++\n}\nk", want: "4"},
		{src: "func sum2(a, b int) int { return a + b }\ngo func() { step <- 2; step <- 2 }()\nfor i := 0; i < 3; i = sum2(i, <-step) / 1 {\n}\n0", want: "0"},
		{src: "cc := make(chan chan int)\ngo func() { c := make(chan int); cc <- c; c <- 5 }()\ny := 1 + <-<-cc\ny", want: "6"},
		{src: "go func() { c := make(chan int); cc <- c; c <- 8 }()\n<-<-cc", want: "8"},
		{src: "func f() int {\n\tfor i := 0; <-sig; i++ {\n\t\tif i == 2 {\n\t\t\treturn i\n\t\t}\n\t}\n\treturn -1\n}\ngo func() { for i := 0; i < 3; i++ { sig <- true } }()\nf()", want: "2"},
	}
	runUnderLock(t, steps)
}

// TestRewriteReceivesKeepLines: the new releases keep every line in place.
func TestRewriteReceivesKeepLines(t *testing.T) {
	src := "func f(c chan bool, d chan int, cc chan chan int) int {\n" +
		"\tn := 0\n" +
		"\tfor n < 3 &&\n\t\t<-c {\n" +
		"\t\tn++\n" +
		"\t}\n" +
		"\tfor <-c {\n\t\tn++\n\t}\n" +
		"\tfor i := 0; i < 3; i += <-d {\n\t}\n" +
		"\tx := 1 + <-<-cc\n" +
		"\treturn n + x // marker\n" +
		"}\n"
	for _, p := range []Policy{Py310, Py39} {
		out, err := Rewrite(src, p)
		if err != nil {
			t.Fatal(err)
		}
		got, want := strings.Split(out, "\n"), strings.Split(src, "\n")
		if len(got) != len(want) {
			t.Fatalf("%v: %d lines, want %d:\n%s", p, len(got), len(want), out)
		}
		if !strings.Contains(got[12], "return n + x // marker") {
			t.Errorf("%v: line 13 = %q", p, got[12])
		}
		for _, w := range []string{"if !(_clv", ":= <-c;_clr", "func(){_clr", ":= <-cc;_clr", ":= <-_clv"} {
			if !strings.Contains(out, w) {
				t.Errorf("%v: %q missing:\n%s", p, w, out)
			}
		}
	}
}
