// Package syntax answers Jupyter's is_complete_request for a Go cell from
// its text alone: no interpreter, no notebook state. The kernel process
// answers it itself (it is asked on every key press in a console), so it
// must stay cheap and must not pull the evaluator into the kernel process.
//
// A cell mixes top-level declarations (func, method, import) with
// statements; IsComplete splits them the way the evaluator does, parses
// each half with go/parser, and reads a syntax error at the very end of the
// text as "the cell stops short".
//
// Use:
//
//	status, indent := syntax.IsComplete(code) // "complete", "incomplete" or "invalid"
package syntax
