//go:build darwin || windows

package limits

import (
	"runtime"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// readOS reads what macOS and Windows expose through gopsutil (no cgo):
// the CPUs online and the machine's memory. Neither has cgroups; macOS has
// no affinity mask, and Windows' (like a job object's CPU rate or memory
// limit) is not read, so the budget there is GOMAXPROCS and NumCPU.
func readOS() Budget {
	b := Budget{Unmeasured: unmeasured[runtime.GOOS]}
	if n, err := cpu.Counts(true); err == nil {
		b.Online = n
	}
	if v, err := mem.VirtualMemory(); err == nil {
		b.MemTotal = v.Total
	}
	return b
}
