package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"corelab/kernel"
	"corelab/kernel/backend"
	"corelab/kernel/client"
	"corelab/kernel/supervisor"
)

// Main runs `corelab bench ARGS`.
func Main(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "kernel" {
		fmt.Fprintln(stderr, "usage: corelab bench kernel [-n N] [-starts N] [-python PATH] [-no-ipykernel]")
		return errors.New("bench: unknown benchmark")
	}
	fs := flag.NewFlagSet("bench kernel", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200, "empty execute_requests per kernel")
	starts := fs.Int("starts", 5, "start-ups per kernel")
	python := fs.String("python", "/usr/bin/python3", "the Python whose ipykernel to compare with")
	noIPy := fs.Bool("no-ipykernel", false, "measure corelab only")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	kernels := []Kernel{{Name: "corelab", Argv: []string{exe, "kernel", "-f"}}}
	if !*noIPy {
		kernels = append(kernels, Kernel{Name: "ipykernel", Argv: []string{*python, "-m", "ipykernel_launcher", "-f"}})
	}
	var results []Result
	for _, k := range kernels {
		fmt.Fprintf(stderr, "measuring %s ...\n", k.Name)
		r, err := Measure(k, *starts, *n)
		if err != nil {
			return fmt.Errorf("%s: %w", k.Name, err)
		}
		results = append(results, r)
	}
	pipe, err := MeasurePipe(*n)
	if err != nil {
		return err
	}
	Print(stdout, results, pipe, *n, *starts)
	return nil
}

// Kernel is a kernel command; the connection file path is appended to Argv.
type Kernel struct {
	Name string
	Argv []string
}

// Result holds one kernel's numbers.
type Result struct {
	Name      string
	StartUp   time.Duration   // median start-up to kernel_info_reply
	RoundTrip []time.Duration // sorted empty-execute round trips (request sent -> status idle)
}

// Median returns the median round trip.
func (r Result) Median() time.Duration { return quantile(r.RoundTrip, 0.5) }

// P99 returns the 99th percentile round trip.
func (r Result) P99() time.Duration { return quantile(r.RoundTrip, 0.99) }

func quantile(s []time.Duration, q float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(q*float64(len(s)-1) + 0.5)
	return s[i]
}

// started is a running kernel with a connected client.
type started struct {
	cmd    *exec.Cmd
	c      *client.Client
	dir    string
	exited chan struct{}
}

func (s *started) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if s.c != nil {
		s.c.Call(ctx, client.Control, "shutdown_request", map[string]any{"restart": false})
		s.c.Close()
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	os.RemoveAll(s.dir)
}

// start launches k and returns once its kernel_info_reply arrived, with the
// time that took from the process start.
func start(k Kernel) (*started, time.Duration, error) {
	info, err := client.LocalConnection("bench-key")
	if err != nil {
		return nil, 0, err
	}
	dir, err := os.MkdirTemp("", "corelab-bench")
	if err != nil {
		return nil, 0, err
	}
	conn := filepath.Join(dir, "kernel.json")
	if err := kernel.WriteConnectionFile(conn, info); err != nil {
		return nil, 0, err
	}
	argv := append(append([]string(nil), k.Argv...), conn)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	s := &started{cmd: cmd, dir: dir, exited: make(chan struct{})}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, err
	}
	go func() { cmd.Wait(); close(s.exited) }() // ends when the kernel exits
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := client.Dial(ctx, info)
	if err != nil {
		s.stop()
		return nil, 0, err
	}
	s.c = c
	if _, err := c.Call(ctx, client.Shell, "kernel_info_request", nil); err != nil {
		s.stop()
		return nil, 0, fmt.Errorf("kernel_info: %w", err)
	}
	d := time.Since(t0)
	if err := c.WaitReady(ctx); err != nil {
		s.stop()
		return nil, 0, err
	}
	return s, d, nil
}

