// Package handoff gives a child process extra pipes besides stdin, stdout
// and stderr, on every system: the evaluator's request and event pipes and
// a worker process's call and result pipes.
//
// The parent attaches the files to the command before starting it; the
// child takes them back, in the same order, with [Files]:
//
//	handoff.Attach(cmd, reqR, evW) // parent
//	reqs, evs := handoff.Files(2)  // child: []*os.File{reqs, evs}
//
// On Unix they become the child's descriptors 3, 4, ... (exec.Cmd's
// ExtraFiles); Windows passes only three standard handles, so there the
// pipes' handles are inherited explicitly and their numbers travel in the
// environment variable [Env].
package handoff

// Env names the environment variable that carries the inherited handles on
// Windows (comma-separated); Unix does not use it.
const Env = "CORELAB_HANDLES"
