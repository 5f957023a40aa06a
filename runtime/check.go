package runtime

import (
	"fmt"
	"html"
	"strings"

	"corelab/display"
)

// Outcome is what an exercise's check concluded about the learner's code.
type Outcome string

// The three outcomes of a check. They are also the value of
// metadata.corelab.check on the check's output, for tests and instructors.
const (
	Unsolved Outcome = "unsolved" // the task is untouched: the stub still calls Todo
	Fail     Outcome = "fail"     // the learner's answer is wrong, with reasons
	Pass     Outcome = "pass"     // the learner's answer holds
)

// todo is the panic value of Todo; a Check that sees it says Unsolved.
type todo struct{}

func (todo) Error() string {
	return "this exercise is not attempted yet (the stub still calls rt.Todo())"
}

// Todo marks an exercise's stub, like Python's `raise NotImplementedError`:
// it panics, and a Check whose code reaches it reports the exercise as
// not attempted instead of failing it. Delete the call when you write
// your answer.
//
//	func parallelPrimes(m rt.Model, workers, lo, hi int) int {
//		rt.Todo() // your code here
//		return 0
//	}
func Todo() { panic(todo{}) }

// IsTodo reports whether v (a recovered panic value, or an error such as a
// run's Err) comes from Todo. An error is matched by its text, because a
// Todo reached in an isolate or a worker process crosses back as an error
// carrying only its message (values cross as copies).
func IsTodo(v any) bool {
	switch t := v.(type) {
	case todo:
		return true
	case error:
		return strings.Contains(t.Error(), todo{}.Error())
	}
	return false
}

// A Checker collects what a check found. Its methods may be called in any
// order; the outcome is Unsolved if the learner's code reached Todo (or
// Unsolved was called), otherwise Fail if any Fail was recorded,
// otherwise Pass.
type Checker struct {
	name     string
	unsolved bool
	failed   bool
	lines    []checkLine
}

type checkLine struct {
	mark string // "✓", "✗", "…" or "" for a plain note
	text string
}

// Fail records a reason why the answer is wrong. Say what was expected and
// what the learner's code did, so that the message teaches.
func (c *Checker) Fail(format string, args ...any) {
	c.failed = true
	c.lines = append(c.lines, checkLine{"✗", fmt.Sprintf(format, args...)})
}

// OK records a requirement the answer meets.
func (c *Checker) OK(format string, args ...any) {
	c.lines = append(c.lines, checkLine{"✓", fmt.Sprintf(format, args...)})
}

// Note records a measurement or an explanation, with no verdict.
func (c *Checker) Note(format string, args ...any) {
	c.lines = append(c.lines, checkLine{"", fmt.Sprintf(format, args...)})
}

// Unsolved marks the exercise as not attempted, with a hint where to start.
func (c *Checker) Unsolved(format string, args ...any) {
	c.unsolved = true
	c.lines = append(c.lines, checkLine{"…", fmt.Sprintf(format, args...)})
}

// Outcome is the check's conclusion so far.
func (c *Checker) Outcome() Outcome {
	switch {
	case c.unsolved:
		return Unsolved
	case c.failed:
		return Fail
	}
	return Pass
}

// Check runs fn, which calls the learner's code and judges it through c,
// and shows the outcome: not attempted (the learner's code reached Todo),
// wrong (with every reason recorded by Fail, or the panic the learner's
// code raised) or right. The output carries metadata.corelab =
// {"check": outcome, "name": name}.
func Check(name string, fn func(c *Checker)) {
	c := &Checker{name: name}
	func() {
		defer func() {
			if v := recover(); v != nil {
				if IsTodo(v) {
					c.Unsolved("not attempted yet: the task cell still calls rt.Todo(). Write your answer there, run it, then run this check again.")
					return
				}
				c.Fail("your code panicked: %v", v)
			}
		}()
		fn(c)
	}()
	meta := map[string]any{"corelab": map[string]any{"check": string(c.Outcome()), "name": name}}
	display.Publish(c.bundle(), meta, "", false)
}

var outcomeText = map[Outcome]struct{ head, colour string }{
	Unsolved: {"not attempted yet", "#6b7280"},
	Fail:     {"not right yet", "#b91c1c"},
	Pass:     {"right", "#15803d"},
}

func (c *Checker) bundle() display.Bundle {
	out := c.Outcome()
	head := fmt.Sprintf("Check %s: %s (%s)", c.name, outcomeText[out].head, out)
	var t, h strings.Builder
	t.WriteString(head + "\n")
	fmt.Fprintf(&h, `<div class="corelab-check" data-outcome="%s" style="border-left:4px solid %s;padding:2px 8px">`,
		out, outcomeText[out].colour)
	fmt.Fprintf(&h, `<strong style="color:%s">%s</strong><ul style="margin:4px 0">`, outcomeText[out].colour, html.EscapeString(head))
	for _, l := range c.lines {
		text := l.text
		if l.mark != "" {
			text = l.mark + " " + text
		}
		t.WriteString("  " + text + "\n")
		h.WriteString("<li>" + html.EscapeString(text) + "</li>")
	}
	h.WriteString("</ul></div>")
	return display.Bundle{display.MIMEText: t.String(), display.MIMEHTML: h.String()}
}
