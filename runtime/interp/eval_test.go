package interp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
)

// syncBuffer is a bytes.Buffer safe for interpreted goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

func newTest(t *testing.T, opts Options) (*Interpreter, *syncBuffer, *syncBuffer) {
	t.Helper()
	out, errw := &syncBuffer{}, &syncBuffer{}
	if opts.Stdout == nil {
		opts.Stdout = out
	}
	if opts.Stderr == nil {
		opts.Stderr = errw
	}
	in, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return in, out, errw
}

func show(r Result) string {
	if !r.Has {
		return "<none>"
	}
	return fmt.Sprint(r.Value)
}

type step struct {
	src  string
	want string // result, "<none>" for no value
	out  string // expected stdout (exact) when not ""
	err  string // substring of the error, "" for none
	line int    // expected error line when > 0
}

func runSteps(t *testing.T, in *Interpreter, out *syncBuffer, steps []step) {
	t.Helper()
	for i, s := range steps {
		out.Reset()
		res, err := in.Eval(context.Background(), s.src)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Errorf("step %d %q: err = %v, want %q", i, s.src, err, s.err)
				continue
			}
			var e *Error
			if s.line > 0 && (!errors.As(err, &e) || e.Line != s.line) {
				t.Errorf("step %d %q: error line = %d, want %d (%v)", i, s.src, e.Line, s.line, err)
			}
			continue
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				t.Errorf("step %d %q: %v\n%s", i, s.src, err, strings.Join(e.Traceback, "\n"))
			} else {
				t.Errorf("step %d %q: %v", i, s.src, err)
			}
			continue
		}
		if s.want != "" && show(res) != s.want {
			t.Errorf("step %d %q: result %s, want %s", i, s.src, show(res), s.want)
		}
		if s.out != "" && out.String() != s.out {
			t.Errorf("step %d %q: stdout %q, want %q", i, s.src, out.String(), s.out)
		}
	}
}

func TestCells(t *testing.T) {
	for _, policy := range []Policy{Py310, Py39} {
		t.Run(policy.String(), func(t *testing.T) {
			in, out, _ := newTest(t, Options{Policy: policy})
			runSteps(t, in, out, []step{
				{src: "import \"fmt\"\nx := 6 * 7\nfmt.Println(\"x is\", x)\nx", want: "42", out: "x is 42\n"},
				// re-running a cell: the import is dropped, := redefines
				{src: "import \"fmt\"\nx := 6 * 7\nfmt.Println(\"x is\", x)\nx", want: "42", out: "x is 42\n"},
				// one import old, one new, in separate declarations
				{src: "import \"fmt\"\nimport \"os\"\nimport (\n\t\"fmt\"\n\t\"errors\"\n)\nfmt.Sprint(os.Getpid() > 0, errors.New(\"e\"))", want: "true e"},
				// statements before the declarations they use
				{src: "r := sq(4)\nfunc sq(n int) int { return n * n }\nr", want: "16"},
				{src: "func sq(n int) int { return n * n * 10 }\nsq(2)", want: "40"},
				{src: "const k = 3\nvar v = k * 2\nv", want: "6"},
				{src: "const k = 4\nvar v = k * 2\nv", want: "8"},
				// a func that uses a := above it in the same cell
				{src: "counter := 10\nfunc inc() { counter++ }\ninc()\ninc()\ncounter", want: "12"},
				// a var that uses a := of the same cell runs in order
				{src: "n := 5\nvar w = n + 1\nw", want: "6"},
				// unused imports and variables are fine
				{src: "import \"strings\"\nfunc unused() { a := 1 }\n1", want: "1"},
				{src: "fmt.Println(1, 2)", want: "<none>", out: "1 2\n"},
				{src: "unused()", want: "<none>"},
				{src: "type P struct{ X, Y int }\nfunc (p P) Sum() int { return p.X + p.Y }\nfunc (p *P) Scale(k int) { p.X *= k; p.Y *= k }\np := P{1, 2}\np.Scale(10)\np.Sum()", want: "30"},
				// same type again: fine; changed type: a clear error
				{src: "type P struct{ X, Y int }\nP{3, 4}.Sum()", want: "7"},
				{src: "type P struct{ X, Y, Z int }", err: "type P is already declared", line: 1},
				{src: "func mk() func() int { c := 0; return func() int { c++; return c } }\nf := mk(); f(); f(); f()", want: "3"},
				{src: "func Max[T int | float64](a, b T) T { if a > b { return a }; return b }\nMax(3, 9)", want: "9"},
				{src: "Max(2.5, 1.5)", want: "2.5"},
				{src: "i := 0\nloop:\n\ti++\n\tif i < 5 {\n\t\tgoto loop\n\t}\ni", want: "5"},
				{src: "tries := 0\nagain:\nfor k := 0; k < 2; k++ { tries++ }\nif tries < 6 { goto again }\ntries", want: "6"},
				{src: "total := 0\nouter:\nfor a := 0; a < 10; a++ {\n\tfor b := 0; b < 10; b++ {\n\t\tif b == 3 { continue outer }\n\t\tif a == 4 { break outer }\n\t\ttotal++\n\t}\n}\ntotal", want: "12"},
				{src: "func safe() (err error) {\n\tdefer func() {\n\t\tif r := recover(); r != nil { err = fmt.Errorf(\"recovered: %v\", r) }\n\t}()\n\tvar m map[string]int\n\tm[\"x\"] = 1\n\treturn nil\n}\nsafe()", want: "recovered: assignment to entry in nil map"},
				{src: "sw := 0\nswitch y := 3; {\ncase y > 2:\n\tsw = 1\ndefault:\n\tsw = 2\n}\nsw", want: "1"},
				{src: "var any1 any = 2.5\nkind := \"\"\nswitch v := any1.(type) {\ncase int:\n\tkind = \"int\"\ncase float64:\n\tkind = fmt.Sprint(\"float \", v)\n}\nkind", want: "float 2.5"},
				{src: "sum := 0\nfor _, v := range []int{1, 2, 3} { sum += v }\nsum", want: "6"},
				// a cell's main is an ordinary function: not run by later cells
				{src: "runs := 0\nfunc main() { runs++ }\nmain()\nruns", want: "1"},
				{src: "func other() {}\nmain()\nruns", want: "2"},
				{src: "for i := range 4 { sum += i }\nsum", want: "12"},
			})
		})
	}
}

