package supervisor

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"sync"
)

// The pipe protocol (see the package doc for how stdout and stderr stay in
// order with events). Each frame is a 4-byte big-endian length n, then n bytes:
// one kind byte, a JSON header ending in a newline (the only raw newline in
// it), and for requests that carry a cell's code, the code as raw bytes. So
// a frame's size is what was sent plus a small header, whatever the code's
// bytes are (JSON would grow "<" sixfold and control bytes as much). The kernel writes requests on the
// child's fd 3 and reads events from the child's fd 4; the child's fd 1 and
// fd 2 carry raw stdout/stderr bytes interleaved with sync markers.

// Frame kinds, kernel -> child.
const (
	kExecute    byte = 'x'
	kComplete   byte = 'c'
	kInspect    byte = 'i'
	kInputReply byte = 'n'
	kInterrupt  byte = '!'
	kAck        byte = 'a' // an event was delivered (every event but ready)
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

// maxFrame bounds one frame. Requests are bounded by the kernel's message
// limit (64 MiB), events by the child's caps on results, displays and
// errors (see capBundle); a frame over it is refused by its writer, and a
// reader that meets one ends the child (see readEvents).
const maxFrame = 256 << 20

type execReq struct {
	ID         uint64 `json:"id"`
	Code       string `json:"-"` // the frame's raw tail
	Silent     bool   `json:"silent,omitempty"`
	AllowStdin bool   `json:"allow_stdin,omitempty"`
	Label      string `json:"label,omitempty"`
}

type codeReq struct {
	ID     uint64 `json:"id"`
	Code   string `json:"-"` // the frame's raw tail
	Cursor int    `json:"cursor"`
	Detail int    `json:"detail,omitempty"`
}

type ackReq struct {
	Sync uint64 `json:"sync"`
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

// write writes a frame with v as its JSON header and no tail.
func (fw *frameWriter) write(kind byte, v any) error { return fw.writeTail(kind, v, "") }

// writeTail writes a frame with v as its JSON header and tail as raw bytes
// after it. A frame over maxFrame is not written: the error says so.
func (fw *frameWriter) writeTail(kind byte, v any, tail string) error {
	var head bytes.Buffer
	head.Write([]byte{0, 0, 0, 0, kind})
	enc := json.NewEncoder(&head)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // ends with the newline that ends the header
		return fmt.Errorf("encode frame %q: %w", kind, err)
	}
	n := head.Len() - 4 + len(tail)
	if n > maxFrame {
		return &frameTooBigError{kind: kind, size: n}
	}
	buf := head.Bytes()
	binary.BigEndian.PutUint32(buf, uint32(n))
	fw.mu.Lock()
	defer fw.mu.Unlock()
	if _, err := fw.w.Write(buf); err != nil {
		return err
	}
	if len(tail) > 0 {
		_, err := io.WriteString(fw.w, tail)
		return err
	}
	return nil
}

// frameReader reads frames; not safe for concurrent use.
type frameReader struct {
	r *bufio.Reader
}

func newFrameReader(r io.Reader) *frameReader {
	return &frameReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// frameTooBigError is a frame over maxFrame, refused by its writer or its
// reader.
type frameTooBigError struct {
	kind byte // 0 when the reader refused it (the kind is not read)
	size int
}

func (e *frameTooBigError) Error() string {
	return fmt.Sprintf("supervisor: a frame of %d bytes is over the %d-byte limit", e.size, maxFrame)
}

// read reads one frame: its kind, its JSON header and its raw tail. A frame
// over maxFrame is not read (a *frameTooBigError); the stream cannot go on
// after that.
func (fr *frameReader) read() (kind byte, head, tail []byte, err error) {
	var hdr [4]byte
	if _, err := io.ReadFull(fr.r, hdr[:]); err != nil {
		return 0, nil, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 || n > maxFrame {
		return 0, nil, nil, &frameTooBigError{size: int(n)}
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(fr.r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, nil, err
	}
	head = buf[1:]
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head, tail = head[:i], head[i+1:]
	}
	return buf[0], head, tail, nil
}
