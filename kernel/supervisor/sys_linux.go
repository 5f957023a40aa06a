package supervisor

import "syscall"

// childAttr starts the evaluator in its own process group, with SIGTERM
// when the supervisor dies (Serve then kills the group).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
