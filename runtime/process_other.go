//go:build !linux

package runtime

import "syscall"

// workerAttr has no parent-death signal to set outside Linux: a worker
// whose parent died sees its calls pipe end and exits (host.WorkerMain
// returns at EOF).
func workerAttr() *syscall.SysProcAttr { return nil }
