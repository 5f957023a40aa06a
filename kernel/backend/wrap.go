package backend

import "strings"

// helpWidth is the widest line %help prints. Notebook and Lab break output
// lines that do not fit anywhere, even inside a word; lines this short fit
// every frontend at its default size, and a terminal.
const helpWidth = 79

// wrapWords fills text into lines of at most width columns, breaking only
// between words; each line starts with indent. A word longer than the line
// gets a line of its own rather than being cut.
func wrapWords(text, indent string, width int) string {
	var b strings.Builder
	n := 0 // columns on the current line
	for _, w := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+len([]rune(w)) > width:
			b.WriteString("\n" + indent)
			n = len(indent)
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len([]rune(w))
	}
	if n > 0 {
		b.WriteByte('\n')
	}
	return b.String()
}
