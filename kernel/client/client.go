package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-zeromq/zmq4"

	"corelab/kernel"
	"corelab/kernel/wire"
)

// Client is connected to one kernel's five sockets.
type Client struct {
	Info    kernel.ConnectionInfo
	Session *wire.Session
	Signer  *wire.Signer

	Shell, Control, Stdin, IOPub, HB zmq4.Socket

	shellCh, controlCh, stdinCh, iopubCh chan *wire.Message

	mu     sync.Mutex
	closed bool
	cancel context.CancelFunc
}

// Dial connects to the kernel described by info. It does not wait for the
// kernel to answer; see WaitReady.
func Dial(ctx context.Context, info kernel.ConnectionInfo) (*Client, error) {
	signer, err := wire.NewSigner(info.SignatureScheme, []byte(info.Key))
	if err != nil {
		return nil, err
	}
	sess := wire.NewSession("client")
	cctx, cancel := context.WithCancel(context.Background())
	c := &Client{Info: info, Session: sess, Signer: signer, cancel: cancel,
		shellCh: make(chan *wire.Message, 256), controlCh: make(chan *wire.Message, 256),
		stdinCh: make(chan *wire.Message, 256), iopubCh: make(chan *wire.Message, 1<<14)}
	opts := []zmq4.Option{zmq4.WithDialerRetry(5 * time.Millisecond), zmq4.WithDialerMaxRetries(2000), zmq4.WithTimeout(10 * time.Second)}
	id := zmq4.SocketIdentity(sess.ID)
	c.Shell = zmq4.NewDealer(cctx, append(opts, zmq4.WithID(id))...)
	c.Control = zmq4.NewDealer(cctx, append(opts, zmq4.WithID(id))...)
	c.Stdin = zmq4.NewDealer(cctx, append(opts, zmq4.WithID(id))...)
	c.IOPub = zmq4.NewSub(cctx, opts...)
	c.HB = zmq4.NewReq(cctx, opts...)
	ep := func(port int) string {
		return "tcp://" + net.JoinHostPort(info.IP, strconv.Itoa(port))
	}
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{c.Shell, info.ShellPort}, {c.Control, info.ControlPort}, {c.Stdin, info.StdinPort}, {c.IOPub, info.IOPubPort}, {c.HB, info.HBPort}} {
		if err := s.sock.Dial(ep(s.port)); err != nil {
			c.Close()
			return nil, fmt.Errorf("dial %s: %w", ep(s.port), err)
		}
	}
	if err := c.IOPub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		c.Close()
		return nil, err
	}
	// One reader per socket; each ends when Close closes its socket.
	go c.read(c.Shell, c.shellCh)
	go c.read(c.Control, c.controlCh)
	go c.read(c.Stdin, c.stdinCh)
	go c.read(c.IOPub, c.iopubCh)
	return c, nil
}

