package supervisor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The supervisor tests run this test binary itself as the child, serving a
// small scripted Backend, so they test the pipes, ordering, crashes and
// interrupts without the interpreter.

func TestMain(m *testing.M) {
	if os.Getenv("EVALPROC_TEST_CHILD") == "1" {
		if err := Serve(func(h Host) (Backend, error) { return &script{h: h}, nil }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// script is a Backend whose cells are commands.
type script struct {
	h    Host
	stop chan struct{}
	mu   sync.Mutex
}

func (s *script) Execute(ctx context.Context, code string) Outcome {
	cmd, arg, _ := strings.Cut(code, " ")
	switch cmd {
	case "lines":
		var n int
		fmt.Sscan(arg, &n)
		for i := 0; i < n; i++ {
			fmt.Printf("line %d\n", i)
		}
	case "mixed": // stdout, a display, stderr, stdout: must arrive in this order
		fmt.Print("a")
		s.h.Display(map[string]any{"text/plain": "D"}, nil, "", false)
		fmt.Print("b")
	case "result":
		return Outcome{Status: "ok", Result: map[string]any{"text/plain": arg}}
	case "fail":
		return Outcome{Status: "error", Error: &Error{Name: "Oops", Value: arg, Traceback: []string{"Oops: " + arg}}}
	case "late": // a goroutine that prints after the cell ended
		go func() {
			time.Sleep(100 * time.Millisecond)
			fmt.Println("late")
		}()
	case "latecrash": // a goroutine that crashes the process after the cell ended
		go func() {
			time.Sleep(100 * time.Millisecond)
			panic("late boom")
		}()
	case "overflow":
		var f func(int) int
		f = func(n int) int { return f(n+1) + 1 }
		f(0)
	case "mapwrites": // the free-threading exercise gone wrong: fatal, not a panic
		m := map[int]int{}
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					m[i%1024] = i
				}
			}()
		}
		wg.Wait()
	case "hog": // allocates past the child's memory limit
		var keep [][]byte
		for {
			b := make([]byte, 64<<20)
			for i := range b {
				b[i] = 1
			}
			keep = append(keep, b)
		}
	case "spin": // runs until interrupted
		fmt.Println("spinning")
		<-ctx.Done()
		return Outcome{Status: "error", Error: &Error{Name: "KeyboardInterrupt", Value: "interrupted"}}
	case "stuck": // ignores interrupts
		fmt.Println("stuck")
		select {}
	case "hugeresult": // a trailing value of arg MiB
		var n int
		fmt.Sscan(arg, &n)
		return Outcome{Status: "ok", Result: map[string]any{"text/plain": strings.Repeat("z", n<<20)}}
	case "hugedisplay": // a display with an HTML form of arg MiB
		var n int
		fmt.Sscan(arg, &n)
		s.h.Display(map[string]any{"text/plain": "a table", "text/html": strings.Repeat("<td>", n<<18)}, nil, "", false)
	case "len":
		return Outcome{Status: "ok", Result: map[string]any{"text/plain": fmt.Sprint(len(arg))}}
	case "badframe": // an event frame whose header claims more than the limit
		os.NewFile(4, "events").Write([]byte{0x7f, 0xff, 0xff, 0xff, 'D'})
		select {}
	case "utf8": // multi-byte characters in many small writes, and marker-like bytes
		for i := 0; i < 2000; i++ {
			os.Stdout.WriteString("h\u00e9llo w\u00f6")
			os.Stdout.WriteString("rld \U0001F600 \x00\x1b[corelab-sync 7fffffffffffffff]\x00")
		}
	case "marker": // the bytes of the old in-band sync marker, with the largest number
		fmt.Print("\x00\x1b[corelab-sync 7fffffffffffffff]\x00")
		fmt.Fprint(os.Stderr, "\x00\x1b[corelab-sync ffffffffffffffff]\x00")
	case "sleep": // a cell that takes a while but finishes
		d, _ := time.ParseDuration(arg)
		time.Sleep(d)
	case "crash": // a Go fatal error in the cell
		go panic("boom")
		select {}
	case "grandchild", "escapee": // a process that inherits the evaluator's stdout and stderr (and leaves its group)
		argv := []string{"/bin/sleep", "sleep", "300"}
		if cmd == "escapee" {
			argv = []string{"/usr/bin/setsid", "setsid", "sleep", "300"}
		}
		p, err := os.StartProcess(argv[0], argv[1:], &os.ProcAttr{Files: []*os.File{nil, os.Stdout, os.Stderr}})
		if err != nil {
			return Outcome{Status: "error", Error: &Error{Name: "StartError", Value: err.Error()}}
		}
		pid := p.Pid // Release sets p.Pid to -1
		p.Release()
		return Outcome{Status: "ok", Result: map[string]any{"text/plain": fmt.Sprint(pid)}}
	case "input":
		v, err := s.h.Input(arg, false)
		if err != nil {
			return Outcome{Status: "error", Error: &Error{Name: "InputError", Value: err.Error()}}
		}
		return Outcome{Status: "ok", Result: map[string]any{"text/plain": v}}
	case "big":
		os.Stdout.WriteString(strings.Repeat("x", 3<<20))
	}
	return Outcome{Status: "ok"}
}

