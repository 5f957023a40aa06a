package interp

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/unrestricted"
)

// TestBlockingCallsUnderLock: calls of host methods that block release the
// lock (under lockHooks one that does not deadlocks the cell, or, for
// exec, shows no progress of the other goroutine). In each step one
// goroutine closes go2 and goes straight (no check point in between under
// py310) into the blocking call; the other, woken by go2, needs the lock to
// make that call return.
func TestBlockingCallsUnderLock(t *testing.T) {
	steps := []step{
		{src: "import (\"bufio\"; \"fmt\"; \"os\"; \"os/exec\"; \"time\")\nr, w, _ := os.Pipe()\ngot := make(chan int)\ngo2 := make(chan bool)\n" +
			"go func() { buf := make([]byte, 8); close(go2); n, _ := r.Read(buf); got <- n }()\n" +
			"go func() { <-go2; w.Write([]byte(\"hi\")) }()\n<-got", want: "2"},
		{src: "go2 = make(chan bool)\ngo func() { sc := bufio.NewScanner(r); close(go2); if sc.Scan() { got <- len(sc.Text()) } }()\n" +
			"go func() { <-go2; w.Write([]byte(\"abc\\n\")) }()\n<-got", want: "3"},
		{src: "r2, w2, _ := os.Pipe()\ngo2 = make(chan bool)\ngo func() { var k int; close(go2); fmt.Fscan(r2, &k); got <- k }()\n" +
			"go func() { <-go2; fmt.Fprintln(w2, 42) }()\n<-got", want: "42"},
		{src: "r3, w3, _ := os.Pipe()\nbr := bufio.NewReader(r3)\ngo2 = make(chan bool)\ngo func() { close(go2); line, _ := br.ReadString('\\n'); got <- len(line) }()\n" +
			"go func() { <-go2; w3.Write([]byte(\"four\\n\")) }()\n<-got", want: "5"},
		{src: "ticks := 0\ngo2 = make(chan bool)\n" +
			"go func() { close(go2); before := ticks; exec.Command(\"sleep\", \"0.2\").Run(); got <- ticks - before }()\n" +
			"go func() { <-go2; for i := 0; i < 20; i++ { ticks++; time.Sleep(time.Millisecond) } }()\n<-got > 0", want: "true"},
	}
	steps[0].src = strings.Replace(steps[0].src, "; \"os/exec\"", "", 1)
	runUnderLock(t, steps[:4])
	// exec (which cells may import when the host gives them yaegi's
	// unrestricted table): the ticker runs while Run waits, or not at all
	for _, policy := range []Policy{Py310} {
		h := &lockHooks{}
		in, out, _ := newTest(t, Options{Policy: policy, Hooks: h, Symbols: []yaegi.Exports{unrestricted.Symbols}})
		in.RequestCheckpoint(true)
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.mu.Lock()
			defer h.mu.Unlock()
			runSteps(t, in, out, []step{{src: "import (\"os/exec\"; \"time\")\ngot := make(chan int)\nvar go2 chan bool"}, steps[4]})
		}()
		<-done
		settle(t, &h.live)
	}
}

// releaseCounter counts the releases (Block calls) and never blocks.
type releaseCounter struct {
	FreeHooks
	n atomic.Int32
}

func (h *releaseCounter) Block() func() { h.n.Add(1); return noop }

