package meter

import (
	"time"

	"golang.org/x/sys/windows"
)

// usageUnmeasured is what readUsage cannot read on Windows, which has no
// getrusage: the CPU time of child processes (so worker processes are
// missing from cores used) and the peak memory.
const usageUnmeasured = "CPU time of child processes (worker processes are missing from cores used) and peak memory"

func readUsage() usage {
	u := usage{gc: GCCPU()}
	var creation, exit, kernel, user windows.Filetime
	if h, err := windows.GetCurrentProcess(); err == nil &&
		windows.GetProcessTimes(h, &creation, &exit, &kernel, &user) == nil {
		u.user, u.sys = filetimeDuration(user), filetimeDuration(kernel)
	}
	return u
}

// filetimeDuration reads a FILETIME that holds a duration (100 ns units),
// as GetProcessTimes returns CPU times; Filetime.Nanoseconds would
// subtract the 1601 epoch.
func filetimeDuration(ft windows.Filetime) time.Duration {
	return time.Duration(uint64(ft.HighDateTime)<<32|uint64(ft.LowDateTime)) * 100
}
