package runtime_test

import (
	"strings"
	"sync"
	"testing"

	"corelab/display"
)

// captured is a display sink that keeps every published bundle with its metadata.
type captured struct {
	mu   sync.Mutex
	outs []capturedOutput
}

type capturedOutput struct {
	b    display.Bundle
	meta map[string]any
}

func (c *captured) Publish(b display.Bundle, meta map[string]any, _ string, _ bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outs = append(c.outs, capturedOutput{b, meta})
}

// checkOutcome runs src (a cell ending in rt.Check) and returns the outcome and
// the text the check showed.
func checkOutcome(t *testing.T, k *kernel, src string) (outcome, name, text string) {
	t.Helper()
	sink := &captured{}
	display.SetSink(sink)
	defer display.SetSink(nil)
	k.must(src)
	if len(sink.outs) != 1 {
		t.Fatalf("want one output from the check, got %d", len(sink.outs))
	}
	out := sink.outs[0]
	meta, _ := out.meta["corelab"].(map[string]any)
	outcome, _ = meta["check"].(string)
	name, _ = meta["name"].(string)
	return outcome, name, display.PlainText(out.b)
}

func TestCheckOutcomes(t *testing.T) {
	k := newKernel(t)
	k.must(`import rt "corelab/runtime"`)
	check := `rt.Check("double", func(c *rt.Checker) {
	if got := double(21); got != 42 {
		c.Fail("double(21) = %d, want 42", got)
	} else {
		c.OK("double(21) = 42")
	}
})`
	for _, tc := range []struct {
		task, want, text string
	}{
		{"func double(n int) int {\n\trt.Todo()\n\treturn 0\n}", "unsolved", "not attempted"},
		{"func double(n int) int { return n + 2 }", "fail", "double(21) = 23, want 42"},
		{"func double(n int) int { var m map[int]int; m[n] = n; return n }", "fail", "panicked"},
		{"func double(n int) int { return 2 * n }", "pass", "✓ double(21) = 42"},
		// A Todo reached inside a run's workers is still "not attempted".
		{"func double(n int) int {\n\tr := rt.Run(rt.Free, 2, func() { rt.Todo() })\n\tif r.Err() != nil {\n\t\tpanic(r.Err())\n\t}\n\treturn 2 * n\n}", "unsolved", "not attempted"},
	} {
		k.must(tc.task)
		got, name, text := checkOutcome(t, k, check)
		if got != tc.want || name != "double" || !strings.Contains(text, tc.text) {
			t.Errorf("task %q: outcome %q (name %q), text %q; want %q containing %q", tc.task, got, name, text, tc.want, tc.text)
		}
	}
}
