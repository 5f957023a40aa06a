package limits

import (
	"testing"
	"testing/fstest"
)

// The parsers read files the kernel (or a container runtime) writes; they
// must never panic, whatever they are given.

func FuzzProcFiles(f *testing.F) {
	f.Add([]byte(stat16))
	f.Add([]byte(meminfo64G))
	f.Fuzz(func(t *testing.T, data []byte) {
		if n := countStatCPUs(data); n < 0 {
			t.Fatalf("countStatCPUs = %d", n)
		}
		parseMemTotal(data)
	})
}

func FuzzParseLimits(f *testing.F) {
	f.Add("max 100000", "-1", "100000")
	f.Add("150000 100000\n", "9223372036854771712", "0")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		if v, err := ParseCPUMax(a); err == nil && v < 0 {
			t.Fatalf("ParseCPUMax(%q) = %v", a, v)
		}
		if v, err := ParseCFS(b, c); err == nil && v < 0 {
			t.Fatalf("ParseCFS(%q, %q) = %v", b, c, v)
		}
		ParseMemoryMax(a)
	})
}

func FuzzCPUMaxPeriod(f *testing.F) {
	f.Add("max 100000")
	f.Add("150000 250000\n")
	f.Fuzz(func(t *testing.T, s string) {
		if d := cpuMaxPeriod(s); d <= 0 {
			t.Fatalf("cpuMaxPeriod(%q) = %v", s, d)
		}
	})
}

func FuzzCgroupFiles(f *testing.F) {
	f.Add("0::/a/b\n", mountinfoV2, "200000 100000")
	f.Add("2:cpu,cpuacct:/docker/x\n", mountinfoHybrid, "max")
	f.Fuzz(func(t *testing.T, cgroup, mountinfo, cpumax string) {
		fsys := fstest.MapFS{
			"proc/self/cgroup":          file(cgroup),
			"proc/self/mountinfo":       file(mountinfo),
			"sys/fs/cgroup/cpu.max":     file(cpumax),
			"sys/fs/cgroup/a/b/cpu.max": file(cpumax),
		}
		b := readBudgetFS(fsys)
		if b.CgroupCPUs < 0 {
			t.Fatalf("negative quota %v", b.CgroupCPUs)
		}
	})
}
