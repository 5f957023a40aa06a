//go:build !linux && !darwin && !windows

package limits

import "runtime"

// readOS knows nothing about systems other than Linux, macOS and Windows:
// the budget is GOMAXPROCS and NumCPU, and the report says so.
func readOS() Budget {
	return Budget{Unmeasured: "CPUs online, affinity mask, CPU quota and memory limits (not read on " + runtime.GOOS + ")"}
}
