//go:build unix

package cpython

import (
	"os"
	"os/exec"
	"syscall"
)

// setProcessGroup starts cmd in a process group of its own, so that an
// interrupt or kill reaches the processes it starts and nothing else.
func setProcessGroup(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
}

// interruptGroup sends SIGINT to p's process group, as Ctrl-C in a
// terminal does: Python raises KeyboardInterrupt in its main thread.
func interruptGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGINT) }

// killGroup kills p's process group.
func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }

// maxRSS is the peak resident memory of the exited process.
func maxRSS(st *os.ProcessState) uint64 {
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return uint64(ru.Maxrss) * 1024 // Linux: KiB (macOS reports bytes; close enough for a peak)
	}
	return 0
}
