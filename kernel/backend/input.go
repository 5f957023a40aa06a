package backend

import (
	"errors"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/kernel/supervisor"
	"corelab/runtime/interp"
)

// inputSymbols is the yaegi symbol table of the cell-facing package
// "corelab/input":
//
//	import "corelab/input"
//	name := input.Line("Your name? ")
//	secret := input.Password("Token: ")
//
// Both ask the frontend through an input_request on the stdin channel. When
// the frontend cannot answer (allow_stdin is false, as under nbconvert or
// `corelab run`) the cell stops with StdinNotImplementedError, as
// ipykernel's input() does; an interrupt while waiting stops it with
// KeyboardInterrupt, as in Python.
func inputSymbols(h supervisor.Host) yaegi.Exports {
	line := func(prompt string) string { return ask(h, prompt, false) }
	password := func(prompt string) string { return ask(h, prompt, true) }
	return yaegi.Exports{
		"corelab/input/input": {
			"Line":     reflect.ValueOf(line),
			"Password": reflect.ValueOf(password),
		},
	}
}

// ask asks the frontend; an interrupt while waiting becomes the cell's
// KeyboardInterrupt.
func ask(h supervisor.Host, prompt string, password bool) string {
	s, err := h.Input(prompt, password)
	switch {
	case errors.Is(err, supervisor.ErrInputInterrupted):
		panic(interp.ErrInterrupted)
	case errors.Is(err, supervisor.ErrNoStdin):
		panic(stdinNotImplemented{})
	}
	return s
}

// stdinNotImplemented is the panic that stops a cell reading stdin when the
// frontend cannot answer input requests; it names itself like ipykernel's
// StdinNotImplementedError, so the cell's error reads the same.
type stdinNotImplemented struct{}

func (stdinNotImplemented) Error() string {
	return "the cell read from stdin, but this frontend does not support input requests " +
		"(allow_stdin is false: run it in a notebook or console that can answer, or give the value in the code)"
}

// ErrorName names the cell's error (see eval's Error).
func (stdinNotImplemented) ErrorName() string { return "StdinNotImplementedError" }
