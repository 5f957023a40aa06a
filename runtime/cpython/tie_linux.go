package cpython

import (
	"os/exec"
	"syscall"
)

// tieToParent has the kernel kill cmd's process when the thread that
// starts it (and so this process) is gone.
func tieToParent(cmd *exec.Cmd) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
}
