package wire

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestReplayRefused: a signed message decodes once; the same frames again,
// or with the signature's hex in upper case, are refused as a replay; a
// new message with the same content is not.
func TestReplayRefused(t *testing.T) {
	s := mustSigner(t, testKey)
	d := Decoder{Signer: s, Replays: &ReplayGuard{}}
	m, err := NewMessage("execute_request", nil, map[string]any{"code": "1"})
	if err != nil {
		t.Fatal(err)
	}
	frames := m.Encode(s)
	if _, err := d.Decode(frames); err != nil {
		t.Fatalf("first decode: %v", err)
	}
	if _, err := d.Decode(frames); !errors.Is(err, ErrReplayed) {
		t.Errorf("second decode of the same frames: %v, want ErrReplayed", err)
	}
	upper := append([][]byte{}, frames...)
	upper[1] = []byte(strings.ToUpper(string(frames[1])))
	if _, err := d.Decode(upper); !errors.Is(err, ErrReplayed) {
		t.Errorf("replay with an upper-case signature: %v, want ErrReplayed", err)
	}
	again, _ := NewMessage("execute_request", nil, map[string]any{"code": "1"})
	if _, err := d.Decode(again.Encode(s)); err != nil {
		t.Errorf("a new message with the same content: %v", err)
	}
}

// TestReplayWindow: memory is bounded by Window; a signature older than
// the window is forgotten, recent ones are not.
func TestReplayWindow(t *testing.T) {
	g := &ReplayGuard{Window: 4}
	sig := func(i int) []byte { return fmt.Appendf(nil, "%064x", i) }
	for i := range 10 {
		if !g.Add(sig(i)) {
			t.Fatalf("signature %d refused the first time", i)
		}
	}
	if len(g.seen) != 4 || len(g.ring) != 4 {
		t.Errorf("kept %d signatures (ring %d), want 4", len(g.seen), len(g.ring))
	}
	for i := 6; i < 10; i++ {
		if g.Add(sig(i)) {
			t.Errorf("recent signature %d accepted again", i)
		}
	}
	if !g.Add(sig(0)) {
		t.Error("a signature older than the window is still refused")
	}
	if !g.Add([]byte("")) || !g.Add([]byte("")) {
		t.Error("an empty (unsigned) signature is refused")
	}
}
