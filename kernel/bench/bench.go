// Package bench is `corelab bench`: start-up and round-trip times of the
// corelab kernel next to ipykernel's, measured in the same run.
package bench

import (
	"errors"
	"io"
)

// Main runs `corelab bench ARGS`.
func Main(args []string, stdout, stderr io.Writer) error {
	return errors.New("bench: not yet")
}