func TestChannelsAndGoroutines(t *testing.T) {
	for _, policy := range []Policy{Py310, Py39} {
		t.Run(policy.String(), func(t *testing.T) {
			h := &countHooks{}
			in, out, _ := newTest(t, Options{Policy: policy, Hooks: h})
			for _, s := range channelSteps {
				runSteps(t, in, out, []step{s})
				settle(t, &h.live)
			}
			if h.gos.Load() == 0 || h.blocks.Load() == 0 {
				t.Errorf("hooks not used: go %d, block %d", h.gos.Load(), h.blocks.Load())
			}
			// the last resume may run just after the receiver saw the value
			for i := 0; i < 200 && h.resumes.Load() != h.blocks.Load(); i++ {
				time.Sleep(10 * time.Millisecond)
			}
			if b, r := h.blocks.Load(), h.resumes.Load(); r != b {
				t.Errorf("blocks %d, resumes %d", b, r)
			}
		})
	}
}

// lockHooks is a toy GIL: one mutex, held by whoever runs interpreted code,
// released around blocking operations and handed over at every check point.
// If the rewriter misses a blocking channel operation, a cell deadlocks.
type lockHooks struct {
	mu   sync.Mutex
	live sync.WaitGroup
}

func (h *lockHooks) Checkpoint() {
	h.mu.Unlock()
	runtime.Gosched()
	h.mu.Lock()
}

func (h *lockHooks) Go(fn func()) {
	h.live.Add(1)
	go func() {
		defer h.live.Done()
		h.mu.Lock()
		defer h.mu.Unlock()
		fn()
	}()
}

// settle waits for the goroutines a cell started: one still running when
// the next cell adds globals races inside yaegi (its global frame grows).
func settle(t *testing.T, live *sync.WaitGroup) {
	t.Helper()
	done := make(chan struct{})
	go func() { live.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("goroutines of the cell did not end")
	}
}

func (h *lockHooks) Block() func() {
	h.mu.Unlock()
	return h.mu.Lock
}

func TestChannelsUnderLock(t *testing.T) { runUnderLock(t, channelSteps) }

