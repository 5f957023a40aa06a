package evaluator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/traefik/yaegi/interp"

	"corelab/kernel/evalproc"
	"corelab/runtime/eval"
)

// evalInterp adapts *eval.Interpreter to what the Backend needs.
type evalInterp struct{ in *eval.Interpreter }

// newInterp builds the notebook's interpreter with the lab's symbol tables
// plus extra, and returns it with a factory for more interpreters with the
// same tables (isolates need one).
func newInterp(stdout, stderr io.Writer, stdin io.Reader, extra ...interp.Exports) (*evalInterp, func(eval.Options) (*eval.Interpreter, error), error) {
	tables := append(labSymbols(), extra...)
	factory := func(o eval.Options) (*eval.Interpreter, error) {
		o.Symbols = append(append([]interp.Exports(nil), tables...), o.Symbols...)
		return eval.New(o)
	}
	in, err := factory(eval.Options{Stdout: stdout, Stderr: stderr, Stdin: stdin})
	if err != nil {
		return nil, nil, err
	}
	return &evalInterp{in: in}, factory, nil
}

func (e *evalInterp) eval(ctx context.Context, src string) (eval.Result, error) {
	return e.in.Eval(ctx, src)
}

func (e *evalInterp) complete(code string, cursor int) ([]string, int, int) {
	return e.in.Complete(code, cursor)
}

func (e *evalInterp) inspect(code string, cursor int) (string, bool) {
	return e.in.Inspect(code, cursor)
}

func (e *evalInterp) interrupt() { e.in.Interrupt() }

// convertEvalError maps an *eval.Error to Jupyter's terms; the traceback
// always ends with the "Name: value" line that frontends show last.
func convertEvalError(err error) *evalproc.Error {
	var ee *eval.Error
	if !errors.As(err, &ee) {
		return nil
	}
	tb := append([]string(nil), ee.Traceback...)
	last := fmt.Sprintf("%s: %s", ee.Name, ee.Value)
	if ee.Line > 0 && ee.Name == "CompileError" && !strings.Contains(strings.Join(tb, "\n"), fmt.Sprintf("line %d", ee.Line)) {
		last = fmt.Sprintf("%s: line %d:%d: %s", ee.Name, ee.Line, ee.Col, ee.Value)
	}
	if len(tb) == 0 || !strings.Contains(tb[len(tb)-1], ee.Value) {
		tb = append(tb, last)
	}
	return &evalproc.Error{Name: ee.Name, Value: ee.Value, Traceback: tb}
}
