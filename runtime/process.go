package runtime

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/runtime/gil"
	"corelab/runtime/handoff"
	"corelab/runtime/internal/jsonnum"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
)

// The Processes model re-executes the corelab binary as `corelab worker`.
// Parent and worker talk over the worker's stdin and stdout in frames: a
// 4-byte big-endian length, then a JSON message. The worker's interpreted
// output goes to its stderr, which the parent copies to its own.

// WorkerEnv is set to "1" in a worker process's environment; a test binary
// re-executed as a worker checks it in TestMain.
const WorkerEnv = "CORELAB_WORKER"

// maxFrame bounds a frame (declarations of a big notebook, large args).
const maxFrame = 64 << 20

type wireMsg struct {
	Kind     string            `json:"kind"` // setup, ready, call, result
	Decls    string            `json:"decls,omitempty"`
	Policy   string            `json:"policy,omitempty"`
	Interval time.Duration     `json:"interval,omitempty"`
	Func     string            `json:"func,omitempty"`
	Worker   int               `json:"worker"` // call: rt.Worker() in the worker process (-1: none)
	Args     []json.RawMessage `json:"args,omitempty"`
	Results  []json.RawMessage `json:"results,omitempty"`
	Error    string            `json:"error,omitempty"`
	// ErrName, Traceback and Hint come with an Error that was an
	// *interp.Error in the worker (a panic in the notebook's code).
	ErrName   string        `json:"ename,omitempty"`
	Traceback []string      `json:"traceback,omitempty"`
	Hint      string        `json:"hint,omitempty"`
	RSS       uint64        `json:"rss,omitempty"`
	User      time.Duration `json:"user,omitempty"` // CPU the call used in the worker
	Sys       time.Duration `json:"sys,omitempty"`
}

