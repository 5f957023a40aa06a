//go:build unix

package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runAsync starts code and returns a channel for its reply, and a channel
// closed once its output contained signal.
func runAsync(t *testing.T, p *Proc, code, signal string) (<-chan Reply, <-chan struct{}) {
	t.Helper()
	replies := make(chan Reply, 1)
	seen := make(chan struct{})
	var got strings.Builder
	closed := false
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		rep, err := p.Execute(ctx, code, func(o Output) {
			got.WriteString(o.Text)
			if !closed && strings.Contains(got.String(), signal) {
				closed = true
				close(seen)
			}
		})
		if err != nil {
			t.Errorf("%s: %v", code, err)
		}
		replies <- rep
	}()
	return replies, seen
}

func await[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("no %s within 30s", what)
		panic("unreachable")
	}
}

// An interrupt's grace period belongs to the interrupted cell: a cell run
// after it ended, that takes longer than the grace, keeps its state.
func TestInterruptGraceBelongsToTheInterruptedCell(t *testing.T) {
	const grace = 200 * time.Millisecond
	p := startProc(t, Options{InterruptGrace: grace})
	pid := p.Pid()
	replies, running := runAsync(t, p, "spin", "spinning")
	await(t, running, "spin output")
	p.InterruptHard()
	if rep := await(t, replies, "reply to spin"); rep.Error == nil || rep.Error.Name != "KeyboardInterrupt" {
		t.Fatalf("spin: %+v", rep)
	}
	rep, _ := run(t, p, "sleep "+(5*grace).String())
	if rep.Status != "ok" || rep.Restarted || p.Pid() != pid {
		t.Fatalf("a cell after an interrupted one was killed by its grace timer: %+v (pid %d, was %d)", rep, p.Pid(), pid)
	}
}

// A cell that does not stop after an interrupt is killed with its process,
// and its error says plainly what happened and what was lost.
func TestIgnoredInterruptRestartsAndSaysSo(t *testing.T) {
	p := startProc(t, Options{InterruptGrace: 200 * time.Millisecond})
	pid := p.Pid()
	replies, running := runAsync(t, p, "stuck", "stuck")
	await(t, running, "stuck output")
	p.InterruptHard()
	rep := await(t, replies, "reply to stuck")
	if !rep.Restarted || rep.Error == nil {
		t.Fatalf("stuck: %+v", rep)
	}
	text := rep.Error.Value + "\n" + strings.Join(rep.Error.Traceback, "\n")
	for _, want := range []string{"did not stop within 200ms", "restarted", "host", StateLost} {
		if !strings.Contains(text, want) {
			t.Errorf("the error lacks %q:\n%s", want, text)
		}
	}
	if rep, _ := run(t, p, "result fresh"); rep.Result["text/plain"] != "fresh" || p.Pid() == pid {
		t.Errorf("after the kill: %+v", rep)
	}
}

// A SIGKILL from outside is not blamed on memory unless the cgroup's
// OOM-kill counter says so.
func TestKillFromOutsideIsNotBlamedOnMemory(t *testing.T) {
	p := startProc(t, Options{})
	replies, running := runAsync(t, p, "stuck", "stuck")
	await(t, running, "stuck output")
	before, known := oomKills()
	if err := killPid(p.Pid()); err != nil {
		t.Fatal(err)
	}
	rep := await(t, replies, "reply to the killed cell")
	if after, _ := oomKills(); after != before {
		t.Skipf("the cgroup's OOM killer struck during the test (%d -> %d)", before, after)
	}
	text := rep.Error.Value + "\n" + strings.Join(rep.Error.Traceback, "\n")
	if !rep.Restarted || !strings.Contains(text, "signal from outside") || strings.Contains(text, memoryHint) {
		t.Errorf("a kill -9 from outside reported as:\n%s", text)
	}
	if known && !strings.Contains(text, "did not change") {
		t.Errorf("the OOM counter is readable here, but the error does not say it stayed:\n%s", text)
	}
}

