package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Delimiter separates the routing identities from the message proper.
const Delimiter = "<IDS|MSG>"

// Version is the messaging protocol version written into every header.
const Version = "5.3"

// DefaultMaxSize is the message size limit of Decode: the sum of the
// lengths of all frames, identities and buffers included.
const DefaultMaxSize = 256 << 20

// dateLayout is ISO 8601 with microseconds and a zone ("Z" for UTC), the
// form Jupyter clients write and parse.
const dateLayout = "2006-01-02T15:04:05.000000Z07:00"

// Errors returned by Decode, to be matched with errors.Is. The returned
// error always says what exactly was wrong.
var (
	// ErrBadSignature: the HMAC of the message does not match its signature.
	ErrBadSignature = errors.New("wire: bad signature")
	// ErrMalformed: the frames are not a Jupyter message (no delimiter,
	// too few frames, a JSON frame that is not a JSON object, ...).
	ErrMalformed = errors.New("wire: malformed message")
	// ErrTooLarge: the frames add up to more than the size limit.
	ErrTooLarge = errors.New("wire: message too large")
	// ErrReplayed: the message's signature was seen before (a replay).
	ErrReplayed = errors.New("wire: replayed message")
)

// Header is the header of a message, and the decoded view of a parent
// header.
type Header struct {
	MsgID    string `json:"msg_id"`
	Session  string `json:"session"`
	Username string `json:"username"`
	Date     string `json:"date"` // ISO 8601 with a time zone
	MsgType  string `json:"msg_type"`
	Version  string `json:"version"`
}

// Message is one Jupyter message. JSON parts stay raw so that what a client
// sent (its header, above all) can be sent back byte for byte as a parent
// header; Content is decoded by the handler that knows its shape.
//
// A decoded Message shares memory with the frames it came from.
type Message struct {
	// Identities are the routing frames before the delimiter (ROUTER peer
	// ids on shell/control/stdin, the topic on iopub).
	Identities [][]byte
	// Header is the message's own header.
	Header Header
	// Parent is the decoded view of ParentJSON; zero when there is none.
	Parent Header
	// ParentJSON is the parent_header frame exactly as received or to be
	// sent. When nil, Encode writes Parent if it is set and {} otherwise.
	ParentJSON json.RawMessage
	// Metadata is the metadata JSON object; nil encodes as {}.
	Metadata json.RawMessage
	// Content is the content JSON object; nil encodes as {}.
	Content json.RawMessage
	// Buffers are the raw binary frames after content.
	Buffers [][]byte

	// headerJSON is the header frame as received, so a reply's parent
	// header is the request's header byte for byte.
	headerJSON json.RawMessage
}

// Decoder decodes frames with a signer and a size limit.
type Decoder struct {
	// Signer verifies signatures; nil accepts unsigned messages.
	Signer *Signer
	// MaxSize caps the total length of all frames; 0 means DefaultMaxSize,
	// a negative value means no limit.
	MaxSize int
	// Replays, if set, refuses a message whose signature it has seen
	// (only signed messages are checked).
	Replays *ReplayGuard
}

// Decode splits frames at the delimiter, checks the size limit and the
// signature, and parses the JSON frames. Errors wrap ErrTooLarge,
// ErrBadSignature, ErrMalformed or (with a Decoder's Replays) ErrReplayed.
func Decode(frames [][]byte, s *Signer) (*Message, error) {
	return Decoder{Signer: s}.Decode(frames)
}

// Decode is the package-level Decode with d's signer and limit.
func (d Decoder) Decode(frames [][]byte) (*Message, error) {
	limit := d.MaxSize
	if limit == 0 {
		limit = DefaultMaxSize
	}
	if limit > 0 {
		total := 0
		for _, f := range frames {
			total += len(f)
			if total > limit {
				return nil, fmt.Errorf("%w: more than %d bytes in %d frames", ErrTooLarge, limit, len(frames))
			}
		}
	}

	delim := -1
	for i, f := range frames {
		if string(f) == Delimiter {
			delim = i
			break
		}
	}
	if delim < 0 {
		return nil, fmt.Errorf("%w: no %s delimiter in %d frames", ErrMalformed, Delimiter, len(frames))
	}
	rest := frames[delim+1:]
	if len(rest) < 5 {
		return nil, fmt.Errorf("%w: %d frames after the delimiter, want at least 5 (signature, header, parent_header, metadata, content)", ErrMalformed, len(rest))
	}
	sig, header, parent, metadata, content := rest[0], rest[1], rest[2], rest[3], rest[4]
	if !d.Signer.Verify(sig, header, parent, metadata, content) {
		return nil, fmt.Errorf("%w: signature %.16q does not match", ErrBadSignature, sig)
	}

	m := &Message{
		Identities: frames[:delim],
		ParentJSON: parent,
		Metadata:   metadata,
		Content:    content,
		headerJSON: header,
	}
	if len(rest) > 5 {
		m.Buffers = rest[5:]
	}
	if err := decodeHeader(header, &m.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformed, err)
	}
	if m.Header.MsgType == "" {
		return nil, fmt.Errorf("%w: header has no msg_type", ErrMalformed)
	}
	if err := decodeHeader(parent, &m.Parent); err != nil {
		return nil, fmt.Errorf("%w: parent_header: %v", ErrMalformed, err)
	}
	if err := checkObject(metadata); err != nil {
		return nil, fmt.Errorf("%w: metadata: %v", ErrMalformed, err)
	}
	if err := checkObject(content); err != nil {
		return nil, fmt.Errorf("%w: content: %v", ErrMalformed, err)
	}
	// Only a message that decodes is recorded, as jupyter_client does: a
	// broken one cannot use up the window.
	if d.Replays != nil && d.Signer.Enabled() && !d.Replays.Add(sig) {
		return nil, fmt.Errorf("%w: signature %.16q was already used by %s %s", ErrReplayed, sig, m.Header.MsgType, m.Header.MsgID)
	}
	return m, nil
}

