//go:build darwin || windows || (linux && gopsutil)

package meter

import (
	"errors"
	"fmt"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
)

// gopsutilSnap asks the system for per-core times through gopsutil
// (macOS: host_processor_info, loaded without cgo; Windows:
// NtQuerySystemInformation) and takes this process's CPU time from
// [ProcessCPU]. It is the sampler's reader on macOS and Windows; on Linux
// it is built only with -tags gopsutil, to test it against /proc/stat.
func gopsutilSnap() (statSnap, error) {
	times, err := cpu.Times(true)
	if err != nil {
		return statSnap{}, fmt.Errorf("meter: per-core times: %w", err)
	}
	if len(times) == 0 {
		return statSnap{}, errors.New("meter: per-core times: the system reported no CPUs")
	}
	var s statSnap
	for i, t := range times {
		busy := t.User + t.Nice + t.System + t.Irq + t.Softirq + t.Steal
		s.cpus = append(s.cpus, i)
		s.busy = append(s.busy, secondsToTicks(busy))
		s.total = append(s.total, secondsToTicks(busy+t.Idle+t.Iowait))
	}
	user, sys := ProcessCPU()
	s.proc = uint64((user + sys) * clockTicks / time.Second)
	return s, nil
}

// secondsToTicks converts gopsutil's seconds to the sampler's 1/clockTicks
// units, the unit of /proc/stat on Linux.
func secondsToTicks(sec float64) uint64 {
	if sec <= 0 {
		return 0
	}
	return uint64(sec * clockTicks)
}
