package limits

import (
	"os"

	"golang.org/x/sys/unix"
)

// readOS reads what Linux exposes: /proc for the machine, the cgroup
// files for the quota and memory limit, sched_getaffinity for the mask.
func readOS() Budget {
	b := readBudgetFS(os.DirFS("/"))
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		b.Affinity = set.Count()
	}
	return b
}
