// Package backend is what the kernel's child process runs (`corelab
// evaluator`): it runs the cells the supervisor sends on the interpreter of
// corelab/runtime/interp, with the lab's symbol tables.
//
// It owns what only the child has: the runtime's execution models, the
// display sink, stdin, and the kernel's magics (%mode, %switchinterval,
// %checkpoints, %cores, %help); [supervisor.Serve] connects it to the kernel.
//
// Main is all a command needs:
//
//	case "evaluator":
//		err = backend.Main()
package backend
