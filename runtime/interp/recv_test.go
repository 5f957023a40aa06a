package interp

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

// TestEveryReceiveUnderLock: receives the rewriter used to leave holding
// the lock — right of && and ||, spanning lines, in else-if and case
// headers, in a comma-ok for init, in the arguments of go and defer — now
// release it (under lockHooks a missed one deadlocks the cell).
func TestEveryReceiveUnderLock(t *testing.T) {
	steps := []step{
		{src: "import \"fmt\"\nch := make(chan bool)\ngo func() { ch <- true; ch <- false; ch <- true }()\nt := true\nx := t && <-ch\ny := !t || <-ch\nz := t &&\n\t<-ch\nfmt.Sprint(x, y, z)", want: "true false true"},
		{src: "go func() { ch <- true; ch <- true; ch <- false }()\nn := 0\nif t && <-ch {\n\tn += 1\n}\nif !t {\n\tn = -1\n} else if <-ch {\n\tn += 10\n}\nswitch {\ncase <-ch:\n\tn = -1\ndefault:\n\tn += 100\n}\nn", want: "111"},
		{src: "cs := []chan int{make(chan int)}\ngo func() { cs[0] <- 5; cs[0] <- 6 }()\nv := 1 + <-cs[\n\t0]\nfunc get(cs []chan int) int {\n\treturn <-cs[\n\t\t0]\n}\nv + get(cs)", want: "12"},
		{src: "ci := make(chan int)\ngo func() { for i := 1; i <= 3; i++ { ci <- i }; close(ci) }()\nsum := 0\nfor v, ok := <-ci; ok; v, ok = <-ci {\n\tsum += v\n}\nsum", want: "6"},
		{src: "go func() { ch <- true }()\nk := 0\nif j := 2; j > 1 && <-ch {\n\tk = j\n}\nk", want: "2"},
		{src: "in := make(chan int)\nout := make(chan int)\ngo func() { in <- 7 }()\ngo func(v int) { out <- v * 2 }(<-in)\n<-out", want: "14"},
		{src: "func twice(c chan int) (r int) {\n\tdefer func(v int) { r = v * 2 }(<-c)\n\treturn 0\n}\ngo func() { in <- 4 }()\ntwice(in)", want: "8"},
		{src: "go func() { ch <- false; ch <- true }()\nloops := 0\nfor loops > 5 || !<-ch {\n\tloops++\n}\nloops", want: "1"},
		{src: "go func() { in <- 3 }()\nswitch w := <-in; w {\ncase 3:\n\tk = 30\n}\nk", want: "30"},
		{src: "go func() { ch <- true; ch <- true }()\nfunc both(c chan bool) bool {\n\tok := true\n\tok = ok &&\n\t\t<-c\n\treturn ok && <-c\n}\nboth(ch)", want: "true"},
	}
	runUnderLock(t, steps)
}
