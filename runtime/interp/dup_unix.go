//go:build unix

package interp

import (
	"os"
	"syscall"
)

// dupFile duplicates f's descriptor (close-on-exec, like every descriptor
// Go opens), or returns f itself when it cannot.
func dupFile(f *os.File) *os.File {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name())
}
