package backend

import (
	"errors"
	"fmt"
	"os"

	"corelab/kernel/supervisor"
	"corelab/runtime/interp"
)

// Tracebacks. An error's traceback shows, by default, only what the
// learner wrote: the failing expression, the cell's call that led there
// and the notebook's funcs on the way. `%traceback full` adds the frames
// of the func literals the evaluator wraps around a cell's compound
// statements and the interpreter's own message (reflect's, for index
// errors); `%traceback short` goes back.

// magicTraceback handles %traceback [short|full].
func (b *Backend) magicTraceback(arg string) error {
	switch arg {
	case "":
	case "short", "full":
		b.mu.Lock()
		b.fullTB = arg == "full"
		b.mu.Unlock()
	default:
		return fmt.Errorf("%%traceback %s: want short or full", arg)
	}
	b.mu.Lock()
	full := b.fullTB
	b.mu.Unlock()
	fmt.Fprintf(os.Stdout, "traceback: %s\n", map[bool]string{false: "short", true: "full"}[full])
	return nil
}

// toError converts an evaluation error into Jupyter's terms, with the
// traceback coloured as IPython colours its own.
func (b *Backend) toError(err error) *supervisor.Error {
	b.mu.Lock()
	full := b.fullTB
	b.mu.Unlock()
	if e := convertEvalError(err, interp.Style{Full: full, Color: true}); e != nil {
		return e
	}
	return &supervisor.Error{Name: "Error", Value: err.Error(), Traceback: []string{"Error: " + err.Error()}}
}

// convertEvalError maps an *interp.Error to Jupyter's terms: ename and evalue
// plain, the traceback rendered in style s and ending with the
// "Name: value" line that frontends show last, and the hint under it.
func convertEvalError(err error, s interp.Style) *supervisor.Error {
	var ee *interp.Error
	if !errors.As(err, &ee) {
		return nil
	}
	return &supervisor.Error{Name: ee.Name, Value: ee.Value, Traceback: ee.Format(s)}
}
