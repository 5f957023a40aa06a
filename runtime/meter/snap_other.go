//go:build darwin || windows

package meter

// readSnap reads per-core times through gopsutil. There is no cgroup, so
// cpuStat is ignored.
func readSnap(string) (statSnap, error) { return gopsutilSnap() }
