//go:build unix

package supervisor

import (
	"os"
	"syscall"
)

// killGroup kills the process group a child led, so that processes its
// cells started die with it and release the pipes they inherited.
func killGroup(pid int) {
	if pid > 1 { // never kill(0) or kill(-1)
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// killOwnGroup kills the child's process group, only if the child leads it
// (the supervisor starts it so), never a group it merely joined.
func killOwnGroup() {
	if syscall.Getpgrp() == os.Getpid() {
		syscall.Kill(0, syscall.SIGKILL)
	}
}

// limitAddressSpace caps the child's address space, so that a runaway
// allocation ends in Go's "out of memory" rather than the OOM killer.
func limitAddressSpace(n uint64) {
	syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: n, Max: n})
}
