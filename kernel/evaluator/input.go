package evaluator

import (
	"reflect"

	"github.com/traefik/yaegi/interp"

	"corelab/kernel/evalproc"
)

// inputSymbols is the yaegi symbol table of the cell-facing package
// "corelab/input":
//
//	import "corelab/input"
//	name := input.Line("Your name? ")
//	secret := input.Password("Token: ")
//
// Both ask the frontend through an input_request on the stdin channel and
// return "" when it cannot answer (no stdin, interrupted).
func inputSymbols(h evalproc.Host) interp.Exports {
	line := func(prompt string) string {
		s, _ := h.Input(prompt, false)
		return s
	}
	password := func(prompt string) string {
		s, _ := h.Input(prompt, true)
		return s
	}
	ask := func(prompt string, password bool) (string, error) { return h.Input(prompt, password) }
	return interp.Exports{
		"corelab/input/input": {
			"Line":     reflect.ValueOf(line),
			"Password": reflect.ValueOf(password),
			"Ask":      reflect.ValueOf(ask),
		},
	}
}
