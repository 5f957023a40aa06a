package interp

import (
	"os"

	"golang.org/x/sys/windows"
)

// dupFile duplicates f's handle (not inherited by child processes), or
// returns f itself when it cannot.
func dupFile(f *os.File) *os.File {
	self := windows.CurrentProcess()
	var h windows.Handle
	if err := windows.DuplicateHandle(self, windows.Handle(f.Fd()), self, &h, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return f
	}
	return os.NewFile(uintptr(h), f.Name())
}
