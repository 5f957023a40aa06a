package meter

import (
	"fmt"
	"os"
)

// readSnap reads /proc/stat, /proc/self/stat and, if cpuStat is set, the
// throttled time of that cgroup cpu.stat.
func readSnap(cpuStat string) (statSnap, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return statSnap{}, fmt.Errorf("%w: %v", ErrNoProcStat, err)
	}
	snap, err := parseProcStat(data)
	if err != nil {
		return snap, err
	}
	if self, err := os.ReadFile("/proc/self/stat"); err == nil {
		snap.proc, _ = parseSelfStat(self)
	}
	if cpuStat != "" {
		if c, err := readCPUStat(cpuStat); err == nil {
			snap.thr = uint64(c.time)
		}
	}
	return snap, nil
}
