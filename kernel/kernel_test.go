package kernel_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"corelab/kernel"
	"corelab/kernel/client"
	"corelab/kernel/wire"
)

// The tests build the real corelab binary, start `corelab kernel -f` on a
// fresh connection file and drive it over real zmq4 sockets, as
// jupyter_client would.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "corelab-kernel-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "corelab")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = ".." // the module root, where main.go is
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build corelab:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testTimeout bounds every wait in these tests.
const testTimeout = 60 * time.Second

type testKernel struct {
	t      *testing.T
	cmd    *exec.Cmd
	info   kernel.ConnectionInfo
	c      *client.Client
	mu     sync.Mutex
	stderr bytes.Buffer
	exited chan error
}

func (k *testKernel) Write(p []byte) (int, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stderr.Write(p)
}

// log returns what the kernel wrote to its stderr so far.
func (k *testKernel) log() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stderr.String()
}

func startKernel(t *testing.T) *testKernel {
	t.Helper()
	return startKernelArgs(t)
}

// startKernelArgs starts a kernel with extra arguments after -f FILE.
func startKernelArgs(t *testing.T, args ...string) *testKernel {
	t.Helper()
	return startKernelWith(t, binary, nil, args...)
}

// startKernelWith starts the corelab binary bin as a kernel, with extra
// environment (KEY=VALUE) and arguments after -f FILE. The ports come from
// the OS (LocalConnection) and are free when chosen, but another process
// (go test runs packages side by side) may take one before the kernel binds
// it; then the kernel says so and exits, and it is started again on new
// ports, as a launcher would.
func startKernelWith(t *testing.T, bin string, env []string, args ...string) *testKernel {
	t.Helper()
	for attempt := 1; ; attempt++ {
		k, err := launchKernel(t, bin, env, args...)
		if err == nil {
			return k
		}
		if attempt < 3 && strings.Contains(k.log(), "address already in use") {
			t.Logf("attempt %d: a port was taken before the kernel bound it; again on new ports", attempt)
			continue
		}
		t.Fatal(err)
	}
}

