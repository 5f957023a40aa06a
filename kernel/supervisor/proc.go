package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"corelab/runtime/handoff"
	"corelab/runtime/limits"
)

// Options configure the supervisor. The zero value starts the running
// binary as `<exe> evaluator` with the default limits.
type Options struct {
	Path string   // executable; "" means os.Executable()
	Args []string // arguments after the path; nil means ["evaluator"]
	Env  []string // extra environment for the child (KEY=VALUE)
	Dir  string   // working directory; "" means the current one

	// MemoryLimit bounds the child's memory in bytes (GC limit, and an
	// address-space limit with headroom). 0 means half the machine's RAM,
	// at most 8 GiB; negative means no limit.
	MemoryLimit int64
	// MaxStack bounds one goroutine's stack in the child. 0 means 256 MiB.
	MaxStack int64
	// OutputLimit caps the stream bytes one cell may print before the rest
	// is dropped with a notice, and each value of a result or display
	// bundle and a cell's error (cut or dropped with a note, see
	// capBundle). 0 means 2 MiB; negative means no cap.
	OutputLimit int
	// InterruptGrace is how long an interrupted cell may keep running
	// before the child is killed and replaced (the way out for code stuck
	// where an interrupt cannot reach it). 0 means $CORELAB_INTERRUPT_GRACE
	// (a time.ParseDuration string; tests shorten it) or else 5 s.
	InterruptGrace time.Duration
	// Log receives supervisor diagnostics; nil means log.Default().
	Log *log.Logger
}

// Output is one piece of a cell's output, in the order it was produced.
// Exactly one of Stream or Display is set.
type Output struct {
	Stream  string // "stdout" or "stderr" for printed text
	Text    string
	Display *Display
}

// Display is a display_data (or update_display_data when Update) bundle.
type Display struct {
	Data      map[string]any
	Metadata  map[string]any
	DisplayID string
	Update    bool
}

// Reply is how a cell ended.
type Reply struct {
	Status     string         // "ok" or "error"
	Result     map[string]any // execute_result bundle of the trailing expression, or nil
	ResultMeta map[string]any
	Error      *Error // set when Status is "error"
	// Restarted is true when the evaluator died during the cell (a Go fatal
	// error, or no response to an interrupt) and was replaced by a fresh
	// one: the notebook's state is lost, and Error says so.
	Restarted bool
}

// Cell is one execution request.
type Cell struct {
	Code       string
	Silent     bool
	AllowStdin bool
	// Label is what errors and tracebacks call the cell, as the front end
	// numbers it ("In[7]"); empty leaves the evaluator's own count.
	Label string
	// OnOutput receives the cell's output, in order, from one goroutine at
	// a time. It keeps receiving output printed after the cell ended (by
	// goroutines the cell started) until the next cell starts.
	OnOutput func(Output)
	// OnInput answers an input request (prompt, password); nil refuses.
	// Returning ErrInputInterrupted stops the cell with KeyboardInterrupt.
	OnInput func(prompt string, password bool) (string, error)
}

// ErrClosed is returned by calls on a closed Proc.
var ErrClosed = errors.New("supervisor: closed")

// Proc supervises one evaluator child process, replacing it when it dies.
// Execute, Complete, Inspect and Restart are serialised; Interrupt and Close
// may be called at any time from any goroutine.
type Proc struct {
	opts Options
	log  *log.Logger

	calls sync.Mutex // serialises requests to the child

	mu       sync.Mutex
	c        *child
	closed   bool
	nextID   uint64
	out      func(Output) // the last cell's output handler
	in       func(string, bool) (string, error)
	limit    int // stream bytes the current cell may still print
	dropped  int
	restarts int
}

