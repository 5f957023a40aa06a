package backend

import (
	"context"
	"io"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/kernel/supervisor"
	"corelab/runtime/interp"
)

// evalInterp adapts *interp.Interpreter to what the Backend needs.
type evalInterp struct{ in *interp.Interpreter }

// newInterp builds the notebook's interpreter with the lab's symbol tables
// plus extra, and returns it with a factory for more interpreters with the
// same tables (isolates need one).
func newInterp(stdout, stderr io.Writer, stdin io.Reader, extra ...yaegi.Exports) (*evalInterp, func(interp.Options) (*interp.Interpreter, error), error) {
	tables := append(labSymbols(), extra...)
	factory := func(o interp.Options) (*interp.Interpreter, error) {
		o.Symbols = append(append([]yaegi.Exports(nil), tables...), o.Symbols...)
		return interp.New(o)
	}
	in, err := factory(interp.Options{Stdout: stdout, Stderr: stderr, Stdin: stdin})
	if err != nil {
		return nil, nil, err
	}
	return &evalInterp{in: in}, factory, nil
}

func (e *evalInterp) eval(ctx context.Context, src string) (interp.Result, error) {
	if l := supervisor.Label(ctx); l != "" {
		e.in.SetLabel(l)
	}
	return e.in.Eval(ctx, src)
}

func (e *evalInterp) complete(code string, cursor int) ([]string, int, int) {
	return e.in.Complete(code, cursor)
}

func (e *evalInterp) inspect(code string, cursor int) (string, bool) {
	return e.in.Inspect(code, cursor)
}

func (e *evalInterp) interrupt() { e.in.Interrupt() }