// runUnderLock runs each step, under both check-point policies, on a
// goroutine that holds a toy lock (as runtime.CellStart does for the GIL) and
// hands it over at every check point; a step that blocks without releasing
// the lock deadlocks and fails after 20 s.
func runUnderLock(t *testing.T, steps []step) {
	t.Helper()
	for _, policy := range []Policy{Py310, Py39} {
		t.Run(policy.String(), func(t *testing.T) {
			h := &lockHooks{}
			in, out, _ := newTest(t, Options{Policy: policy, Hooks: h})
			in.RequestCheckpoint(true) // hand over at every check point
			for i, s := range steps {
				done := make(chan struct{})
				go func() {
					defer close(done)
					h.mu.Lock()
					defer h.mu.Unlock()
					runSteps(t, in, out, []step{s})
				}()
				select {
				case <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("step %d deadlocked: %q", i, s.src)
				}
				settle(t, &h.live)
			}
		})
	}
}

var channelSteps = []step{
	{src: "import (\"fmt\"; \"sync\")\nch := make(chan int)\ngo func(v int) { ch <- v * 2 }(21)\n<-ch", want: "42"},
	// receive as a statement, in an assignment, inside a larger expression
	{src: "go func() { ch <- 1; ch <- 2; ch <- 3; ch <- 4 }()\n<-ch\na := <-ch\nb := 10 + <-ch*2\nfmt.Sprint(a, b, <-ch)", want: "2 16 4"},
	// comma-ok in an if header, and closed channels
	{src: "cc := make(chan int, 1)\ncc <- 7\nclose(cc)\ngot := 0\nif v, ok := <-cc; ok { got = v } else { got = -1 }\nif _, ok := <-cc; !ok { got += 100 }\ngot", want: "107"},
	// range over a channel, with continue and break
	{src: "jobs := make(chan int)\ngo func() { for i := 1; i <= 6; i++ { jobs <- i }; close(jobs) }()\nodd := 0\nfor j := range jobs {\n\tif j%2 == 0 { continue }\n\todd += j\n}\nodd", want: "9"},
	{src: "nums := make(chan int, 10)\ngo func() { for i := 0; i < 6; i++ { nums <- i } }()\nfirst := 0\nfor v := range nums { if v == 3 { first = v; break } }\nfirst", want: "3"},
	// send with a computed value, select with and without default
	{src: "func sq(n int) int { return n * n }\nres := make(chan int, 1)\nres <- sq(9)\n<-res", want: "81"},
	{src: "quit := make(chan bool)\nvals := make(chan string)\ngo func() { vals <- \"a\"; vals <- \"b\"; close(quit) }()\nseen := \"\"\nfor done := false; !done; {\n\tselect {\n\tcase s := <-vals:\n\t\tseen += s\n\tcase <-quit:\n\t\tdone = true\n\t}\n}\nseen", want: "ab"},
	{src: "empty := make(chan int)\npicked := \"\"\nselect {\ncase <-empty:\n\tpicked = \"recv\"\ndefault:\n\tpicked = \"default\"\n}\npicked", want: "default"},
	// goroutines: arguments evaluated at the go statement, output kept
	{src: "var wg sync.WaitGroup\nvar mu sync.Mutex\nacc := []int{}\nfor i := 0; i < 5; i++ {\n\twg.Add(1)\n\tgo func(n int) {\n\t\tdefer wg.Done()\n\t\tmu.Lock()\n\t\tacc = append(acc, n)\n\t\tmu.Unlock()\n\t}(i)\n}\nwg.Wait()\ns := 0\nfor _, v := range acc { s += v }\ns", want: "10"},
	{src: "func show(tag string, n int, done chan bool) { fmt.Println(tag, n); done <- true }\nfin := make(chan bool)\nk := 7\ngo show(\"k\", k, fin)\nk = 8\n<-fin", want: "true", out: "k 7\n"},
	{src: "type W struct{ n int }\nfunc (w *W) Run(done chan bool) { w.n++; done <- true }\nw := &W{}\ngo w.Run(fin)\n<-fin\nw.n", want: "1"},
	// a goroutine that receives inside a function
	{src: "func worker(in <-chan int, out chan<- int) { for v := range in { out <- v * v } ; close(out) }\nsrc := make(chan int)\ndst := make(chan int)\ngo worker(src, dst)\ngo func() { for i := 1; i <= 3; i++ { src <- i }; close(src) }()\ntot := 0\nfor v := range dst { tot += v }\ntot", want: "14"},
	// sync waits release too: a goroutine holding mu waits for the lock
	{src: "var m2 sync.Mutex\nvar wg2 sync.WaitGroup\ncount := 0\nfor g := 0; g < 4; g++ {\n\twg2.Add(1)\n\tgo func() {\n\t\tdefer wg2.Done()\n\t\tfor k := 0; k < 100; k++ {\n\t\t\tm2.Lock()\n\t\t\tcount++\n\t\t\tm2.Unlock()\n\t\t}\n\t}()\n}\nwg2.Wait()\ncount", want: "400"},
	{src: "type Box struct {\n\tmu sync.RWMutex\n\tv  int\n}\nbx := &Box{}\nbx.mu.Lock()\ngo func() { bx.mu.Lock(); bx.v = 2; bx.mu.Unlock() }()\nbx.v = 1\nbx.mu.Unlock()\nfor k := 0; k < 1000; k++ { bx.mu.RLock(); seen := bx.v; bx.mu.RUnlock(); if seen == 2 { break } }\nbx.mu.RLock()\nbv := bx.v\nbx.mu.RUnlock()\nbv", want: ""},
	// ping-pong between two goroutines and the cell
	{src: "ping, pong := make(chan int), make(chan int)\ngo func() { for v := range ping { pong <- v + 1 }; close(pong) }()\nball := 0\nfor i := 0; i < 50; i++ { ping <- ball; ball = <-pong }\nclose(ping)\nball", want: "50"},
}

