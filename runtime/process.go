package runtime

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"corelab/runtime/handoff"
	"corelab/runtime/internal/jsonnum"
	"corelab/runtime/internal/wire"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
)

// The Processes model re-executes the corelab binary as `corelab worker`
// (host.WorkerMain). Parent and worker talk over two pipes handed to the
// worker, in the frames of package wire; what the worker prints goes to
// its stdout and stderr, which are the notebook's.

// proc is one running worker process.
type proc struct {
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     *bufio.Reader
	results *os.File // out's pipe, closed with the process
	mu      sync.Mutex
	worker  int // its index in a run (rt.Worker in the child), -1 outside runs
}

// startProc starts a worker and waits until it has loaded decls. It
// returns the worker's resident memory when ready.
func startProc(decls string) (*proc, uint64, error) {
	l := theLab()
	exe, args, pol := l.Executable, l.WorkerArgs, l.Policy()
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
	cmd.Env = append(os.Environ(), wire.WorkerEnv+"=1")
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
	err = wire.Write(callsW, &wire.Msg{Kind: "setup", Decls: decls, Policy: pol, Interval: SwitchInterval()})
	var ready *wire.Msg
	if err == nil {
		ready, err = wire.Read(p.out)
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
	m := &wire.Msg{Kind: "call", Func: name, Worker: p.worker, Args: enc}
	if err := wire.Write(p.in, m); err != nil {
		return nil, 0, 0, fmt.Errorf("send call: %w", err)
	}
	res, err := wire.Read(p.out)
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
	if in := theLab().Main(); in != nil {
		pr.decls = in.Decls()
	}
	pr.stop = theLab().AddStopper(func() {
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
