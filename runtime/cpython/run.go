package cpython

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"corelab/runtime/internal/jsonnum"
	"corelab/runtime/meter"
)

//go:embed driver.py
var driver []byte

// ErrInputInterrupted and ErrNoStdin are what Options.Input returns when
// the frontend's answer was an interrupt, or when it cannot answer at all;
// the cell then sees KeyboardInterrupt or StdinNotImplementedError.
var (
	ErrInputInterrupted = errors.New("input interrupted")
	ErrNoStdin          = errors.New("the frontend does not answer input requests")
)

// Options says where a run's output goes and what it may do.
type Options struct {
	// Stdout and Stderr receive the interpreter's output as it is written
	// (it runs unbuffered, -u). An *os.File is handed to the interpreter
	// as its own fd, so output reaches it with no copy in between; nil
	// discards.
	Stdout, Stderr io.Writer
	// Input answers input() and getpass.getpass(); nil refuses them with
	// StdinNotImplementedError.
	Input func(prompt string, password bool) (string, error)
	// Grace is how long an interrupted run may take to stop after SIGINT
	// before its process group is killed; 0 = DefaultGrace.
	Grace time.Duration
	// NoSample skips the meter (cores and thread lanes).
	NoSample bool
	// Interval is the thread sampling period; 0 = DefaultInterval.
	Interval time.Duration
	// Dir is the working directory; "" = this process's.
	Dir string
}

// DefaultGrace is Options.Grace's default: short enough that the kernel's
// own deadline for an interrupted cell (several seconds) never passes.
const DefaultGrace = 500 * time.Millisecond

// DefaultInterval is how often the Python process's threads are sampled:
// finer than CPython's 5 ms switch interval, so that hand-overs show.
const DefaultInterval = 2 * time.Millisecond

// Result is how a run ended and what it used.
type Result struct {
	Interpreter Interpreter
	// Measurement is the run as the meter saw it: wall and CPU time of the
	// Python process (its children included once reaped), cores used, the
	// budget, per-core load, and one lane per OS thread (Running = on a
	// CPU, Released = runnable but waiting for a CPU, Waiting = in a futex
	// wait: the GIL or a lock, Blocked = sleeping or in I/O; see Futex).
	Measurement meter.Measurement
	Threads     int    // OS threads seen at once, at most
	Sampled     bool   // thread lanes were sampled (Linux /proc)
	SampleNote  string // why not, when not
	// Futex: the system call of a blocked thread could be read, so lanes
	// tell a futex wait (Waiting: the GIL, or a lock, Event, Queue, join)
	// from other waits (Blocked: sleep, I/O).
	Futex       bool
	Vars        map[string]any
	Error       *Error // the cell's exception; nil when it ended well
	Interrupted bool   // the run was interrupted (ctx done)
	Killed      bool   // ... and did not stop within the grace, so it was killed
}

// Error is a Python exception as Jupyter shows it.
type Error struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

func (e *Error) Error() string { return e.Name + ": " + e.Value }

