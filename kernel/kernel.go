package kernel

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/go-zeromq/zmq4"

	"corelab/kernel/supervisor"
	"corelab/kernel/transport"
	"corelab/kernel/wire"
)

// Config configures a kernel.
type Config struct {
	// ConnectionFile is the path Jupyter passes with -f.
	ConnectionFile string
	// Evaluator configures the child process; the zero value re-executes
	// the running binary as `corelab evaluator`.
	Evaluator supervisor.Options
	// HistoryFile, if set, is where executed cells are appended (JSON
	// lines) and where history_request finds earlier sessions.
	HistoryFile string
	// Version is the implementation_version in kernel_info_reply.
	Version string
	// Log receives diagnostics; nil means log.Default() (stderr).
	Log *log.Logger
	// MaxMessage caps the size of one incoming message; 0 means 64 MiB.
	MaxMessage int
	// HandleSignals makes SIGINT interrupt the running cell and SIGTERM
	// shut the kernel down.
	HandleSignals bool
}

// maxPing caps a heartbeat message.
const maxPing = 1 << 10

// server is one running kernel, created and run by Run.
type server struct {
	cfg    Config
	log    *log.Logger
	info   ConnectionInfo
	signer *wire.Signer
	dec    wire.Decoder
	sess   *wire.Session

	shell, control, iopub, stdin, hb zmq4.Socket

	iopubMu sync.Mutex
	shellMu sync.Mutex
	ctrlMu  sync.Mutex
	stdinMu sync.Mutex

	proc *supervisor.Proc

	// flushSub is the kernel's own subscriber on iopub, to status
	// messages only: one reaching it proves zmq4's PUB queue has handed
	// every earlier message to the transport (see flushIOPub).
	flushSub   zmq4.Socket
	flushMu    sync.Mutex
	lastStatus string        // msg_id of the last status published
	seenStatus string        // msg_id of the last status flushSub received
	flushWant  string        // the status flushIOPub waits for
	flushed    chan struct{} // closed when flushWant has come back

	wg sync.WaitGroup // the kernel's goroutines; close waits for them

	mu        sync.Mutex
	closing   bool           // set by close: no new dispatches
	inflight  sync.WaitGroup // dispatches running; Add only under mu while !closing
	count     int            // execution_count of the last stored cell
	history   *history
	inputWait chan *wire.Message // input_reply for the pending input_request, if any
	inputStop chan struct{}      // closed to abandon the pending input_request

	shellQueue chan *wire.Message
	done       chan struct{} // closed when the kernel shuts down
	stopOnce   sync.Once
}

// Run runs a kernel until a shutdown_request, SIGTERM (with HandleSignals)
// or ctx ends it.
func Run(ctx context.Context, cfg Config) error {
	k, err := start(ctx, cfg)
	if err != nil {
		return err
	}
	return k.wait(ctx)
}

