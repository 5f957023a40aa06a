package interp

import (
	"strings"
	"testing"
)

// TestRewriteSplitsUpdates: under Py39, x++, x-- and x op= e are a read,
// a check point and a write, on the same lines; under Py310 they stay.
func TestRewriteSplitsUpdates(t *testing.T) {
	src := "func f(m map[string]int, s []int, p *int, g func() string) int {\n" +
		"\tx := 0\n" +
		"\tx++\n" +
		"\tx -= 2\n" +
		"\tm[g()] +=\n\t\t3\n" +
		"\ts[x]--\n" +
		"\t*p *= x\n" +
		"\tfor i := 0; i < 3; i++ {\n" +
		"\t\tx <<= 1\n" +
		"\t}\n" +
		"\treturn x // marker\n" +
		"}\n"
	lines := strings.Split(src, "\n")
	for _, c := range []struct {
		p     Policy
		split bool
	}{{Py39, true}, {Py310, false}} {
		out, err := Rewrite(src, c.p)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(out, "\n")
		if len(got) != len(lines) {
			t.Fatalf("%v: %d lines, want %d:\n%s", c.p, len(got), len(lines), out)
		}
		for i, l := range lines {
			if strings.Contains(l, "marker") && !strings.Contains(got[i], "return x // marker") {
				t.Errorf("%v: line %d moved: %q", c.p, i+1, got[i])
			}
		}
		for _, want := range []struct {
			line int
			text string
		}{
			{3, "_clv1 := x; " + checkText() + " x = _clv1 + 1}"},
			{4, "x = _clv2 - ( 2)}"},
			{5, "_clk3 := g(); _clv3 := m[_clk3]; " + checkText() + " m[_clk3] = _clv3 + ("},
			{6, "3)}"},
			{7, "_clv4 := s[x]; " + checkText() + " s[x] = _clv4 - 1}"},
			{8, checkText() + " *p = _clv5 * ( x)}"}, // *p is pure: written twice
			{10, checkText() + " x = _clv"},
		} {
			has := strings.Contains(got[want.line-1], want.text)
			if c.split && !has {
				t.Errorf("%v: line %d = %q, want it to contain %q", c.p, want.line, got[want.line-1], want.text)
			}
		}
		if !c.split {
			if strings.Contains(out, "_clv") || strings.Contains(out, "_clk") {
				t.Errorf("py310 split an update:\n%s", out)
			}
			for _, i := range []int{3, 4, 7, 8, 10} {
				if got[i-1] != lines[i-1] {
					t.Errorf("py310 line %d = %q, want %q", i, got[i-1], lines[i-1])
				}
			}
		}
	}
}

// TestSplitUpdatesRun: the split forms compute what the originals do, for
// every kind of target, at a cell's top level and in functions.
func TestSplitUpdatesRun(t *testing.T) {
	in, out, _ := newTest(t, Options{Policy: Py39})
	runSteps(t, in, out, []step{
		{src: "x := 5\nx++\nx *= 3\nx -= 1\nx <<= 2\nx", want: "68"},
		{src: "m := map[string]int{}\nm[\"a\"]++\nm[\"a\"] += 4\nm[\"a\"]", want: "5"},
		{src: "type Key string\nmk := map[Key]int64{}\nmk[\"k\"] += 2\nmk[\"k\"]--\nmk[\"k\"]", want: "1"},
		{src: "import \"fmt\"\ncalls := 0\nkey := func() string { calls++; return \"b\" }\nm[key()] += 7\nm[key()]++\nfmt.Sprint(m[\"b\"], calls)", want: "8 2", err: ""},
		{src: "arr := [3]int{1, 2, 3}\narr[1] += 10\narr[2]++\narr", want: "[1 12 4]"},
		{src: "idx := 0\nnext := func() int { idx++; return idx }\nsl := []int{0, 0, 0}\nsl[next()] += 5\nsl[next()]--\nfmt.Sprint(sl, idx)", want: "[0 5 -1] 2"},
		{src: "type P struct{ n int; a [2]int }\npp := &P{}\nmkp := func() *P { idx++; return pp }\nmkp().n += 3\nmkp().n++\npp.a[1] -= 4\nfmt.Sprint(*pp, idx)", want: "{4 [0 -4]} 4"},
		{src: "q := 2\nqp := &q\n*qp *= 21\n(q)++\nq", want: "43"},
		{src: "s := \"a\"\ns += \"b\"\ns", want: "ab"},
		{src: "f := 1.5\nf /= 3\nf", want: "0.5"},
		{src: "c := make(chan int, 1)\nc <- 9\nq += <-c\nq", want: "52"},
		{src: "func acc(n int) int {\n\tt := 0\n\tfor i := 0; i < n; i++ {\n\t\tt += i\n\t\tt++\n\t}\n\treturn t\n}\nacc(4)", want: "10"},
	})
}
