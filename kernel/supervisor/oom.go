package supervisor

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// oomKills reads how many processes the out-of-memory killer has killed in
// this process's memory cgroup: "oom_kill" of memory.events (cgroup v2) or of
// memory.oom_control (cgroup v1, Linux ≥ 4.13). ok is false when neither
// can be read, and then nobody here can tell an OOM kill from a kill -9.
// The evaluator runs in the kernel's cgroup, so the counter covers it.
func oomKills() (n int64, ok bool) {
	for _, f := range oomCounterFiles() {
		if n, ok := readOOMKill(f); ok {
			return n, true
		}
	}
	return 0, false
}

// oomCounterFiles lists where the counter may be, most specific first: the
// cgroup named in /proc/self/cgroup, then the mount's root (a container
// usually sees its own cgroup as the root).
func oomCounterFiles() []string {
	var v1, v2 string
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			parts := strings.SplitN(line, ":", 3)
			if len(parts) != 3 {
				continue
			}
			switch {
			case parts[0] == "0" && parts[1] == "":
				v2 = parts[2]
			case strings.Contains(","+parts[1]+",", ",memory,"):
				v1 = parts[2]
			}
		}
	}
	var files []string
	if v2 != "" {
		files = append(files, filepath.Join("/sys/fs/cgroup", v2, "memory.events"))
	}
	files = append(files, "/sys/fs/cgroup/memory.events")
	if v1 != "" {
		files = append(files, filepath.Join("/sys/fs/cgroup/memory", v1, "memory.oom_control"))
	}
	return append(files, "/sys/fs/cgroup/memory/memory.oom_control")
}

func readOOMKill(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, _ := strings.Cut(sc.Text(), " ")
		if name == "oom_kill" {
			n, err := strconv.ParseInt(strings.TrimSpace(val), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}
