package supervisor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"

	"corelab/runtime/handoff"
)

// Host is what a Backend running in the child can ask of the kernel side.
// Both methods are safe for concurrent use.
type Host interface {
	// Display publishes a display_data (or, with update, update_display_data)
	// bundle, ordered after everything printed before it.
	Display(data, meta map[string]any, displayID string, update bool)
	// Input asks the frontend for a line of text (input_request on the stdin
	// channel) on behalf of the running cell. It fails when no cell is
	// running, when the frontend does not allow stdin, or on interrupt.
	Input(prompt string, password bool) (string, error)
}

// Backend runs cells in the child process. Serve calls Execute, Complete and
// Inspect from one goroutine, one at a time; Interrupt from another.
type Backend interface {
	// Execute runs one cell. It writes the cell's output to os.Stdout and
	// os.Stderr (the child's captured fd 1 and 2) or through Host.Display.
	// ctx is cancelled when the cell is interrupted.
	Execute(ctx context.Context, code string) Outcome
	// Complete returns completion matches for code at cursor (a rune offset),
	// and the rune range [start, end) they replace.
	Complete(code string, cursor int) (matches []string, start, end int)
	// Inspect returns a MIME bundle describing the name at cursor.
	Inspect(code string, cursor, detail int) (data map[string]any, found bool)
	// Interrupt stops the running cell as soon as possible (KeyboardInterrupt).
	Interrupt()
}

// Outcome is how a cell ended, as the Backend reports it.
type Outcome struct {
	Status     string         // "ok" or "error"
	Result     map[string]any // execute_result bundle of the trailing expression, or nil
	ResultMeta map[string]any // its metadata
	Error      *Error         // set when Status is "error"
}

// Env variables the supervisor passes to the child.
const (
	envMemLimit = "CORELAB_EVAL_MEMORY" // bytes; address-space and GC limit of the child
	envMaxStack = "CORELAB_EVAL_STACK"  // bytes; per-goroutine stack limit
	envChild    = "CORELAB_EVALPROC"    // "1": fds 3 and 4 are the supervisor's pipes

	// envInterruptGrace, read by the supervisor, overrides the default
	// Options.InterruptGrace (tests of a kernel binary shorten it).
	envInterruptGrace = "CORELAB_INTERRUPT_GRACE"
)

// Serve runs the child side of the protocol on fds 3 (requests) and 4
// (events) until the kernel says quit or closes the pipe. newBackend is
// called once with the Host the backend may use. Serve applies the child's
// resource limits first, so that runaway recursion or allocation end in a
// clean, reportable Go fatal error instead of swapping the machine.
func Serve(newBackend func(Host) (Backend, error)) error {
	applyLimits()
	// Ctrl-C in a terminal reaches the whole process group; the kernel
	// forwards interrupts itself, as frames.
	signal.Ignore(os.Interrupt)
	// The supervisor's death reaches the child as SIGTERM (Pdeathsig): take
	// the whole process group along, so that processes a cell started do
	// not outlive a kernel that was killed.
	endGroupOnSIGTERM()

	if os.Getenv(envChild) != "1" {
		return errors.New("the evaluator is started by the kernel (or corelab run), not by hand")
	}
	// Processes a cell starts must not inherit the protocol's pipes.
	pipes := handoff.Files(2)
	reqs, evs := pipes[0], pipes[1]
	s := &server{
		acks:    make(chan uint64, 16),
		gone:    make(chan struct{}),
		limit:   childOutputLimit(),
		ev:      &frameWriter{w: evs},
		work:    make(chan func(), 16),
		waiting: make(map[uint64]chan inputReply),
	}
	b, err := newBackend(s)
	if err != nil {
		return fmt.Errorf("supervisor: start backend: %w", err)
	}
	s.b = b
	go s.worker()
	if err := s.send(kReady, &readyEv{PID: os.Getpid(), GoVersion: runtime.Version()}); err != nil {
		return err
	}
	return s.readLoop(newFrameReader(reqs))
}

type server struct {
	b     Backend
	ev    *frameWriter
	limit int // bytes per value of a result or display bundle (capBundle)

	sendMu sync.Mutex
	sync   uint64
	acks   chan uint64   // sync numbers the kernel acknowledged
	gone   chan struct{} // closed when the kernel's requests end: no more acks

	work chan func() // owned by worker; closed by readLoop when the kernel is gone

	mu         sync.Mutex
	cellID     uint64 // running cell, 0 if none
	allowStdin bool
	cancel     context.CancelFunc
	nextInput  uint64
	waiting    map[uint64]chan inputReply
}

