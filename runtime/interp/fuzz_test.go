package interp

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
	"testing"
	"time"
)

// FuzzRewrite feeds arbitrary cells to the splitter and the rewriter: they
// must not panic, and when a cell is accepted, the instrumented cell keeps
// every line where it was.
func FuzzRewrite(f *testing.F) {
	for _, s := range []string{
		"x := 1\nx",
		"import \"fmt\"\nfunc f() { for { fmt.Println(<-c) } }",
		"ch := make(chan int)\ngo func(v int) { ch <- v }(1)\nfor v := range ch {\n\tif v > 1 { continue }\n}\nselect {\ncase <-ch:\n}",
		"L:\nfor i := 0; i < 3; i++ { goto L }",
		"type T struct{ a int }\nfunc (t T) M() int { return t.a }",
		"if v, ok := <-c; ok {\n} else if w := <-c; w > 0 {\n}",
		"1 +* 2)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		defer watchdog(t, src)()
		for _, p := range []Policy{Py310, Py39} {
			out, err := Rewrite(src, p)
			if err != nil {
				continue
			}
			if strings.Count(out, "\n") != strings.Count(src, "\n") {
				t.Fatalf("lines moved:\n%s\n----\n%s", src, out)
			}
		}
	})
}

// FuzzRewriteParses checks that instrumenting a cell that parses as a
// function body gives code that still parses.
func FuzzRewriteParses(f *testing.F) {
	f.Add("for v := range ch { if v > 2 { continue }; total += v }")
	f.Add("x := <-ch + <-ch\nch <- f(x)\nselect { case y := <-ch: _ = y; default: }")
	f.Add("go func(a, b int) { ch <- a + b }(1, 2)\ngo println(1)\ngo f(xs...)")
	f.Add("x++\nm[k()] += <-c\n(a[i]).f -= 2\nf().n *= 3\n*p++\nL: y <<= 1")
	f.Add("for n < 3 && <-c {\n}\nfor i := 0; <-c; i += <-d {\n}\nfor v, ok := 0, true; ok; v, ok = <-c {\n}\nz := <-<-cc")
	f.Fuzz(func(t *testing.T, body string) {
		defer watchdog(t, body)()
		if _, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {"+body+"\n}", 0); err != nil {
			return
		}
		for _, p := range []Policy{Py310, Py39} {
			out, err := Rewrite(body, p)
			if err != nil {
				continue // e.g. a changed type: refused, not rewritten
			}
			if _, err := parser.ParseFile(token.NewFileSet(), "", "package p; func _() {"+out+"\n}", 0); err != nil {
				t.Fatalf("%v: rewritten code does not parse: %v\n%s\n----\n%s", p, err, body, out)
			}
		}
	})
}

// watchdog fails the fuzz input if it takes seconds (a hang would stall the
// fuzzer without telling which input).
func watchdog(t *testing.T, src string) (stop func()) {
	tm := time.AfterFunc(5*time.Second, func() {
		panic(fmt.Sprintf("hang on %q", src))
	})
	return func() { tm.Stop() }
}