// launchKernel is one attempt of startKernelWith: the kernel, connected and
// ready, or an error (with the kernel, for its log).
func launchKernel(t *testing.T, bin string, env []string, args ...string) (*testKernel, error) {
	t.Helper()
	info, err := client.LocalConnection("test-key-" + t.Name())
	if err != nil {
		t.Fatal(err)
	}
	conn := filepath.Join(t.TempDir(), "kernel.json")
	if err := kernel.WriteConnectionFile(conn, info); err != nil {
		t.Fatal(err)
	}
	k := &testKernel{t: t, info: info, exited: make(chan error, 1)}
	k.cmd = exec.Command(bin, append([]string{"kernel", "-f", conn}, args...)...)
	k.cmd.Env = append(os.Environ(), env...)
	k.cmd.Stderr = k
	k.cmd.Stdout = k
	if err := k.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { k.exited <- k.cmd.Wait() }()
	t.Cleanup(func() {
		if k.c != nil {
			k.c.Close()
		}
		select {
		case <-k.exited:
		default:
			k.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-k.exited:
			case <-time.After(5 * time.Second):
				k.cmd.Process.Kill()
				<-k.exited
			}
		}
		if t.Failed() {
			t.Logf("kernel log:\n%s", k.log())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	go func() { // a kernel that exits (a port taken) ends the wait at once
		select {
		case err := <-k.exited:
			k.exited <- err
			cancel()
		case <-ctx.Done():
		}
	}()
	c, err := client.Dial(ctx, info)
	if err != nil {
		return k, err
	}
	k.c = c
	if err := c.WaitReady(ctx); err != nil {
		return k, fmt.Errorf("kernel not ready: %v\n%s", err, k.log())
	}
	return k, nil
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

func (k *testKernel) exec(code string) *client.Result {
	k.t.Helper()
	r, err := k.c.Execute(ctxT(k.t), code, nil)
	if err != nil {
		k.t.Fatalf("execute %q: %v", code, err)
	}
	return r
}

func (k *testKernel) mustOK(code string) *client.Result {
	k.t.Helper()
	r := k.exec(code)
	if r.Status() != "ok" {
		k.t.Fatalf("execute %q: status %q: %v\nstderr: %s", code, r.Status(), r.Content, r.Stderr)
	}
	return r
}

func (k *testKernel) call(channel, msgType string, content any) map[string]any {
	k.t.Helper()
	m, err := k.c.Call(ctxT(k.t), channel, msgType, content)
	if err != nil {
		k.t.Fatalf("%s: %v", msgType, err)
	}
	var c map[string]any
	if err := m.DecodeContent(&c); err != nil {
		k.t.Fatal(err)
	}
	return c
}

func resultText(r *client.Result) string {
	c := r.Find("execute_result")
	if c == nil {
		return ""
	}
	data, _ := c["data"].(map[string]any)
	s, _ := data["text/plain"].(string)
	return s
}

func TestKernelInfo(t *testing.T) {
	k := startKernel(t)
	req, err := k.c.Send(client.Shell, "kernel_info_request", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := k.c.Collect(ctxT(t), client.Shell, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Content
	if c["protocol_version"] != "5.3" || c["implementation"] != "corelab" || c["status"] != "ok" {
		t.Errorf("kernel_info_reply: %v", c)
	}
	li, _ := c["language_info"].(map[string]any)
	for key, want := range map[string]string{"name": "go", "mimetype": "text/x-go", "file_extension": ".go",
		"pygments_lexer": "go", "codemirror_mode": "go"} {
		if li[key] != want {
			t.Errorf("language_info[%s] = %v, want %q", key, li[key], want)
		}
	}
	if v, _ := li["version"].(string); !strings.HasPrefix(v, "1.") {
		t.Errorf("language_info.version = %q", v)
	}
	if got := res.Types(); strings.Join(got, ",") != "status,status" {
		t.Errorf("iopub around kernel_info: %v", got)
	}
	if res.Reply.Header.Version != "5.3" {
		t.Errorf("reply header version %q", res.Reply.Header.Version)
	}
}

func TestExecute(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "fmt"`)
	r := k.mustOK("x := 20\nfmt.Println(\"hello\", x)")
	if r.Stdout != "hello 20\n" {
		t.Errorf("stdout %q", r.Stdout)
	}
	types := r.Types()
	if len(types) < 3 || types[0] != "status" || types[1] != "execute_input" || types[len(types)-1] != "status" {
		t.Errorf("iopub sequence %v", types)
	}
	n1 := r.Content["execution_count"].(float64)
	r = k.mustOK("x * 2 + 2")
	if got := resultText(r); got != "42" {
		t.Errorf("result %q, want 42", got)
	}
	n2 := r.Content["execution_count"].(float64)
	if n2 != n1+1 {
		t.Errorf("execution_count %v then %v", n1, n2)
	}
	if ec := r.Find("execute_result")["execution_count"]; ec != n2 {
		t.Errorf("execute_result count %v, reply %v", ec, n2)
	}
	// Re-running a cell works and counts again.
	r = k.mustOK("x * 2 + 2")
	if got := resultText(r); got != "42" || r.Content["execution_count"].(float64) != n2+1 {
		t.Errorf("re-run: %q count %v", got, r.Content["execution_count"])
	}
	// store_history false does not count; silent shows nothing.
	no := false
	r, err := k.c.Execute(ctxT(t), "x + 1", &client.ExecuteOptions{StoreHistory: &no})
	if err != nil || r.Content["execution_count"].(float64) != n2+1 {
		t.Errorf("store_history=false: count %v err %v", r.Content["execution_count"], err)
	}
	r, err = k.c.Execute(ctxT(t), `fmt.Println("quiet")`, &client.ExecuteOptions{Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Find("execute_input") != nil || r.Find("execute_result") != nil {
		t.Errorf("silent execution published %v", r.Types())
	}
}

func TestExecuteError(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "fmt"`)
	r := k.exec("a := 1\nb := a +\n")
	if r.Status() != "error" {
		t.Fatalf("status %q", r.Status())
	}
	e := r.Find("error")
	if e == nil || e["ename"] == "" {
		t.Fatalf("no error message: %v", r.Types())
	}
	if r.Content["ename"] != e["ename"] {
		t.Errorf("reply ename %v, iopub %v", r.Content["ename"], e["ename"])
	}
	// A compile error names the cell's own line and column.
	r = k.exec("a := 1\nb := nosuchname + a\n_ = b")
	tb, _ := json.Marshal(r.Content["traceback"])
	if r.Status() != "error" || !strings.Contains(string(tb), ":2:") || !strings.Contains(string(tb), "b := nosuchname + a") {
		t.Errorf("compile error position: %s", tb)
	}
	// A runtime panic names its line.
	r = k.exec("var m map[string]int\nvar s []int\n_ = m\nfmt.Println(s[3])")
	if r.Status() != "error" {
		t.Fatalf("panic cell: status %q", r.Status())
	}
	tb, _ = json.Marshal(r.Content["traceback"])
	// In Go's words, at the expression that failed (line 4, column 13: s[3]),
	// of the cell as the front end numbers it (In[N], N its execution_count).
	where := fmt.Sprintf("In[%v]:4:13", r.Content["execution_count"])
	if r.Content["evalue"] != "index 3 out of range [0:0)" || !strings.Contains(string(tb), where) {
		t.Errorf("panic error: %v", r.Content)
	}
	// State survives errors.
	k.mustOK("y := 5")
	if got := resultText(k.mustOK("y")); got != "5" {
		t.Errorf("after errors: %q", got)
	}
}

func TestCompleteInspect(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "strings"`)
	c := k.call(client.Shell, "complete_request", map[string]any{"code": "strings.ToUp", "cursor_pos": 12})
	if c["status"] != "ok" {
		t.Fatalf("complete_reply %v", c)
	}
	matches, _ := json.Marshal(c["matches"])
	if !strings.Contains(string(matches), "ToUpper") {
		t.Errorf("matches %s", matches)
	}
	c = k.call(client.Shell, "inspect_request", map[string]any{"code": "strings.ToUpper", "cursor_pos": 10, "detail_level": 0})
	if c["status"] != "ok" || c["found"] != true {
		t.Errorf("inspect_reply %v", c)
	}
	c = k.call(client.Shell, "complete_request", map[string]any{"code": "%mo", "cursor_pos": 3})
	if m, _ := json.Marshal(c["matches"]); !strings.Contains(string(m), "%mode") {
		t.Errorf("magic completion %s", m)
	}
}

func TestIsComplete(t *testing.T) {
	k := startKernel(t)
	for code, want := range map[string]string{
		"x := 1":               "complete",
		"for i := 0; i < 3; {": "incomplete",
		"fmt.Println(":         "incomplete",
		"x := )":               "invalid",
	} {
		c := k.call(client.Shell, "is_complete_request", map[string]any{"code": code})
		if c["status"] != want {
			t.Errorf("is_complete(%q) = %v, want %s", code, c["status"], want)
		}
	}
}

func TestHistoryAndCommInfo(t *testing.T) {
	k := startKernel(t)
	k.mustOK("a := 1")
	k.mustOK("b := 2")
	k.mustOK("a + b")
	c := k.call(client.Shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 2, "output": false, "raw": true})
	h, _ := c["history"].([]any)
	if len(h) != 2 {
		t.Fatalf("history %v", c)
	}
	last := h[1].([]any)
	if last[2] != "a + b" || last[1].(float64) != 3 {
		t.Errorf("last history entry %v", last)
	}
	c = k.call(client.Shell, "comm_info_request", map[string]any{})
	if c["status"] != "ok" || len(c["comms"].(map[string]any)) != 0 {
		t.Errorf("comm_info_reply %v", c)
	}
}

// runAsync starts an execute and returns a channel with its result.
func (k *testKernel) runAsync(code string) (*wire.Message, chan *client.Result) {
	k.t.Helper()
	req, done, _ := k.runStarted(code)
	return req, done
}

// runStarted starts an execute and returns a channel with its result and
// one closed when the cell's first output arrives: a cell that prints
// before its loop is then surely running in the evaluator (its
// execute_input only says the kernel took the request).
func (k *testKernel) runStarted(code string) (*wire.Message, chan *client.Result, chan struct{}) {
	k.t.Helper()
	req, err := k.c.Send(client.Shell, "execute_request", map[string]any{"code": code, "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	if err != nil {
		k.t.Fatal(err)
	}
	done := make(chan *client.Result, 1)
	started := make(chan struct{})
	var once sync.Once
	go func() { // ends when the cell's reply and idle arrive or the test context ends
		r, err := k.c.CollectWith(ctxT(k.t), client.Shell, req, client.CollectOptions{OnIOPub: func(m *wire.Message) {
			if m.Header.MsgType == "stream" {
				once.Do(func() { close(started) })
			}
		}})
		if err != nil {
			k.t.Errorf("collect: %v", err)
		}
		done <- r
	}()
	return req, done, started
}

// busyLoop is a cell that says it runs, then loops until interrupted.
const busyLoop = "println(\"running\")\nfor {\n}"

// waitStarted waits for the cell of runStarted to print.
func (k *testKernel) waitStarted(started chan struct{}) {
	k.t.Helper()
	select {
	case <-started:
	case <-time.After(testTimeout):
		k.t.Fatalf("the cell printed nothing within %v", testTimeout)
	}
}

func TestInterruptControl(t *testing.T) {
	k := startKernel(t)
	k.mustOK("n := 7")
	_, done, started := k.runStarted(busyLoop)
	k.waitStarted(started)
	c := k.call(client.Control, "interrupt_request", map[string]any{})
	if c["status"] != "ok" {
		t.Errorf("interrupt_reply %v", c)
	}
	r := <-done
	if r == nil {
		t.Fatal("no result")
	}
	if r.Status() != "error" || r.Content["ename"] != "KeyboardInterrupt" {
		t.Errorf("interrupted cell: %v", r.Content)
	}
	if got := resultText(k.mustOK("n")); got != "7" {
		t.Errorf("state after interrupt: %q", got)
	}
}

func TestInterruptSIGINT(t *testing.T) {
	k := startKernel(t)
	k.mustOK("n := 8")
	_, done, started := k.runStarted(busyLoop)
	k.waitStarted(started)
	if err := k.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r == nil || r.Content["ename"] != "KeyboardInterrupt" {
		t.Fatalf("SIGINT: %v", r)
	}
	if got := resultText(k.mustOK("n")); got != "8" {
		t.Errorf("state after SIGINT: %q", got)
	}
}

func TestHeartbeatWhileBusy(t *testing.T) {
	k := startKernel(t)
	_, done, started := k.runStarted(busyLoop)
	k.waitStarted(started)
	for i := 0; i < 3; i++ {
		if err := k.c.Heartbeat(ctxT(t)); err != nil {
			t.Fatalf("heartbeat %d while busy: %v", i, err)
		}
	}
	// kernel_info on control answers while the cell runs.
	c := k.call(client.Control, "kernel_info_request", nil)
	if c["implementation"] != "corelab" {
		t.Errorf("kernel_info on control: %v", c)
	}
	k.call(client.Control, "interrupt_request", map[string]any{})
	<-done
}

func TestStdin(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "corelab/input"`)
	var prompts []string
	r, err := k.c.Execute(ctxT(t), `name := input.Line("Your name? ")`+"\n"+`name + "!"`, &client.ExecuteOptions{
		AllowStdin: true,
		OnInput: func(prompt string, password bool) string {
			prompts = append(prompts, prompt)
			return "Ada"
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(prompts) != 1 || prompts[0] != "Your name? " {
		t.Errorf("prompts %q", prompts)
	}
	if got := resultText(r); !strings.Contains(got, "Ada!") {
		t.Errorf("result %q (%v)", got, r.Content)
	}
	k.mustOK(`import "fmt"`)
	r, err = k.c.Execute(ctxT(t), "var w string\nfmt.Scanln(&w)\nfmt.Println(\"got\", w)", &client.ExecuteOptions{
		AllowStdin: true,
		OnInput:    func(string, bool) string { return "word" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Stdout != "got word\n" {
		t.Errorf("Scanln: stdout %q", r.Stdout)
	}
}

func TestShutdown(t *testing.T) {
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprint("restart=", restart), func(t *testing.T) {
			k := startKernel(t)
			c := k.call(client.Control, "shutdown_request", map[string]any{"restart": restart})
			if c["status"] != "ok" || c["restart"] != restart {
				t.Errorf("shutdown_reply %v", c)
			}
			select {
			case err := <-k.exited:
				if err != nil {
					t.Errorf("kernel exit: %v", err)
				}
				k.exited <- err
			case <-time.After(testTimeout):
				t.Fatal("kernel did not exit")
			}
		})
	}
}

func TestBadSignatureDropped(t *testing.T) {
	k := startKernel(t)
	m, _ := k.c.Session.NewMessage("execute_request", nil, map[string]any{"code": `panic("should never run")`, "silent": false})
	frames := m.Encode(k.c.Signer)
	// frames: <IDS|MSG>, signature, header, parent, metadata, content
	for i, f := range frames {
		if string(f) == wire.Delimiter {
			frames[i+1] = []byte(strings.Repeat("0", 64))
			break
		}
	}
	if err := k.c.SendFrames(client.Shell, frames...); err != nil {
		t.Fatal(err)
	}
	// The kernel answers the next (good) request, and never the forged one.
	c := k.call(client.Shell, "kernel_info_request", nil)
	if c["status"] != "ok" {
		t.Errorf("kernel_info after forged message: %v", c)
	}
	r := k.mustOK("1 + 1")
	if r.Content["execution_count"].(float64) != 1 {
		t.Errorf("the forged request was counted: %v", r.Content)
	}
	if !strings.Contains(k.log(), "signature") {
		t.Errorf("no log line about the bad signature:\n%s", k.log())
	}
}

func TestMalformedAndUnknown(t *testing.T) {
	k := startKernel(t)
	bad := [][][]byte{
		{[]byte("no delimiter at all")},
		{[]byte(wire.Delimiter)},
		{[]byte(wire.Delimiter), []byte(""), []byte("{not json"), []byte("{}"), []byte("{}"), []byte("{}")},
		{[]byte(wire.Delimiter), []byte(""), []byte("[]"), []byte("{}"), []byte("{}"), []byte("{}")},
	}
	for _, frames := range bad {
		if err := k.c.SendFrames(client.Shell, frames...); err != nil {
			t.Fatal(err)
		}
		if err := k.c.SendFrames(client.Control, frames...); err != nil {
			t.Fatal(err)
		}
	}
	req, err := k.c.Send(client.Shell, "frobnicate_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := k.c.Collect(ctxT(t), client.Shell, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reply.Header.MsgType != "frobnicate_reply" || res.Content["status"] != "error" {
		t.Errorf("unknown request answered with %s %v", res.Reply.Header.MsgType, res.Content)
	}
	if got := strings.Join(res.Types(), ","); got != "status,status" {
		t.Errorf("iopub around unknown request: %s", got)
	}
	k.mustOK("2 + 2")
	log := k.log()
	for _, want := range []string{"malformed", "frobnicate_request"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestStackOverflow(t *testing.T) {
	k := startKernel(t)
	k.mustOK("keep := 1")
	k.mustOK("func f(n int) int { return f(n+1) + 1 }")
	r := k.exec("f(0)")
	if r.Status() != "error" {
		t.Fatalf("status %q", r.Status())
	}
	tb, _ := json.Marshal(r.Content["traceback"])
	text := fmt.Sprint(r.Content["evalue"]) + string(tb)
	if !strings.Contains(text, "stack") || !strings.Contains(text, "state was lost") {
		t.Errorf("crash report: %s", text)
	}
	// The kernel lives on with a fresh evaluator: new cells run, old state is gone.
	if got := resultText(k.mustOK("3 * 3")); got != "9" {
		t.Errorf("after crash: %q", got)
	}
	if r := k.exec("keep"); r.Status() != "error" {
		t.Errorf("state survived a crash: %v", r.Content)
	}
}

func TestGoroutinePanic(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "time"`)
	// The cell waits in the evaluator while its goroutine panics.
	k.exec("go func() { panic(\"boom\") }()\ntime.Sleep(200 * time.Millisecond)")
	if got := resultText(k.mustOK("1 + 2")); got != "3" {
		t.Errorf("after goroutine panic: %q", got)
	}
	if err := k.c.Heartbeat(ctxT(t)); err != nil {
		t.Error(err)
	}
}

func TestOutputBatching(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "fmt"`)
	r := k.mustOK("for i := 0; i < 20000; i++ {\n\tfmt.Println(\"line\", i)\n}")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(lines) != 20000 {
		t.Fatalf("got %d lines", len(lines))
	}
	for i, l := range lines {
		if l != fmt.Sprint("line ", i) {
			t.Fatalf("line %d is %q", i, l)
		}
	}
	if r.Streams > 50 {
		t.Errorf("%d stream messages for 20,000 lines; want a handful", r.Streams)
	}
	t.Logf("20,000 lines in %d stream messages", r.Streams)
}

func TestOutputCap(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "strings"`)
	k.mustOK(`import "fmt"`)
	r := k.mustOK("s := strings.Repeat(\"x\", 1<<20)\nfor i := 0; i < 5; i++ {\n\tfmt.Println(s)\n}")
	if len(r.Stdout) > 3<<20 {
		t.Errorf("printed %d bytes; the cap did not hold", len(r.Stdout))
	}
	if !strings.Contains(r.Stdout, "the rest is not shown") {
		t.Errorf("no truncation notice")
	}
	// The next cell prints normally.
	if r := k.mustOK(`fmt.Println("after")`); r.Stdout != "after\n" {
		t.Errorf("next cell: %q", r.Stdout)
	}
}

func TestDisplayAndLab(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "corelab/display"`)
	r := k.mustOK(`display.HTML("<b>bold</b>")`)
	d := r.Find("display_data")
	if d == nil {
		t.Fatalf("no display_data: %v", r.Types())
	}
	if data, _ := d["data"].(map[string]any); data["text/html"] != "<b>bold</b>" {
		t.Errorf("display_data %v", d)
	}
	r = k.mustOK("h := display.New()\nh.Text(\"one\")\nh.Update(display.Bundle{\"text/plain\": \"two\"})")
	u := r.Find("update_display_data")
	if u == nil {
		t.Fatalf("no update_display_data: %v", r.Types())
	}
	if tr, _ := u["transient"].(map[string]any); tr["display_id"] == "" || tr["display_id"] == nil {
		t.Errorf("update without display_id: %v", u)
	}
	// A trailing Bundle is an execute_result with its own MIME types.
	r = k.mustOK(`display.Bundle{"text/plain": "p", "text/markdown": "*m*"}`)
	if res := r.Find("execute_result"); res == nil || res["data"].(map[string]any)["text/markdown"] != "*m*" {
		t.Errorf("rich result: %v", res)
	}
	k.mustOK(`import rt "corelab/runtime"`)
	if got := resultText(k.mustOK("rt.Fib(20)")); got != "6765" {
		t.Errorf("rt.Fib(20) = %q", got)
	}
}

func TestMagics(t *testing.T) {
	k := startKernel(t)
	r := k.mustOK("%help")
	for _, m := range []string{"%mode", "%switchinterval", "%checkpoints", "%cores", "%help"} {
		if !strings.Contains(r.Stdout, m) {
			t.Errorf("%%help lacks %s:\n%s", m, r.Stdout)
		}
	}
	k.mustOK("%mode free")
	k.mustOK("%switchinterval 1ms")
	k.mustOK("%checkpoints py39")
	r = k.mustOK("%cores on\nx := 2\nx + 1")
	if !strings.Contains(r.Stdout, "cores") || resultText(r) != "3" {
		t.Errorf("%%cores on: stdout %q result %q", r.Stdout, resultText(r))
	}
	k.mustOK("%cores off\n%mode gil\n%checkpoints py310")
	if r := k.exec("%mode turbo"); r.Status() != "error" {
		t.Errorf("bad %%mode accepted: %v", r.Content)
	}
	if r := k.exec("%nosuch"); r.Status() != "error" {
		t.Errorf("unknown magic accepted: %v", r.Content)
	}
}

func TestLateOutput(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "fmt"`)
	k.mustOK(`import "time"`)
	r := k.mustOK("go func() {\n\ttime.Sleep(200 * time.Millisecond)\n\tfmt.Println(\"late\")\n}()")
	deadline := time.After(testTimeout)
	for {
		select {
		case <-deadline:
			t.Fatal("late output never arrived")
		default:
		}
		m, err := k.c.RecvIOPub(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.MsgType == "stream" && strings.Contains(string(m.Content), "late") {
			if m.Parent.MsgID != r.Request.Header.MsgID {
				t.Errorf("late output parent %s, want the cell that started it (%s)", m.Parent.MsgID, r.Request.Header.MsgID)
			}
			return
		}
	}
}

func TestHugeMessageRejected(t *testing.T) {
	k := startKernelArgs(t, "-max-message", "1048576")
	big := strings.Repeat("x", 2<<20)
	if _, err := k.c.Send(client.Shell, "execute_request", map[string]any{"code": "// " + big, "silent": false}); err != nil {
		t.Logf("send: %v", err) // the kernel may cut the connection mid-message
	}
	// The kernel stays up and answers a new client.
	c, err := client.Dial(ctxT(t), k.info)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.WaitReady(ctxT(t)); err != nil {
		t.Fatalf("kernel unresponsive after a huge message: %v", err)
	}
	r, err := c.Execute(ctxT(t), "1 + 2", nil)
	if err != nil || resultText(r) != "3" {
		t.Fatalf("after huge message: %v %v", r, err)
	}
	if n := r.Content["execution_count"].(float64); n != 1 {
		t.Errorf("the huge message was executed (count %v)", n)
	}
	if !strings.Contains(strings.ToLower(k.log()), "large") {
		t.Errorf("no log line about the oversized message:\n%s", k.log())
	}
}

// BenchmarkExecuteEmpty is the round trip of an empty execute_request, from
// sending it to its status idle, through the real kernel and its child.
func BenchmarkExecuteEmpty(b *testing.B) {
	k := startKernelB(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := k.Execute(ctx, "", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// startKernelB starts a kernel for a benchmark.
func startKernelB(b *testing.B) *client.Client {
	b.Helper()
	info, err := client.LocalConnection("bench")
	if err != nil {
		b.Fatal(err)
	}
	conn := filepath.Join(b.TempDir(), "kernel.json")
	if err := kernel.WriteConnectionFile(conn, info); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(binary, "kernel", "-f", conn)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c, err := client.Dial(ctx, info)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.WaitReady(ctx); err != nil {
		b.Fatal(err)
	}
	return c
}

func TestInterruptWhileWaitingForInput(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "corelab/input"`)
	req, err := k.c.Send(client.Shell, "execute_request", map[string]any{"code": `s := input.Line("never answered? ")` + "\n" + `s`,
		"silent": false, "store_history": true, "allow_stdin": true, "user_expressions": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := k.c.Recv(ctxT(t), client.Stdin)
	if err != nil || m.Header.MsgType != "input_request" {
		t.Fatalf("no input_request: %v %v", m, err)
	}
	k.call(client.Control, "interrupt_request", map[string]any{})
	r, err := k.c.Collect(ctxT(t), client.Shell, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Content["ename"] != "KeyboardInterrupt" {
		t.Errorf("interrupted input: %v", r.Content)
	}
	k.mustOK("1")
}

// TestReplyTypesOnTheWire sends each request the kernel answers over the
// real sockets and checks the names a client dispatches on: the reply's
// msg_type is the spec's for the request, the request's own with _reply
// for _request for one the kernel does not know, and each iopub message
// is one of the spec's. (stdin's input_request is checked by the input
// cell: the client answers only a message of that name.)
func TestReplyTypesOnTheWire(t *testing.T) {
	k := startKernel(t)
	k.mustOK(`import "corelab/display"`)
	k.mustOK(`import "corelab/input"`)
	k.mustOK(`import "fmt"`)
	cell := func(code string) map[string]any {
		return map[string]any{"code": code, "silent": false, "store_history": true, "allow_stdin": true,
			"user_expressions": map[string]any{}}
	}
	code := map[string]any{"code": "fmt.Pri", "cursor_pos": 7}
	requests := []struct {
		channel, msgType string
		content          map[string]any
	}{
		{client.Shell, "kernel_info_request", map[string]any{}},
		{client.Shell, "execute_request", cell("fmt.Println(1)\nh := display.New()\nh.Text(\"a\")\n" +
			"h.Update(display.Bundle{\"text/plain\": \"b\"})\n2")},
		{client.Shell, "execute_request", cell("nosuchname")},
		{client.Shell, "execute_request", cell(`input.Line("? ")`)},
		{client.Shell, "complete_request", code},
		{client.Shell, "inspect_request", code},
		{client.Shell, "is_complete_request", code},
		{client.Shell, "history_request", map[string]any{"hist_access_type": "tail", "n": 1}},
		{client.Shell, "comm_info_request", map[string]any{}},
		{client.Shell, "frobnicate_request", map[string]any{}},
		{client.Control, "kernel_info_request", map[string]any{}},
		{client.Control, "interrupt_request", map[string]any{}},
		{client.Control, "shutdown_request", map[string]any{"restart": false}}, // last: the kernel ends
	}
	seen := map[string]bool{}
	for _, rq := range requests {
		req, err := k.c.Send(rq.channel, rq.msgType, rq.content)
		if err != nil {
			t.Fatal(err)
		}
		res, err := k.c.CollectWith(ctxT(t), rq.channel, req, client.CollectOptions{
			OnInput: func(string, bool) string { return "typed" }})
		if err != nil {
			t.Fatalf("%s on %s: %v", rq.msgType, rq.channel, err)
		}
		want, known := kernel.SpecReplies[rq.msgType]
		if !known {
			want = strings.TrimSuffix(rq.msgType, "_request") + "_reply"
		}
		if got := res.Reply.Header.MsgType; got != want {
			t.Errorf("%s on %s answered as %s, want %s", rq.msgType, rq.channel, got, want)
		}
		for _, typ := range res.Types() {
			seen[typ] = true
			// The kernel also publishes its shutdown_reply on iopub, as
			// ipykernel does, so that every client learns of it.
			if !slices.Contains(kernel.SpecIOPub, typ) && !(typ == "shutdown_reply" && rq.msgType == "shutdown_request") {
				t.Errorf("%s: iopub %s is not an iopub message of the spec", rq.msgType, typ)
			}
		}
		if rq.msgType == "execute_request" && strings.Contains(rq.content["code"].(string), "input.Line") && resultText(res) != "typed" {
			t.Errorf("input cell: result %q, want the typed answer", resultText(res))
		}
	}
	for _, typ := range []string{"status", "execute_input", "stream", "display_data", "update_display_data", "execute_result", "error"} {
		if !seen[typ] {
			t.Errorf("no %s on iopub: the test no longer covers it", typ)
		}
	}
}