// send writes an event frame and waits until the kernel has delivered it
// (its acknowledgement), so that output printed after send returns cannot
// overtake the event; output printed before it is already in the pipes the
// kernel empties before delivering. The sync field of v (every event has
// one) is filled in here.
func (s *server) send(kind byte, v any) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	s.sync++
	n := s.sync
	setSync(v, n)
	if err := s.ev.write(kind, v); err != nil {
		return err
	}
	if kind == kReady {
		return nil // sent before requests are read; not acknowledged
	}
	for {
		select {
		case a := <-s.acks:
			if a == n {
				return nil
			}
		case <-s.gone:
			return io.ErrClosedPipe
		}
	}
}

func setSync(v any, n uint64) {
	switch e := v.(type) {
	case *readyEv:
		e.Sync = n
	case *displayEv:
		e.Sync = n
	case *doneEv:
		e.Sync = n
	case *completeEv:
		e.Sync = n
	case *inspectEv:
		e.Sync = n
	case *inputEv:
		e.Sync = n
	default:
		panic(fmt.Sprintf("supervisor: unknown event %T", v))
	}
}

func (s *server) worker() {
	for fn := range s.work {
		fn()
	}
}

func (s *server) readLoop(fr *frameReader) error {
	defer close(s.work)
	defer close(s.gone)
	for {
		kind, payload, tail, err := fr.read()
		if err != nil {
			if err == io.EOF {
				// A supervisor that stops the child says quit first; an
				// end without it means the supervisor died.
				endGroup()
			}
			return fmt.Errorf("supervisor: read request: %w", err)
		}
		switch kind {
		case kExecute:
			var r execReq
			if err := json.Unmarshal(payload, &r); err != nil {
				return fmt.Errorf("supervisor: decode execute: %w", err)
			}
			r.Code = string(tail)
			s.work <- func() { s.execute(r) }
		case kComplete:
			r, err := decodeCodeReq(payload, tail, "complete")
			if err != nil {
				return err
			}
			s.work <- func() {
				var m []string
				start, end := r.Cursor, r.Cursor
				s.guard("complete", func() { m, start, end = s.b.Complete(r.Code, r.Cursor) })
				if m == nil {
					m = []string{}
				}
				s.send(kCompleteReply, &completeEv{ID: r.ID, Matches: m, Start: start, End: end})
			}
		case kInspect:
			r, err := decodeCodeReq(payload, tail, "inspect")
			if err != nil {
				return err
			}
			s.work <- func() {
				var data map[string]any
				var found bool
				s.guard("inspect", func() { data, found = s.b.Inspect(r.Code, r.Cursor, r.Detail) })
				s.send(kInspectReply, &inspectEv{ID: r.ID, Found: found, Data: data})
			}
		case kInputReply:
			var r inputReply
			if err := json.Unmarshal(payload, &r); err != nil {
				return fmt.Errorf("supervisor: decode input reply: %w", err)
			}
			s.mu.Lock()
			ch := s.waiting[r.ID]
			delete(s.waiting, r.ID)
			s.mu.Unlock()
			if ch != nil {
				ch <- r
			}
		case kAck:
			var r ackReq
			if err := json.Unmarshal(payload, &r); err != nil {
				return fmt.Errorf("supervisor: decode ack: %w", err)
			}
			select {
			case s.acks <- r.Sync:
			default: // nobody waits for it (cannot happen: one event at a time)
			}
		case kInterrupt:
			s.interrupt()
		case kQuit:
			return nil
		default:
			return fmt.Errorf("supervisor: unknown request kind %q", kind)
		}
	}
}

func (s *server) execute(r execReq) {
	ctx, cancel := context.WithCancel(withLabel(context.Background(), r.Label))
	s.mu.Lock()
	s.cellID, s.allowStdin, s.cancel = r.ID, r.AllowStdin, cancel
	s.mu.Unlock()

	out := s.runCell(ctx, r.Code)

	s.mu.Lock()
	s.cellID, s.allowStdin, s.cancel = 0, false, nil
	s.mu.Unlock()
	cancel()
	ev := &doneEv{ID: r.ID, Status: out.Status, Result: capBundle(out.Result, s.limit), ResultMeta: out.ResultMeta, Error: capError(out.Error, s.limit)}
	var big *frameTooBigError
	if err := s.send(kDone, ev); errors.As(err, &big) {
		// Still too big (metadata?): the cell fails, the protocol goes on.
		msg := fmt.Sprintf("the cell's result is %s, over the %s the kernel accepts from the evaluator", sizeString(big.size), sizeString(maxFrame))
		s.send(kDone, &doneEv{ID: r.ID, Status: "error", Error: &Error{Name: "OutputTooLarge", Value: msg, Traceback: []string{"OutputTooLarge: " + msg}}})
	}
}

// runCell calls the backend, turning a panic that escaped it into the cell's
// error rather than the end of the process.
func (s *server) runCell(ctx context.Context, code string) (out Outcome) {
	defer func() {
		if v := recover(); v != nil {
			out = Outcome{Status: "error", Error: &Error{
				Name:      "InternalError",
				Value:     fmt.Sprint(v),
				Traceback: []string{fmt.Sprintf("InternalError: %v", v), string(debug.Stack())},
			}}
		}
	}()
	out = s.b.Execute(ctx, code)
	if out.Status == "" {
		out.Status = "ok"
		if out.Error != nil {
			out.Status = "error"
		}
	}
	return out
}

