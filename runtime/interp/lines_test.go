package interp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestPanicLines checks that a runtime panic names the cell's line where it
// happened (Line and the traceback), and for a panic inside a notebook func
// also the line of the call in the cell.
func TestPanicLines(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     string // an earlier cell, "" for none
		src       string
		line, col int    // want Line, Col: the failing expression
		call      int    // want the call site's line named too, when > 0
		inSetup   bool   // the failing expression is in the setup cell
		value     string // want Value
	}{
		{name: "nil map", src: "var m map[string]int\n\nm[\"a\"] = 1", line: 3, col: 1, value: "assignment to entry in nil map"},
		{name: "index", src: "import \"fmt\"\nxs := []int{1}\n_ = xs\nfmt.Println(xs[5])", line: 4, col: 13, value: "index 5 out of range [0:1)"},
		{name: "index in wrapped if", src: "import \"fmt\"\nxs := []int{1}\nif len(xs) > 0 {\n\tfmt.Println(\"x\")\n\t_ = xs[7]\n}", line: 5, col: 6, value: "index 7 out of range [0:1)"},
		{name: "index in top-level loop", src: "xs := []int{1, 2, 3, 4, 5}\nfor i := 0; i <= 5; i++ {\n\t_ = xs[i]\n}", line: 3, col: 6, value: "index i out of range [0:5)"},
		{name: "range var hides a global", setup: "i := 0", src: "xs := []int{1}\nfor _, i := range []int{4} {\n\t_ = xs[i]\n}", line: 3, col: 6, value: "index i out of range [0:1)"},
		{name: "in func", src: "func get(xs []int) int {\n\ty := 2\n\treturn xs[y]\n}\n\nvals := []int{1}\n_ = vals\nget(vals)", line: 3, col: 9, call: 8, value: "index y out of range [0:len(xs))"},
		{name: "in func of earlier cell", setup: "func div(a, b int) int {\n\tq := a / b\n\treturn q\n}", src: "import \"fmt\"\nx := 0\nfmt.Println(div(1, x))", inSetup: true, line: 2, col: 7, call: 3, value: "integer divide by zero"},
		{name: "in loop in func", src: "func sum(xs []int) (s int) {\n\ts = 1\n\tfor i := 0; i < 3; i++ {\n\t\ts += xs[i]\n\t}\n\treturn\n}\nsum([]int{1})", line: 4, col: 8, call: 8, value: "index i out of range [0:len(xs))"},
		{name: "closure from host", src: "import \"sort\"\nxs := []int{3, 1, 2}\nvar m map[int]int\nsort.Slice(xs, func(i, j int) bool {\n\tm[i] = j\n\treturn xs[i] < xs[j]\n})", line: 5, col: 2, call: 4, value: "assignment to entry in nil map"},
		// get's marker is the last one written, but the panic is the cell's
		{name: "after a call returned", src: "func get(xs []int, i int) int {\n\treturn xs[i]\n}\nxs := []int{1}\nzero := 0\n_ = zero\nn := get(xs, 0) / zero\n_ = n", line: 7, col: 6, value: "integer divide by zero"},
		{name: "nil pointer", src: "import \"fmt\"\ntype T struct{ v int }\nvar p *T\n_ = p\nfmt.Println(p.v)", line: 5, col: 13, value: "invalid memory address or nil pointer dereference"},
		{name: "nil deref in func", src: "func deref(p *int) int {\n\tn := *p\n\treturn n\n}\nderef(nil)", line: 2, col: 7, call: 5, value: "invalid memory address or nil pointer dereference"},
		{name: "type assertion", src: "var x any = \"s\"\n_ = x\nn := x.(int)\n_ = n", line: 3, col: 6, value: "interface conversion: interface {} is string, not int"},
	} {
		for _, pol := range []Policy{Py310, Py39} {
			t.Run(fmt.Sprintf("%s/%v", tc.name, pol), func(t *testing.T) {
				in, _, _ := newTest(t, Options{Policy: pol})
				cell := 1
				if tc.setup != "" {
					cell++
					if _, err := in.Eval(context.Background(), tc.setup); err != nil {
						t.Fatal(err)
					}
				}
				_, err := in.Eval(context.Background(), tc.src)
				var e *Error
				if !errors.As(err, &e) || e.Name != "Panic" {
					t.Fatalf("err = %#v", err)
				}
				if e.Value != tc.value {
					t.Errorf("Value = %q, want %q", e.Value, tc.value)
				}
				tb := strings.Join(e.Traceback, "\n")
				if e.Line != tc.line || e.Col != tc.col {
					t.Errorf("at %d:%d, want %d:%d; traceback:\n%s", e.Line, e.Col, tc.line, tc.col, tb)
				}
				at := cell
				if tc.inSetup {
					at = 1
				}
				if want := fmt.Sprintf("cell[%d]:%d:%d", at, tc.line, tc.col); !strings.Contains(tb, want) {
					t.Errorf("traceback does not name %s:\n%s", want, tb)
				}
				if want := fmt.Sprintf("called from cell[%d]:%d:", cell, tc.call); tc.call > 0 && !strings.Contains(tb, want) {
					t.Errorf("traceback does not name the call at %s:\n%s", want, tb)
				}
				if strings.Contains(tb, "func literal") && !strings.Contains(tc.src, "func(") {
					t.Errorf("traceback names a func literal the cell does not have:\n%s", tb)
				}
			})
		}
	}
}