func (c *Client) read(sock zmq4.Socket, ch chan *wire.Message) {
	dec := wire.Decoder{Signer: c.Signer, MaxSize: -1}
	for {
		zm, err := sock.Recv()
		if err != nil {
			c.mu.Lock()
			closed := c.closed
			c.mu.Unlock()
			if closed {
				close(ch)
				return
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		m, err := dec.Decode(zm.Frames)
		if err != nil {
			continue
		}
		ch <- m
	}
}

// Close disconnects.
func (c *Client) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	for _, s := range []zmq4.Socket{c.Shell, c.Control, c.Stdin, c.IOPub, c.HB} {
		if s != nil {
			s.Close()
		}
	}
	c.cancel()
	return nil
}

// Channel names for Send and Recv.
const (
	Shell   = "shell"
	Control = "control"
	Stdin   = "stdin"
)

func (c *Client) sock(name string) (zmq4.Socket, chan *wire.Message) {
	switch name {
	case Control:
		return c.Control, c.controlCh
	case Stdin:
		return c.Stdin, c.stdinCh
	}
	return c.Shell, c.shellCh
}

// Send sends a request on a channel and returns it (its header identifies
// the answers).
func (c *Client) Send(channel, msgType string, content any) (*wire.Message, error) {
	m, err := c.Session.NewMessage(msgType, nil, content)
	if err != nil {
		return nil, err
	}
	return m, c.SendMessage(channel, m)
}

// SendMessage sends a prepared message.
func (c *Client) SendMessage(channel string, m *wire.Message) error {
	sock, _ := c.sock(channel)
	return sock.Send(zmq4.NewMsgFrom(m.Encode(c.Signer)...))
}

// SendFrames sends raw frames (for tests of malformed input).
func (c *Client) SendFrames(channel string, frames ...[]byte) error {
	sock, _ := c.sock(channel)
	return sock.Send(zmq4.NewMsgFrom(frames...))
}

// ErrTimeout is returned when nothing arrives in time.
var ErrTimeout = errors.New("client: timed out")

// Recv returns the next message on a channel.
func (c *Client) Recv(ctx context.Context, channel string) (*wire.Message, error) {
	_, ch := c.sock(channel)
	return recv(ctx, ch)
}

// RecvIOPub returns the next iopub message.
func (c *Client) RecvIOPub(ctx context.Context) (*wire.Message, error) {
	return recv(ctx, c.iopubCh)
}

func recv(ctx context.Context, ch chan *wire.Message) (*wire.Message, error) {
	select {
	case m, ok := <-ch:
		if !ok {
			return nil, errors.New("client: closed")
		}
		return m, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %v", ErrTimeout, ctx.Err())
	}
}

// Reply waits for the answer to req on channel, skipping others.
func (c *Client) Reply(ctx context.Context, channel string, req *wire.Message) (*wire.Message, error) {
	for {
		m, err := c.Recv(ctx, channel)
		if err != nil {
			return nil, err
		}
		if m.Parent.MsgID == req.Header.MsgID {
			return m, nil
		}
	}
}

// Call sends a request and waits for its reply on the same channel.
func (c *Client) Call(ctx context.Context, channel, msgType string, content any) (*wire.Message, error) {
	req, err := c.Send(channel, msgType, content)
	if err != nil {
		return nil, err
	}
	return c.Reply(ctx, channel, req)
}

// WaitReady sends kernel_info_request until a reply arrives and iopub
// carries its status messages, so no iopub message is lost afterwards
// (PUB/SUB drops what is published before the subscription arrives).
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		req, err := c.Send(Shell, "kernel_info_request", nil)
		if err != nil {
			return err
		}
		if _, err := c.Reply(ctx, Shell, req); err != nil {
			return err
		}
		t := time.NewTimer(300 * time.Millisecond)
		for {
			select {
			case m := <-c.iopubCh:
				if m.Parent.MsgID == req.Header.MsgID && m.Header.MsgType == "status" &&
					strings.Contains(string(m.Content), "idle") {
					t.Stop()
					c.drainIOPub()
					return nil
				}
				continue
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
			break
		}
	}
}

func (c *Client) drainIOPub() {
	for {
		select {
		case <-c.iopubCh:
		default:
			return
		}
	}
}

// Heartbeat sends one ping and waits for the echo.
func (c *Client) Heartbeat(ctx context.Context) error {
	done := make(chan error, 1)
	go func() { // ends when the echo arrives or the socket is closed
		if err := c.HB.Send(zmq4.NewMsgString("ping")); err != nil {
			done <- err
			return
		}
		m, err := c.HB.Recv()
		if err == nil && string(m.Bytes()) != "ping" {
			err = fmt.Errorf("heartbeat echoed %q", m.Bytes())
		}
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ErrTimeout
	}
}

// Result is everything one execute_request produced.
type Result struct {
	Request *wire.Message
	Reply   *wire.Message
	Content map[string]any // the execute_reply content
	IOPub   []*wire.Message
	Stdout  string
	Stderr  string
	Streams int // number of stream messages
}

// Status returns the reply's status.
func (r *Result) Status() string { s, _ := r.Content["status"].(string); return s }

// Types lists the msg_types of the iopub messages, in order.
func (r *Result) Types() []string {
	var t []string
	for _, m := range r.IOPub {
		t = append(t, m.Header.MsgType)
	}
	return t
}

// Find returns the content of the first iopub message of msgType.
func (r *Result) Find(msgType string) map[string]any {
	for _, m := range r.IOPub {
		if m.Header.MsgType == msgType {
			var c map[string]any
			m.DecodeContent(&c)
			return c
		}
	}
	return nil
}

// ExecuteOptions tune Execute; nil means defaults.
type ExecuteOptions struct {
	Silent       bool
	StoreHistory *bool
	AllowStdin   bool
	// OnInput answers input_request messages (when AllowStdin).
	OnInput func(prompt string, password bool) string
	// Channel sends the request on another channel than shell.
	Channel string
}