// Start starts the first evaluator child and waits until it is ready.
func Start(ctx context.Context, opts Options) (*Proc, error) {
	if opts.Path == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("supervisor: find executable: %w", err)
		}
		opts.Path = exe
	}
	if opts.Args == nil {
		opts.Args = []string{"evaluator"}
	}
	if opts.MemoryLimit == 0 {
		opts.MemoryLimit = defaultMemoryLimit()
	}
	if opts.MaxStack == 0 {
		opts.MaxStack = 256 << 20
	}
	if opts.OutputLimit == 0 {
		opts.OutputLimit = 2 << 20
	}
	if opts.InterruptGrace == 0 {
		opts.InterruptGrace = 5 * time.Second
		if d, err := time.ParseDuration(os.Getenv(envInterruptGrace)); err == nil && d > 0 {
			opts.InterruptGrace = d
		}
	}
	p := &Proc{opts: opts, log: opts.Log}
	if p.log == nil {
		p.log = log.Default()
	}
	c, err := p.spawn()
	if err != nil {
		return nil, err
	}
	p.c = c
	if err := c.waitReady(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// defaultMemoryLimit is half the memory this process may use (the cgroup
// limit on Binder and in containers, else the machine's RAM), at most 8 GiB.
func defaultMemoryLimit() int64 {
	m := int64(limits.Read().Memory() / 2)
	if m <= 0 {
		return 4 << 30
	}
	return min(m, 8<<30)
}

// Pid returns the process id of the current child (0 if none).
func (p *Proc) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.c == nil || p.c.cmd.Process == nil {
		return 0
	}
	return p.c.cmd.Process.Pid
}

// Restarts returns how many times the child was replaced.
func (p *Proc) Restarts() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.restarts
}

// current returns the live child, waiting until it is ready.
func (p *Proc) current(ctx context.Context) (*child, error) {
	p.mu.Lock()
	c, closed := p.c, p.closed
	p.mu.Unlock()
	if closed || c == nil {
		return nil, ErrClosed
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *Proc) id() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextID++
	return p.nextID
}

// Execute runs code with no stdin; see Run.
func (p *Proc) Execute(ctx context.Context, code string, onOutput func(Output)) (Reply, error) {
	return p.Run(ctx, Cell{Code: code, OnOutput: onOutput})
}

// Run executes a cell and returns how it ended. Output is delivered to
// cell.OnOutput before Run returns. Cancelling ctx interrupts the cell (the
// reply then says KeyboardInterrupt). If the child dies during the cell, the
// reply is the crash as the cell's error with Restarted set, and a fresh
// child is started. The error result is only for a closed Proc or a child
// that cannot be started.
func (p *Proc) Run(ctx context.Context, cell Cell) (Reply, error) {
	p.calls.Lock()
	defer p.calls.Unlock()
	c, err := p.current(ctx)
	if err != nil {
		return Reply{}, err
	}
	id := p.id()
	ch, run := c.expect(id)
	p.mu.Lock()
	p.out, p.in = cell.OnOutput, cell.OnInput
	p.limit, p.dropped = p.opts.OutputLimit, 0
	p.mu.Unlock()
	if err := c.req.writeTail(kExecute, &execReq{ID: id, Silent: cell.Silent, AllowStdin: cell.AllowStdin && cell.OnInput != nil, Label: cell.Label}, cell.Code); err != nil {
		var big *frameTooBigError
		if errors.As(err, &big) { // nothing was sent: the cell fails, the evaluator is fine
			msg := fmt.Sprintf("the cell's code is %s, over the %s the evaluator accepts", sizeString(len(cell.Code)), sizeString(maxFrame))
			return Reply{Status: "error", Error: &Error{Name: "CellTooLarge", Value: msg, Traceback: []string{"CellTooLarge: " + msg}}}, nil
		}
		p.log.Printf("supervisor: send execute: %v", err)
	}
	done := ctx.Done()
	var grace <-chan time.Time
	defer c.forget(id)
	for {
		select {
		case payload := <-ch:
			var ev doneEv
			if err := json.Unmarshal(payload, &ev); err != nil {
				return Reply{}, fmt.Errorf("supervisor: decode reply: %w", err)
			}
			return Reply{Status: ev.Status, Result: ev.Result, ResultMeta: ev.ResultMeta, Error: ev.Error}, nil
		case <-c.exited:
			select {
			case payload := <-ch: // the reply made it out before the exit
				var ev doneEv
				if json.Unmarshal(payload, &ev) == nil {
					return Reply{Status: ev.Status, Result: ev.Result, ResultMeta: ev.ResultMeta, Error: ev.Error}, nil
				}
			default:
			}
			return Reply{Status: "error", Error: c.crash(), Restarted: true}, nil
		case <-done:
			done = nil
			p.Interrupt()
			t := time.NewTimer(p.opts.InterruptGrace)
			defer t.Stop()
			grace = t.C
		case <-grace:
			grace = nil
			c.killStuck(run, p.opts.InterruptGrace)
		}
	}
}

