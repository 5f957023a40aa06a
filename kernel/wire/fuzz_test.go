package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/fuzz/FuzzDecode seeds")

// fuzzMaxSize keeps the fuzzer's messages small and lets the "huge buffers"
// seed hit the size limit.
const fuzzMaxSize = 4096

// packFrames joins frames as (uvarint length, bytes)... so that one fuzz
// input is a whole multipart message.
func packFrames(frames [][]byte) []byte {
	var out []byte
	for _, f := range frames {
		out = binary.AppendUvarint(out, uint64(len(f)))
		out = append(out, f...)
	}
	return out
}

// unpackFrames is the inverse of packFrames; a short last frame takes what
// is left, so every input is some list of frames.
func unpackFrames(b []byte) [][]byte {
	var frames [][]byte
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		if k <= 0 {
			return append(frames, b)
		}
		b = b[k:]
		if n > uint64(len(b)) {
			n = uint64(len(b))
		}
		frames = append(frames, b[:n])
		b = b[n:]
	}
	return frames
}

// fuzzSeeds are the committed seed inputs, by file name.
func fuzzSeeds() map[string][]byte {
	s, _ := NewSigner(SchemeHMACSHA256, testKey)
	sess := &Session{ID: "seed-session", Username: "seed"}
	req, _ := sess.NewMessage("execute_request", nil, map[string]any{"code": "fmt.Println(1)", "silent": false})
	req.Identities = [][]byte{[]byte("peer")}
	req.Header.MsgID = "seed-msg-id"
	req.Header.Date = "2026-01-01T00:00:00.000000Z"
	valid := req.Encode(s)

	withBuf := *req
	withBuf.Buffers = [][]byte{{0, 1, 2, 3}}
	huge := *req
	huge.Buffers = [][]byte{bytes.Repeat([]byte{0xAB}, fuzzMaxSize+1)}
	badJSON := req.Encode(nil)
	badJSON[6] = []byte(`{"code": "x", "silent": tru`)
	badSig := req.Encode(s)
	badSig[2] = bytes.Repeat([]byte("0"), 64)

	return map[string][]byte{
		"valid-signed":    packFrames(valid),
		"valid-unsigned":  packFrames(req.Encode(nil)),
		"valid-buffers":   packFrames(withBuf.Encode(s)),
		"truncated":       packFrames(valid[:5]),
		"truncated-bytes": packFrames(valid)[:40],
		"bad-json":        packFrames(badJSON),
		"no-delimiter":    packFrames(append([][]byte{[]byte("peer")}, valid[2:]...)),
		"bad-signature":   packFrames(badSig),
		"huge-buffers":    packFrames(huge.Encode(s)),
		"empty":           {},
	}
}

// TestFuzzCorpus checks the committed seeds are the ones fuzzSeeds makes;
// go test -run TestFuzzCorpus -update-corpus rewrites them.
func TestFuzzCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	for name, data := range fuzzSeeds() {
		file := filepath.Join(dir, name)
		want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data)
		if *updateCorpus {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(file)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("seed %s is missing or stale (run go test -run TestFuzzCorpus -update-corpus): %v", file, err)
		}
	}
}

// FuzzDecode feeds arbitrary frame lists to Decode, signed and unsigned.
// Decode must never panic, must fail only with its typed errors, and what
// it accepts must survive Encode+Decode unchanged.
func FuzzDecode(f *testing.F) {
	s, _ := NewSigner(SchemeHMACSHA256, testKey)
	f.Fuzz(func(t *testing.T, data []byte) {
		frames := unpackFrames(data)
		for _, signer := range []*Signer{s, nil} {
			d := Decoder{Signer: signer, MaxSize: fuzzMaxSize}
			m, err := d.Decode(frames)
			if err != nil {
				if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrTooLarge) {
					t.Fatalf("untyped error %v", err)
				}
				continue
			}
			again, err := Decoder{Signer: s, MaxSize: -1}.Decode(m.Encode(s))
			if err != nil {
				t.Fatalf("re-decode of an accepted message: %v", err)
			}
			if again.Header != m.Header || again.Parent != m.Parent ||
				!bytes.Equal(again.Content, m.Content) || !bytes.Equal(again.Metadata, m.Metadata) ||
				!bytes.Equal(again.ParentJSON, m.ParentJSON) ||
				len(again.Identities) != len(m.Identities) || len(again.Buffers) != len(m.Buffers) {
				t.Fatalf("round trip changed the message:\n%+v\n%+v", m, again)
			}
		}
	})
}
