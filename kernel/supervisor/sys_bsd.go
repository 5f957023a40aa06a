//go:build unix && !linux

package supervisor

import "syscall"

// childAttr starts the evaluator in its own process group. macOS and the
// BSDs have no parent-death signal: the child learns of the supervisor's
// death when its request pipe ends without a quit, and then kills its
// group (see Serve).
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