// Interrupt asks the running cell to stop (KeyboardInterrupt). It is a no-op
// when nothing runs.
func (p *Proc) Interrupt() {
	p.mu.Lock()
	c := p.c
	p.mu.Unlock()
	if c != nil {
		c.req.write(kInterrupt, struct{}{})
	}
}

// InterruptHard is Interrupt followed, if the cell that was running has not
// finished within Options.InterruptGrace, by killing and replacing the
// child. The grace period belongs to that cell only: a cell started after it
// ended is never killed for it.
func (p *Proc) InterruptHard() {
	p.Interrupt()
	p.mu.Lock()
	c := p.c
	p.mu.Unlock()
	if c == nil {
		return
	}
	run := c.current()
	if run == nil {
		return
	}
	go func() { // ends when that cell ends, the child exits, or the grace period is over
		t := time.NewTimer(p.opts.InterruptGrace)
		defer t.Stop()
		select {
		case <-run.done:
		case <-c.exited:
		case <-t.C:
			c.killStuck(run, p.opts.InterruptGrace)
		}
	}()
}

// Complete asks the evaluator for completions of code at cursor (a rune
// offset); matches replace the runes [start, end).
func (p *Proc) Complete(ctx context.Context, code string, cursor int) (matches []string, start, end int, err error) {
	var ev completeEv
	if err := p.call(ctx, kComplete, &codeReq{Code: code, Cursor: cursor}, &ev); err != nil {
		return nil, cursor, cursor, err
	}
	return ev.Matches, ev.Start, ev.End, nil
}

// Inspect asks the evaluator about the name at cursor; data is a MIME bundle.
func (p *Proc) Inspect(ctx context.Context, code string, cursor, detail int) (data map[string]any, found bool, err error) {
	var ev inspectEv
	if err := p.call(ctx, kInspect, &codeReq{Code: code, Cursor: cursor, Detail: detail}, &ev); err != nil {
		return nil, false, err
	}
	return ev.Data, ev.Found, nil
}

func (p *Proc) call(ctx context.Context, kind byte, req *codeReq, ev any) error {
	p.calls.Lock()
	defer p.calls.Unlock()
	c, err := p.current(ctx)
	if err != nil {
		return err
	}
	req.ID = p.id()
	ch, _ := c.expect(req.ID)
	defer c.forget(req.ID)
	if err := c.req.writeTail(kind, req, req.Code); err != nil {
		return fmt.Errorf("supervisor: send request: %w", err)
	}
	select {
	case payload := <-ch:
		return json.Unmarshal(payload, ev)
	case <-c.exited:
		return errors.New("supervisor: the evaluator died")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the child and releases everything. It waits for the child to
// exit (killing it after a short grace period).
func (p *Proc) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	c := p.c
	p.mu.Unlock()
	if c != nil {
		c.quiet.Store(true)
		c.stop()
		<-c.exited
	}
	return nil
}

// emit delivers output to the current (or last) cell's handler, applying
// the per-cell output cap to stream text and display_data (see cap.go).
// Called from pump goroutines only.
func (p *Proc) emit(o Output) {
	p.mu.Lock()
	out := p.out
	if d := o.Display; d != nil && !d.Update && p.opts.OutputLimit > 0 {
		var ok bool
		if o, ok = p.capDisplay(o); !ok {
			p.mu.Unlock()
			return
		}
	} else if o.Stream != "" && p.opts.OutputLimit > 0 {
		notice := overNotice(p.opts.OutputLimit)
		switch {
		case p.limit <= 0 && p.dropped > 0:
			p.dropped += len(o.Text)
			p.mu.Unlock()
			return
		case p.limit <= 0:
			p.dropped += len(o.Text)
			o.Text = notice
		case len(o.Text) > p.limit:
			cut := p.limit
			for cut > 0 && o.Text[cut]&0xC0 == 0x80 {
				cut-- // keep whole UTF-8 characters
			}
			p.dropped += len(o.Text) - cut
			o.Text = o.Text[:cut] + notice
			p.limit = 0
		default:
			p.limit -= len(o.Text)
		}
	}
	p.mu.Unlock()
	if out != nil {
		out(o)
	}
}

// sizeString is n bytes for people: "2 MiB", "300.5 MiB", "17 bytes".
func sizeString(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + " MiB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + " KiB"
	case n >= 1<<10:
		return strconv.FormatFloat(float64(n)/(1<<10), 'f', 1, 64) + " KiB"
	}
	return strconv.Itoa(n) + " bytes"
}