// Execute runs code and collects the reply and every iopub message with the
// request as parent up to status idle.
func (c *Client) Execute(ctx context.Context, code string, o *ExecuteOptions) (*Result, error) {
	if o == nil {
		o = &ExecuteOptions{}
	}
	content := map[string]any{"code": code, "silent": o.Silent, "allow_stdin": o.AllowStdin,
		"user_expressions": map[string]any{}, "stop_on_error": true}
	if o.StoreHistory != nil {
		content["store_history"] = *o.StoreHistory
	} else {
		content["store_history"] = !o.Silent
	}
	ch := o.Channel
	if ch == "" {
		ch = Shell
	}
	req, err := c.Send(ch, "execute_request", content)
	if err != nil {
		return nil, err
	}
	return c.Collect(ctx, ch, req, o.OnInput)
}

// Collect gathers the reply to req and its iopub messages up to idle.
func (c *Client) Collect(ctx context.Context, channel string, req *wire.Message, onInput func(string, bool) string) (*Result, error) {
	return c.CollectWith(ctx, channel, req, CollectOptions{OnInput: onInput})
}

// CollectOptions tune CollectWith.
type CollectOptions struct {
	// OnInput answers input_request messages.
	OnInput func(prompt string, password bool) string
	// OnIOPub sees each iopub message of the request as it arrives (a
	// test waits on it for a cell to start, instead of sleeping).
	OnIOPub func(*wire.Message)
}

// CollectWith is Collect with options.
func (c *Client) CollectWith(ctx context.Context, channel string, req *wire.Message, o CollectOptions) (*Result, error) {
	onInput := o.OnInput
	res := &Result{Request: req}
	_, replyCh := c.sock(channel)
	idle := false
	var sb, eb strings.Builder
	for res.Reply == nil || !idle {
		select {
		case m, ok := <-replyCh:
			if !ok {
				return res, errors.New("client: closed")
			}
			if m.Parent.MsgID == req.Header.MsgID {
				res.Reply = m
				m.DecodeContent(&res.Content)
			}
		case m, ok := <-c.iopubCh:
			if !ok {
				return res, errors.New("client: closed")
			}
			if m.Parent.MsgID != req.Header.MsgID {
				continue
			}
			res.IOPub = append(res.IOPub, m)
			if o.OnIOPub != nil {
				o.OnIOPub(m)
			}
			switch m.Header.MsgType {
			case "status":
				if strings.Contains(string(m.Content), `"idle"`) {
					idle = true
				}
			case "stream":
				var s struct{ Name, Text string }
				m.DecodeContent(&s)
				res.Streams++
				if s.Name == "stderr" {
					eb.WriteString(s.Text)
				} else {
					sb.WriteString(s.Text)
				}
			}
		case m, ok := <-c.stdinCh:
			if !ok {
				return res, errors.New("client: closed")
			}
			if m.Header.MsgType == "input_request" {
				var r struct {
					Prompt   string `json:"prompt"`
					Password bool   `json:"password"`
				}
				m.DecodeContent(&r)
				v := ""
				if onInput != nil {
					v = onInput(r.Prompt, r.Password)
				}
				rep, _ := c.Session.NewMessage("input_reply", m, map[string]any{"value": v, "status": "ok"})
				c.SendMessage(Stdin, rep)
			}
		case <-ctx.Done():
			res.Stdout, res.Stderr = sb.String(), eb.String()
			return res, fmt.Errorf("%w waiting for %s (reply=%v idle=%v)", ErrTimeout, req.Header.MsgType, res.Reply != nil, idle)
		}
	}
	res.Stdout, res.Stderr = sb.String(), eb.String()
	return res, nil
}

// LocalConnection returns connection info for a kernel on 127.0.0.1 with
// five free TCP ports and key as its signing key (for tests and benchmarks
// that start kernels themselves).
func LocalConnection(key string) (kernel.ConnectionInfo, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for i := 0; i < 5; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return kernel.ConnectionInfo{}, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return kernel.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", ShellPort: ports[0], IOPubPort: ports[1],
		StdinPort: ports[2], ControlPort: ports[3], HBPort: ports[4], Key: key, SignatureScheme: wire.SchemeHMACSHA256}, nil
}
