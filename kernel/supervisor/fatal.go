package supervisor

import (
	"fmt"
	"regexp"
	"strings"
)

// Error is a cell's error in Jupyter's terms (ename, evalue, traceback).
type Error struct {
	Name      string   `json:"ename"`
	Value     string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// Error implements error.
func (e *Error) Error() string { return e.Name + ": " + e.Value }

// StateLost is the sentence every crash report ends with.
const StateLost = "The evaluator process died and a fresh one was started: the notebook's state was lost " +
	"(variables, functions, types and imports from earlier cells, and settings made with magics, are gone). Re-run the cells you need."

// fatalLooks reports whether a line of stderr starts a Go runtime crash report.
func fatalLooks(line string) bool {
	for _, p := range []string{"fatal error: ", "panic: ", "runtime: goroutine stack exceeds", "runtime: out of memory", "unexpected fault address", "SIGSEGV", "SIGBUS", "fatal: morestack"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

// maxFrameLines bounds how much of the failing goroutine's stack is shown.
const maxFrameLines = 12

// oomCount is the memory cgroup's OOM-kill counter around a child's life.
type oomCount struct {
	before, after int64
	known         bool // both readings succeeded
}

// crashError turns the Go runtime's report (the child's last stderr) and its
// exit status into the cell's error: the report's first lines, the goroutine
// that failed trimmed to a few frames, and the plain statement that the
// notebook's state was lost. A child killed by a signal is blamed on memory
// only when oom says the out-of-memory killer struck.
func crashError(report, exit string, oom oomCount) *Error {
	lines := strings.Split(strings.ReplaceAll(report, "\r\n", "\n"), "\n")
	// Start at the first line that looks like the start of the crash.
	start := -1
	for i, l := range lines {
		if fatalLooks(l) {
			start = i
			break
		}
	}
	var value, hint string
	var tb []string
	if start < 0 {
		value = "the evaluator process exited (" + exit + ")"
		if sig, ok := strings.CutPrefix(exit, "signal: "); ok {
			value, hint = killedBy(sig, oom)
		}
		// Show the tail of whatever it printed last, if anything.
		var tail []string
		for _, l := range lines {
			if strings.TrimSpace(l) != "" {
				tail = append(tail, l)
			}
		}
		if len(tail) > 10 {
			tail = tail[len(tail)-10:]
		}
		tb = append(tb, tail...)
	} else {
		lines = lines[start:]
		value = pickValue(lines)
		tb = append(tb, trimReport(lines)...)
		switch {
		case strings.Contains(value, "stack overflow") || strings.Contains(report, "stack exceeds"):
			hint = "Hint: a recursion without a (reachable) base case grows the stack until Go gives up."
		case strings.Contains(value, "out of memory"):
			hint = memoryHint
		case strings.Contains(value, "concurrent map"):
			hint = "Hint: maps are not safe for concurrent use; guard them with a sync.Mutex or use one goroutine per map."
		}
	}
	out := tb
	if hint != "" {
		out = append(out, "", hint)
	}
	out = append(out, "", StateLost)
	return &Error{Name: "FatalError", Value: value + " — " + "the notebook's state was lost", Traceback: []string{strings.Join(out, "\n")}}
}

const memoryHint = "Hint: the cell allocated more memory than the evaluator's limit."

// killedBy says who killed the child with signal sig ("killed",
// "terminated", ...): the out-of-memory killer only when the cgroup's
// counter rose, otherwise a signal from outside.
func killedBy(sig string, oom oomCount) (value, hint string) {
	if sig != "killed" {
		return "the evaluator process was killed by a signal from outside the kernel (" + sig + ")", ""
	}
	switch {
	case oom.known && oom.after > oom.before:
		return fmt.Sprintf("the evaluator process was killed by the out-of-memory killer (the memory cgroup's oom_kill count went from %d to %d)", oom.before, oom.after), memoryHint
	case oom.known:
		return "the evaluator process was killed by a signal from outside the kernel (SIGKILL); the memory cgroup's OOM-kill count did not change, so it was not for lack of memory", ""
	}
	return "the evaluator process was killed by a signal from outside the kernel (SIGKILL): a kill -9, or the system's out-of-memory killer; this system does not say which", ""
}

// pickValue finds the one-line description of the crash.
func pickValue(lines []string) string {
	for _, l := range lines {
		if strings.HasPrefix(l, "fatal error: ") {
			return strings.TrimPrefix(l, "fatal error: ")
		}
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "panic: ") {
			return strings.TrimSpace(l)
		}
	}
	return strings.TrimSpace(lines[0])
}

// Noise in the runtime's reports: frame addresses and goroutine internals.
var (
	frameAddrs = regexp.MustCompile(` fp=0x[0-9a-f]+ sp=0x[0-9a-f]+ pc=0x[0-9a-f]+$`)
	gHeader    = regexp.MustCompile(`^(goroutine \d+)(?: gp=0x[0-9a-f]+ m=\S+(?: mp=0x[0-9a-f]+)?)? (\[.*)$`)
)

// trimReport keeps the report's header lines that say what happened and
// the first goroutine block (the one that failed), with at most
// maxFrameLines lines of frames; the other goroutines are counted.
func trimReport(lines []string) []string {
	var out []string
	i := 0
	for ; i < len(lines) && !strings.HasPrefix(lines[i], "goroutine "); i++ {
		l := lines[i]
		switch {
		case strings.TrimSpace(l) == "":
		case l == "runtime stack:":
			// The system stack of the failing thread: runtime internals.
			for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
				i++
			}
		case strings.HasPrefix(l, "runtime: sp=") || strings.HasPrefix(l, "runtime: g"+"p=") ||
			strings.HasPrefix(l, "\t"):
		default:
			if len(out) < 8 {
				out = append(out, l)
			}
		}
	}
	if i == len(lines) {
		return out
	}
	out = append(out, "", gHeader.ReplaceAllString(lines[i], "$1 $2"))
	i++
	frames, more := 0, 0
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		if frames < maxFrameLines {
			out = append(out, frameAddrs.ReplaceAllString(lines[i], ""))
			frames++
		} else {
			more++
		}
	}
	if more > 0 {
		out = append(out, fmt.Sprintf("\t... %d more frames", (more+1)/2))
	}
	others := 0
	for ; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "goroutine ") {
			others++
		}
	}
	if others > 0 {
		out = append(out, fmt.Sprintf("(%d other goroutines not shown)", others))
	}
	return out
}