// A process a cell started, holding the evaluator's stdout and stderr,
// delays neither a crash report nor shutdown, and does not outlive the
// evaluator.
func TestGrandchildHoldsNoPipesAndDies(t *testing.T) {
	if _, err := os.Stat("/bin/sleep"); err != nil {
		t.Skip("no /bin/sleep")
	}
	p := startProc(t, Options{})
	rep, _ := run(t, p, "grandchild")
	gc, err := strconv.Atoi(rep.Result["text/plain"].(string))
	if err != nil || gc <= 1 {
		t.Fatalf("grandchild: %+v", rep)
	}
	start := time.Now()
	rep, _ = run(t, p, "crash")
	if !rep.Restarted || !strings.Contains(strings.Join(rep.Error.Traceback, "\n"), "boom") {
		t.Fatalf("crash: %+v", rep)
	}
	t.Logf("crash reply after %v", time.Since(start))
	waitGone(t, gc)

	rep, _ = run(t, p, "grandchild")
	if gc, _ = strconv.Atoi(rep.Result["text/plain"].(string)); gc <= 1 {
		t.Fatalf("grandchild: %+v", rep)
	}
	start = time.Now()
	p.Close()
	t.Logf("close after %v", time.Since(start))
	waitGone(t, gc)
}

// killPid kills one process, and refuses anything but a real pid: kill(0)
// and kill(-1) would hit the test's process group or every process.
func killPid(pid int) error {
	if pid <= 1 {
		return fmt.Errorf("refusing to kill pid %d", pid)
	}
	return syscall.Kill(pid, syscall.SIGKILL)
}

// waitGone waits until process pid has ended (or is a zombie nobody reaped).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return
		}
		if i := strings.LastIndexByte(string(b), ')'); i > 0 && strings.HasPrefix(string(b[i:]), ") Z") {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	killPid(pid)
	t.Fatalf("process %d, started by a cell, outlived the evaluator", pid)
}

// spawn closes every pipe it opened when a later one fails.
func TestSpawnClosesPipesOnFailure(t *testing.T) {
	// pipes returns the process's open pipe fds (fd -> "pipe:[inode]").
	// Earlier tests' children may still be closing theirs meanwhile, so
	// the check is that spawn leaves no pipe behind that was not open
	// before, not that the count of all fds is unchanged.
	pipes := func() map[string]string {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		m := map[string]string{}
		for _, e := range ents {
			if target, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(target, "pipe:") {
				m[e.Name()] = target
			}
		}
		return m
	}
	defer func(f func() (*os.File, *os.File, error)) { osPipe = f }(osPipe)
	for fail := 1; fail <= 4; fail++ {
		calls := 0
		osPipe = func() (*os.File, *os.File, error) {
			calls++
			if calls == fail {
				return nil, nil, errors.New("injected: too many open files")
			}
			return os.Pipe()
		}
		before := pipes()
		p := &Proc{opts: Options{Path: "/nonexistent"}}
		if _, err := p.spawn(); err == nil {
			t.Fatalf("pipe %d failed, spawn did not", fail)
		}
		var left []string
		for fd, target := range pipes() {
			if before[fd] != target {
				left = append(left, fd+" -> "+target)
			}
		}
		if calls < fail {
			t.Fatalf("spawn opened %d pipes before failing, want %d", calls, fail)
		}
		if len(left) > 0 {
			t.Errorf("pipe %d failed: spawn left open %v", fail, left)
		}
	}
}

