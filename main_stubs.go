package main

import (
	"errors"
	"io"
)

// runMain is `corelab run`. TODO(lead): call the notebook runner's entry
// point here, e.g. `return nbrun.Main(args, stdout, stderr)`.
func runMain(args []string, stdout, stderr io.Writer) error {
	return errors.New("run: not built into this binary yet")
}

// workerMain is `corelab worker`. TODO(lead): `return runtime.WorkerMain(symbols.Symbols)`.
func workerMain(args []string) error {
	return errors.New("worker: not built into this binary yet")
}