// countHooks counts hook calls; goroutines are plain.
type countHooks struct {
	checks, gos, blocks, resumes atomic.Int64
	live                         sync.WaitGroup
}

func (h *countHooks) Checkpoint() { h.checks.Add(1) }
func (h *countHooks) Go(fn func()) {
	h.gos.Add(1)
	h.live.Add(1)
	go func() {
		defer h.live.Done()
		fn()
	}()
}
func (h *countHooks) Block() func() {
	h.blocks.Add(1)
	return func() { h.resumes.Add(1) }
}

func TestRewriteKeepsLines(t *testing.T) {
	src := "import \"fmt\"\n" +
		"func f(n int) int {\n\tfor i := 0; i < n; i++ {\n\t\tif i == 3 {\n\t\t\tgoto end\n\t\t}\n\t}\nend:\n\treturn n\n}\n" +
		"ch := make(chan int)\ngo func(x int) {\n\tch <- x\n}(f(2))\nv := <-ch + 1\nfor w := range ch {\n\tfmt.Println(w)\n}\n" +
		"select {\ncase a := <-ch:\n\tfmt.Println(a)\n}\nfmt.Println(v)\n"
	src = strings.ReplaceAll(src, "}(f(2))", "}(\n\tf(2))")
	for _, p := range []Policy{Py310, Py39} {
		got, err := Rewrite(src, p)
		if err != nil {
			t.Fatal(err)
		}
		gl, sl := strings.Split(got, "\n"), strings.Split(src, "\n")
		if len(gl) != len(sl) {
			t.Fatalf("%v: %d lines, want %d:\n%s", p, len(gl), len(sl), got)
		}
		for i := range sl {
			// every original line's tokens are still on the same line
			for _, w := range strings.Fields(sl[i]) {
				if !strings.Contains(gl[i], w) && !strings.HasPrefix(w, "go") && !strings.Contains(w, "<-") && w != "range" && w != "}(" {
					t.Errorf("%v line %d: %q lost %q: %q", p, i+1, sl[i], w, gl[i])
				}
			}
		}
		for _, want := range []string{"_clTick()", "_clBlock()", "_clGoCall(func(x int)"} {
			if !strings.Contains(got, want) {
				t.Errorf("%v: no %s in\n%s", p, want, got)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	in, out, _ := newTest(t, Options{Policy: Py39})
	runSteps(t, in, out, []step{
		{src: "func f() {\n\tfor {\n\t\tx := undefinedName + 1\n\t}\n}", err: "undefined: undefinedName", line: 3},
		{src: "a := 1\nb := \"s\"\nc := a + b", err: "mismatched types", line: 3},
		{src: "x := 1 +* 2)", err: "CompileError", line: 1},
		{src: "import \"nosuchpkg/zzz\"", err: "nosuchpkg", line: 0},
		{src: "ch := make(chan int)\ngo func() { ch <- 1 }(); x := 2 * undefinedV", err: "undefined: undefinedV", line: 2},
		{src: "select {\ncase v := <-ch:\n\tprintln(v + \"s\")\n}", err: "mismatched types", line: 3},
	})
	_, err := in.Eval(context.Background(), "func g() {\n\tfor i := 0; i < 3; i++ {\n\t\ty := i + \"s\"\n\t}\n}")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err %v", err)
	}
	if e.Name != "CompileError" || e.Line != 3 || e.Col != 8 {
		t.Errorf("got %s at %d:%d, want CompileError at 3:8 (%v)", e.Name, e.Line, e.Col, e)
	}
	if len(e.Traceback) < 3 || !strings.Contains(e.Traceback[1], `y := i + "s"`) || !strings.HasSuffix(e.Traceback[2], "^") {
		t.Errorf("traceback %q", e.Traceback)
	}
	// the interpreter still works
	runSteps(t, in, out, []step{{src: "1 + 1", want: "2"}})
	// the kernel names cells by execution count
	in.SetLabel("In[7]")
	_, err = in.Eval(context.Background(), "\nundefinedZ")
	if !errors.As(err, &e) || !strings.HasPrefix(e.Traceback[0], "In[7]:2:1: undefined: undefinedZ") {
		t.Errorf("labelled error: %v %q", err, e.Traceback)
	}
}

func TestPanics(t *testing.T) {
	in, out, errw := newTest(t, Options{})
	_, err := in.Eval(context.Background(), "func inner(n int) int {\n\tif n == 0 {\n\t\tpanic(\"boom\")\n\t}\n\treturn inner(n - 1)\n}\nfunc outer() { inner(2) }\nouter()")
	var e *Error
	if !errors.As(err, &e) || e.Name != "Panic" || e.Value != "boom" {
		t.Fatalf("err = %#v", err)
	}
	if e.Line != 3 || e.Col != 3 {
		t.Errorf("panic at %d:%d, want 3:3", e.Line, e.Col)
	}
	tb := strings.Join(e.Traceback, "\n")
	for _, want := range []string{"panic: boom", "in inner", "in outer", "<cell>"} {
		if !strings.Contains(tb, want) {
			t.Errorf("traceback lacks %q:\n%s", want, tb)
		}
	}
	if errw.String() != "" {
		t.Errorf("stderr got frame lines: %q", errw.String())
	}
	// a runtime error
	_, err = in.Eval(context.Background(), "var s []int\ns[3]")
	if !errors.As(err, &e) || e.Name != "Panic" || e.Value != "index 3 out of range [0:0)" {
		t.Errorf("err = %v", err)
	}
	// recovered panics leave nothing on stderr
	runSteps(t, in, out, []step{{src: "func rec() (r any) { defer func() { r = recover() }(); inner(1); return }\nrec()", want: "boom"}})
	if errw.String() != "" {
		t.Errorf("stderr: %q", errw.String())
	}
	// a panicking goroutine is reported, the process lives on
	runSteps(t, in, out, []step{{src: "done := make(chan bool)\ngo func() {\n\tdefer close(done)\n\tpanic(\"in goroutine\")\n}()\n<-done\n1", want: "1"}})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(errw.String(), "panic in goroutine: in goroutine") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(errw.String(), "panic in goroutine: in goroutine") {
		t.Errorf("stderr: %q", errw.String())
	}
}

func TestInterrupt(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{{src: "kept := 41\nfunc spin() { for {} }", want: "<none>"}})
	cells := []string{"for {}", "spin()", "x := 0\nfor { x++ }"}
	if !raceBuild {
		// blocked cells are stopped through yaegi's cancellation, see race_test.go
		cells = append(cells, "go spin()\n<-make(chan int)", "select {}")
	}
	for _, src := range cells {
		go func() {
			time.Sleep(50 * time.Millisecond)
			in.Interrupt()
		}()
		done := make(chan error, 1)
		go func() {
			_, err := in.Eval(context.Background(), src)
			done <- err
		}()
		select {
		case err := <-done:
			if err != ErrInterrupted {
				t.Errorf("%q: err = %v, want ErrInterrupted", src, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q: not interrupted", src)
		}
		runSteps(t, in, out, []step{{src: "kept + 1", want: "42"}})
	}
	// cancelling the context interrupts too
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := in.Eval(ctx, "for {}"); err != ErrInterrupted {
		t.Errorf("ctx: err = %v", err)
	}
	runSteps(t, in, out, []step{{src: "kept + 2", want: "43"}})
}

func TestCheckpointFlag(t *testing.T) {
	h := &countHooks{}
	in, out, _ := newTest(t, Options{Hooks: h})
	in.RequestCheckpoint(true)
	runSteps(t, in, out, []step{{src: "func f(n int) int { return n }\ns := 0\nfor i := 0; i < 10; i++ { s += f(i) }\ns", want: "45"}})
	if got := h.checks.Load(); got != 20 {
		t.Errorf("checks = %d, want 20 (10 loop bodies + 10 calls)", got)
	}
	in.RequestCheckpoint(false)
	runSteps(t, in, out, []step{{src: "for i := 0; i < 10; i++ { s += f(i) }\ns", want: "90"}})
	if got := h.checks.Load(); got != 20 {
		t.Errorf("checks = %d after the flag went off", got)
	}
	// SetHooks swaps them
	h2 := &countHooks{}
	in.SetHooks(h2)
	in.RequestCheckpoint(true)
	runSteps(t, in, out, []step{{src: "f(1)", want: "1"}})
	if h2.checks.Load() != 1 {
		t.Errorf("new hooks: %d checks", h2.checks.Load())
	}
}

func TestOutput(t *testing.T) {
	i, out, errw := newTest(t, Options{Stdin: strings.NewReader("12 word\nline two\n")})
	_, err := i.Eval(context.Background(), `import ("fmt"; "os"; "log")
fmt.Println("fmt")
fmt.Printf("%d\n", 1)
println("println")
print("print\n")
os.Stdout.Write([]byte("os.Stdout\n"))
os.Stdout.WriteString("ws\n")
fmt.Fprintln(os.Stdout, "fprintln")
fmt.Fprintln(os.Stderr, "to stderr")
log.SetFlags(0)
log.Println("log")
var n int
var w string
fmt.Scan(&n, &w)
fmt.Println(n*2, w)`)
	if err != nil {
		t.Fatal(err)
	}
	if want := "fmt\n1\nprintln\nprint\nos.Stdout\nws\nfprintln\n24 word\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	if want := "to stderr\nlog\n"; errw.String() != want {
		t.Errorf("stderr %q, want %q", errw.String(), want)
	}
}

func TestDeclsAndCall(t *testing.T) {
	a, out, _ := newTest(t, Options{})
	runSteps(t, a, out, []step{
		{src: "import \"strings\"\n// Shout makes s loud.\nfunc Shout(s string) string { return strings.ToUpper(s) + suffix }\nconst suffix = \"!\"\ntype Pt struct{ X, Y int }\nfunc (p Pt) Dist() int { return p.X + p.Y }\nvar origin = Pt{1, 1}\nn := 3", want: "<none>"},
		{src: "func Shout(s string) string { return strings.ToUpper(s) + suffix + suffix }\nfunc Add(a, b float64) float64 { return a + b }\nfunc Fail() { panic(\"no\") }"},
	})
	decls := a.Decls()
	if strings.Count(decls, "func Shout") != 1 || !strings.Contains(decls, "suffix + suffix") {
		t.Errorf("Decls:\n%s", decls)
	}
	if strings.Contains(decls, "n := 3") {
		t.Errorf("Decls has a statement:\n%s", decls)
	}
	// a scalar made by := that a declaration uses comes along with its value
	runSteps(t, a, out, []step{{src: "limit := 7\nfunc Limit() int { return limit }\nlimit = 9"}})
	decls = a.Decls()
	if !strings.Contains(decls, "var limit int = 9") {
		t.Errorf("Decls lacks limit:\n%s", decls)
	}
	b, out2, _ := newTest(t, Options{})
	if _, err := b.Eval(context.Background(), decls); err != nil {
		t.Fatalf("replay: %v\n%s", err, decls)
	}
	runSteps(t, b, out2, []step{{src: "import \"fmt\"\nShout(\"hi\") + fmt.Sprint(origin.Dist(), Limit())", want: "HI!!2 9"}})
	for _, in := range []*Interpreter{a, b} {
		res, err := in.Call("Shout", "go")
		if err != nil || len(res) != 1 || res[0] != "GO!!" {
			t.Errorf("Call Shout = %v, %v", res, err)
		}
		res, err = in.Call("Add", 1, 2) // ints converted to float64
		if err != nil || res[0] != 3.0 {
			t.Errorf("Call Add = %v, %v", res, err)
		}
		if _, err := in.Call("Fail"); err == nil || !strings.Contains(err.Error(), "no") {
			t.Errorf("Call Fail err = %v", err)
		}
		if _, err := in.Call("Nope"); err == nil {
			t.Error("Call Nope: no error")
		}
	}
	if got := a.Funcs(); !reflect.DeepEqual(got, []string{"Add", "Fail", "Limit", "Shout"}) {
		t.Errorf("Funcs = %v", got)
	}
}

func TestSymbolOverride(t *testing.T) {
	var slept atomic.Int64
	ov := yaegi.Exports{"time/time": {"Sleep": reflect.ValueOf(func(d time.Duration) { slept.Add(int64(d)) })}}
	in, out, _ := newTest(t, Options{Symbols: []yaegi.Exports{ov}})
	runSteps(t, in, out, []step{{src: "import \"time\"\ntime.Sleep(time.Hour)\ntime.Second.String()", want: "1s"}})
	if slept.Load() != int64(time.Hour) {
		t.Errorf("override not used: %v", slept.Load())
	}
	// a later Use replaces it for cells compiled afterwards, "time" already imported
	var other atomic.Int64
	if err := in.Use(yaegi.Exports{"time/time": {"Sleep": reflect.ValueOf(func(d time.Duration) { other.Add(int64(d)) })}}); err != nil {
		t.Fatal(err)
	}
	runSteps(t, in, out, []step{{src: "time.Sleep(time.Minute)", want: "<none>"}})
	if other.Load() != int64(time.Minute) || slept.Load() != int64(time.Hour) {
		t.Errorf("later Use: %v %v", other.Load(), slept.Load())
	}
}

// A cell may call host code that reconfigures its own interpreter (as
// rt.SetCheckpoints does): no deadlock, and later cells use the setting.
func TestReconfigureFromCell(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	ex := yaegi.Exports{"lab/lab": {
		"Py39":  reflect.ValueOf(func() { in.SetPolicy(Py39); in.SetLabel("In[9]") }),
		"Sleep": reflect.ValueOf(func() {}),
	}}
	if err := in.Use(ex); err != nil {
		t.Fatal(err)
	}
	runSteps(t, in, out, []step{{src: "import \"lab\"\nlab.Py39()\n1", want: "1"}})
	if in.Policy() != Py39 {
		t.Errorf("policy %v", in.Policy())
	}
	if err := in.Use(yaegi.Exports{"lab/lab": {"Late": reflect.ValueOf(func() int { return 5 })}}); err != nil {
		t.Fatal(err)
	}
	runSteps(t, in, out, []step{{src: "lab.Late()", want: "5"}})
}

func TestComplete(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{{src: "import \"fmt\"\nfunc myFunc() {}\nmyVar := 1", want: "<none>"}})
	cases := []struct {
		code       string
		cursor     int
		want       []string
		start, end int
	}{
		{"fmt.Pri", 7, []string{"Print", "Printf", "Println"}, 4, 7},
		{"my", 2, []string{"myFunc", "myVar"}, 0, 2},
		{"x := \"é\"; fmt.Spr", 17, []string{"Sprint", "Sprintf", "Sprintln"}, 14, 17},
		{"import \"strings\"\nstrings.ToUp", 29, []string{"ToUpper"}, 25, 29},
		{"fo", 2, []string{"for"}, 0, 2},
	}
	for _, c := range cases {
		got, s, e := in.Complete(c.code, c.cursor)
		for _, w := range c.want {
			found := false
			for _, g := range got {
				found = found || g == w
			}
			if !found {
				t.Errorf("Complete(%q) = %v, lacks %s", c.code, got, w)
			}
		}
		if s != c.start || e != c.end {
			t.Errorf("Complete(%q) range %d-%d, want %d-%d", c.code, s, e, c.start, c.end)
		}
	}
}

func TestInspect(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{{src: "import \"strings\"\n// Twice doubles n.\nfunc Twice(n int) int { return 2 * n }", want: "<none>"}})
	for _, c := range []struct {
		code   string
		cursor int
		want   []string
	}{
		{"strings.ToUpper(s)", 10, []string{"func ToUpper(s string) string", "upper case"}},
		{"Twice(3)", 2, []string{"Twice doubles n.", "func Twice(n int) int"}},
		{"fmt.Println", 6, []string{"func Println(a ...any) (n int, err error)"}},
		{"xs = append(xs, 1)", 7, []string{"func append(slice []Type, elems ...Type) []Type"}},
	} {
		text, ok := in.Inspect(c.code, c.cursor)
		if !ok {
			t.Errorf("Inspect(%q): not found", c.code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(text, w) {
				t.Errorf("Inspect(%q) = %q, lacks %q", c.code, text, w)
			}
		}
	}
	runSteps(t, in, out, []step{{src: "type P struct{ x, Y int }\n// Sum adds.\nfunc (p P) Sum() int { return p.x + p.Y }\np := P{1, 2}\nvar sb strings.Builder"}})
	for _, c := range []struct {
		code   string
		cursor int
		want   string
	}{
		{"p.Sum()", 3, "Sum adds."},
		{"sb.WriteString", 5, "func (b *Builder) WriteString(s string) (int, error)"},
	} {
		if text, _ := in.Inspect(c.code, c.cursor); !strings.Contains(text, c.want) {
			t.Errorf("Inspect(%q) = %q, lacks %q", c.code, text, c.want)
		}
	}
	if got, _, _ := in.Complete("p.", 2); !reflect.DeepEqual(got, []string{"Y", "x"}) {
		t.Errorf("Complete(p.) = %v", got)
	}
	if _, ok := in.Inspect("nothingHere", 3); ok {
		t.Error("Inspect of an unknown name found something")
	}
}

// hostMutex stands for a runtime's GIL-aware sync.Mutex.
type hostMutex struct{ locks int }

func (m *hostMutex) Lock()   { m.locks++ }
func (m *hostMutex) Unlock() {}

// heldHooks starts goroutines only when a blocking operation begins, so
// a test knows the lock it contends for is still held.
type heldHooks struct {
	countHooks
	mu      sync.Mutex
	waiting []func()
}

func (h *heldHooks) Go(fn func()) {
	h.mu.Lock()
	h.waiting = append(h.waiting, fn)
	h.mu.Unlock()
}

func (h *heldHooks) Block() func() {
	h.mu.Lock()
	w := h.waiting
	h.waiting = nil
	h.mu.Unlock()
	for _, fn := range w {
		h.countHooks.Go(fn)
	}
	return h.countHooks.Block()
}

func TestSyncRewrite(t *testing.T) {
	// standard sync types: a contended Lock waits between Block and resume
	h := &heldHooks{}
	in, out, _ := newTest(t, Options{Hooks: h})
	runSteps(t, in, out, []step{{src: "import \"sync\"\nvar mu sync.Mutex\nmu.Lock()\ngo func() { mu.Unlock() }()\nmu.Lock()\nmu.Unlock()\n1", want: "1"}})
	if h.blocks.Load() != 1 {
		t.Errorf("blocks = %d, want 1 (the second, contended Lock)", h.blocks.Load())
	}
	// host-replaced sync types release by themselves: calls are left alone
	h2 := &countHooks{}
	ov := yaegi.Exports{"sync/sync": {"Mutex": reflect.ValueOf((*hostMutex)(nil))}}
	in2, out2, _ := newTest(t, Options{Hooks: h2, Symbols: []yaegi.Exports{ov}})
	runSteps(t, in2, out2, []step{{src: "import \"sync\"\nvar mu sync.Mutex\nmu.Lock()\nmu.Lock()\n2", want: "2"}})
	if h2.blocks.Load() != 0 {
		t.Errorf("blocks = %d with a host mutex", h2.blocks.Load())
	}
}