func writeFrame(w io.Writer, m *wireMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], uint32(len(b)))
	if _, err := w.Write(hdr[:]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func readFrame(r io.Reader) (*wireMsg, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > maxFrame {
		return nil, fmt.Errorf("frame of %d bytes exceeds %d", n, maxFrame)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	var m wireMsg
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return &m, nil
}

// WorkerMain is the body of `corelab worker`: it reads the notebook's
// declarations, then calls, from the first pipe the notebook handed off (fd
// 3 on Unix, see package handoff), runs them in its own interpreter (built
// with symbols, e.g. corelab/runtime/symbols.Symbols) under its own lock,
// and writes the results to the second (fd 4). What the calls print goes to the
// worker's stdout and stderr, which are the notebook's. It returns the exit
// code.
func WorkerMain(symbols yaegi.Exports) int {
	f := handoff.Files(2)
	calls, results := f[0], f[1]
	if calls == nil || results == nil {
		fmt.Fprintln(os.Stderr, "corelab worker: the pipes from and to the notebook are missing (fds 3 and 4, or "+handoff.Env+" on Windows)")
		return 2
	}
	if err := serveWorker(calls, results, symbols); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintln(os.Stderr, "corelab worker:", err)
		return 1
	}
	return 0
}

func serveWorker(r io.Reader, w io.Writer, symbols yaegi.Exports) error {
	br := bufio.NewReader(r)
	bw := bufio.NewWriter(w)
	reply := func(m *wireMsg) error {
		if err := writeFrame(bw, m); err != nil {
			return err
		}
		return bw.Flush()
	}
	setup, err := readFrame(br)
	if err != nil {
		return err
	}
	if setup.Kind != "setup" {
		return fmt.Errorf("first message is %q, want setup", setup.Kind)
	}
	lock := gil.New(setup.Interval)
	gil.InstallTransport() // http clients release the worker's lock, as in the notebook
	tables := []yaegi.Exports{gil.Symbols}
	if symbols != nil {
		tables = []yaegi.Exports{symbols, gil.Symbols}
	}
	lab.mu.Lock()
	lab.policy = setup.Policy
	lab.mu.Unlock()
	in, err := interp.New(interp.Options{Symbols: tables, Stdout: os.Stdout, Stderr: os.Stderr,
		Hooks: &hooks{}, Policy: policyOf(setup.Policy)})
	if err != nil {
		return reply(&wireMsg{Kind: "ready", Error: err.Error()})
	}
	lock.OnDropRequest(in.RequestCheckpoint)
	Attach(in)
	if setup.Decls != "" {
		if _, err := in.Eval(context.Background(), setup.Decls); err != nil {
			return reply(&wireMsg{Kind: "ready", Error: "load the notebook's declarations: " + err.Error()})
		}
	}
	if err := reply(&wireMsg{Kind: "ready", RSS: selfRSS()}); err != nil {
		return err
	}
	t := lock.NewThread("process main")
	t.Bind()
	t.Acquire()
	for {
		m, err := readFrame(br)
		if err != nil {
			return err
		}
		if m.Kind != "call" {
			return fmt.Errorf("unexpected message %q", m.Kind)
		}
		res := &wireMsg{Kind: "result"}
		if w := m.Worker; w >= 0 {
			procWorker.Store(&w)
		}
		u0, s0 := meter.ProcessCPU()
		out, err := workerCall(in, m.Func, m.Args) // on t, holding its lock
		u1, s1 := meter.ProcessCPU()
		procWorker.Store(nil)
		res.User, res.Sys = u1-u0, s1-s0
		if err != nil {
			res.Error = err.Error()
			var ee *interp.Error
			if errors.As(err, &ee) {
				res.Error, res.ErrName, res.Traceback, res.Hint = ee.Value, ee.Name, ee.Traceback, ee.Hint
			}
		}
		for _, o := range out {
			b, err := json.Marshal(o)
			if err != nil {
				res.Error = fmt.Sprintf("result of type %T cannot be sent back: %v", o, err)
				break
			}
			res.Results = append(res.Results, b)
		}
		if err := reply(res); err != nil {
			return err
		}
	}
}

// workerCall decodes args into fn's parameter types and calls it.
func workerCall(in *interp.Interpreter, name string, raw []json.RawMessage) (out []any, err error) {
	var fn reflect.Value
	c, compiled := compiledByName(strings.TrimSuffix(name, " (lock released)"))
	if compiled {
		fn = c.fn
	} else {
		res, err := in.Eval(context.Background(), name)
		if err != nil || !res.Has || res.Value.Kind() != reflect.Func {
			return nil, fmt.Errorf("no func %q in the worker (declared: %s)", name, strings.Join(in.Funcs(), ", "))
		}
		fn = res.Value
	}
	ft := fn.Type()
	if ft.IsVariadic() && len(raw) < ft.NumIn()-1 || !ft.IsVariadic() && len(raw) != ft.NumIn() {
		return nil, fmt.Errorf("%s takes %d argument(s), got %d", name, ft.NumIn(), len(raw))
	}
	args := make([]reflect.Value, len(raw))
	for i, r := range raw {
		p := reflect.New(paramType(ft, i))
		if err := json.Unmarshal(r, p.Interface()); err != nil {
			return nil, fmt.Errorf("%s argument %d: %w", name, i+1, err)
		}
		args[i] = p.Elem()
	}
	if _, declared := in.FuncType(name); declared && !compiled {
		// through Call, a panic comes back as an *interp.Error: in Go's
		// words, at the notebook's line (see interp.Interpreter.Decls)
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = a.Interface()
		}
		return in.Call(name, vals...)
	}
	err = catch(func() { out = valuesOf(fn.Call(args)) })
	return out, err
}

// selfRSS reads this process's resident set size from /proc.
func selfRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseUint(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// proc is one running worker process.
type proc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	results *os.File // out's pipe, closed with the process
	mu      sync.Mutex
	worker  int // its index in a run (rt.Worker in the child), -1 outside runs
}

// procWorker is rt.Worker() in a worker process while it serves a call of
// a run (nil otherwise).
var procWorker atomic.Pointer[int]

// startProc starts a worker and waits until it has loaded decls. It
// returns the worker's resident memory when ready.
func startProc(decls string) (*proc, uint64, error) {
	lab.mu.Lock()
	exe, args := lab.env.Executable, lab.env.WorkerArgs
	pol := lab.policy
	lab.mu.Unlock()
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return nil, 0, fmt.Errorf("find the corelab binary: %w", err)
		}
	}
	if args == nil {
		args = []string{"worker"}
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	// The worker prints where the notebook does; calls and results go
	// through fds 3 and 4.
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = workerAttr()
	callsR, callsW, err := os.Pipe()
	if err != nil {
		return nil, 0, err
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		callsR.Close()
		callsW.Close()
		return nil, 0, err
	}
	handoff.Attach(cmd, callsR, resW)
	err = cmd.Start()
	callsR.Close() // the child's ends
	resW.Close()
	if err != nil {
		callsW.Close()
		resR.Close()
		return nil, 0, fmt.Errorf("start worker %s: %w", exe, err)
	}
	p := &proc{cmd: cmd, in: callsW, out: bufio.NewReader(resR), results: resR, worker: -1}
	err = writeFrame(callsW, &wireMsg{Kind: "setup", Decls: decls, Policy: pol, Interval: SwitchInterval()})
	var ready *wireMsg
	if err == nil {
		ready, err = readFrame(p.out)
	}
	if err == nil && ready.Error != "" {
		err = errors.New(ready.Error)
	}
	if err != nil {
		p.kill()
		p.close() // reaps it and closes the pipes
		return nil, 0, fmt.Errorf("worker process: %w", err)
	}
	return p, ready.RSS, nil
}