// A result or display over the output limit arrives cut, with a note of
// what was cut; the cell replies and the next cell runs in the same child.
func TestHugeResultAndDisplayAreCapped(t *testing.T) {
	const limit = 1 << 20
	p := startProc(t, Options{OutputLimit: limit})
	pid := p.Pid()
	// (tests/test_bad_cells.py sends 300 MiB, over the frame limit, through the real kernel)
	rep, _ := run(t, p, "hugeresult 8")
	text, _ := rep.Result["text/plain"].(string)
	if rep.Status != "ok" || len(text) > limit+200 || !strings.Contains(text, "only the first 1 MiB are shown") || !strings.HasPrefix(text, "zzz") {
		t.Fatalf("huge result: status %s, %d bytes, ends %q", rep.Status, len(text), text[max(0, len(text)-120):])
	}
	_, c := run(t, p, "hugedisplay 8")
	if len(c.out) != 1 || c.out[0].Display == nil {
		t.Fatalf("huge display: %+v", c.out)
	}
	d := c.out[0].Display.Data
	if _, ok := d["text/html"]; ok || !strings.Contains(d["text/plain"].(string), "text/html form of this output (8 MiB) is over the 1 MiB limit") {
		t.Errorf("huge display: %.300v", d)
	}
	if p.Pid() != pid || p.Restarts() != 0 {
		t.Errorf("the evaluator was replaced")
	}
}

// A cell's code reaches the child as it was sent: a cell of 45 MiB of "<"
// (sixfold in JSON) is no larger on the pipe than it is.
func TestCodeIsNotEscapedOnThePipe(t *testing.T) {
	p := startProc(t, Options{})
	code := "len " + strings.Repeat("<", 45<<20)
	rep, _ := run(t, p, code)
	if rep.Result["text/plain"] != strconv.Itoa(45<<20) || rep.Restarted {
		t.Errorf("45 MiB of '<': %+v", rep.Error)
	}
}

// A frame over the limit is a clean error for the cell, never a stuck
// reader.
func TestOversizedFrameEndsTheCell(t *testing.T) {
	p := startProc(t, Options{})
	replies, _ := runAsync(t, p, "badframe", "")
	rep := await(t, replies, "reply after an oversized frame")
	if !rep.Restarted || !strings.Contains(rep.Error.Value, "too large") {
		t.Fatalf("oversized frame: %+v", rep)
	}
	if rep, _ := run(t, p, "result next"); rep.Result["text/plain"] != "next" {
		t.Errorf("after: %+v", rep)
	}
}

// Code over the frame limit is refused as the cell's error, without a
// stuck cell or a restart.
func TestCellOverTheFrameLimitIsAnError(t *testing.T) {
	p := startProc(t, Options{})
	pid := p.Pid()
	rep, _ := run(t, p, "len "+strings.Repeat("x", maxFrame))
	if rep.Error == nil || rep.Error.Name != "CellTooLarge" || rep.Restarted {
		t.Fatalf("%+v", rep)
	}
	if rep, _ := run(t, p, "result ok"); rep.Result["text/plain"] != "ok" || p.Pid() != pid {
		t.Errorf("after: %+v", rep)
	}
}

// A process that left the evaluator's process group, holding its stdout
// and stderr, delays a crash report by drainAfterExit at most.
func TestEscapedGrandchildDelaysLittle(t *testing.T) {
	if _, err := os.Stat("/usr/bin/setsid"); err != nil {
		t.Skip("no /usr/bin/setsid")
	}
	p := startProc(t, Options{})
	rep, _ := run(t, p, "escapee")
	pid, err := strconv.Atoi(rep.Result["text/plain"].(string))
	if err != nil || pid <= 1 {
		t.Fatalf("escapee: %+v", rep)
	}
	defer killPid(pid) // it escaped the group kill by design
	start := time.Now()
	rep, _ = run(t, p, "crash")
	if took := time.Since(start); !rep.Restarted || took > drainAfterExit+10*time.Second {
		t.Errorf("crash reported after %v: %+v", took, rep)
	}
	if rep, _ := run(t, p, "result fresh"); rep.Result["text/plain"] != "fresh" {
		t.Errorf("after: %+v", rep)
	}
}