// TestVarOfEarlierVar checks that a var declaration whose initializer uses
// a variable of an earlier cell works.
func TestVarOfEarlierVar(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []string
		want  string
	}{
		{name: "io.Writer of builder", cells: []string{"import (\"strings\"; \"io\"; \"fmt\")\nvar sb strings.Builder", "var wr io.Writer = &sb\nfmt.Fprint(wr, \"hi\")\nsb.String()"}, want: "hi"},
		{name: "short form", cells: []string{"import (\"strings\"; \"io\"; \"fmt\")\nvar sb strings.Builder", "wr := io.Writer(&sb)\nfmt.Fprint(wr, \"yo\")\nsb.String()"}, want: "yo"},
		{name: "int of earlier", cells: []string{"var n = 4", "var k int = n * 2\nk"}, want: "8"},
		{name: "pointer of earlier", cells: []string{"x := 5", "var p *int = &x\n*p"}, want: "5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, _ := newTest(t, Options{})
			var res Result
			var err error
			for _, c := range tc.cells {
				if res, err = in.Eval(context.Background(), c); err != nil {
					t.Fatalf("cell %q: %v", c, err)
				}
			}
			if got := show(res); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// TestBlockingRewriteKeepsLines: the releases around receives in every
// position and around blocking calls insert text on the lines the
// statements are on, so each line of the cell keeps its number. Lines
// marked /*n*/ must keep the marker on line n (the others continue a
// multi-line expression, whose text may move within the statement).
func TestBlockingRewriteKeepsLines(t *testing.T) {
	src := `/*1*/import ("bufio"; "fmt"; "log"; "net/http"; "os")
/*2*/func f(c chan bool, d chan int, cs []chan int, rd *bufio.Reader, sc *bufio.Scanner) (int, error) {
	/*3*/a := true
	/*4*/x := a && <-c
	/*5*/y := a ||
		<-c
	/*7*/if j := 2; j > 1 && <-c {
		/*8*/_ = j
	/*9*/} else if <-c {
		/*10*/x = false
	/*11*/} else if v, err := rd.ReadByte(); err == nil && y {
		/*12*/_ = v
	/*13*/}
	/*14*/switch {
	/*15*/case <-c:
	/*16*/}
	/*17*/for v, ok := <-d; ok; v, ok = <-d {
		/*18*/_ = v
	/*19*/}
	/*20*/for a &&
		<-c {
	/*22*/}
	/*23*/for sc.Scan() && x {
		/*24*/fmt.Println(sc.Text())
	/*25*/}
	/*26*/line, err := rd.ReadString('\n')
	/*27*/if _, err := rd.ReadString('\n'); err != nil {
		/*28*/return 0, err
	/*29*/}
	/*30*/go func(v int) {}(<-d)
	/*31*/defer fmt.Println(<-d)
	/*32*/_, _ = line, err
	/*33*/n := 1 + <-cs[
		0]
	/*35*/return n, nil
/*36*/}
/*37*/func g(cs []chan int) int {
	/*38*/return <-cs[
		0]
/*40*/}
/*41*/srv := &http.Server{}
/*42*/go srv.ListenAndServe()
/*43*/var k int
/*44*/fmt.Scan(&k)
/*45*/fmt.Fscan(os.Stdin, &k)
/*46*/log.Fatal(srv.ListenAndServe())
/*47*/k`
	n := strings.Count(src, "\n") + 1
	// the declarations compile (running the statements would serve on :80)
	decls := src[:strings.Index(src, "/*41*/")]
	for _, p := range []Policy{Py310, Py39} {
		in, _, _ := newTest(t, Options{Policy: p})
		if _, err := in.Eval(context.Background(), decls); err != nil {
			t.Fatalf("%v: %v", p, err)
		}
	}
	for _, p := range []Policy{Py310, Py39} {
		out, err := Rewrite(src, p)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Split(out, "\n")
		if len(got) != n {
			t.Fatalf("%v: %d lines, want %d:\n%s", p, len(got), n, out)
		}
		for i, l := range strings.Split(src, "\n") {
			m := fmt.Sprintf("/*%d*/", i+1)
			if strings.Contains(l, m) && !strings.Contains(got[i], m) {
				t.Errorf("%v: marker %s left line %d:\n%s", p, m, i+1, out)
			}
		}
		for _, w := range []string{`_clBlocking(rd, "ReadByte")`, `_clBlocking(sc, "Scan")`, `_clBlockingFunc(srv,`, `_clBlocking(nil, "fmt.Scan")`,
			`_clBlocking(nil, "fmt.Fscan", os.Stdin)`, `_clBlocking(srv, "ListenAndServe");_clv`, `log.Fatal(_clv`, "(\n"} {
			if !strings.Contains(out, w) {
				t.Errorf("%v: %q missing:\n%s", p, w, out)
			}
		}
	}
}
