package host

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strconv"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/runtime/gil"
	"corelab/runtime/handoff"
	"corelab/runtime/internal/invoke"
	"corelab/runtime/internal/lab"
	"corelab/runtime/internal/wire"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
)

// WorkerEnv is set to "1" in a worker process's environment; a test binary
// re-executed as a worker checks it in TestMain and calls WorkerMain.
const WorkerEnv = wire.WorkerEnv

// WorkerMain is the body of `corelab worker`, a worker process of the
// Processes model: it creates the process's own lab, reads the notebook's
// declarations, then calls, from the first pipe the notebook handed off
// (fd 3 on Unix, see package handoff), runs them in its own interpreter
// (built with symbols, e.g. corelab/runtime/symbols.Symbols, which also
// name rt's compiled workloads) under its own lock, and writes the results
// to the second (fd 4). What the calls print goes to the worker's stdout
// and stderr, which are the notebook's. It returns the exit code.
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
	reply := func(m *wire.Msg) error {
		if err := wire.Write(bw, m); err != nil {
			return err
		}
		return bw.Flush()
	}
	setup, err := wire.Read(br)
	if err != nil {
		return err
	}
	if setup.Kind != "setup" {
		return fmt.Errorf("first message is %q, want setup", setup.Kind)
	}
	l := New(Env{}).l
	l.SetPolicy(setup.Policy)
	lock := gil.New(setup.Interval)
	gil.InstallTransport() // http clients release the worker's lock, as in the notebook
	tables := []yaegi.Exports{gil.Symbols}
	if symbols != nil {
		tables = []yaegi.Exports{symbols, gil.Symbols}
	}
	in, err := interp.New(interp.Options{Symbols: tables, Stdout: os.Stdout, Stderr: os.Stderr,
		Hooks: &lab.Hooks{}, Policy: lab.PolicyOf(setup.Policy)})
	if err != nil {
		return reply(&wire.Msg{Kind: "ready", Error: err.Error()})
	}
	lock.OnDropRequest(in.RequestCheckpoint)
	l.Attach(in)
	if setup.Decls != "" {
		if _, err := in.Eval(context.Background(), setup.Decls); err != nil {
			return reply(&wire.Msg{Kind: "ready", Error: "load the notebook's declarations: " + err.Error()})
		}
	}
	if err := reply(&wire.Msg{Kind: "ready", RSS: selfRSS()}); err != nil {
		return err
	}
	t := lock.NewThread("process main")
	t.Bind()
	t.Acquire()
	for {
		m, err := wire.Read(br)
		if err != nil {
			return err
		}
		if m.Kind != "call" {
			return fmt.Errorf("unexpected message %q", m.Kind)
		}
		res := &wire.Msg{Kind: "result"}
		if w := m.Worker; w >= 0 {
			l.ProcWorker.Store(&w)
		}
		u0, s0 := meter.ProcessCPU()
		out, err := workerCall(in, symbols, m.Func, m.Args) // on t, holding its lock
		u1, s1 := meter.ProcessCPU()
		l.ProcWorker.Store(nil)
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

// compiled returns rt's compiled workload called name ("rt.Fib", as the
// notebook sends it) from the worker's symbol tables.
func compiled(symbols yaegi.Exports, name string) (reflect.Value, bool) {
	short, ok := strings.CutPrefix(strings.TrimSuffix(name, " (lock released)"), "rt.")
	if !ok {
		return reflect.Value{}, false
	}
	fn, ok := symbols["corelab/runtime/runtime"][short]
	return fn, ok && fn.Kind() == reflect.Func
}

// workerCall decodes args into fn's parameter types and calls it.
func workerCall(in *interp.Interpreter, symbols yaegi.Exports, name string, raw []json.RawMessage) (out []any, err error) {
	fn, isCompiled := compiled(symbols, name)
	if !isCompiled {
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
		p := reflect.New(invoke.Param(ft, i))
		if err := json.Unmarshal(r, p.Interface()); err != nil {
			return nil, fmt.Errorf("%s argument %d: %w", name, i+1, err)
		}
		args[i] = p.Elem()
	}
	if _, declared := in.FuncType(name); declared && !isCompiled {
		// through Call, a panic comes back as an *interp.Error: in Go's
		// words, at the notebook's line (see interp.Interpreter.Decls)
		vals := make([]any, len(args))
		for i, a := range args {
			vals[i] = a.Interface()
		}
		return in.Call(name, vals...)
	}
	err = invoke.Catch(func() { out = invoke.Values(fn.Call(args)) })
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
