package wire

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
)

// SchemeHMACSHA256 is the only signature_scheme Jupyter clients use in
// practice, and the only one a Signer accepts.
const SchemeHMACSHA256 = "hmac-sha256"

// Signer signs and verifies messages with the key and scheme of a
// connection file. The zero value, a nil *Signer and a Signer built from an
// empty key all mean "no signing": Encode writes an empty signature and
// Decode accepts any. A Signer is safe for concurrent use.
type Signer struct {
	key  []byte
	pool sync.Pool // of hash.Hash, each an HMAC keyed with key
}

// NewSigner returns a Signer for the connection file's signature_scheme and
// key. An empty key disables signing whatever the scheme says; otherwise a
// scheme other than "hmac-sha256" is an error.
func NewSigner(scheme string, key []byte) (*Signer, error) {
	if len(key) == 0 {
		return &Signer{}, nil
	}
	if scheme != SchemeHMACSHA256 {
		return nil, fmt.Errorf("wire: unsupported signature_scheme %q (want %q)", scheme, SchemeHMACSHA256)
	}
	s := &Signer{key: append([]byte(nil), key...)}
	s.pool.New = func() any { return hmac.New(sha256.New, s.key) }
	return s, nil
}

// Enabled reports whether s signs messages (it has a non-empty key).
func (s *Signer) Enabled() bool { return s != nil && len(s.key) > 0 }

// mac returns the raw HMAC of the four signed frames, appended to dst.
func (s *Signer) mac(dst []byte, header, parent, metadata, content []byte) []byte {
	h := s.pool.Get().(hash.Hash)
	h.Reset()
	h.Write(header)
	h.Write(parent)
	h.Write(metadata)
	h.Write(content)
	dst = h.Sum(dst)
	s.pool.Put(h)
	return dst
}

// Sign returns the lowercase hex signature of the four signed frames
// (header, parent_header, metadata, content), or an empty slice when
// signing is disabled.
func (s *Signer) Sign(header, parent, metadata, content []byte) []byte {
	if !s.Enabled() {
		return []byte{}
	}
	var raw [sha256.Size]byte
	sum := s.mac(raw[:0], header, parent, metadata, content)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// Verify reports whether sig is the signature of the four frames. The MACs
// are compared in constant time. With signing disabled every sig verifies.
func (s *Signer) Verify(sig, header, parent, metadata, content []byte) bool {
	if !s.Enabled() {
		return true
	}
	var given [sha256.Size]byte
	if hex.DecodedLen(len(sig)) != len(given) {
		return false
	}
	if _, err := hex.Decode(given[:], sig); err != nil {
		return false
	}
	var raw [sha256.Size]byte
	return hmac.Equal(given[:], s.mac(raw[:0], header, parent, metadata, content))
}