// decodeHeader parses a header frame, which must be a JSON object.
func decodeHeader(b []byte, h *Header) error {
	if err := checkObject(b); err != nil {
		return err
	}
	return json.Unmarshal(b, h)
}

// checkObject reports whether b is one valid JSON object.
func checkObject(b []byte) error {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return fmt.Errorf("not a JSON object: %.32q", b)
	}
	if !json.Valid(b) {
		return fmt.Errorf("invalid JSON: %.32q", b)
	}
	return nil
}

// Encode returns the frames of m signed with s (nil: unsigned). Nil
// ParentJSON, Metadata and Content encode as {} (ParentJSON as Parent when
// that is set).
func (m *Message) Encode(s *Signer) [][]byte {
	header, err := json.Marshal(&m.Header)
	if err != nil { // a struct of strings always marshals
		panic(err)
	}
	parent := []byte(m.ParentJSON)
	if parent == nil {
		parent = []byte("{}")
		if m.Parent != (Header{}) {
			parent, _ = json.Marshal(&m.Parent)
		}
	}
	metadata := orEmpty(m.Metadata)
	content := orEmpty(m.Content)

	frames := make([][]byte, 0, len(m.Identities)+6+len(m.Buffers))
	frames = append(frames, m.Identities...)
	frames = append(frames,
		[]byte(Delimiter),
		s.Sign(header, parent, metadata, content),
		header, parent, metadata, content)
	return append(frames, m.Buffers...)
}

func orEmpty(b json.RawMessage) []byte {
	if b == nil {
		return []byte("{}")
	}
	return b
}

// HeaderJSON returns the header frame as it was received, or the encoding
// of Header for a message built here.
func (m *Message) HeaderJSON() json.RawMessage {
	if m.headerJSON != nil {
		return m.headerJSON
	}
	b, _ := json.Marshal(&m.Header)
	return b
}

// DecodeContent unmarshals the content into v.
func (m *Message) DecodeContent(v any) error {
	if err := json.Unmarshal(orEmpty(m.Content), v); err != nil {
		return fmt.Errorf("wire: %s content: %w", m.Header.MsgType, err)
	}
	return nil
}

// Session is the sending side of a kernel: its session id and user name go
// into the header of every message it builds. A Session is immutable and
// safe for concurrent use.
type Session struct {
	ID       string
	Username string
}

// NewSession returns a Session with a fresh random id.
func NewSession(username string) *Session {
	return &Session{ID: uuid.NewString(), Username: username}
}

// defaultSession is the Session behind NewMessage and Reply.
var defaultSession = NewSession("kernel")

// NewMessage builds a message of type msgType whose parent header is
// parent's header (none when parent is nil), with content marshalled to
// JSON (nil content encodes as {}). Identities are left empty: set them
// for iopub topics, or use Reply to answer on a ROUTER socket.
func (s *Session) NewMessage(msgType string, parent *Message, content any) (*Message, error) {
	m := &Message{Header: Header{
		MsgID:    uuid.NewString(),
		Session:  s.ID,
		Username: s.Username,
		Date:     time.Now().UTC().Format(dateLayout),
		MsgType:  msgType,
		Version:  Version,
	}}
	if parent != nil {
		m.Parent = parent.Header
		m.ParentJSON = parent.HeaderJSON()
	}
	if content != nil {
		b, err := json.Marshal(content)
		if err != nil {
			return nil, fmt.Errorf("wire: %s content: %w", msgType, err)
		}
		if err := checkObject(b); err != nil {
			return nil, fmt.Errorf("wire: %s content: %v", msgType, err)
		}
		m.Content = b
	}
	return m, nil
}

// Reply builds the answer of type msgType to req: its parent is req and it
// is routed back to req's identities.
func (s *Session) Reply(req *Message, msgType string, content any) (*Message, error) {
	m, err := s.NewMessage(msgType, req, content)
	if err != nil {
		return nil, err
	}
	m.Identities = req.Identities
	return m, nil
}

// NewMessage is Session.NewMessage on a process-wide session with a random
// id and user name "kernel".
func NewMessage(msgType string, parent *Message, content any) (*Message, error) {
	return defaultSession.NewMessage(msgType, parent, content)
}

// Reply is Session.Reply on the process-wide session of NewMessage.
func Reply(req *Message, msgType string, content any) (*Message, error) {
	return defaultSession.Reply(req, msgType, content)
}
