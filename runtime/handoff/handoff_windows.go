package handoff

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/windows"
)

// Attach marks the files' handles inheritable, lists them as the only
// extra handles the child inherits and names them in [Env].
func Attach(cmd *exec.Cmd, files ...*os.File) {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	var nums []string
	for _, f := range files {
		h := windows.Handle(f.Fd())
		windows.SetHandleInformation(h, windows.HANDLE_FLAG_INHERIT, windows.HANDLE_FLAG_INHERIT)
		cmd.SysProcAttr.AdditionalInheritedHandles = append(cmd.SysProcAttr.AdditionalInheritedHandles, syscall.Handle(h))
		nums = append(nums, strconv.FormatUint(uint64(h), 10))
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, Env+"="+strings.Join(nums, ","))
}

// Files returns the n files the parent attached, no longer inheritable so
// that processes the child starts do not get them; a missing handle is a
// nil file.
func Files(n int) []*os.File {
	nums := strings.Split(os.Getenv(Env), ",")
	out := make([]*os.File, n)
	for i := range out {
		if i >= len(nums) {
			break
		}
		h, err := strconv.ParseUint(nums[i], 10, 64)
		if err != nil {
			continue
		}
		windows.SetHandleInformation(windows.Handle(h), windows.HANDLE_FLAG_INHERIT, 0)
		out[i] = os.NewFile(uintptr(h), "handoff-"+nums[i])
	}
	return out
}