func start(ctx context.Context, cfg Config) (*server, error) {
	lg := cfg.Log
	if lg == nil {
		lg = log.New(os.Stderr, "corelab: ", log.LstdFlags|log.Lmicroseconds)
	}
	if cfg.MaxMessage == 0 {
		cfg.MaxMessage = 64 << 20
	}
	if cfg.Evaluator.Log == nil {
		cfg.Evaluator.Log = lg
	}
	info, err := ReadConnectionFile(cfg.ConnectionFile)
	if err != nil {
		return nil, err
	}
	signer, err := wire.NewSigner(info.SignatureScheme, []byte(info.Key))
	if err != nil {
		return nil, err
	}
	if err := transport.Register(transport.Options{
		MaxFrame:   int64(cfg.MaxMessage),
		MaxMessage: int64(cfg.MaxMessage),
		// The heartbeat (the only REP) echoes short pings: jupyter_client
		// sends b"ping". A peer sending more is dropped.
		SocketLimits: map[zmq4.SocketType]int64{zmq4.Rep: maxPing},
		Logf:         func(f string, a ...any) { lg.Printf(f, a...) },
	}); err != nil {
		return nil, fmt.Errorf("register transport: %w", err)
	}
	k := &server{
		cfg:        cfg,
		log:        lg,
		info:       info,
		signer:     signer,
		dec:        wire.Decoder{Signer: signer, MaxSize: cfg.MaxMessage, Replays: &wire.ReplayGuard{}},
		sess:       wire.NewSession("kernel"),
		shellQueue: make(chan *wire.Message, 64),
		done:       make(chan struct{}),
	}
	k.history, err = openHistory(cfg.HistoryFile)
	if err != nil {
		lg.Printf("history: %v (keeping history in memory only)", err)
		k.history, _ = openHistory("")
	}

	// Start the evaluator while the sockets come up: it is the slow part.
	type procResult struct {
		p   *supervisor.Proc
		err error
	}
	pc := make(chan procResult, 1)
	go func() {
		p, err := supervisor.Start(ctx, cfg.Evaluator)
		pc <- procResult{p, err}
	}()

	if err := k.bind(); err != nil {
		if r := <-pc; r.p != nil {
			r.p.Close()
		}
		return nil, err
	}
	r := <-pc
	if r.err != nil {
		k.closeSockets()
		return nil, fmt.Errorf("start evaluator: %w", r.err)
	}
	k.proc = r.p
	k.publish(nil, statusMsg{ExecutionState: "starting"})
	// Each of these is owned by k and joined in close: the loops on a
	// socket end when it is closed, serveShell when done is.
	k.goOwned(k.heartbeat)
	k.goOwned(func() { k.recvLoop(k.shell, "shell", k.onShell) })
	k.goOwned(func() { k.recvLoop(k.control, "control", k.onControl) })
	k.goOwned(func() { k.recvLoop(k.stdin, "stdin", k.onStdin) })
	k.goOwned(k.serveShell)
	if k.flushSub != nil {
		k.goOwned(k.watchStatus)
	}
	return k, nil
}

func (k *server) bind() error {
	ctx := context.Background()
	ep := func(port int) string { return transport.Endpoint(k.info.Transport, k.info.IP, port) }
	k.shell = zmq4.NewRouter(ctx, zmq4.WithTimeout(10*time.Second))
	k.control = zmq4.NewRouter(ctx, zmq4.WithTimeout(10*time.Second))
	k.stdin = zmq4.NewRouter(ctx, zmq4.WithTimeout(10*time.Second))
	k.iopub = zmq4.NewPub(ctx, zmq4.WithTimeout(10*time.Second))
	k.hb = zmq4.NewRep(ctx, zmq4.WithTimeout(10*time.Second))
	for _, s := range []struct {
		name string
		sock zmq4.Socket
		port int
	}{
		{"shell", k.shell, k.info.ShellPort},
		{"control", k.control, k.info.ControlPort},
		{"stdin", k.stdin, k.info.StdinPort},
		{"iopub", k.iopub, k.info.IOPubPort},
		{"hb", k.hb, k.info.HBPort},
	} {
		if err := s.sock.Listen(ep(s.port)); err != nil {
			k.closeSockets()
			return fmt.Errorf("bind %s on %s: %w", s.name, ep(s.port), err)
		}
	}
	sub := zmq4.NewSub(ctx, zmq4.WithDialerMaxRetries(0))
	ip := k.info.IP
	if ip == "0.0.0.0" || ip == "*" || ip == "" {
		ip = "127.0.0.1"
	}
	if err := sub.Dial(transport.Endpoint(k.info.Transport, ip, k.info.IOPubPort)); err != nil {
		k.log.Printf("iopub: no flush subscriber (%v): the last messages at shutdown may be lost", err)
		sub.Close()
		return nil
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, k.topic(statusMsg{}.msgType())); err != nil {
		k.log.Printf("iopub: flush subscriber: %v", err)
		sub.Close()
		return nil
	}
	k.flushSub = sub
	return nil
}

// topic is the iopub topic of a message type.
func (k *server) topic(msgType string) string { return "kernel." + k.sess.ID + "." + msgType }

