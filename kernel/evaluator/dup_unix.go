//go:build unix

package evaluator

import (
	"os"
	"syscall"
)

// dupFile duplicates f's descriptor (close-on-exec), or returns f itself
// when it cannot.
func dupFile(f *os.File) *os.File {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name())
}
