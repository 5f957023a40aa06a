package wire

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	in := &Msg{Kind: "call", Func: "work", Worker: 1, Interval: 5 * time.Millisecond,
		Args: []json.RawMessage{json.RawMessage(`[1,2]`)}, Traceback: []string{"line 1"}}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	out, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("read %+v, wrote %+v", out, in)
	}
}

// A frame announcing more than MaxFrame is refused before anything is
// allocated for it.
func TestFrameTooBig(t *testing.T) {
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], MaxFrame+1)
	if _, err := Read(bytes.NewReader(hdr[:])); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("got %v, want a frame-size error", err)
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	_ = Write(&buf, &Msg{Kind: "ready", RSS: 1 << 20})
	f.Add(buf.Bytes())
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(bytes.NewReader(b))
		if err == nil && m == nil {
			t.Fatal("no message and no error")
		}
	})
}
