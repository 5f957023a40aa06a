package cpython

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"corelab/runtime/meter"
)

// systemPython is Debian's interpreter, always present where corelab is
// tested (the tests do not skip without it).
func systemPython(t *testing.T) Interpreter {
	t.Helper()
	p, err := NewFinder().Select("/usr/bin/python3")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunKeepsValuesAndMeasuresThreads(t *testing.T) {
	py := systemPython(t)
	// Each worker lives at least 200 ms after all three threads exist, so
	// the 2 ms sampler sees both even on a loaded machine (a few ms of
	// work alone was missed under the race detector in CI).
	src := "\nimport threading, time\n" +
		"go = threading.Barrier(3)\n" +
		"def work():\n    go.wait()\n    sum(range(300_000))\n    time.sleep(0.2)\n" +
		"ts = [threading.Thread(target=work) for _ in range(2)]\n" +
		"for t in ts: t.start()\n" +
		"go.wait()\n" +
		"for t in ts: t.join()\n" +
		"print('done')\n" +
		"lost, share, label, xs, _private, obj = 3, 0.25, 'x', [1, 2.5], 9, object()\n"
	var out bytes.Buffer
	res, err := Run(context.Background(), py, src, Options{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error != nil {
		t.Fatalf("cell failed: %v", res.Error.Traceback)
	}
	if out.String() != "done\n" {
		t.Errorf("stdout %q", out.String())
	}
	if res.Vars["lost"] != int64(3) || res.Vars["share"] != 0.25 || res.Vars["label"] != "x" {
		t.Errorf("vars %v", res.Vars)
	}
	if _, ok := res.Vars["_private"]; ok {
		t.Errorf("private name kept: %v", res.Vars)
	}
	if _, ok := res.Vars["obj"]; ok {
		t.Errorf("object kept: %v", res.Vars)
	}
	m := res.Measurement
	if len(m.Lanes) != 3 || res.Threads != 3 || m.Lanes[0].Name != "main thread" {
		t.Errorf("threads %d, lanes %d (%v), want 3: the main thread and two workers", res.Threads, len(m.Lanes), laneNames(m.Lanes))
	}
	if m.Wall <= 0 || m.CPU() <= 0 || m.CoresUsed <= 0 {
		t.Errorf("wall %v CPU %v cores %v", m.Wall, m.CPU(), m.CoresUsed)
	}
	rep := res.Report()
	if !strings.Contains(rep["text/plain"].(string), "CPython "+py.Name()) {
		t.Errorf("report: %s", rep["text/plain"])
	}
}

func TestRunErrorLinesAreTheCells(t *testing.T) {
	py := systemPython(t)
	res, err := Run(context.Background(), py, "\n\nraise ValueError('bad')\n", Options{NoSample: true})
	if err != nil {
		t.Fatal(err)
	}
	e := res.Error
	if e == nil || e.Name != "ValueError" || e.Value != "bad" || !strings.Contains(strings.Join(e.Traceback, "\n"), `File "<cell>", line 3`) {
		t.Fatalf("error %+v", e)
	}
	if res.Vars != nil {
		t.Errorf("a failed cell left values: %v", res.Vars)
	}
}

// interrupted runs src, cancels the run once src has printed marker, and
// returns how the run ended.
func interrupted(t *testing.T, src, marker string, grace time.Duration) *Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	started := make(chan struct{})
	var once sync.Once
	w := writerFunc(func(p []byte) (int, error) {
		if bytes.Contains(p, []byte(marker)) {
			once.Do(func() { close(started) })
		}
		return len(p), nil
	})
	go func() { <-started; cancel() }() // ends when the marker is seen or the deferred cancel runs
	res, err := Run(ctx, systemPython(t), src, Options{Stdout: w, NoSample: true, Grace: grace})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestRunInterruptRaisesKeyboardInterrupt(t *testing.T) {
	res := interrupted(t, "print('spinning', flush=True)\nwhile True: pass\n", "spinning", 30*time.Second)
	if !res.Interrupted || res.Killed || res.Error == nil || res.Error.Name != "KeyboardInterrupt" {
		t.Fatalf("interrupted %v killed %v error %+v", res.Interrupted, res.Killed, res.Error)
	}
}

func TestRunKillsWhatIgnoresSIGINT(t *testing.T) {
	src := "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nprint('deaf', flush=True)\nwhile True: pass\n"
	res := interrupted(t, src, "deaf", 50*time.Millisecond)
	if !res.Killed || res.Error == nil || res.Error.Name != "KeyboardInterrupt" {
		t.Fatalf("killed %v error %+v", res.Killed, res.Error)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func laneNames(ls []meter.Lane) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.Name)
	}
	return out
}

// Two CPU-bound threads under the GIL spend time waiting for it, in a
// futex; a thread that sleeps alone afterwards (nobody holds the GIL when it
// wakes) spends its time in another system call.
func TestLanesTellTheGILFromSleep(t *testing.T) {
	src := "import threading, time\n" +
		"stop = threading.Event()\n" +
		"def spin():\n    x = 0\n    while not stop.is_set():\n        x += 1\n" +
		"def nap():\n    for _ in range(30):\n        time.sleep(0.01)\n" +
		"spinners = [threading.Thread(target=spin) for _ in range(2)]\n" +
		"for t in spinners: t.start()\n" +
		"time.sleep(0.3)\nstop.set()\n" +
		"for t in spinners: t.join()\n" +
		"napper = threading.Thread(target=nap)\nnapper.start()\nnapper.join()\n"
	res, err := Run(context.Background(), systemPython(t), src, Options{})
	if err != nil || res.Error != nil {
		t.Fatalf("run: %v %v", err, res.Error)
	}
	if !res.Futex {
		t.Fatal("the blocked threads' system calls could not be read from /proc")
	}
	if len(res.Measurement.Lanes) != 4 {
		t.Fatalf("lanes %v, want main, 2 spinners, 1 napper", laneNames(res.Measurement.Lanes))
	}
	spin1, spin2, nap := res.Measurement.Lanes[1], res.Measurement.Lanes[2], res.Measurement.Lanes[3]
	for _, l := range []meter.Lane{spin1, spin2} {
		if l.Waiting == 0 {
			t.Errorf("%s never waited for the GIL: %+v", l.Name, l)
		}
	}
	if nap.Blocked <= nap.Waiting {
		t.Errorf("the sleeping thread %s waited in futex %v, slept %v: a sleep should not read as the GIL", nap.Name, nap.Waiting, nap.Blocked)
	}
}