// onExit runs (on the exiting child's pump goroutine) after a child exited
// and all its output was delivered: it reports a crash that happened
// between cells and starts the replacement.
func (p *Proc) onExit(c *child) {
	p.mu.Lock()
	if p.c != c {
		p.mu.Unlock()
		return
	}
	closed := p.closed
	if !closed {
		p.restarts++
		nc, err := p.spawn()
		if err != nil {
			p.log.Printf("supervisor: start a fresh evaluator: %v", err)
			p.c = nil
			p.closed = true
		} else {
			p.c = nc
		}
	}
	idle := !c.busy()
	p.mu.Unlock()
	if !closed && idle && !c.quiet.Load() {
		e := c.crash()
		p.emit(Output{Stream: "stderr", Text: "\n" + strings.Join(e.Traceback, "\n") + "\n"})
	}
}

// spawn starts a child process and its pump; it does not wait for ready.
func (p *Proc) spawn() (*child, error) {
	// fds[0:2] requests (child reads), [2:4] events (child writes), [4:6]
	// stdout, [6:8] stderr; each pair is read end, write end.
	var fds []*os.File
	closeAll := func() {
		for _, f := range fds {
			f.Close()
		}
	}
	for range 4 {
		r, w, err := osPipe()
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("supervisor: pipe: %w", err)
		}
		fds = append(fds, r, w)
	}
	reqR, reqW, evR, evW, outR, outW, errR, errW := fds[0], fds[1], fds[2], fds[3], fds[4], fds[5], fds[6], fds[7]
	cmd := exec.Command(p.opts.Path, p.opts.Args...)
	cmd.Dir = p.opts.Dir
	cmd.Env = append(os.Environ(), p.opts.Env...)
	if p.opts.MemoryLimit > 0 {
		cmd.Env = append(cmd.Env, envMemLimit+"="+strconv.FormatInt(p.opts.MemoryLimit, 10))
	}
	cmd.Env = append(cmd.Env, envMaxStack+"="+strconv.FormatInt(p.opts.MaxStack, 10), "GOTRACEBACK=single", envChild+"=1",
		envOutputLimit+"="+strconv.Itoa(p.opts.OutputLimit))
	cmd.Stdin = nil
	cmd.Stdout = outW
	cmd.Stderr = errW
	// Its own process group: a terminal's Ctrl-C goes to the kernel only,
	// which turns it into an interrupt frame, and the group can be killed
	// as a whole. If the kernel dies, the child gets SIGTERM (Linux) or
	// sees its request pipe end, and kills its group (see Serve).
	cmd.SysProcAttr = childAttr()
	handoff.Attach(cmd, reqR, evW) // fds 3 and 4 on Unix
	oomBefore, oomKnown := oomKills()
	if err := cmd.Start(); err != nil {
		closeAll()
		return nil, fmt.Errorf("supervisor: start %s: %w", p.opts.Path, err)
	}
	for _, f := range []*os.File{reqR, evW, outW, errW} {
		f.Close()
	}
	c := &child{
		p:       p,
		cmd:     cmd,
		req:     &frameWriter{w: reqW},
		reqFile: reqW,
		ready:   make(chan struct{}),
		reaped:  make(chan struct{}),
		exited:  make(chan struct{}),
		waiters: make(map[uint64]chan []byte),
		oom:     oomCount{before: oomBefore, known: oomKnown},
	}
	go c.reap(outR, errR, evR) // ends when the child has exited
	go c.pump(outR, errR, evR) // ends when the child's pipes close (at the latest drainAfterExit after reap)
	return c, nil
}

// osPipe is os.Pipe; tests replace it to make spawn fail half-way.
var osPipe = os.Pipe

// drainAfterExit bounds how long the pipes are still read after the child
// exited: only a process that escaped the child's process group can hold
// them open that long, and its output is not waited for.
const drainAfterExit = 2 * time.Second