// Run runs src as a Python program in py, as __main__, from a file whose
// line numbers are src's. It returns when the interpreter has exited; when
// ctx is done it sends SIGINT (KeyboardInterrupt) and kills the process
// group after opts.Grace. The interpreter runs in a process group of its
// own, killed when it exits (processes it started and left behind end with
// it) and when this process dies. A non-nil error means it could not run at
// all; how the Python code ended is in Result.Error.
func Run(ctx context.Context, py Interpreter, src string, opts Options) (*Result, error) {
	dir, err := os.MkdirTemp("", "corelab-python-")
	if err != nil {
		return nil, fmt.Errorf("python cell: %w", err)
	}
	defer os.RemoveAll(dir)
	cell := filepath.Join(dir, "cell.py")
	drv := filepath.Join(dir, "corelab_driver.py")
	if err := os.WriteFile(cell, []byte(src), 0o600); err != nil {
		return nil, fmt.Errorf("python cell: %w", err)
	}
	if err := os.WriteFile(drv, driver, 0o600); err != nil {
		return nil, fmt.Errorf("python cell: %w", err)
	}
	ctlR, ctlW, err := os.Pipe() // driver → us
	if err != nil {
		return nil, fmt.Errorf("python cell: %w", err)
	}
	defer ctlR.Close()
	ansR, ansW, err := os.Pipe() // us → driver
	if err != nil {
		ctlW.Close()
		return nil, fmt.Errorf("python cell: %w", err)
	}
	defer ansW.Close()

	exe := py.Executable
	if exe == "" {
		exe = py.Path
	}
	cmd := exec.Command(exe, "-u", drv, cell, "3", "4")
	cmd.Stdout, cmd.Stderr = orDiscard(opts.Stdout), orDiscard(opts.Stderr)
	cmd.ExtraFiles = []*os.File{ctlW, ansR}
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	if os.Getenv("PYTHONIOENCODING") == "" {
		cmd.Env = append(cmd.Env, "PYTHONIOENCODING=utf-8") // notebooks show UTF-8, whatever the locale
	}
	setProcessGroup(cmd)

	res := &Result{Interpreter: py}
	var mtr *meter.Meter
	if !opts.NoSample {
		mtr = meter.Start(meter.Options{})
	}
	proc, err := startTied(cmd)
	ctlW.Close()
	ansR.Close()
	if err != nil {
		if mtr != nil {
			mtr.Stop()
		}
		return nil, fmt.Errorf("start %s: %w", exe, err)
	}
	var ts *threadSampler
	if !opts.NoSample {
		ts = startThreads(cmd.Process.Pid, opts.Interval, mtr.Recorder().StartTime())
	}

	ctl := make(chan ctlMsg)
	go readControl(ctlR, ctl) // owned by Run: ends when ctlR is closed or reaches EOF

	grace := opts.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	var killTimer <-chan time.Time
	interrupted := ctx.Done()
	for done := false; !done; {
		select {
		case m, ok := <-ctl:
			if !ok {
				ctl = nil
				continue
			}
			switch {
			case m.Input != nil:
				answerInput(ansW, *m.Input, m.Password, opts.Input)
			case m.Error != nil:
				res.Error = m.Error
			case m.Vars != nil:
				res.Vars = m.Vars
			}
		case <-interrupted:
			interrupted = nil
			res.Interrupted = true
			interruptGroup(cmd.Process)
			killTimer = time.After(grace)
		case <-killTimer:
			res.Killed = true
			killGroup(cmd.Process)
		case <-proc.exited:
			done = true
		}
	}
	// Processes the cell left behind end with it; the control pipe then
	// ends too, unless one of them escaped into a session of its own.
	killGroup(cmd.Process)
	drainControl(ctlR, ctl, res)
	if ts != nil {
		res.Threads, res.Measurement.Lanes = ts.stop()
	}
	if mtr != nil {
		m := mtr.Stop()
		m.Lanes = nil
		m.GC = 0
		if ts != nil {
			m.Lanes, m.Process = ts.lanes, ts.process
			res.Sampled, res.SampleNote, res.Futex = ts.ok, ts.note, ts.futex
		}
		st := proc.state
		m.User, m.Sys = st.UserTime(), st.SystemTime()
		m.Children = 0
		m.CoresUsed = 0
		if m.Wall > 0 {
			m.CoresUsed = float64(m.User+m.Sys) / float64(m.Wall)
		}
		m.MaxRSS = maxRSS(st)
		res.Measurement = m
	}
	if res.Error == nil && !proc.state.Success() && res.Vars == nil {
		res.Error = exitError(proc.state, res)
	}
	return res, nil
}

func orDiscard(w io.Writer) io.Writer {
	if w == nil {
		return io.Discard
	}
	return w
}

// ctlMsg is one line the driver sends.
type ctlMsg struct {
	Input    *string        `json:"input"`
	Password bool           `json:"password"`
	Error    *Error         `json:"error"`
	Vars     map[string]any `json:"vars"`
}

// maxCtlLine bounds one control line (a traceback, the cell's values).
const maxCtlLine = 4 << 20

func readControl(r io.Reader, out chan<- ctlMsg) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxCtlLine)
	for sc.Scan() {
		var m ctlMsg
		d := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		d.UseNumber()
		if d.Decode(&m) != nil {
			continue
		}
		jsonnum.Replace[int64](m.Vars) // in place: Vars is a map
		out <- m
	}
}

// drainControl takes what the driver wrote before it exited, waiting at
// most a moment for the pipe to end.
func drainControl(r *os.File, ctl <-chan ctlMsg, res *Result) {
	if ctl == nil {
		return
	}
	_ = r.SetReadDeadline(time.Now().Add(time.Second))
	for m := range ctl {
		switch {
		case m.Error != nil:
			res.Error = m.Error
		case m.Vars != nil:
			res.Vars = m.Vars
		}
	}
}

// answerInput asks ask for a line and sends the answer to the driver.
func answerInput(w io.Writer, prompt string, password bool, ask func(string, bool) (string, error)) {
	var msg map[string]any
	if ask == nil {
		msg = map[string]any{"error": "nostdin", "message": "input() in a %%python cell needs a frontend that answers input requests"}
	} else {
		v, err := ask(prompt, password)
		switch {
		case errors.Is(err, ErrInputInterrupted):
			msg = map[string]any{"error": "interrupted"}
		case err != nil:
			msg = map[string]any{"error": "nostdin", "message": err.Error()}
		default:
			msg = map[string]any{"value": v}
		}
	}
	b, _ := json.Marshal(msg)
	_, _ = w.Write(append(b, '\n'))
}

// exitError describes an interpreter that ended badly without reporting
// an exception (killed, crashed in C code, os._exit).
func exitError(st *os.ProcessState, res *Result) *Error {
	if res.Killed {
		return &Error{Name: "KeyboardInterrupt", Value: "the Python process did not stop on SIGINT and was killed",
			Traceback: []string{"KeyboardInterrupt: the Python process did not stop on SIGINT within the grace period and was killed"}}
	}
	if res.Interrupted {
		return &Error{Name: "KeyboardInterrupt", Value: "interrupted before the cell started",
			Traceback: []string{"KeyboardInterrupt: interrupted before the cell started"}}
	}
	v := "the Python process " + strings.TrimPrefix(st.String(), "signal: ")
	return &Error{Name: "ProcessError", Value: v, Traceback: []string{"ProcessError: " + v}}
}
