//go:build unix

package meter

import (
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// usageUnmeasured is what readUsage cannot read here: nothing, getrusage
// covers this process and its reaped children.
const usageUnmeasured = ""

// maxRSSBytes converts getrusage's ru_maxrss to bytes: Linux counts KiB,
// macOS bytes.
func maxRSSBytes(v int64) uint64 {
	if runtime.GOOS == "darwin" {
		return uint64(v)
	}
	return uint64(v) * 1024
}

func readUsage() usage {
	var u usage
	var self, kids unix.Rusage
	if unix.Getrusage(unix.RUSAGE_SELF, &self) == nil {
		u.user = time.Duration(self.Utime.Nano())
		u.sys = time.Duration(self.Stime.Nano())
		u.maxRSS = maxRSSBytes(self.Maxrss)
	}
	if unix.Getrusage(unix.RUSAGE_CHILDREN, &kids) == nil {
		u.childUser = time.Duration(kids.Utime.Nano())
		u.childSys = time.Duration(kids.Stime.Nano())
	}
	u.gc = GCCPU()
	return u
}
