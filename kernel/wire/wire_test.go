package wire

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

var testKey = []byte("secret-key")

func mustSigner(t testing.TB, key []byte) *Signer {
	t.Helper()
	s, err := NewSigner(SchemeHMACSHA256, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignKnownVector(t *testing.T) {
	// Computed with Python's hmac module over the same four frames.
	const want = "e8daa688bf116b5407d8b00b4f8b7b759f68e988c8649d4f731f14236f8b7d7e"
	s := mustSigner(t, testKey)
	header := []byte(`{"msg_id":"a","msg_type":"kernel_info_request"}`)
	got := s.Sign(header, []byte("{}"), []byte("{}"), []byte("{}"))
	if string(got) != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
	if !s.Verify([]byte(strings.ToUpper(want)), header, []byte("{}"), []byte("{}"), []byte("{}")) {
		t.Error("Verify rejects the upper-case hex form of a good signature")
	}
}

func TestNewSigner(t *testing.T) {
	tests := []struct {
		scheme  string
		key     string
		enabled bool
		wantErr bool
	}{
		{"hmac-sha256", "k", true, false},
		{"hmac-sha256", "", false, false},
		{"", "", false, false},
		{"hmac-md5", "", false, false}, // no key: the scheme does not matter
		{"hmac-md5", "k", false, true},
		{"", "k", false, true},
	}
	for _, tt := range tests {
		s, err := NewSigner(tt.scheme, []byte(tt.key))
		if (err != nil) != tt.wantErr {
			t.Errorf("NewSigner(%q, %q) error = %v, wantErr %v", tt.scheme, tt.key, err, tt.wantErr)
			continue
		}
		if err == nil && s.Enabled() != tt.enabled {
			t.Errorf("NewSigner(%q, %q).Enabled() = %v", tt.scheme, tt.key, s.Enabled())
		}
	}
	var nilSigner *Signer
	if nilSigner.Enabled() || len(nilSigner.Sign(nil, nil, nil, nil)) != 0 || !nilSigner.Verify([]byte("x"), nil, nil, nil, nil) {
		t.Error("a nil Signer must mean: no signing")
	}
}

// jupyterClientFrames is an execute_request serialized by jupyter_client
// 7.4.9's Session (key "secret-key"), plus one binary buffer.
func jupyterClientFrames(t testing.TB) [][]byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/jupyter_client_execute_request.json")
	if err != nil {
		t.Fatal(err)
	}
	var enc []string
	if err := json.Unmarshal(raw, &enc); err != nil {
		t.Fatal(err)
	}
	frames := make([][]byte, len(enc))
	for i, e := range enc {
		if frames[i], err = base64.StdEncoding.DecodeString(e); err != nil {
			t.Fatal(err)
		}
	}
	return frames
}

func TestDecodeJupyterClientMessage(t *testing.T) {
	m, err := Decode(jupyterClientFrames(t), mustSigner(t, testKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Identities) != 1 || string(m.Identities[0]) != "peer-1" {
		t.Errorf("Identities = %q", m.Identities)
	}
	h := m.Header
	if h.MsgType != "execute_request" || h.Username != "alice" || h.Session != "0b9f6e2c-client" || h.Version != "5.3" {
		t.Errorf("Header = %+v", h)
	}
	if _, err := time.Parse(time.RFC3339Nano, h.Date); err != nil {
		t.Errorf("date %q: %v", h.Date, err)
	}
	var c struct {
		Code   string `json:"code"`
		Silent bool   `json:"silent"`
	}
	if err := m.DecodeContent(&c); err != nil || c.Code != "1+1" {
		t.Errorf("content = %+v, %v", c, err)
	}
	if string(m.Metadata) != `{"cellId": "c1"}` {
		t.Errorf("metadata = %s", m.Metadata)
	}
	if len(m.Buffers) != 1 || string(m.Buffers[0]) != "\x00\x01binary" {
		t.Errorf("Buffers = %q", m.Buffers)
	}

	// A reply's parent header is the request header byte for byte.
	r, err := Reply(m, "execute_reply", map[string]any{"status": "ok", "execution_count": 1})
	if err != nil {
		t.Fatal(err)
	}
	frames := r.Encode(mustSigner(t, testKey))
	if !bytes.Equal(frames[0], []byte("peer-1")) || string(frames[1]) != Delimiter {
		t.Fatalf("reply routing frames = %q", frames[:2])
	}
	if got, want := frames[4], jupyterClientFrames(t)[3]; !bytes.Equal(got, want) {
		t.Errorf("reply parent_header = %s, want %s", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	s := mustSigner(t, testKey)
	good := func() [][]byte {
		m, err := NewMessage("kernel_info_request", nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		m.Identities = [][]byte{[]byte("id")}
		return m.Encode(s)
	}
	// resign recomputes the signature after a test changed a JSON frame.
	resign := func(f [][]byte) [][]byte {
		f[2] = s.Sign(f[3], f[4], f[5], f[6])
		return f
	}
	tests := []struct {
		name    string
		frames  func() [][]byte
		dec     Decoder
		want    error
		wantMsg string
	}{
		{"no delimiter", func() [][]byte { f := good(); f[1] = []byte("<IDS|MSG"); return f }, Decoder{Signer: s}, ErrMalformed, "no <IDS|MSG> delimiter"},
		{"empty", func() [][]byte { return nil }, Decoder{Signer: s}, ErrMalformed, "no <IDS|MSG>"},
		{"truncated", func() [][]byte { return good()[:6] }, Decoder{Signer: s}, ErrMalformed, "4 frames after the delimiter"},
		{"bad signature", func() [][]byte { f := good(); f[2][0] ^= 1; return f }, Decoder{Signer: s}, ErrBadSignature, "does not match"},
		{"signature not hex", func() [][]byte { f := good(); f[2] = []byte("zz"); return f }, Decoder{Signer: s}, ErrBadSignature, ""},
		{"unsigned to a signer", func() [][]byte { f := good(); f[2] = nil; return f }, Decoder{Signer: s}, ErrBadSignature, ""},
		{"tampered content", func() [][]byte { f := good(); f[6] = []byte(`{"a":1}`); return f }, Decoder{Signer: s}, ErrBadSignature, ""},
		{"header not JSON", func() [][]byte { f := good(); f[3] = []byte("{nope"); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "header: invalid JSON"},
		{"header an array", func() [][]byte { f := good(); f[3] = []byte("[]"); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "header: not a JSON object"},
		{"header wrong type", func() [][]byte { f := good(); f[3] = []byte(`{"msg_type":5}`); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "header"},
		{"no msg_type", func() [][]byte { f := good(); f[3] = []byte(`{"msg_id":"x"}`); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "no msg_type"},
		{"parent not JSON", func() [][]byte { f := good(); f[4] = []byte(`{`); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "parent_header"},
		{"metadata null", func() [][]byte { f := good(); f[5] = []byte(`null`); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "metadata"},
		{"content trailing garbage", func() [][]byte { f := good(); f[6] = []byte(`{} x`); return resign(f) }, Decoder{Signer: s}, ErrMalformed, "content"},
		{"too large", func() [][]byte { f := good(); return append(f, make([]byte, 1000)) }, Decoder{Signer: s, MaxSize: 1000}, ErrTooLarge, "more than 1000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := tt.dec.Decode(tt.frames())
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want %v", m, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	m, _ := NewMessage("comm_msg", nil, nil)
	m.Buffers = [][]byte{make([]byte, 2000)}
	frames := m.Encode(nil)
	if _, err := (Decoder{MaxSize: -1}).Decode(frames); err != nil {
		t.Errorf("no limit: %v", err)
	}
	if _, err := (Decoder{MaxSize: 2000}).Decode(frames); !errors.Is(err, ErrTooLarge) {
		t.Errorf("limit 2000: %v", err)
	}
	if _, err := Decode(frames, nil); err != nil {
		t.Errorf("default limit: %v", err)
	}
}

func TestUnsignedAcceptsAnySignature(t *testing.T) {
	m, _ := NewMessage("status", nil, map[string]string{"execution_state": "idle"})
	frames := m.Encode(mustSigner(t, testKey))
	if _, err := Decode(frames, nil); err != nil {
		t.Fatal(err)
	}
	if got := m.Encode(nil)[1]; len(got) != 0 {
		t.Errorf("unsigned signature frame = %q, want empty", got)
	}
}

func TestRoundTrip(t *testing.T) {
	s := mustSigner(t, testKey)
	req, err := NewMessage("execute_request", nil, map[string]any{"code": "x := 1"})
	if err != nil {
		t.Fatal(err)
	}
	req.Identities = [][]byte{[]byte("a"), []byte("b")}
	req.Metadata = json.RawMessage(`{"k":[1,2]}`)
	req.Buffers = [][]byte{{0, 1, 2}, {}}

	got, err := Decode(req.Encode(s), s)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != req.Header {
		t.Errorf("Header = %+v, want %+v", got.Header, req.Header)
	}
	if got.Parent != (Header{}) || string(got.ParentJSON) != "{}" {
		t.Errorf("Parent = %+v %s, want none", got.Parent, got.ParentJSON)
	}
	if string(got.Content) != `{"code":"x := 1"}` || string(got.Metadata) != `{"k":[1,2]}` {
		t.Errorf("Content %s Metadata %s", got.Content, got.Metadata)
	}
	if len(got.Identities) != 2 || len(got.Buffers) != 2 || !bytes.Equal(got.Buffers[0], []byte{0, 1, 2}) {
		t.Errorf("Identities %q Buffers %q", got.Identities, got.Buffers)
	}

	rep, err := Reply(got, "execute_reply", nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(rep.Encode(s), s)
	if err != nil {
		t.Fatal(err)
	}
	if back.Parent != req.Header {
		t.Errorf("reply Parent = %+v, want %+v", back.Parent, req.Header)
	}
	if string(back.Content) != "{}" || len(back.Identities) != 2 {
		t.Errorf("reply Content %s Identities %q", back.Content, back.Identities)
	}
}

func TestNewMessageHeader(t *testing.T) {
	sess := &Session{ID: "sess-1", Username: "bob"}
	m, err := sess.NewMessage("kernel_info_reply", nil, struct {
		Status string `json:"status"`
	}{"ok"})
	if err != nil {
		t.Fatal(err)
	}
	h := m.Header
	if h.Session != "sess-1" || h.Username != "bob" || h.Version != "5.3" || h.MsgType != "kernel_info_reply" {
		t.Errorf("Header = %+v", h)
	}
	if len(h.MsgID) != 36 {
		t.Errorf("msg_id %q is not a UUID", h.MsgID)
	}
	d, err := time.Parse(time.RFC3339Nano, h.Date)
	if err != nil || !strings.HasSuffix(h.Date, "Z") || time.Since(d) > time.Hour {
		t.Errorf("date %q: %v", h.Date, err)
	}
	m2, _ := sess.NewMessage("x", nil, nil)
	if m2.Header.MsgID == h.MsgID {
		t.Error("two messages share a msg_id")
	}

	for _, bad := range []any{[]int{1}, "s", map[string]float64{"x": 0}} {
		_, err := sess.NewMessage("x", nil, bad)
		if _, isMap := bad.(map[string]float64); isMap {
			if err != nil {
				t.Errorf("content %v: %v", bad, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("content %v (not an object) was accepted", bad)
		}
	}
	if _, err := sess.NewMessage("x", nil, map[string]any{"f": func() {}}); err == nil {
		t.Error("unmarshallable content was accepted")
	}
}

// TestJupyterClientAcceptsOurs checks with the real jupyter_client that a
// message built and signed here deserializes (signature and date) there.
func TestJupyterClientAcceptsOurs(t *testing.T) {
	const py = "/usr/bin/python3"
	script := `
import sys, json, base64
from jupyter_client.session import Session
frames = [base64.b64decode(f) for f in json.load(sys.stdin)]
s = Session(key=b"secret-key")
idents, msg = s.feed_identities(frames)
m = s.deserialize(msg)
print(json.dumps({"type": m["header"]["msg_type"], "parent": m["parent_header"]["msg_id"],
                  "year": m["header"]["date"].year, "tz": str(m["header"]["date"].tzinfo),
                  "content": m["content"], "idents": [i.decode() for i in idents]}))
`
	if err := exec.Command(py, "-c", "import jupyter_client").Run(); err != nil {
		t.Skipf("jupyter_client not available: %v", err)
	}
	req, err := Decode(jupyterClientFrames(t), mustSigner(t, testKey))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Reply(req, "execute_reply", map[string]any{"status": "ok", "execution_count": 3})
	if err != nil {
		t.Fatal(err)
	}
	var enc []string
	for _, f := range rep.Encode(mustSigner(t, testKey)) {
		enc = append(enc, base64.StdEncoding.EncodeToString(f))
	}
	in, _ := json.Marshal(enc)
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("jupyter_client refused our message: %v\n%s", err, out)
	}
	var got struct {
		Type    string         `json:"type"`
		Parent  string         `json:"parent"`
		Year    int            `json:"year"`
		TZ      string         `json:"tz"`
		Content map[string]any `json:"content"`
		Idents  []string       `json:"idents"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got.Type != "execute_reply" || got.Parent != req.Header.MsgID || got.Year < 2020 || got.TZ == "None" ||
		got.Content["execution_count"] != 3.0 || len(got.Idents) != 1 || got.Idents[0] != "peer-1" {
		t.Errorf("jupyter_client saw %+v", got)
	}
}

func BenchmarkEncode(b *testing.B) {
	s := mustSigner(b, testKey)
	req, _ := Decode(jupyterClientFrames(b), s)
	m, _ := Reply(req, "stream", map[string]string{"name": "stdout", "text": strings.Repeat("output line\n", 20)})
	b.ReportAllocs()
	for b.Loop() {
		m.Encode(s)
	}
}

func BenchmarkDecode(b *testing.B) {
	s := mustSigner(b, testKey)
	frames := jupyterClientFrames(b)
	n := 0
	for _, f := range frames {
		n += len(f)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(frames, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewReplyEncode(b *testing.B) {
	s := mustSigner(b, testKey)
	req, _ := Decode(jupyterClientFrames(b), s)
	content := map[string]any{"status": "ok", "execution_count": 1, "user_expressions": map[string]any{}}
	b.ReportAllocs()
	for b.Loop() {
		m, err := Reply(req, "execute_reply", content)
		if err != nil {
			b.Fatal(err)
		}
		m.Encode(s)
	}
}