// reap waits for the child to exit, then kills its process group, so that
// processes a cell started die with the evaluator and release the pipes
// they inherited, and bounds the reading of pipes that something outside
// the group still holds.
func (c *child) reap(outR, errR, evR *os.File) {
	err := c.cmd.Wait() // the child's stdio are files: Wait copies nothing
	killGroup(c.cmd.Process.Pid)
	deadline := time.Now().Add(drainAfterExit)
	for _, f := range []*os.File{outR, errR, evR} {
		f.SetReadDeadline(deadline) // an error only says the reader is done with it
	}
	c.mu.Lock()
	c.waitErr = err
	c.mu.Unlock()
	close(c.reaped)
}

// child is one evaluator process.
type child struct {
	p       *Proc
	cmd     *exec.Cmd
	req     *frameWriter
	reqFile *os.File

	ready    chan struct{} // closed on the ready event or on exit
	readyErr error
	reaped   chan struct{} // closed when the process has exited (waitErr is set)
	exited   chan struct{} // closed after exit, with all output delivered
	oom      oomCount      // the cgroup's OOM-kill counter at start (and at exit)

	quiet atomic.Bool // an intended stop: no crash report

	mu       sync.Mutex
	waiters  map[uint64]chan []byte
	cur      *cellRun // the executing request, if any
	waitErr  error
	killNote string // why we killed it, for the report
	killWhy  string // what that means, for the report
	report   string // the Go runtime's crash report, if one was seen
	errTail  []byte // last stderr bytes, for reports of odd exits
	exitDesc string
}

func (c *child) waitReady(ctx context.Context) error {
	select {
	case <-c.ready:
		return c.readyErr
	case <-ctx.Done():
		return ctx.Err()
	}
}

// cellRun is one request the child is executing; done is closed when it
// ends, however it ends.
type cellRun struct {
	id   uint64
	done chan struct{}
}

// expect registers request id as the running one and returns where its
// reply will arrive.
func (c *child) expect(id uint64) (chan []byte, *cellRun) {
	ch := make(chan []byte, 1)
	run := &cellRun{id: id, done: make(chan struct{})}
	c.mu.Lock()
	c.waiters[id] = ch
	c.cur = run
	c.mu.Unlock()
	return ch, run
}

// forget drops request id (answered, or given up).
func (c *child) forget(id uint64) {
	c.mu.Lock()
	delete(c.waiters, id)
	c.endLocked(id)
	c.mu.Unlock()
}

// endLocked marks request id as ended; c.mu is held.
func (c *child) endLocked(id uint64) {
	if c.cur != nil && c.cur.id == id {
		close(c.cur.done)
		c.cur = nil
	}
}

// current returns the running request, or nil.
func (c *child) current() *cellRun {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

func (c *child) busy() bool { return c.current() != nil }

// stop asks the child to quit and kills it if it has not after a second.
func (c *child) stop() {
	c.req.write(kQuit, struct{}{})
	c.reqFile.Close()
	go func() { // ends when the child exits or after the kill
		select {
		case <-c.exited:
		case <-time.After(time.Second):
			c.cmd.Process.Kill()
		}
	}()
}

// killStuck kills the child if run is still what it executes: run ignored
// an interrupt for grace.
func (c *child) killStuck(run *cellRun, grace time.Duration) {
	c.mu.Lock()
	if c.cur != run {
		c.mu.Unlock()
		return
	}
	c.killNote = fmt.Sprintf("the cell did not stop within %v of the interrupt", grace)
	c.killWhy = stuckExplained
	c.mu.Unlock()
	c.p.log.Printf("supervisor: the cell ignored the interrupt for %v; restarting the evaluator", grace)
	c.cmd.Process.Kill()
}

// stuckExplained says what a kill after an ignored interrupt means.
const stuckExplained = "Interpreted code stops at its next check point; this cell did not get there, most likely " +
	"because it was blocked in compiled (host) code, a system call or a lock, where an interrupt cannot reach it. " +
	"The only way out was to kill the evaluator process."

// crash describes how the child died, for a cell's error.
func (c *child) crash() *Error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.killNote != "" {
		return &Error{Name: "FatalError", Value: c.killNote + ": the evaluator was restarted and the notebook's state was lost",
			Traceback: []string{"FatalError: " + c.killNote + ".\n" + c.killWhy + "\n\n" + StateLost}}
	}
	report := c.report
	if report == "" {
		report = string(c.errTail)
	}
	return crashError(report, c.exitDesc, c.oom)
}

// chunk is an event frame the child sent (or the end of its event pipe).
type chunk struct {
	eof  bool
	kind byte
	body []byte
	sync uint64
}

