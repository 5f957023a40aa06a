package kernel

import (
	"context"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"corelab/kernel/supervisor"
	"corelab/kernel/syntax"
	"corelab/kernel/wire"
)

// dispatch answers one request, between status busy and status idle. A
// panic in a handler is a bug of ours, not the client's: it is logged with
// its stack, the request gets an error reply (unless one went out), and
// the kernel carries on.
func (k *server) dispatch(sock zmq4.Socket, mu *sync.Mutex, m *wire.Message) {
	k.mu.Lock()
	if k.closing {
		k.mu.Unlock()
		return
	}
	k.inflight.Add(1)
	k.mu.Unlock()
	defer k.inflight.Done()
	k.publish(m, statusMsg{ExecutionState: "busy"})
	defer k.publish(m, statusMsg{ExecutionState: "idle"})
	replied := false
	r := func(c content) {
		replied = true
		k.reply(sock, mu, m, c)
	}
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		t := m.Header.MsgType
		k.log.Printf("panic answering %s %s: %v\n%s", t, m.Header.MsgID, p, debug.Stack())
		if isRequest(t) && !replied {
			k.reply(sock, mu, m, errorReply{request: t, Status: "error", errorContent: errorContent{Ename: "KernelError",
				Evalue:    fmt.Sprintf("corelab failed answering %s: %v (a bug: please report it)", t, p),
				Traceback: []string{}}})
		}
	}()
	if testFault != nil {
		testFault(m.Header.MsgType)
	}
	switch t := m.Header.MsgType; t {
	case "kernel_info_request":
		r(k.kernelInfo())
	case "execute_request":
		if sock == k.control {
			// A cell on control would hold the goroutine that serves
			// interrupt_request, so nothing could interrupt it.
			k.log.Printf("execute_request on control refused: it belongs on shell")
			r(executeError{Status: "error", ExecutionCount: k.executionCount(),
				errorContent: errorContent{Ename: "WrongChannel",
					Evalue:    "execute_request is served on the shell channel, not on control",
					Traceback: []string{}}})
			return
		}
		k.execute(m, r)
	case "complete_request":
		k.complete(m, r)
	case "inspect_request":
		k.inspect(m, r)
	case "is_complete_request":
		k.isComplete(m, r)
	case "history_request":
		k.historyReq(m, r)
	case "comm_info_request":
		r(commInfoReply{Status: "ok", Comms: map[string]any{}})
	case "interrupt_request":
		k.interrupt()
		r(interruptReply{Status: "ok"})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		m.DecodeContent(&c)
		reply := shutdownReply{Status: "ok", Restart: c.Restart}
		r(reply)
		k.publish(m, reply)
		k.stop()
	case "comm_open", "comm_msg", "comm_close":
		// No comm targets: ignore, as the protocol allows.
		k.log.Printf("%s ignored: no comm targets", t)
	default:
		k.log.Printf("unknown msg_type %q ignored", t)
		if isRequest(t) {
			r(errorReply{request: t, Status: "error", errorContent: errorContent{Ename: "UnknownMessageType",
				Evalue: fmt.Sprintf("corelab does not handle %q", t), Traceback: []string{}}})
		}
	}
}

// isRequest reports whether msgType names a request (X_request), which
// is answered by an X_reply.
func isRequest(msgType string) bool {
	base, ok := strings.CutSuffix(msgType, "_request")
	return ok && base != ""
}

func (k *server) kernelInfo() kernelInfoReply {
	goVersion := strings.TrimPrefix(goruntime.Version(), "go")
	version := k.cfg.Version
	if version == "" {
		version = "dev"
	}
	return kernelInfoReply{
		Status:                "ok",
		ProtocolVersion:       wire.Version,
		Implementation:        "corelab",
		ImplementationVersion: version,
		LanguageInfo: languageInfo{
			Name:           "go",
			Version:        goVersion,
			Mimetype:       "text/x-go",
			FileExtension:  ".go",
			PygmentsLexer:  "go",
			CodemirrorMode: "go",
		},
		Banner: fmt.Sprintf("corelab %s — Go %s, interpreted by yaegi, with a lab on how CPython uses many cores\n"+
			"%%help lists the magics; import rt \"corelab/runtime\" for the lab.", version, goVersion),
		HelpLinks: []helpLink{
			{Text: "Go documentation", URL: "https://go.dev/doc/"},
			{Text: "Go standard library", URL: "https://pkg.go.dev/std"},
			{Text: "The Go language specification", URL: "https://go.dev/ref/spec"},
		},
		Debugger: false,
	}
}

type executeContent struct {
	Code            string         `json:"code"`
	Silent          bool           `json:"silent"`
	StoreHistory    *bool          `json:"store_history"`
	UserExpressions map[string]any `json:"user_expressions"`
	AllowStdin      bool           `json:"allow_stdin"`
	StopOnError     *bool          `json:"stop_on_error"`
}