// guard runs fn and recovers a panic: a bug in completion or inspection
// must not cost the notebook's state. The panic is only reported with
// CORELAB_DEBUG set, since the child's stderr shows up under the last cell.
func (s *server) guard(what string, fn func()) {
	defer func() {
		if v := recover(); v != nil && os.Getenv("CORELAB_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "corelab: %s failed: %v\n", what, v)
		}
	}()
	fn()
}

func (s *server) interrupt() {
	s.mu.Lock()
	cancel := s.cancel
	waiting := s.waiting
	s.waiting = make(map[uint64]chan inputReply)
	s.mu.Unlock()
	for _, ch := range waiting {
		ch <- inputReply{Err: errInterruptedText}
	}
	if cancel != nil {
		cancel()
	}
	s.b.Interrupt()
}

// Display implements Host.
func (s *server) Display(data, meta map[string]any, displayID string, update bool) {
	var big *frameTooBigError
	if err := s.send(kDisplay, &displayEv{Data: capBundle(data, s.limit), Metadata: meta, DisplayID: displayID, Update: update}); errors.As(err, &big) {
		fmt.Fprintf(os.Stderr, "[corelab: a display of %s is over the %s the kernel accepts and is not shown]\n", sizeString(big.size), sizeString(maxFrame))
	}
}

// Errors of Host.Input.
var (
	// ErrNoStdin: the frontend cannot answer input requests.
	ErrNoStdin = errors.New("input: this frontend does not support input requests")
	// ErrInputInterrupted: the cell was interrupted while it waited.
	ErrInputInterrupted = errors.New("input: interrupted")
)

// errInterruptedText is how an input reply says the wait was interrupted.
const errInterruptedText = "interrupted"

// Input implements Host.
func (s *server) Input(prompt string, password bool) (string, error) {
	s.mu.Lock()
	if s.cellID == 0 || !s.allowStdin {
		s.mu.Unlock()
		return "", ErrNoStdin
	}
	s.nextInput++
	id := s.nextInput
	ch := make(chan inputReply, 1)
	s.waiting[id] = ch
	s.mu.Unlock()
	if err := s.send(kInputRequest, &inputEv{ID: id, Prompt: prompt, Password: password}); err != nil {
		return "", err
	}
	r := <-ch
	switch r.Err {
	case "":
	case errInterruptedText:
		return "", ErrInputInterrupted
	default:
		return "", errors.New("input: " + r.Err)
	}
	return r.Value, nil
}

// endGroupOnSIGTERM makes SIGTERM kill the child's process group (the
// child leads it; processes its cells start are in it unless they left).
func endGroupOnSIGTERM() {
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	go func() { // ends with the process
		<-term
		endGroup()
	}()
}

// endGroup ends the child and the processes its cells started, when the
// supervisor is gone: its death comes as SIGTERM (Pdeathsig) or as the end
// of the request pipe without a quit, whichever the child sees first. The
// group is killed only if the child leads it (the supervisor starts it so),
// never a group it merely joined.
func endGroup() {
	killOwnGroup()
	os.Exit(1)
}

// applyLimits sets the child's memory and stack limits from the environment.
func applyLimits() {
	if v, err := strconv.ParseInt(os.Getenv(envMaxStack), 10, 64); err == nil && v > 0 {
		debug.SetMaxStack(int(v))
	}
	if v, err := strconv.ParseInt(os.Getenv(envMemLimit), 10, 64); err == nil && v > 0 {
		// The GC works hard before the hard limit is reached...
		debug.SetMemoryLimit(v * 3 / 4)
		// ...and the address-space limit turns a runaway allocation into
		// "fatal error: runtime: out of memory" instead of the OOM killer.
		// Go reserves address space well beyond its heap, so leave headroom.
		limitAddressSpace(uint64(v) + 2<<30)
	}
}

type labelKey struct{}

func withLabel(ctx context.Context, label string) context.Context {
	if label == "" {
		return ctx
	}
	return context.WithValue(ctx, labelKey{}, label)
}

// Label is what the front end calls the cell Backend.Execute runs under
// ctx ("In[7]", from Cell.Label), or "" when it gave none.
func Label(ctx context.Context) string {
	l, _ := ctx.Value(labelKey{}).(string)
	return l
}

// decodeCodeReq decodes a complete or inspect request: its JSON payload,
// with the cell's code in the frame's tail.
func decodeCodeReq(payload, tail []byte, what string) (codeReq, error) {
	var r codeReq
	if err := json.Unmarshal(payload, &r); err != nil {
		return r, fmt.Errorf("supervisor: decode %s: %w", what, err)
	}
	r.Code = string(tail)
	return r, nil
}
