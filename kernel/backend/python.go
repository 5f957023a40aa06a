package backend

import (
	"context"
	"errors"
	"os"
	"strings"

	"corelab/kernel/supervisor"
	"corelab/runtime/cpython"
)

// pythonCell runs a %%python cell in a CPython subprocess (package
// corelab/runtime/cpython): its output goes straight to this process's fd 1
// and 2, which the kernel streams; input() asks the frontend; the report
// of what it used follows unless --quiet; its exception is the cell's error.
func (b *Backend) pythonCell(ctx context.Context, c cpython.Cell) supervisor.Outcome {
	py, err := b.pythons.Select(c.Spec)
	if err != nil {
		name := "UsageError"
		if errors.Is(err, cpython.ErrNotFound) {
			name = "PythonNotFoundError"
		}
		var nf *cpython.NotFoundError
		if errors.As(err, &nf) && nf.NoneFT {
			b.host.Display(map[string]any{"text/markdown": cpython.FreeThreadedReference,
				"text/plain": cpython.FreeThreadedReference}, nil, "", false)
		}
		return errorOutcome(&supervisor.Error{Name: name, Value: err.Error(), Traceback: []string{name + ": " + err.Error()}})
	}
	res, err := cpython.Run(ctx, py, c.Source, cpython.Options{Stdout: os.Stdout, Stderr: os.Stderr, Input: b.pythonInput})
	if err != nil {
		return errorOutcome(&supervisor.Error{Name: "PythonError", Value: err.Error(), Traceback: []string{"PythonError: " + err.Error()}})
	}
	cpython.Remember(res)
	if !c.Quiet {
		b.host.Display(map[string]any(res.Report()), nil, "", false)
	}
	if e := res.Error; e != nil {
		return errorOutcome(&supervisor.Error{Name: e.Name, Value: e.Value, Traceback: e.Traceback})
	}
	return supervisor.Outcome{Status: "ok"}
}

// pythonInput answers input() in a %%python cell through the kernel's
// stdin channel.
func (b *Backend) pythonInput(prompt string, password bool) (string, error) {
	s, err := b.host.Input(prompt, password)
	switch {
	case errors.Is(err, supervisor.ErrInputInterrupted):
		return "", cpython.ErrInputInterrupted
	case errors.Is(err, supervisor.ErrNoStdin):
		return "", stdinNotImplemented{}
	}
	return s, err
}

// magicPython lists the Python interpreters %%python can use.
func (b *Backend) magicPython(string) error {
	os.Stdout.WriteString(b.pythons.Listing())
	return nil
}

// pythonBody reports whether cursor (a rune offset) is in the Python source
// of a %%python cell, past its magic line.
func pythonBody(code string, cursor int) bool {
	if _, ok, _ := cpython.ParseCell(code); !ok {
		return false
	}
	magic := strings.Index(code, "%%python")
	nl := strings.IndexByte(code[magic:], '\n')
	return nl >= 0 && byteOffset(code, cursor) > magic+nl
}