// watchStatus reads the status messages that come back to flushSub and
// releases flushIOPub when the one it waits for arrives. It ends when
// flushSub is closed.
func (k *server) watchStatus() {
	dec := wire.Decoder{Signer: k.signer}
	for {
		zm, err := k.flushSub.Recv()
		if err != nil {
			return
		}
		m, err := dec.Decode(zm.Frames)
		if err != nil {
			continue
		}
		k.flushMu.Lock()
		k.seenStatus = m.Header.MsgID
		if k.flushed != nil && m.Header.MsgID == k.flushWant {
			close(k.flushed)
			k.flushed = nil
		}
		k.flushMu.Unlock()
	}
}

// flushIOPub returns once every message published before the last status
// message has been handed to the transport (which sends what is queued
// when its sockets close), or after bound. zmq4's PUB sends from a queue
// of its own, in order: when that status reaches the kernel's own
// subscriber, everything before it has been written to every subscriber.
// Every request ends with a status, so this covers every reply's output.
func (k *server) flushIOPub(bound time.Duration) {
	if k.flushSub == nil {
		return
	}
	k.flushMu.Lock()
	want := k.lastStatus
	if want == "" || want == k.seenStatus {
		k.flushMu.Unlock()
		return
	}
	ch := make(chan struct{})
	k.flushWant, k.flushed = want, ch
	k.flushMu.Unlock()
	select {
	case <-ch:
	case <-time.After(bound):
		k.log.Printf("iopub: the last status did not come back within %v; closing anyway", bound)
	}
}

// goOwned runs f on a goroutine that close waits for.
func (k *server) goOwned(f func()) {
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		f()
	}()
}

func (k *server) closeSockets() {
	if k.flushSub != nil {
		k.flushSub.Close()
	}
	for _, s := range []zmq4.Socket{k.shell, k.control, k.stdin, k.iopub, k.hb} {
		if s != nil {
			s.Close()
		}
	}
}

// wait blocks until shutdown, then releases everything.
func (k *server) wait(ctx context.Context) error {
	parentGone := make(chan struct{})
	if pid, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID")); err == nil && pid > 1 {
		k.goOwned(func() { watchParent(pid, k.done, parentGone, k.log) })
	}
	var sigs chan os.Signal
	if k.cfg.HandleSignals {
		sigs = make(chan os.Signal, 4)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(sigs)
	}
	for {
		select {
		case <-k.done:
			return k.close()
		case <-ctx.Done():
			k.stop()
		case <-parentGone:
			k.log.Printf("the process that started the kernel (JPY_PARENT_PID) is gone: shutting down")
			k.stop()
		case s := <-sigs:
			if s == os.Interrupt {
				k.log.Printf("SIGINT: interrupting the running cell")
				k.interrupt()
			} else {
				k.log.Printf("%v: shutting down", s)
				k.stop()
			}
		}
	}
}

// stop ends the kernel: Run returns after releasing everything. Jupyter
// restarts a kernel by stopping the process and starting a new one, so a
// shutdown with restart true ends this process too.
func (k *server) stop() {
	k.stopOnce.Do(func() {
		k.mu.Lock()
		if k.inputStop != nil {
			close(k.inputStop)
			k.inputStop = nil
		}
		k.mu.Unlock()
		close(k.done)
	})
}

// close releases everything in order: the evaluator (so that a running
// cell ends), the requests still being answered, the last iopub messages,
// the sockets (each sends what is queued for its peers, within the
// transport's linger), and the kernel's goroutines.
func (k *server) close() error {
	k.proc.Close()
	k.mu.Lock()
	k.closing = true
	k.mu.Unlock()
	k.inflight.Wait()
	k.flushIOPub(time.Second)
	k.history.close()
	k.closeSockets()
	k.wg.Wait()
	return nil
}

// interrupt stops the running cell and abandons a pending input request.
func (k *server) interrupt() {
	k.mu.Lock()
	if k.inputStop != nil {
		close(k.inputStop)
		k.inputStop = nil
	}
	k.mu.Unlock()
	k.proc.InterruptHard()
}