// TestBlockingDecision: the host releases around a blocking method only
// when the receiver is one of the host types, reading host data; a
// receiver of an interpreted type (here embedding *os.File), bufio over an
// interpreted reader, and every call of a method a notebook type declares
// keep the lock. bufio over a host reader releases around each Read
// underneath (once per fill of its buffer), with its own code and a split
// function holding the lock.
func TestBlockingDecision(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(file, []byte("0123456789\n42\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := &releaseCounter{}
	in, out, _ := newTest(t, Options{Hooks: h})
	for i, c := range []struct {
		src   string
		want  string
		block int32
	}{
		{src: "import (\"bufio\"; \"fmt\"; \"io\"; \"os\"; \"strings\")\nf, _ := os.Open(" + strconvQuote(file) + ")\nf3, _ := os.Open(" + strconvQuote(file) + ")\nbuf := make([]byte, 2)", block: 0},
		{src: "sr := strings.NewReader(\"abc\")\nsn, _ := sr.Read(buf)\nsn", want: "2", block: 0},
		{src: "n, _ := f.Read(buf)\nn", want: "2", block: 1},
		{src: "type wrap struct{ *os.File }\nw := wrap{f}\nm, _ := w.Read(buf)\nm", want: "2", block: 0},
		{src: "br := bufio.NewReader(f)\nb, _ := br.ReadByte()\nb", want: "52", block: 1},
		{src: "var k int\nfmt.Fscan(strings.NewReader(\"7\"), &k)\nk", want: "7", block: 0},
		{src: "f2, _ := os.Open(" + strconvQuote(file) + ")\nvar s2 string\nfmt.Fscan(f2, &s2)\ns2", want: "0123456789", block: 1},
		{src: "type mine struct{ n int }\nfunc (m *mine) Read(p []byte) (int, error) { m.n++; p[0] = 'x'; return 1, nil }\nmm := &mine{}\nmm.Read(buf)\nmm.n", want: "1", block: 0},
		{src: "b2, _ := bufio.NewReader(mm).ReadByte()\nb2", want: "120", block: 0},
		{src: "fmt.Fscan(mm, &k)\nmm.n > 1", want: "true", block: 0},
		{src: "sc := bufio.NewScanner(f3)\nsc.Split(func(d []byte, eof bool) (int, []byte, error) { return bufio.ScanWords(d, eof) })\nok := sc.Scan()\nok", want: "true", block: 1},
		{src: "f4, _ := os.Open(" + strconvQuote(file) + ")\nsc2 := bufio.NewScanner(f4)\nsc2.Split(bufio.ScanWords)\nok2 := sc2.Scan()\nok2", want: "true", block: 1},
		{src: "rd := io.Reader(f)\nbb := bufio.NewReader(rd)\nbb.ReadRune()\n0", want: "0", block: 1},
		{src: "mm.n = 0\nbm := bufio.NewReader(mm)\nbm.ReadRune()\nmm.n", want: "1", block: 0},
	} {
		h.n.Store(0)
		runSteps(t, in, out, []step{{src: c.src, want: c.want}})
		if got := h.n.Load(); got != c.block {
			t.Errorf("cell %d %q: %d releases, want %d", i, c.src, got, c.block)
		}
	}
}

func strconvQuote(s string) string { return "`" + s + "`" }

// TestHostReader: which readers count as host readers that block. bufio
// values never do: what they read from is not visible through bufio's
// API (see bufioSymbols).
func TestHostReader(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	type other struct{ io.Reader }
	for _, c := range []struct {
		name string
		v    any
		want bool
	}{
		{"file", r, true},
		{"bufio of file", bufio.NewReader(r), false},
		{"scanner of file", bufio.NewScanner(r), false},
		{"strings", strings.NewReader("x"), false},
		{"unknown", other{r}, false},
		{"limited", io.LimitReader(r, 3), true},
		{"nil file", (*os.File)(nil), true},
	} {
		if got := hostReader(reflect.ValueOf(c.v), 0); got != c.want {
			t.Errorf("%s: hostReader = %v, want %v", c.name, got, c.want)
		}
	}
	if releases((*os.File)(nil), "Read", nil) {
		t.Error("releases around a nil receiver, whose call panics")
	}
}

// TestRewriteBlockingCalls: what the rewriter makes of blocking calls.
func TestRewriteBlockingCalls(t *testing.T) {
	for _, c := range []struct {
		src       string
		want, not []string
	}{
		{src: "import \"bufio\"\nfunc f(rd *bufio.Reader) (string, error) {\n\tline, err := rd.ReadString('\\n')\n\t_, _ = line, err\n\treturn rd.ReadString('\\n')\n}",
			want: []string{`_clr1 := _clBlocking(rd, "ReadString");line, err := rd.ReadString('\n');_clr1()`, `defer _clr2();return rd.ReadString`}},
		{src: "import \"bufio\"\nfunc g(sc *bufio.Scanner) int {\n\tn := 0\n\tfor sc.Scan() {\n\t\tn++\n\t}\n\treturn n\n}",
			want: []string{`_clBlocking(sc, "Scan");_clv1 := sc.Scan();_clr1();if !(_clv1) {break}`}},
		{src: "import \"os/exec\"\nerr := exec.Command(\"true\").Run()",
			want: []string{`_cla1 := exec.Command("true");_clr2 := _clBlocking(_cla1, "Run");err := _cla1.Run();_clr2()`}},
		{src: "import (\"log\"; \"net/http\")\nsrv := &http.Server{}\ngo srv.ListenAndServe()\nlog.Fatal(srv.ListenAndServe())\n0",
			want: []string{`_clBlockingFunc(srv, "ListenAndServe", srv.ListenAndServe)`, `_clBlocking(srv, "ListenAndServe");_clv1 := srv.ListenAndServe();_clr1();log.Fatal(_clv1)`}},
		{src: "import (\"bufio\"; \"fmt\")\nfunc show(ok bool) {}\nfunc h(sc *bufio.Scanner, rd *bufio.Reader) {\n\tshow(sc.Scan())\n\tfmt.Println(rd.ReadString('\\n'))\n}",
			want: []string{`_clBlocking(sc, "Scan");_clv1 := sc.Scan();_clr1();show(_clv1)`, `_clr2 := _clBlocking(rd, "ReadString");fmt.Println(rd.ReadString('\n'));_clr2()`}},
		{src: "import \"fmt\"\nvar n int\nfmt.Scan(&n)\nn",
			want: []string{`_clBlocking(nil, "fmt.Scan");fmt.Scan(&n)`}},
		{src: "import rt \"corelab/runtime\"\nrt.Run(rt.GIL, 2, \"f\")\nrt.Wait(1)",
			not: []string{"_clBlocking"}},
		{src: "type T struct{}\nfunc (T) Read(p []byte) (int, error) { return 0, nil }\nvar x T\nx.Read(nil)",
			not: []string{"_clBlocking"}},
	} {
		out, err := Rewrite(c.src, Py310)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(out, "\n") != strings.Count(c.src, "\n") {
			t.Errorf("%q: lines changed:\n%s", c.src, out)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%q: %q missing:\n%s", c.src, w, out)
			}
		}
		for _, w := range c.not {
			if strings.Contains(out, w) {
				t.Errorf("%q: %q present:\n%s", c.src, w, out)
			}
		}
	}
}