// Measure starts k `starts` times, and runs n empty execute_requests on the
// last one.
func Measure(k Kernel, starts, n int) (Result, error) {
	r := Result{Name: k.Name}
	var ups []time.Duration
	for i := 0; i < starts; i++ {
		s, d, err := start(k)
		if err != nil {
			return r, err
		}
		ups = append(ups, d)
		if i < starts-1 {
			s.stop()
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		for j := 0; j < n+10; j++ {
			t := time.Now()
			res, err := s.c.Execute(ctx, "", nil)
			if err != nil {
				cancel()
				s.stop()
				return r, err
			}
			if res.Status() != "ok" {
				cancel()
				s.stop()
				return r, fmt.Errorf("empty cell: status %s", res.Status())
			}
			if j >= 10 { // warm-up
				r.RoundTrip = append(r.RoundTrip, time.Since(t))
			}
		}
		cancel()
		s.stop()
	}
	sort.Slice(ups, func(i, j int) bool { return ups[i] < ups[j] })
	r.StartUp = quantile(ups, 0.5)
	sort.Slice(r.RoundTrip, func(i, j int) bool { return r.RoundTrip[i] < r.RoundTrip[j] })
	return r, nil
}

// Pipe holds the cost of the evaluator child split.
type Pipe struct {
	Code              string
	InProcess, Child  time.Duration // medians
	ChildStart        time.Duration
	InProcessP99, P99 time.Duration
}

// nullHost is a supervisor.Host for the in-process measurement.
type nullHost struct{}

func (nullHost) Display(map[string]any, map[string]any, string, bool) {}
func (nullHost) Input(string, bool) (string, error)                   { return "", supervisor.ErrNoStdin }

// MeasurePipe runs the same trivial cell n times in this process's own
// evaluator and through an evaluator child.
func MeasurePipe(n int) (Pipe, error) {
	const code = "1 + 1"
	p := Pipe{Code: code}
	b, err := backend.New(nullHost{})
	if err != nil {
		return p, err
	}
	ctx := context.Background()
	var in, out []time.Duration
	for i := 0; i < n+10; i++ {
		t := time.Now()
		if o := b.Execute(ctx, code); o.Status != "ok" {
			return p, fmt.Errorf("in-process cell: %v", o.Error)
		}
		if i >= 10 {
			in = append(in, time.Since(t))
		}
	}
	t0 := time.Now()
	proc, err := supervisor.Start(ctx, supervisor.Options{})
	if err != nil {
		return p, err
	}
	defer proc.Close()
	p.ChildStart = time.Since(t0)
	for i := 0; i < n+10; i++ {
		t := time.Now()
		rep, err := proc.Execute(ctx, code, func(supervisor.Output) {})
		if err != nil || rep.Status != "ok" {
			return p, fmt.Errorf("child cell: %v %v", err, rep.Error)
		}
		if i >= 10 {
			out = append(out, time.Since(t))
		}
	}
	sort.Slice(in, func(i, j int) bool { return in[i] < in[j] })
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	p.InProcess, p.InProcessP99 = quantile(in, 0.5), quantile(in, 0.99)
	p.Child, p.P99 = quantile(out, 0.5), quantile(out, 0.99)
	return p, nil
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f µs", float64(d)/1e3)
}

// Print writes the comparison table.
func Print(w io.Writer, rs []Result, p Pipe, n, starts int) {
	fmt.Fprintf(w, "corelab bench kernel: median of %d start-ups; %d empty execute_requests (request sent -> status idle)\n\n", starts, n)
	fmt.Fprintf(w, "%-32s", "")
	for _, r := range rs {
		fmt.Fprintf(w, "%12s", r.Name)
	}
	if len(rs) == 2 {
		fmt.Fprintf(w, "%12s", "ratio")
	}
	fmt.Fprintln(w)
	row := func(name string, f func(Result) time.Duration) {
		fmt.Fprintf(w, "%-32s", name)
		for _, r := range rs {
			fmt.Fprintf(w, "%12s", ms(f(r)))
		}
		if len(rs) == 2 && f(rs[1]) > 0 {
			fmt.Fprintf(w, "%12.2f", float64(f(rs[0]))/float64(f(rs[1])))
		}
		fmt.Fprintln(w)
	}
	row("start-up to kernel_info_reply", func(r Result) time.Duration { return r.StartUp })
	row("empty execute, median", Result.Median)
	row("empty execute, p99", Result.P99)
	if len(rs) == 2 {
		fmt.Fprintf(w, "(ratio = %s / %s; the goal is below 0.33)\n", rs[0].Name, rs[1].Name)
	}
	fmt.Fprintf(w, "\nevaluator child split (cell %q, median / p99):\n", p.Code)
	fmt.Fprintf(w, "  in-process evaluator    %s / %s\n", ms(p.InProcess), ms(p.InProcessP99))
	fmt.Fprintf(w, "  through the child pipe  %s / %s   (pipe cost ≈ %s per cell; child start-up %s)\n",
		ms(p.Child), ms(p.P99), ms(p.Child-p.InProcess), ms(p.ChildStart))
}
