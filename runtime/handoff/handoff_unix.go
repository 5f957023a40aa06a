//go:build unix

package handoff

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// Attach makes files the child's descriptors 3, 4, ... in order.
func Attach(cmd *exec.Cmd, files ...*os.File) {
	cmd.ExtraFiles = append(cmd.ExtraFiles[:0], files...)
}

// Files returns the n files the parent attached, marked close-on-exec so
// that processes the child starts do not inherit them.
func Files(n int) []*os.File {
	out := make([]*os.File, n)
	for i := range out {
		fd := 3 + i
		syscall.CloseOnExec(fd)
		out[i] = os.NewFile(uintptr(fd), "handoff-"+strconv.Itoa(fd))
	}
	return out
}