func (k *server) execute(m *wire.Message, r func(content)) {
	var c executeContent
	if err := m.DecodeContent(&c); err != nil {
		k.log.Printf("execute_request: bad content: %v", err)
		r(executeError{Status: "error", ExecutionCount: k.executionCount(),
			errorContent: errorContent{Ename: "BadRequest", Evalue: err.Error(), Traceback: []string{}}})
		return
	}
	store := !c.Silent && (c.StoreHistory == nil || *c.StoreHistory)
	k.mu.Lock()
	if store {
		k.count++
	}
	count := k.count
	k.mu.Unlock()
	if !c.Silent {
		k.publish(m, executeInput{Code: c.Code, ExecutionCount: count})
	}

	out := newStreamer(k, m)
	var onInput func(string, bool) (string, error)
	if c.AllowStdin {
		onInput = func(prompt string, password bool) (string, error) { return k.askInput(m, prompt, password) }
	}
	label := ""
	if store {
		label = fmt.Sprintf("In[%d]", count) // what the front end shows beside the cell
	}
	rep, err := k.proc.Run(context.Background(), supervisor.Cell{
		Code:       c.Code,
		Label:      label,
		Silent:     c.Silent,
		AllowStdin: c.AllowStdin,
		OnOutput:   out.output,
		OnInput:    onInput,
	})
	out.flush()
	if store {
		k.history.add(count, c.Code)
	}
	if err != nil {
		rep = supervisor.Reply{Status: "error", Error: &supervisor.Error{Name: "KernelError", Value: err.Error(),
			Traceback: []string{"KernelError: " + err.Error()}}}
	}
	var reply content
	failed := rep.Status != "ok"
	if !failed {
		if rep.Result != nil && !c.Silent {
			k.publish(m, executeResult{ExecutionCount: count, Data: rep.Result, Metadata: orEmpty(rep.ResultMeta)})
		}
		reply = executeOK{Status: "ok", ExecutionCount: count, UserExpressions: map[string]any{}, Payload: []any{}}
	} else {
		e := rep.Error
		if e == nil {
			e = &supervisor.Error{Name: "Error", Value: "the cell failed", Traceback: []string{}}
		}
		if e.Traceback == nil {
			e.Traceback = []string{}
		}
		ec := errorContent{Ename: e.Name, Evalue: e.Value, Traceback: e.Traceback}
		reply = executeError{Status: "error", ExecutionCount: count, errorContent: ec}
		k.publish(m, errorMsg{ec})
	}
	// Requests queued while the failed cell ran are aborted before its reply
	// goes out: a client that sends its next cell on seeing the reply (as
	// Run All does after an interrupt) must find it executed, not aborted.
	if failed && (c.StopOnError == nil || *c.StopOnError) {
		k.abortQueued()
	}
	r(reply)
}

// abortQueued answers execute requests already queued behind a failed cell
// with status "aborted", as ipykernel does for stop_on_error.
func (k *server) abortQueued() {
	for {
		select {
		case q := <-k.shellQueue:
			if q.Header.MsgType != "execute_request" {
				k.dispatch(k.shell, &k.shellMu, q)
				continue
			}
			k.publish(q, statusMsg{ExecutionState: "busy"})
			k.reply(k.shell, &k.shellMu, q, executeAborted{Status: "aborted", ExecutionCount: k.executionCount()})
			k.publish(q, statusMsg{ExecutionState: "idle"})
		default:
			return
		}
	}
}

func (k *server) executionCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.count
}

// askInput sends an input_request on stdin to the client of req and waits
// for its input_reply (or an interrupt, or shutdown).
func (k *server) askInput(req *wire.Message, prompt string, password bool) (string, error) {
	ch := make(chan *wire.Message, 1)
	stop := make(chan struct{})
	k.mu.Lock()
	k.inputWait, k.inputStop = ch, stop
	k.mu.Unlock()
	defer func() {
		k.mu.Lock()
		if k.inputWait == ch {
			k.inputWait = nil
		}
		if k.inputStop == stop {
			k.inputStop = nil
		}
		k.mu.Unlock()
	}()
	k.reply(k.stdin, &k.stdinMu, req, inputRequest{Prompt: prompt, Password: password})
	select {
	case m := <-ch:
		var c struct {
			Value string `json:"value"`
		}
		if err := m.DecodeContent(&c); err != nil {
			return "", fmt.Errorf("bad input_reply: %w", err)
		}
		return c.Value, nil
	case <-stop:
		return "", supervisor.ErrInputInterrupted
	case <-k.done:
		return "", fmt.Errorf("kernel shutting down")
	}
}

type codeContent struct {
	Code        string `json:"code"`
	CursorPos   int    `json:"cursor_pos"`
	DetailLevel int    `json:"detail_level"`
}

func (k *server) complete(m *wire.Message, r func(content)) {
	var c codeContent
	m.DecodeContent(&c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	matches, start, end, err := k.proc.Complete(ctx, c.Code, c.CursorPos)
	if err != nil {
		k.log.Printf("complete: %v", err)
		matches, start, end = nil, c.CursorPos, c.CursorPos
	}
	if matches == nil {
		matches = []string{}
	}
	r(completeReply{Status: "ok", Matches: matches, CursorStart: start,
		CursorEnd: end, Metadata: map[string]any{}})
}

func (k *server) inspect(m *wire.Message, r func(content)) {
	var c codeContent
	m.DecodeContent(&c)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	data, found, err := k.proc.Inspect(ctx, c.Code, c.CursorPos, c.DetailLevel)
	if err != nil {
		k.log.Printf("inspect: %v", err)
	}
	r(inspectReply{Status: "ok", Found: found, Data: orEmpty(data), Metadata: map[string]any{}})
}

func (k *server) isComplete(m *wire.Message, r func(content)) {
	var c codeContent
	m.DecodeContent(&c)
	// Answered here, from the text alone (kernel/syntax): no evaluator
	// round trip on every key press of a console.
	status, indent := syntax.IsComplete(c.Code)
	reply := isCompleteReply{Status: status}
	if status == syntax.Incomplete {
		reply.Indent = &indent
	}
	r(reply)
}
