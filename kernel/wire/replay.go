package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"sync"
)

// DefaultReplayWindow is how many recent signatures a ReplayGuard keeps:
// the size of jupyter_client's Session.digest_history.
const DefaultReplayWindow = 1 << 16

// ReplayGuard remembers the signatures of the last Window messages
// decoded, so that a signed message captured off the wire cannot be sent
// again (jupyter_client's Session refuses a "Duplicate Signature" the same
// way). Memory is bounded: past Window signatures the oldest is forgotten.
// The zero value is ready to use; a ReplayGuard is safe for concurrent use.
type ReplayGuard struct {
	// Window is the number of signatures kept; 0 means DefaultReplayWindow.
	Window int

	mu   sync.Mutex
	seen map[[sha256.Size]byte]struct{}
	ring [][sha256.Size]byte // in arrival order, oldest at next once full
	next int
}

// Add records sig and reports whether it is new. Signatures that are not
// hex HMAC-SHA256 (unsigned messages) are never recorded and always new.
func (g *ReplayGuard) Add(sig []byte) bool {
	var key [sha256.Size]byte
	if hex.DecodedLen(len(sig)) != len(key) {
		return true
	}
	if _, err := hex.Decode(key[:], sig); err != nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, ok := g.seen[key]; ok {
		return false
	}
	window := g.Window
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if g.seen == nil {
		g.seen = make(map[[sha256.Size]byte]struct{})
	}
	if len(g.ring) < window {
		g.ring = append(g.ring, key)
	} else {
		delete(g.seen, g.ring[g.next])
		g.ring[g.next] = key
		g.next = (g.next + 1) % window
	}
	g.seen[key] = struct{}{}
	return true
}