func (s *script) Complete(code string, cursor int) ([]string, int, int) {
	return []string{code + "!"}, 0, cursor
}
func (s *script) Inspect(code string, cursor, detail int) (map[string]any, bool) {
	return map[string]any{"text/plain": "doc of " + code}, true
}
func (s *script) Interrupt() {}

func startProc(t *testing.T, o Options) *Proc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	o.Path = exe
	o.Args = []string{"-test.run=^$"}
	o.Env = append(o.Env, "EVALPROC_TEST_CHILD=1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := Start(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

type collector struct {
	mu  sync.Mutex
	out []Output
}

func (c *collector) add(o Output) {
	c.mu.Lock()
	c.out = append(c.out, o)
	c.mu.Unlock()
}

// text joins everything, displays as [D:...].
func (c *collector) text() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var sb strings.Builder
	for _, o := range c.out {
		if o.Display != nil {
			fmt.Fprintf(&sb, "[D:%v]", o.Display.Data["text/plain"])
		} else {
			sb.WriteString(o.Text)
		}
	}
	return sb.String()
}

func run(t *testing.T, p *Proc, code string) (Reply, *collector) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := &collector{}
	rep, err := p.Execute(ctx, code, c.add)
	if err != nil {
		t.Fatalf("%s: %v", code, err)
	}
	return rep, c
}

func TestOrderAndResults(t *testing.T) {
	p := startProc(t, Options{})
	rep, c := run(t, p, "mixed")
	if rep.Status != "ok" || c.text() != "a[D:D]b" {
		t.Errorf("mixed: %v %q", rep.Status, c.text())
	}
	rep, c = run(t, p, "lines 20000")
	lines := strings.Split(strings.TrimSuffix(c.text(), "\n"), "\n")
	if len(lines) != 20000 || lines[19999] != "line 19999" {
		t.Errorf("got %d lines", len(lines))
	}
	rep, _ = run(t, p, "result 42")
	if rep.Result["text/plain"] != "42" {
		t.Errorf("result %v", rep.Result)
	}
	rep, _ = run(t, p, "fail bad")
	if rep.Status != "error" || rep.Error.Name != "Oops" || rep.Restarted {
		t.Errorf("fail: %+v", rep)
	}
	ctx := context.Background()
	m, start, end, err := p.Complete(ctx, "fmt.P", 5)
	if err != nil || len(m) != 1 || m[0] != "fmt.P!" || start != 0 || end != 5 {
		t.Errorf("complete: %v %d %d %v", m, start, end, err)
	}
	d, found, err := p.Inspect(ctx, "x", 1, 0)
	if err != nil || !found || d["text/plain"] != "doc of x" {
		t.Errorf("inspect: %v %v %v", d, found, err)
	}
}

func TestLateOutputGoesToLastCell(t *testing.T) {
	p := startProc(t, Options{})
	_, c := run(t, p, "late")
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.text(), "late") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if c.text() != "late\n" {
		t.Errorf("late output: %q", c.text())
	}
}