// call runs name(args...) in the worker.
func (p *proc) call(name string, args []any) ([]any, error) {
	out, _, _, err := p.callCPU(name, args)
	return out, err
}

// callCPU is call that also returns the CPU time the worker spent on it:
// a child's CPU shows in this process's rusage only once it is reaped.
func (p *proc) callCPU(name string, args []any) ([]any, time.Duration, time.Duration, error) {
	enc, err := encodeArgs(args)
	if err != nil {
		return nil, 0, 0, err
	}
	return p.callEncoded(name, enc)
}

// callEncoded is callCPU with the arguments already encoded.
func (p *proc) callEncoded(name string, enc []json.RawMessage) ([]any, time.Duration, time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := &wireMsg{Kind: "call", Func: name, Worker: p.worker, Args: enc}
	if err := writeFrame(p.in, m); err != nil {
		return nil, 0, 0, fmt.Errorf("send call: %w", err)
	}
	res, err := readFrame(p.out)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("worker process died: %w", err)
	}
	out := make([]any, len(res.Results))
	for i, r := range res.Results {
		out[i] = decodeResult(r)
	}
	if res.Traceback != nil {
		return out, res.User, res.Sys, &interp.Error{Name: res.ErrName, Value: res.Error, Traceback: res.Traceback, Hint: res.Hint}
	}
	if res.Error != "" {
		return out, res.User, res.Sys, errors.New(res.Error)
	}
	return out, res.User, res.Sys, nil
}

// encodeArgs serialises a call's arguments for a worker process, refusing
// shared memory and what JSON cannot carry.
func encodeArgs(args []any) ([]json.RawMessage, error) {
	var out []json.RawMessage
	for i, a := range args {
		switch a.(type) {
		case *Queue, *SharedBuffer:
			return nil, &NotShareable{Type: fmt.Sprintf("%T", a), Path: fmt.Sprintf("argument %d (a worker process cannot share memory with the notebook)", i+1)}
		}
		b, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("argument %d (%T) cannot be sent to a process: %w", i+1, a, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// decodeResult decodes a JSON result, turning integral numbers into int.
func decodeResult(b []byte) any {
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil
	}
	return jsonnum.Replace[int](v)
}

// close ends the worker: stdin closed, then killed if it lingers.
func (p *proc) close() {
	p.in.Close()
	done := make(chan struct{})
	go func() { // ends when the process exits (killed below at worst)
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
		p.kill()
		<-done
	}
	p.results.Close()
}

func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
}

type processRunner struct {
	j     *job
	procs []*proc
	decls string
	mu    sync.Mutex
	stop  func()
	user  time.Duration // CPU of the calls in the workers
	sys   time.Duration
}

func newProcessRunner(j *job, n int) *processRunner {
	pr := &processRunner{j: j, procs: make([]*proc, n)}
	if in := Main(); in != nil {
		pr.decls = in.Decls()
	}
	pr.stop = addStopper(func() {
		pr.mu.Lock()
		defer pr.mu.Unlock()
		for _, p := range pr.procs {
			if p != nil {
				p.kill()
			}
		}
	})
	return pr
}

func (pr *processRunner) prepare(i int) (uint64, error) {
	p, rss, err := startProc(pr.decls)
	if err != nil {
		return 0, err
	}
	pr.mu.Lock()
	p.worker = i
	pr.procs[i] = p
	pr.mu.Unlock()
	return rss, nil
}

func (pr *processRunner) work(i int, rec *meter.Recorder, ln int) ([]any, error) {
	rec.Record(ln, meter.Running)
	name := pr.j.name
	if pr.j.comp != nil {
		name = strings.TrimSuffix(pr.j.comp.name, " (lock released)")
	}
	out, user, sys, err := pr.procs[i].callCPU(name, pr.j.args)
	pr.mu.Lock()
	pr.user += user
	pr.sys += sys
	pr.mu.Unlock()
	return out, err
}

// childCPU is the CPU time the workers spent on their calls.
func (pr *processRunner) childCPU() (user, sys time.Duration) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.user, pr.sys
}

func (pr *processRunner) close() {
	pr.stop()
	var wg sync.WaitGroup
	for _, p := range pr.procs {
		if p != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.close() }()
		}
	}
	wg.Wait()
}
