// Package wire is the protocol between the notebook and a `corelab worker`
// process of the Processes model: frames of a 4-byte big-endian length and
// a JSON message, over the two pipes the notebook hands the worker.
package wire

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// WorkerEnv is set to "1" in a worker process's environment; a test binary
// re-executed as a worker checks it in TestMain.
const WorkerEnv = "CORELAB_WORKER"

// MaxFrame bounds a frame (declarations of a big notebook, large args).
const MaxFrame = 64 << 20

// Msg is one message: setup and call go to the worker, ready and result
// come back.
type Msg struct {
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

// Write writes m as one frame.
func Write(w io.Writer, m *Msg) error {
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

// Read reads one frame, refusing one above MaxFrame.
func Read(r io.Reader) (*Msg, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n > MaxFrame {
		return nil, fmt.Errorf("frame of %d bytes exceeds %d", n, MaxFrame)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	var m Msg
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode frame: %w", err)
	}
	return &m, nil
}