// pump delivers what the child's pipes carry, in order: raw stdout and
// stderr text as it comes, and each event frame after everything the child
// printed before sending it. The order needs no marker in the streams: the
// child sends an event only after its earlier writes are in the pipes, and
// waits for the event's acknowledgement before it goes on, so emptying both
// pipes when an event arrives delivers exactly what came before it. pump
// owns the readers and ends after the child has exited.
func (c *child) pump(outR, errR, evR *os.File) {
	ch := make(chan chunk, 16)
	out, err := newStream("stdout", outR), newStream("stderr", errR)
	go out.run() // ends at EOF or at the deadline reap sets
	go err.run() // likewise
	go readEvents(evR, ch)
	defer func() {
		for _, f := range []*os.File{outR, errR} {
			f.Close()
		}
	}()

	var (
		capture  *strings.Builder
		captureT <-chan time.Time
	)
	emit := func(s *stream, text string) {
		if text == "" {
			return
		}
		if s.name == "stdout" {
			c.p.emit(Output{Stream: "stdout", Text: text})
			return
		}
		c.keepTail(text)
		if capture != nil {
			if capture.Len() < 1<<20 {
				capture.WriteString(text)
			}
			return
		}
		if i := crashStart(text); i >= 0 {
			// Hold it back: if the child dies now, this is its crash report.
			if i > 0 {
				c.p.emit(Output{Stream: "stderr", Text: text[:i]})
			}
			capture = &strings.Builder{}
			capture.WriteString(text[i:])
			captureT = time.After(1500 * time.Millisecond)
			return
		}
		c.p.emit(Output{Stream: "stderr", Text: text})
	}
	events := true
	for events || !out.done() || !err.done() {
		select {
		case <-out.ready:
			emit(out, out.take(false))
		case <-err.ready:
			emit(err, err.take(false))
		case k := <-ch:
			if k.eof {
				events, ch = false, nil
				continue
			}
			// Everything printed before the event is in the pipes now.
			emit(out, out.take(true))
			emit(err, err.take(true))
			if k.kind != kReady && k.kind != kTooBig {
				c.req.write(kAck, &ackReq{Sync: k.sync})
			}
			c.event(k)
		case <-captureT:
			// Still alive: it was not a crash after all.
			captureT = nil
			c.p.emit(Output{Stream: "stderr", Text: capture.String()})
			capture = nil
		}
	}
	emit(out, out.take(true))
	emit(err, err.take(true))
	<-c.reaped
	after, ok := oomKills()
	c.mu.Lock()
	werr := c.waitErr
	c.oom.after, c.oom.known = after, c.oom.known && ok
	if capture != nil {
		c.report = capture.String()
	}
	c.exitDesc = "exit status 0"
	if werr != nil {
		c.exitDesc = werr.Error()
	}
	c.mu.Unlock()
	select {
	case <-c.ready:
	default:
		c.readyErr = fmt.Errorf("supervisor: the evaluator exited before it was ready (%s): %s", c.exitDesc, strings.TrimSpace(string(c.errTail)))
		close(c.ready)
	}
	// Replace the child before anyone waiting on exited looks again.
	c.p.onExit(c)
	close(c.exited)
}

// maxPending bounds the text a stream holds for the pump; its reader waits
// (and so does the child's writer, on a full pipe) until the pump takes it.
const maxPending = 1 << 20

// stream reads one of the child's output pipes. Its reader goroutine and
// the pump's drain (take with now) both read the pipe only while holding
// mu, so "the pipe is empty and nothing read is unaccounted for" can be
// established at any moment.
type stream struct {
	name  string
	f     *os.File
	rc    syscall.RawConn
	ready chan struct{} // a token: there is text to take

	mu      sync.Mutex
	room    *sync.Cond // signalled when the pump takes text
	buf     []byte     // read, not yet taken
	partial []byte     // an incomplete UTF-8 sequence held back from the last take
	eof     bool       // the pipe is finished (EOF, error or deadline)
	buf64k  []byte
}

func newStream(name string, f *os.File) *stream {
	s := &stream{name: name, f: f, ready: make(chan struct{}, 1), buf64k: make([]byte, 64<<10)}
	s.room = sync.NewCond(&s.mu)
	rc, err := f.SyscallConn()
	if err != nil {
		s.eof = true
	}
	s.rc = rc
	return s
}

