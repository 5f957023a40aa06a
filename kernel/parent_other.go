//go:build !linux

package kernel

import "log"

// watchParent closes gone when the process pid (JPY_PARENT_PID) has
// exited, checking once a second; it returns at once when done closes.
// Only Linux has pidfds; elsewhere polling is the way.
func watchParent(pid int, done <-chan struct{}, gone chan<- struct{}, lg *log.Logger) {
	pollParent(pid, done, func() {
		lg.Printf("the process that started the kernel (JPY_PARENT_PID %d) is gone: shutting down", pid)
		close(gone)
	})
}
