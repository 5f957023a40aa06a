package evaluator

import (
	"errors"
	"reflect"

	"github.com/traefik/yaegi/interp"

	"corelab/kernel/evalproc"
	"corelab/runtime/eval"
)

// inputSymbols is the yaegi symbol table of the cell-facing package
// "corelab/input":
//
//	import "corelab/input"
//	name := input.Line("Your name? ")
//	secret := input.Password("Token: ")
//
// Both ask the frontend through an input_request on the stdin channel and
// return "" when it cannot answer (no stdin); an interrupt while waiting
// stops the cell with KeyboardInterrupt, as in Python.
func inputSymbols(h evalproc.Host) interp.Exports {
	line := func(prompt string) string { return ask(h, prompt, false) }
	password := func(prompt string) string { return ask(h, prompt, true) }
	return interp.Exports{
		"corelab/input/input": {
			"Line":     reflect.ValueOf(line),
			"Password": reflect.ValueOf(password),
		},
	}
}

// ask asks the frontend; an interrupt while waiting becomes the cell's
// KeyboardInterrupt.
func ask(h evalproc.Host, prompt string, password bool) string {
	s, err := h.Input(prompt, password)
	if errors.Is(err, evalproc.ErrInputInterrupted) {
		panic(eval.ErrInterrupted)
	}
	return s
}
