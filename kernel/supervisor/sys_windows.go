package supervisor

import "syscall"

// childAttr starts the evaluator as a plain child on Windows. It has no
// process group to kill and no parent-death signal: the child learns of
// the supervisor's death when its request pipe ends, and exits.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}

// killGroup does nothing on Windows: the child itself is killed through
// os.Process.Kill, but processes its cells started are not (a job object
// would be needed) and may outlive it.
func killGroup(int) {}

// killOwnGroup does nothing on Windows (see killGroup).
func killOwnGroup() {}

// limitAddressSpace does nothing on Windows, which has no RLIMIT_AS: the
// soft memory limit (debug.SetMemoryLimit) is the only bound there.
func limitAddressSpace(uint64) {}
