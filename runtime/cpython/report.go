package cpython

import (
	"fmt"

	"corelab/display"
	"corelab/runtime/report"
)

// threadStates name what sampling a thread from outside can see, when
// the system call of a blocked thread can be read (futexStates) and when
// it cannot (threadStates).
var (
	futexStates = report.StateNames{
		Running:       "on a CPU",
		Released:      "runnable, no CPU free",
		Waiting:       "waiting for the GIL or a lock",
		Blocked:       "sleeping or in I/O",
		BlockedLegend: "sleeping or in I/O (any other system call)",
	}
	threadStates = report.StateNames{
		Running:       "on a CPU",
		Released:      "runnable, no CPU free",
		Waiting:       "waiting for the GIL or a lock",
		Blocked:       "not runnable",
		BlockedLegend: "not runnable: waiting for the GIL or a lock, sleeping, or in I/O (sampling cannot tell which)",
	}
)

// Title names the run for its report: "CPython 3.13.1 (/usr/bin/python3)".
func (r *Result) Title() string {
	return fmt.Sprintf("CPython %s (%s)", r.Interpreter.Name(), r.Interpreter.Path)
}

// Report renders the run like a Go run's report (report.ProcessBundle):
// wall, CPU, cores used, the budget, per-core load, and a lane per OS
// thread, with notes on what the sampling can and cannot tell.
func (r *Result) Report() display.Bundle {
	sampled := "Each lane is one OS thread of the Python process, sampled every " + DefaultInterval.String() +
		" from /proc/PID/task/*/schedstat (time on a CPU, and runnable waiting for one)"
	states := threadStates
	if r.Futex {
		states = futexStates
		sampled += " and /proc/PID/task/*/syscall (the system call a blocked thread is in). A thread waiting for the GIL " +
			"waits in a futex — and so does one waiting for a lock, an Event, a Queue or a join: the lane cannot tell those apart."
	} else {
		sampled += ". A thread waiting for the GIL and a thread sleeping or blocked in I/O both show as not runnable: " +
			"the kernel's counters cannot tell them apart."
	}
	notes := []string{
		sampled + " Each stretch's state is read at its end, the order within one period is not known, " +
			"and a thread that lived less than one period may not appear.",
		"Wall and CPU time include the interpreter's start-up; processes it starts (multiprocessing) have no lanes, " +
			"and their CPU time counts once they have exited.",
	}
	if !r.Sampled {
		notes = []string{"Threads were not sampled: " + r.SampleNote + "."}
	}
	py := r.Interpreter
	gil := "with the GIL"
	if py.FreeThreaded {
		gil = "free-threaded, GIL " + map[string]string{"on": "enabled", "off": "disabled", "": "?"}[py.GIL] + " at start-up"
	}
	facts := [][]string{
		{"interpreter", fmt.Sprintf("CPython %s, %s", py.Name(), gil)},
		{"path", py.Executable},
		{"OS threads (most at once)", fmt.Sprint(r.Threads)},
	}
	return report.ProcessBundle(report.ProcessRun{Title: r.Title(), M: r.Measurement, States: states,
		Lane: "thread", Facts: facts, Notes: notes})
}

// Summary is one line: "CPython 3.11.2: wall 1.2 s · CPU 1.1 s · 0.95 cores used · 3 threads".
func (r *Result) Summary() string {
	m := r.Measurement
	return fmt.Sprintf("CPython %s: wall %s · CPU %s · %.2f cores used · %d threads", r.Interpreter.Name(),
		report.FormatDuration(m.Wall), report.FormatDuration(m.CPU()), m.CoresUsed, r.Threads)
}
