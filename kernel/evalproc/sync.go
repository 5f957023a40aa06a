package evalproc

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Sync markers keep raw stdout/stderr bytes in order with events. Before the
// child writes an event frame with sync number n, it writes the marker for n
// to its stdout and its stderr; the kernel holds the event back until it has
// read marker n from both pipes, so every byte printed before the event is
// delivered before it.
const (
	markerPrefix = "\x00\x1b[corelab-sync "
	markerLen    = len(markerPrefix) + 16 + 2 // prefix, 16 hex digits, "]\x00"
)

func marker(n uint64) []byte {
	return fmt.Appendf(nil, "%s%016x]\x00", markerPrefix, n)
}

// markerScanner splits a byte stream into text and sync markers. It also
// holds back an incomplete UTF-8 sequence at the end of a chunk so that text
// is never cut inside a character.
type markerScanner struct {
	pending []byte
}

// feed scans chunk; text goes to text (never empty), markers to mark.
func (s *markerScanner) feed(chunk []byte, text func([]byte), mark func(uint64)) {
	buf := chunk
	if len(s.pending) > 0 {
		buf = append(s.pending, chunk...)
		s.pending = nil
	}
	prefix := []byte(markerPrefix)
	for len(buf) > 0 {
		i := bytes.Index(buf, prefix)
		if i < 0 {
			keep := partialPrefix(buf, prefix)
			body := buf[:len(buf)-keep]
			body, rest := splitIncompleteRune(body)
			if len(body) > 0 {
				text(body)
			}
			s.pending = append(append(s.pending, rest...), buf[len(buf)-keep:]...)
			return
		}
		if i > 0 {
			text(buf[:i])
		}
		if len(buf)-i < markerLen {
			s.pending = append(s.pending, buf[i:]...)
			return
		}
		m := buf[i : i+markerLen]
		n, err := strconv.ParseUint(string(m[len(markerPrefix):len(markerPrefix)+16]), 16, 64)
		if err != nil || m[markerLen-2] != ']' || m[markerLen-1] != 0 {
			// Not a real marker: pass the first byte on as text and go on.
			text(buf[i : i+1])
			buf = buf[i+1:]
			continue
		}
		mark(n)
		buf = buf[i+markerLen:]
	}
}

// flush delivers whatever is held back (at end of stream).
func (s *markerScanner) flush(text func([]byte)) {
	if len(s.pending) > 0 {
		text(s.pending)
		s.pending = nil
	}
}

// partialPrefix returns how many bytes at the end of buf are a proper prefix
// of prefix.
func partialPrefix(buf, prefix []byte) int {
	max := len(prefix) - 1
	if max > len(buf) {
		max = len(buf)
	}
	for k := max; k > 0; k-- {
		if bytes.Equal(buf[len(buf)-k:], prefix[:k]) {
			return k
		}
	}
	return 0
}

// splitIncompleteRune splits off a trailing incomplete UTF-8 sequence.
func splitIncompleteRune(b []byte) (body, rest []byte) {
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return b, nil // ASCII: complete
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(b[len(b)-k:]) {
				return b, nil
			}
			return b[:len(b)-k], b[len(b)-k:]
		}
	}
	return b, nil
}
