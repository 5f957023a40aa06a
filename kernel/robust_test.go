package kernel_test

import (
	"context"
	"io"
	"log"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"corelab/kernel"
	"corelab/kernel/client"
	"corelab/kernel/supervisor"
)

// TestExecuteOnControlRefused: an execute_request on control gets an
// error reply and does not run (a cell there would hold the goroutine
// that serves interrupts); control keeps answering.
func TestExecuteOnControlRefused(t *testing.T) {
	k := startKernel(t)
	r, err := k.c.Execute(ctxT(t), "ran := 1", &client.ExecuteOptions{Channel: client.Control})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status() != "error" || r.Content["ename"] != "WrongChannel" {
		t.Errorf("execute_request on control: %v", r.Content)
	}
	if c := k.call(client.Control, "interrupt_request", map[string]any{}); c["status"] != "ok" {
		t.Errorf("interrupt_reply after it: %v", c)
	}
	if r := k.exec("ran"); r.Status() != "error" {
		t.Errorf("the cell sent on control ran: %v", r.Content)
	}
}

// TestReplayDropped: the frames of a signed request sent a second time
// are dropped as a replay; the kernel goes on answering.
func TestReplayDropped(t *testing.T) {
	k := startKernel(t)
	k.mustOK("n := 0")
	req, _ := k.c.Session.NewMessage("execute_request", nil, map[string]any{"code": "n++", "silent": false,
		"store_history": true, "user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true})
	frames := req.Encode(k.c.Signer)
	if err := k.c.SendFrames(client.Shell, frames...); err != nil {
		t.Fatal(err)
	}
	if r, err := k.c.Collect(ctxT(t), client.Shell, req, nil); err != nil || r.Status() != "ok" {
		t.Fatalf("first send: %v, %v", r, err)
	}
	if err := k.c.SendFrames(client.Shell, frames...); err != nil {
		t.Fatal(err)
	}
	if got := resultText(k.mustOK("n")); got != "1" {
		t.Errorf("n = %s after a request and its replay, want 1", got)
	}
	if !strings.Contains(k.log(), "replayed") {
		t.Errorf("no log line about the replay:\n%s", k.log())
	}
}

var (
	faultOnce sync.Once
	faultBin  string
	faultErr  error
)

// faultBinary builds corelab with the corelab_fault tag, in which a
// corelab_fault_request panics its handler.
func faultBinary(t *testing.T) string {
	t.Helper()
	faultOnce.Do(func() {
		faultBin = filepath.Join(filepath.Dir(binary), "corelab-fault")
		build := exec.Command("go", "build", "-tags", "corelab_fault", "-o", faultBin, ".")
		build.Dir = ".."
		out, err := build.CombinedOutput()
		if err != nil {
			faultErr = err
			t.Logf("%s", out)
		}
	})
	if faultErr != nil {
		t.Fatalf("build corelab with corelab_fault: %v", faultErr)
	}
	return faultBin
}

// TestHandlerPanic: a panic in a handler answers that request with an
// error reply, between busy and idle, and the kernel keeps its state and
// answers the next requests.
func TestHandlerPanic(t *testing.T) {
	k := startKernelWith(t, faultBinary(t), nil)
	k.mustOK("kept := 41")
	req, err := k.c.Send(client.Shell, "corelab_fault_request", map[string]any{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := k.c.Collect(ctxT(t), client.Shell, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Reply.Header.MsgType != "corelab_fault_reply" || res.Content["status"] != "error" ||
		!strings.Contains(res.Content["evalue"].(string), "injected fault") {
		t.Errorf("reply to the panicking request: %s %v", res.Reply.Header.MsgType, res.Content)
	}
	if got := strings.Join(res.Types(), ","); got != "status,status" {
		t.Errorf("iopub around it: %s", got)
	}
	if got := resultText(k.mustOK("kept + 1")); got != "42" {
		t.Errorf("after the panic: %q", got)
	}
	if !strings.Contains(k.log(), "panic answering corelab_fault_request") {
		t.Errorf("the panic was not logged:\n%s", k.log())
	}
}

// TestParentZombie: the kernel ends when the process named by
// JPY_PARENT_PID exits, even while that process is an unreaped zombie
// (it still answers kill(pid, 0)).
func TestParentZombie(t *testing.T) {
	parent := exec.Command("sleep", "1000")
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	reaped := false
	defer func() {
		if !reaped {
			parent.Process.Kill()
			parent.Wait()
		}
	}()
	k := startKernelWith(t, binary, []string{"JPY_PARENT_PID=" + strconv.Itoa(parent.Process.Pid)})
	k.mustOK("1")
	if err := parent.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	// Not reaped: the parent stays a zombie until the test ends.
	select {
	case err := <-k.exited:
		k.exited <- err
	case <-time.After(testTimeout):
		t.Fatalf("the kernel outlived its (zombie) parent by %v", testTimeout)
	}
	parent.Wait()
	reaped = true
	if !strings.Contains(k.log(), "is gone") {
		t.Errorf("no log line about the parent:\n%s", k.log())
	}
}

// TestShutdownFlushesIOPub: the shutdown reply on control and the iopub
// messages of the shutdown request (its shutdown_reply copy and status
// idle) all reach the client before the kernel exits.
func TestShutdownFlushesIOPub(t *testing.T) {
	k := startKernel(t)
	req, err := k.c.Send(client.Control, "shutdown_request", map[string]any{"restart": false})
	if err != nil {
		t.Fatal(err)
	}
	res, err := k.c.Collect(ctxT(t), client.Control, req, nil)
	if err != nil {
		t.Fatalf("%v (iopub got %v)", err, res.Types())
	}
	if got := strings.Join(res.Types(), ","); got != "status,shutdown_reply,status" {
		t.Errorf("iopub for the shutdown request: %s", got)
	}
	select {
	case err := <-k.exited:
		k.exited <- err
		if err != nil {
			t.Errorf("kernel exit: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("kernel did not exit")
	}
	if strings.Contains(k.log(), "did not come back") {
		t.Errorf("the iopub flush at shutdown waited out its bound:\n%s", k.log())
	}
}

// TestRunJoinsGoroutines: after Run returns, no goroutine started by the
// kernel or its transport stays: each has an owner that stops it, and
// shutdown waits for them (Run in this process, so its goroutines can be
// listed; the evaluator is the corelab binary as usual). A goroutine whose
// deferred Done has run may still be finishing when Run returns, so the
// check allows a moment: it catches goroutines that stay, not the order.
func TestRunJoinsGoroutines(t *testing.T) {
	info, err := client.LocalConnection("test-key-joins")
	if err != nil {
		t.Fatal(err)
	}
	conn := filepath.Join(t.TempDir(), "kernel.json")
	if err := kernel.WriteConnectionFile(conn, info); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() {
		ran <- kernel.Run(ctx, kernel.Config{ConnectionFile: conn, Evaluator: supervisor.Options{Path: binary},
			Log: log.New(io.Discard, "", 0)})
	}()
	c, err := client.Dial(ctxT(t), info)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitReady(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Execute(ctxT(t), `println("output")`, nil); err != nil || r.Status() != "ok" {
		t.Fatalf("execute: %v, %v", r, err)
	}
	c.Close()
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(testTimeout):
		t.Fatal("Run did not return after its context ended")
	}
	// A joined goroutine may still be on its way out (its deferred Done has
	// run); one that is blocked stays. So look again, within a bound.
	var left []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		left = kernelGoroutines()
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	for _, g := range left {
		t.Errorf("a kernel goroutine outlived Run:\n%s", g)
	}
}

// kernelGoroutines returns the stacks of the goroutines created by the
// kernel package or its transport.
func kernelGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "created by corelab/kernel.") || strings.Contains(g, "created by corelab/kernel/transport.") {
			left = append(left, g)
		}
	}
	return left
}