func (s *stream) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// take returns the text read so far, first emptying the pipe if now is set;
// an incomplete UTF-8 sequence at its end is kept for the next take unless
// the stream has ended.
func (s *stream) take(now bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now && !s.eof && s.rc != nil {
		s.rc.Control(func(fd uintptr) { s.readLocked(int(fd)) })
	}
	text := append(s.partial, s.buf...)
	s.buf, s.partial = nil, nil
	s.room.Signal()
	if !s.eof {
		text, s.partial = splitIncompleteRune(text)
		s.partial = append([]byte(nil), s.partial...)
	}
	return string(text)
}

// done reports whether the stream has ended and everything was taken.
func (s *stream) done() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eof && len(s.buf) == 0 && len(s.partial) == 0
}

// crashStart returns the offset of a line in text that starts a Go runtime
// crash report, or -1.
func crashStart(text string) int {
	off := 0
	for off <= len(text) {
		line := text[off:]
		if i := strings.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if fatalLooks(line) {
			return off
		}
		i := strings.IndexByte(text[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	return -1
}

func (c *child) keepTail(s string) {
	const max = 64 << 10
	c.mu.Lock()
	c.errTail = append(c.errTail, s...)
	if len(c.errTail) > max {
		c.errTail = append([]byte(nil), c.errTail[len(c.errTail)-max:]...)
	}
	c.mu.Unlock()
}

// event handles one event frame, in order with the output around it.
func (c *child) event(k chunk) {
	switch k.kind {
	case kReady:
		select {
		case <-c.ready:
		default:
			close(c.ready)
		}
	case kDisplay:
		var ev displayEv
		if err := json.Unmarshal(k.body, &ev); err != nil {
			c.p.log.Printf("supervisor: bad display event: %v", err)
			return
		}
		c.p.emit(Output{Display: &Display{Data: ev.Data, Metadata: ev.Metadata, DisplayID: ev.DisplayID, Update: ev.Update}})
	case kDone, kCompleteReply, kInspectReply:
		var head struct {
			ID uint64 `json:"id"`
		}
		json.Unmarshal(k.body, &head)
		c.mu.Lock()
		ch := c.waiters[head.ID]
		delete(c.waiters, head.ID)
		c.endLocked(head.ID)
		c.mu.Unlock()
		if ch != nil {
			ch <- k.body
		}
	case kTooBig:
		// A protocol error: the evaluator cannot be talked to any more.
		c.p.log.Printf("%s", k.body)
		c.mu.Lock()
		c.killNote = "the evaluator sent a message too large for the kernel (" + strings.TrimPrefix(string(k.body), "supervisor: ") + ")"
		c.killWhy = "The kernel cannot read past a message it refused, so it ended the evaluator."
		c.mu.Unlock()
		c.cmd.Process.Kill()
	case kInputRequest:
		var ev inputEv
		if err := json.Unmarshal(k.body, &ev); err != nil {
			return
		}
		c.p.mu.Lock()
		in := c.p.in
		c.p.mu.Unlock()
		go func() { // ends when the frontend answers (or the kernel gives up)
			r := inputReply{ID: ev.ID}
			if in == nil {
				r.Err = ErrNoStdin.Error()
			} else if v, err := in(ev.Prompt, ev.Password); errors.Is(err, ErrInputInterrupted) {
				r.Err = errInterruptedText
			} else if err != nil {
				r.Err = err.Error()
			} else {
				r.Value = v
			}
			c.req.write(kInputReply, &r)
		}()
	default:
		c.p.log.Printf("supervisor: unknown event kind %q", k.kind)
	}
}

// kTooBig is not on the wire: readEvents reports a frame over maxFrame
// with it (the body says how big).
const kTooBig byte = 0

func readEvents(r io.ReadCloser, ch chan<- chunk) {
	defer r.Close()
	fr := newFrameReader(r)
	for {
		kind, body, _, err := fr.read()
		var big *frameTooBigError
		if errors.As(err, &big) {
			// The stream cannot go on after a frame it did not read.
			ch <- chunk{kind: kTooBig, body: []byte(big.Error())}
		}
		if err != nil {
			ch <- chunk{eof: true}
			return
		}
		var head struct {
			Sync uint64 `json:"sync"`
		}
		json.Unmarshal(body, &head)
		ch <- chunk{kind: kind, body: body, sync: head.Sync}
	}
}