// Each fatal Go error a learner can hit becomes the cell's error, names what
// went wrong, says the state was lost, and leaves a fresh evaluator.
func TestCrashRestarts(t *testing.T) {
	for _, tc := range []struct {
		cell string
		opts Options
		want []string
	}{
		{"overflow", Options{MaxStack: 16 << 20}, []string{"stack", "goroutine", "base case"}},
		{"mapwrites", Options{}, []string{"concurrent map", "sync.Mutex"}},
		{"hog", Options{MemoryLimit: 512 << 20}, []string{"out of memory", "evaluator's limit"}},
	} {
		t.Run(tc.cell, func(t *testing.T) {
			if tc.cell == "hog" && raceBuild {
				t.Skip("the race runtime reports an address-space limit differently (see raceBuild)")
			}
			if tc.cell == "mapwrites" && raceBuild {
				// The race detector reports the unsynchronised writes on stderr
				// while the map's own check fails, and the two texts interleave;
				// the kernel that ships is not a race build, so -race cannot
				// show what a learner would read. The unit phase runs this case.
				t.Skip("the race detector's report interleaves with the map's fatal error (see raceBuild)")
			}
			p := startProc(t, tc.opts)
			pid := p.Pid()
			rep, _ := run(t, p, tc.cell)
			if rep.Status != "error" || !rep.Restarted || rep.Error.Name != "FatalError" {
				t.Fatalf("%s: %+v", tc.cell, rep)
			}
			tb := strings.Join(rep.Error.Traceback, "\n")
			for _, want := range append(tc.want, StateLost) {
				if !strings.Contains(tb, want) {
					t.Errorf("crash report lacks %q:\n%s", want, tb)
				}
			}
			if strings.Contains(tb, " fp=0x") {
				t.Errorf("frame addresses not trimmed:\n%s", tb)
			}
			rep, _ = run(t, p, "result ok")
			if rep.Result["text/plain"] != "ok" || p.Pid() == pid || p.Restarts() != 1 {
				t.Errorf("after crash: %+v pid %d (was %d)", rep, p.Pid(), pid)
			}
		})
	}
}

func TestCrashBetweenCells(t *testing.T) {
	p := startProc(t, Options{})
	_, c := run(t, p, "latecrash")
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(c.text(), StateLost) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := c.text(); !strings.Contains(got, "late boom") || !strings.Contains(got, StateLost) {
		t.Fatalf("crash between cells reported as %q", got)
	}
	if rep, _ := run(t, p, "result fresh"); rep.Result["text/plain"] != "fresh" {
		t.Errorf("after crash between cells: %+v", rep)
	}
}

func TestInterrupt(t *testing.T) {
	p := startProc(t, Options{InterruptGrace: 500 * time.Millisecond})
	go func() { time.Sleep(100 * time.Millisecond); p.Interrupt() }()
	rep, _ := run(t, p, "spin")
	if rep.Error == nil || rep.Error.Name != "KeyboardInterrupt" || rep.Restarted {
		t.Errorf("spin: %+v", rep)
	}
	// A cell that ignores the interrupt is killed after the grace period.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel() }()
	rep, err := p.Execute(ctx, "stuck", func(Output) {})
	if err != nil || !rep.Restarted {
		t.Errorf("stuck: %+v %v", rep, err)
	}
	if rep, _ := run(t, p, "result again"); rep.Result["text/plain"] != "again" {
		t.Errorf("after kill: %+v", rep)
	}
}

func TestInput(t *testing.T) {
	p := startProc(t, Options{})
	ctx := context.Background()
	rep, err := p.Run(ctx, Cell{Code: "input name?", AllowStdin: true, OnOutput: func(Output) {},
		OnInput: func(prompt string, pw bool) (string, error) { return "<" + prompt + ">", nil }})
	if err != nil || rep.Result["text/plain"] != "<name?>" {
		t.Errorf("input: %+v %v", rep, err)
	}
	rep, _ = p.Run(ctx, Cell{Code: "input x", OnOutput: func(Output) {}})
	if rep.Error == nil || rep.Error.Name != "InputError" {
		t.Errorf("input without stdin: %+v", rep)
	}
}

func TestOutputLimit(t *testing.T) {
	p := startProc(t, Options{OutputLimit: 1 << 20})
	_, c := run(t, p, "big")
	got := c.text()
	if len(got) > 1<<20+200 || !strings.Contains(got, "the rest is not shown") {
		t.Errorf("big output: %d bytes, notice %v", len(got), strings.Contains(got, "not shown"))
	}
	if _, c := run(t, p, "lines 1"); c.text() != "line 0\n" {
		t.Errorf("next cell: %q", c.text())
	}
}

