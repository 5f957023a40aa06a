package evalproc

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// The pipe protocol. Each frame is a 4-byte big-endian length n, then n bytes:
// one kind byte followed by a JSON payload. The kernel writes requests on the
// child's fd 3 and reads events from the child's fd 4; the child's fd 1 and
// fd 2 carry raw stdout/stderr bytes interleaved with sync markers.

// Frame kinds, kernel -> child.
const (
	kExecute    byte = 'x'
	kComplete   byte = 'c'
	kInspect    byte = 'i'
	kInputReply byte = 'n'
	kInterrupt  byte = '!'
	kQuit       byte = 'q'
)

// Frame kinds, child -> kernel.
const (
	kReady         byte = 'R'
	kDisplay       byte = 'D'
	kDone          byte = 'E'
	kCompleteReply byte = 'C'
	kInspectReply  byte = 'I'
	kInputRequest  byte = 'P'
)

// maxFrame bounds one frame; a display bundle larger than this is refused.
const maxFrame = 256 << 20

type execReq struct {
	ID         uint64 `json:"id"`
	Code       string `json:"code"`
	Silent     bool   `json:"silent,omitempty"`
	AllowStdin bool   `json:"allow_stdin,omitempty"`
}

type codeReq struct {
	ID     uint64 `json:"id"`
	Code   string `json:"code"`
	Cursor int    `json:"cursor"`
	Detail int    `json:"detail,omitempty"`
}

type inputReply struct {
	ID    uint64 `json:"id"`
	Value string `json:"value"`
	Err   string `json:"err,omitempty"`
}

type readyEv struct {
	Sync      uint64 `json:"sync"`
	PID       int    `json:"pid"`
	GoVersion string `json:"go_version"`
}

type displayEv struct {
	Sync      uint64         `json:"sync"`
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata,omitempty"`
	DisplayID string         `json:"display_id,omitempty"`
	Update    bool           `json:"update,omitempty"`
}

type doneEv struct {
	Sync       uint64         `json:"sync"`
	ID         uint64         `json:"id"`
	Status     string         `json:"status"`
	Result     map[string]any `json:"result,omitempty"`
	ResultMeta map[string]any `json:"result_meta,omitempty"`
	Error      *Error         `json:"error,omitempty"`
}

type completeEv struct {
	Sync    uint64   `json:"sync"`
	ID      uint64   `json:"id"`
	Matches []string `json:"matches"`
	Start   int      `json:"start"`
	End     int      `json:"end"`
}

type inspectEv struct {
	Sync  uint64         `json:"sync"`
	ID    uint64         `json:"id"`
	Found bool           `json:"found"`
	Data  map[string]any `json:"data,omitempty"`
}

type inputEv struct {
	Sync     uint64 `json:"sync"`
	ID       uint64 `json:"id"`
	Prompt   string `json:"prompt"`
	Password bool   `json:"password,omitempty"`
}

// frameWriter writes frames; safe for concurrent use.
type frameWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (fw *frameWriter) write(kind byte, v any) error {
	payload, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode frame %q: %w", kind, err)
	}
	buf := make([]byte, 5+len(payload))
	binary.BigEndian.PutUint32(buf, uint32(1+len(payload)))
	buf[4] = kind
	copy(buf[5:], payload)
	fw.mu.Lock()
	defer fw.mu.Unlock()
	_, err = fw.w.Write(buf)
	return err
}

// frameReader reads frames; not safe for concurrent use.
type frameReader struct {
	r *bufio.Reader
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

var errFrameTooBig = errors.New("evalproc: frame too large")

func (fr *frameReader) read() (kind byte, payload []byte, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > maxFrame {
		return 0, nil, errFrameTooBig
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(fr.r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, err
	}
	return buf[0], buf[1:], nil
}
