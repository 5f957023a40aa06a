// Package bench measures the runtime against its targets: it prints the
// comparison table of `corelab bench runtime`.
//
// The table covers the GIL's core use, fairness and hand-over rate, lost
// updates under both check-point policies, UI-tick lateness per model (with
// CPython's figures beside), isolate and process start-up, speed-ups, and the same experiments in real
// CPython (the first python3 on PATH) beside the emulation.
//
//	if err := bench.Runtime(os.Stdout); err != nil { ... }
//
// It needs the binary to be able to act as `corelab worker` (for the
// Processes rows): call it from the corelab command, or from a test binary
// whose TestMain runs host.WorkerMain when host.WorkerEnv is set.
package bench
