package supervisor

import "unicode/utf8"

// splitIncompleteRune splits off a trailing incomplete UTF-8 sequence, so
// that text read from a pipe is never cut inside a character.
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