// Text is delivered whole, in order and never cut inside a character,
// however the writes split it; sync-marker-like bytes are plain text.
func TestStreamTextIsWhole(t *testing.T) {
	p := startProc(t, Options{})
	_, c := run(t, p, "utf8")
	want := strings.Repeat("h\u00e9llo w\u00f6rld \U0001F600 \x00\x1b[corelab-sync 7fffffffffffffff]\x00", 2000)
	got := c.text()
	if got != want {
		t.Errorf("got %d bytes, want %d", len(got), len(want))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range c.out {
		if !isValid([]byte(o.Text)) {
			t.Fatalf("text cut inside a character: %q", o.Text[max(0, len(o.Text)-8):])
		}
	}
}

// Printing what was once the in-band sync marker silences nothing.
func TestMarkerTextIsJustText(t *testing.T) {
	p := startProc(t, Options{})
	_, c := run(t, p, "marker")
	if _, c2 := run(t, p, "mixed"); c2.text() != "a[D:D]b" {
		t.Errorf("after printing a marker: %q (the marker cell printed %q)", c2.text(), c.text())
	}
}

func isValid(b []byte) bool { return strings.ToValidUTF8(string(b), "\uFFFD") == string(b) }

func TestCrashErrorTrims(t *testing.T) {
	report := `runtime: goroutine stack exceeds 268435456-byte limit
runtime: sp=0x1ef655e40370 stack=[0x1ef655e40000, 0x1ef665e40000]
fatal error: stack overflow

runtime stack:
runtime.throw({0xfc0d36?, 0xc9b01?})
	/usr/local/go/src/runtime/panic.go:1229 +0x48 fp=0x7fe09e90ad20 sp=0x7fe09e90acf0 pc=0x493ea8

goroutine 6 gp=0x1ef64598cf00 m=6 mp=0x1ef645d92008 [running]:
main.f(0x1)
	/x/main.go:3 +0x20 fp=0x1 sp=0x2 pc=0x3
` + strings.Repeat("main.f(0x1)\n\t/x/main.go:3 +0x20\n", 40) + `
goroutine 1 [chan receive]:
main.main()
`
	e := crashError(report, "exit status 2", oomCount{})
	tb := e.Traceback[0]
	for _, want := range []string{"fatal error: stack overflow", "goroutine 6 [running]:", "more frames", "1 other goroutines", StateLost, "base case"} {
		if !strings.Contains(tb, want) {
			t.Errorf("missing %q in:\n%s", want, tb)
		}
	}
	for _, bad := range []string{"runtime.throw", "fp=0x", "runtime: sp="} {
		if strings.Contains(tb, bad) {
			t.Errorf("kept %q in:\n%s", bad, tb)
		}
	}
	if !strings.HasPrefix(e.Value, "stack overflow") {
		t.Errorf("value %q", e.Value)
	}
}

// BenchmarkPipeRoundTrip is one trivial cell through the child: a request
// frame, two sync markers and a reply frame.
func BenchmarkPipeRoundTrip(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	p, err := Start(context.Background(), Options{Path: exe, Args: []string{"-test.run=^$"}, Env: []string{"EVALPROC_TEST_CHILD=1"}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := p.Execute(ctx, "result 1", func(Output) {}); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzSplitIncompleteRune(f *testing.F) {
	f.Add([]byte("h\xc3\xa9llo"), 2)
	f.Add([]byte("\xf0\x9f\x98\x80"), 1)
	f.Fuzz(func(t *testing.T, text []byte, step int) {
		if step <= 0 || step > 64 {
			step = 7
		}
		// Split text at every step bytes as a pipe might; what comes out,
		// joined, is the input, and valid input comes out in valid pieces.
		var got, pending []byte
		for i := 0; i < len(text); i += step {
			body, rest := splitIncompleteRune(append(pending, text[i:min(i+step, len(text))]...))
			if isValid(text) && !isValid(body) {
				t.Fatalf("piece %q of valid text is cut inside a character", body)
			}
			got = append(got, body...)
			pending = append([]byte(nil), rest...)
		}
		got = append(got, pending...)
		if !bytes.Equal(got, text) {
			t.Fatalf("got %q, want %q", got, text)
		}
	})
}

func FuzzCrashError(f *testing.F) {
	f.Add("fatal error: stack overflow\n\ngoroutine 1 [running]:\nmain.f()\n\t/x.go:1\n")
	f.Add("panic: boom\n\ngoroutine 7 gp=0x1 m=2 mp=0x3 [running]:\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, report string) {
		e := crashError(report, "exit status 2", oomCount{})
		if e.Name != "FatalError" || len(e.Traceback) != 1 || !strings.Contains(e.Traceback[0], StateLost) {
			t.Fatalf("%+v", e)
		}
	})
}