// recvLoop receives, decodes and verifies messages from sock and hands
// them to handle. It ends when the socket is closed.
func (k *server) recvLoop(sock zmq4.Socket, name string, handle func(*wire.Message)) {
	for {
		zm, err := sock.Recv()
		if err != nil {
			if k.recvFailed(name, err) {
				return
			}
			continue
		}
		msg, err := k.dec.Decode(zm.Frames)
		if err != nil {
			switch {
			case errors.Is(err, wire.ErrBadSignature):
				k.log.Printf("%s: dropped a message with a bad signature (not executed): %v", name, err)
			case errors.Is(err, wire.ErrReplayed):
				k.log.Printf("%s: dropped a replayed message (not executed): %v", name, err)
			case errors.Is(err, wire.ErrTooLarge):
				k.log.Printf("%s: dropped an oversized message: %v", name, err)
			default:
				k.log.Printf("%s: dropped a malformed message (%d frames): %v", name, len(zm.Frames), err)
			}
			continue
		}
		handle(msg)
	}
}

// recvFailed handles a receive error: it reports whether the socket is
// closed for good (shutdown), and otherwise logs and pauses briefly so that
// a failing socket cannot spin.
func (k *server) recvFailed(name string, err error) (closed bool) {
	select {
	case <-k.done:
		return true
	default:
	}
	if errors.Is(err, context.Canceled) {
		return true
	}
	k.log.Printf("%s: receive: %v", name, err)
	time.Sleep(10 * time.Millisecond)
	return false
}

// heartbeat echoes every ping. It ends when hb is closed.
func (k *server) heartbeat() {
	for {
		m, err := k.hb.Recv()
		if err != nil {
			if k.recvFailed("hb", err) {
				return
			}
			continue
		}
		if err := k.hb.Send(m); err != nil {
			k.log.Printf("hb: echo: %v", err)
		}
	}
}

// onShell queues a shell request; serveShell answers them in order.
func (k *server) onShell(m *wire.Message) {
	select {
	case k.shellQueue <- m:
	case <-k.done:
	}
}

func (k *server) serveShell() {
	for {
		select {
		case m := <-k.shellQueue:
			k.dispatch(k.shell, &k.shellMu, m)
		case <-k.done:
			return
		}
	}
}

// onControl answers control requests on the control goroutine itself.
func (k *server) onControl(m *wire.Message) {
	k.dispatch(k.control, &k.ctrlMu, m)
}

// onStdin routes an input_reply to the pending input request.
func (k *server) onStdin(m *wire.Message) {
	if m.Header.MsgType != "input_reply" {
		k.log.Printf("stdin: unexpected %q ignored", m.Header.MsgType)
		return
	}
	k.mu.Lock()
	ch := k.inputWait
	k.mu.Unlock()
	if ch == nil {
		k.log.Printf("stdin: input_reply with no pending input_request ignored")
		return
	}
	select {
	case ch <- m:
	default:
	}
}

// publish sends c on iopub with parent as its parent header.
func (k *server) publish(parent *wire.Message, c content) {
	typ := c.msgType()
	m, err := k.sess.NewMessage(typ, parent, c)
	if err != nil {
		k.log.Printf("iopub: build %s: %v", typ, err)
		return
	}
	m.Identities = [][]byte{[]byte(k.topic(typ))}
	frames := m.Encode(k.signer)
	k.iopubMu.Lock()
	err = k.iopub.Send(zmq4.NewMsgFrom(frames...))
	if _, status := c.(statusMsg); err == nil && status {
		k.flushMu.Lock()
		k.lastStatus = m.Header.MsgID
		k.flushMu.Unlock()
	}
	k.iopubMu.Unlock()
	if err != nil {
		k.log.Printf("iopub: send %s: %v", typ, err)
	}
}

// reply answers req with c on sock (the socket req came in on).
func (k *server) reply(sock zmq4.Socket, mu *sync.Mutex, req *wire.Message, c content) {
	typ := c.msgType()
	m, err := k.sess.Reply(req, typ, c)
	if err != nil {
		k.log.Printf("reply %s: %v", typ, err)
		return
	}
	frames := m.Encode(k.signer)
	mu.Lock()
	err = sock.Send(zmq4.NewMsgFrom(frames...))
	mu.Unlock()
	if err != nil {
		k.log.Printf("send %s: %v", typ, err)
	}
}
