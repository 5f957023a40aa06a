package symbols

import (
	"github.com/traefik/yaegi/interp"

	"corelab/runtime/gil"
)

//go:generate go run github.com/traefik/yaegi/cmd/yaegi extract corelab/runtime corelab/display

// Symbols are the exported symbols of corelab/runtime and corelab/display,
// keyed as yaegi expects ("corelab/runtime/runtime").
var Symbols = interp.Exports{}

func init() {
	for k, v := range gil.Symbols {
		Symbols[k] = v
	}
}
