//go:build unix && !linux

package kernel

import "golang.org/x/sys/unix"

// alive reports whether pid exists. Without /proc a zombie (exited, not
// yet reaped) still counts as alive; the launcher reaps its children, so
// that lasts only a moment.
func alive(pid int) bool {
	return unix.Kill(pid, 0) != unix.ESRCH
}
