package kernel

import "corelab/runtime/eval"

// isComplete tells whether code is ready to run: "complete", "incomplete"
// (with the indent for the next line) or "invalid". It needs no
// interpreter state, so the kernel answers it without the evaluator.
func isComplete(code string) (status, indent string) {
	if len(code) > 0 && code[0] == '%' {
		return "complete", ""
	}
	return eval.IsComplete(code)
}
