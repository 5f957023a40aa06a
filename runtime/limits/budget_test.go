package limits

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }

const (
	stat16 = "cpu  1 2 3 4 5 6 7 8 0 0\n" +
		"cpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\ncpu2 1 0 1 1 0 0 0 0 0 0\ncpu3 1 0 1 1 0 0 0 0 0 0\n" +
		"cpu4 1 0 1 1 0 0 0 0 0 0\ncpu5 1 0 1 1 0 0 0 0 0 0\ncpu6 1 0 1 1 0 0 0 0 0 0\ncpu7 1 0 1 1 0 0 0 0 0 0\n" +
		"cpu8 1 0 1 1 0 0 0 0 0 0\ncpu9 1 0 1 1 0 0 0 0 0 0\ncpu10 1 0 1 1 0 0 0 0 0 0\ncpu11 1 0 1 1 0 0 0 0 0 0\n" +
		"cpu12 1 0 1 1 0 0 0 0 0 0\ncpu13 1 0 1 1 0 0 0 0 0 0\ncpu14 1 0 1 1 0 0 0 0 0 0\ncpu15 1 0 1 1 0 0 0 0 0 0\n" +
		"intr 1 2 3\nctxt 5\n"
	meminfo64G  = "MemTotal:       67108864 kB\nMemFree:        1000 kB\n"
	mountinfoV2 = "25 30 0:22 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
	mountinfoV1 = "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	mountinfoHybrid = "30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n" + mountinfoV1
)

func TestReadBudgetFS(t *testing.T) {
	cases := []struct {
		name     string
		fs       fstest.MapFS
		cpus     float64
		mem      uint64
		file     string
		online   int
		memTotal uint64
	}{
		{
			name: "binder v2: 1 CPU and 2 GiB on a 16-core node",
			fs: fstest.MapFS{
				"proc/stat":           file(stat16),
				"proc/meminfo":        file(meminfo64G),
				"proc/self/cgroup":    file("0::/kubepods/pod1/ctr\n"),
				"proc/self/mountinfo": file(mountinfoV2),
				"sys/fs/cgroup/kubepods/pod1/ctr/cpu.max":    file("100000 100000\n"),
				"sys/fs/cgroup/kubepods/pod1/ctr/memory.max": file("2147483648\n"),
			},
			cpus: 1, mem: 2 << 30, file: "/sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", online: 16, memTotal: 64 << 30,
		},
		{
			name: "v2 namespace root, no limit",
			fs: fstest.MapFS{
				"proc/self/cgroup":         file("0::/\n"),
				"proc/self/mountinfo":      file(mountinfoV2),
				"sys/fs/cgroup/cpu.max":    file("max 100000\n"),
				"sys/fs/cgroup/memory.max": file("max\n"),
			},
		},
		{
			name: "v2 limit set on a parent applies",
			fs: fstest.MapFS{
				"proc/self/cgroup":               file("0::/a/b\n"),
				"proc/self/mountinfo":            file(mountinfoV2),
				"sys/fs/cgroup/a/cpu.max":        file("250000 100000\n"),
				"sys/fs/cgroup/a/b/cpu.max":      file("max 100000\n"),
				"sys/fs/cgroup/a/memory.max":     file("1073741824\n"),
				"sys/fs/cgroup/a/b/memory.max":   file("max\n"),
				"sys/fs/cgroup/a/b/cgroup.procs": file("1\n"),
			},
			cpus: 2.5, mem: 1 << 30, file: "/sys/fs/cgroup/a/cpu.max",
		},
		{
			name: "v2 tighter child wins over parent",
			fs: fstest.MapFS{
				"proc/self/cgroup":          file("0::/a/b\n"),
				"proc/self/mountinfo":       file(mountinfoV2),
				"sys/fs/cgroup/a/cpu.max":   file("400000 100000\n"),
				"sys/fs/cgroup/a/b/cpu.max": file("50000 100000\n"),
			},
			cpus: 0.5, file: "/sys/fs/cgroup/a/b/cpu.max",
		},
		{
			name: "v1 cfs quota, v1 'unlimited' memory",
			fs: fstest.MapFS{
				"proc/meminfo":        file(meminfo64G),
				"proc/self/cgroup":    file("4:memory:/job\n2:cpu,cpuacct:/job\n0::/\n"),
				"proc/self/mountinfo": file(mountinfoV1),
				"sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us":  file("150000\n"),
				"sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_period_us": file("100000\n"),
				"sys/fs/cgroup/memory/job/memory.limit_in_bytes":  file("9223372036854771712\n"),
			},
			cpus: 1.5, file: "/sys/fs/cgroup/cpu,cpuacct/job/cpu.cfs_quota_us", memTotal: 64 << 30,
		},
		{
			name: "v1 quota -1 means no limit; memory limit above RAM ignored",
			fs: fstest.MapFS{
				"proc/meminfo":        file(meminfo64G),
				"proc/self/cgroup":    file("4:memory:/\n2:cpu,cpuacct:/\n"),
				"proc/self/mountinfo": file(mountinfoV1),
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  file("-1\n"),
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": file("100000\n"),
				"sys/fs/cgroup/memory/memory.limit_in_bytes":  file("137438953472\n"),
			},
			memTotal: 64 << 30,
		},
		{
			name: "v1 container: cgroup path outside the mount root maps to the mount root",
			fs: fstest.MapFS{
				"proc/self/cgroup": file("2:cpu,cpuacct:/docker/abc\n"),
				"proc/self/mountinfo": file(
					"32 31 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro - cgroup cgroup rw,cpu,cpuacct\n"),
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us":  file("200000\n"),
				"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": file("100000\n"),
			},
			cpus: 2, file: "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us",
		},
		{
			name: "hybrid: empty v2 hierarchy, limit in v1",
			fs: fstest.MapFS{
				"proc/self/cgroup":                              file("2:cpu,cpuacct:/x\n0::/x\n"),
				"proc/self/mountinfo":                           file(mountinfoHybrid),
				"sys/fs/cgroup/unified/x/cgroup.procs":          file("1\n"),
				"sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us":  file("100000\n"),
				"sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_period_us": file("100000\n"),
			},
			cpus: 1, file: "/sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us",
		},
		{
			name: "no mountinfo: usual v2 mount point assumed",
			fs: fstest.MapFS{
				"proc/self/cgroup":      file("0::/\n"),
				"sys/fs/cgroup/cpu.max": file("300000 100000\n"),
			},
			cpus: 3, file: "/sys/fs/cgroup/cpu.max",
		},
		{
			name: "nothing readable",
			fs:   fstest.MapFS{},
		},
		{
			name: "garbage files are ignored",
			fs: fstest.MapFS{
				"proc/stat":             file("nonsense\n"),
				"proc/meminfo":          file("MemTotal: lots\n"),
				"proc/self/cgroup":      file("0::/\n"),
				"proc/self/mountinfo":   file("garbage line\n" + mountinfoV2),
				"sys/fs/cgroup/cpu.max": file("a b c\n"),
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := readBudgetFS(c.fs)
			if b.CgroupCPUs != c.cpus {
				t.Errorf("CgroupCPUs = %v, want %v", b.CgroupCPUs, c.cpus)
			}
			if b.CgroupFile != c.file {
				t.Errorf("CgroupFile = %q, want %q", b.CgroupFile, c.file)
			}
			if b.CgroupMem != c.mem {
				t.Errorf("CgroupMem = %v, want %v", b.CgroupMem, c.mem)
			}
			if b.Online != c.online {
				t.Errorf("Online = %v, want %v", b.Online, c.online)
			}
			if b.MemTotal != c.memTotal {
				t.Errorf("MemTotal = %v, want %v", b.MemTotal, c.memTotal)
			}
		})
	}
}

func TestParseCPUMax(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		err  bool
	}{
		{"max 100000\n", 0, false},
		{"max", 0, false},
		{"100000 100000", 1, false},
		{"150000 100000\n", 1.5, false},
		{"50000", 0.5, false}, // period defaults to 100 ms
		{"", 0, true},
		{"x 100000", 0, true},
		{"100000 0", 0, true},
		{"1 2 3", 0, true},
	}
	for _, c := range cases {
		got, err := ParseCPUMax(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseCPUMax(%q) = %v, %v; want %v, err=%v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestParseCFS(t *testing.T) {
	cases := []struct {
		q, p string
		want float64
		err  bool
	}{
		{"-1\n", "100000\n", 0, false},
		{"100000", "100000", 1, false},
		{"350000", "100000", 3.5, false},
		{"50000", "50000", 1, false},
		{"0", "100000", 0, true},
		{"abc", "100000", 0, true},
		{"100000", "0", 0, true},
	}
	for _, c := range cases {
		got, err := ParseCFS(c.q, c.p)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseCFS(%q, %q) = %v, %v; want %v, err=%v", c.q, c.p, got, err, c.want, c.err)
		}
	}
}

func TestParseMemoryMax(t *testing.T) {
	cases := []struct {
		in   string
		want uint64
		err  bool
	}{
		{"max\n", 0, false},
		{"-1", 0, false},
		{"2147483648\n", 2 << 30, false},
		{"9223372036854771712", 0, false},
		{"lots", 0, true},
	}
	for _, c := range cases {
		got, err := ParseMemoryMax(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseMemoryMax(%q) = %v, %v; want %v, err=%v", c.in, got, err, c.want, c.err)
		}
	}
}

func TestBudgetWarning(t *testing.T) {
	cases := []struct {
		name  string
		b     Budget
		cores float64
		want  []string // substrings; none means no warning
	}{
		{"laptop: all agree", Budget{GOMAXPROCS: 8, NumCPU: 8, Online: 8, Affinity: 8, MemTotal: 16 << 30}, 8, nil},
		{"binder", Budget{GOMAXPROCS: 1, NumCPU: 16, Online: 16, Affinity: 16, CgroupCPUs: 1, MemTotal: 64 << 30, CgroupMem: 2 << 30},
			1, []string{"16 cores", "cgroup quota allows 1 CPU", "budget is 1", "2.0 GiB", "64.0 GiB"}},
		{"taskset", Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 8, Affinity: 2}, 2, []string{"8 cores", "affinity mask allows 2"}},
		{"GOMAXPROCS=1 by hand", Budget{GOMAXPROCS: 1, NumCPU: 4, Online: 4, Affinity: 4}, 1, []string{"GOMAXPROCS is 1"}},
		{"GOMAXPROCS above a fractional quota", Budget{GOMAXPROCS: 4, NumCPU: 4, Online: 4, Affinity: 4, CgroupCPUs: 1.5},
			1.5, []string{"1.5 CPU", "GOMAXPROCS is 4, above the budget of 1.5"}},
		{"unknown everything", Budget{}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.b.Cores(); got != c.cores {
				t.Errorf("Cores() = %v, want %v", got, c.cores)
			}
			w := c.b.Warning()
			if len(c.want) == 0 && w != "" {
				t.Errorf("unexpected warning %q", w)
			}
			for _, s := range c.want {
				if !strings.Contains(w, s) {
					t.Errorf("warning %q lacks %q", w, s)
				}
			}
			if s := c.b.String(); !strings.Contains(s, "budget") {
				t.Errorf("String() = %q", s)
			}
		})
	}
}

func TestReadHere(t *testing.T) {
	b := Read()
	if b.GOMAXPROCS < 1 || b.NumCPU < 1 {
		t.Fatalf("budget %+v", b)
	}
	if b.Cores() < 0.01 || b.Cores() > float64(b.Visible()) {
		t.Errorf("Cores() = %v with %+v", b.Cores(), b)
	}
	t.Logf("%s; warning: %q", b, b.Warning())
}

func TestFormat(t *testing.T) {
	if got := FormatCPUs(1.5); got != "1.5" {
		t.Errorf("FormatCPUs(1.5) = %q", got)
	}
	if got := FormatCPUs(2); got != "2" {
		t.Errorf("FormatCPUs(2) = %q", got)
	}
	for n, want := range map[uint64]string{512: "512 B", 2048: "2.0 KiB", 3 << 20: "3.0 MiB", 2 << 30: "2.0 GiB"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestBudgetReadsQuotaPeriod(t *testing.T) {
	v1 := readBudgetFS(fstest.MapFS{
		"proc/self/cgroup":                              file("2:cpu,cpuacct:/x\n"),
		"proc/self/mountinfo":                           file(mountinfoV1),
		"sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_quota_us":  file("50000\n"),
		"sys/fs/cgroup/cpu,cpuacct/x/cpu.cfs_period_us": file("50000\n"),
	})
	if v1.CgroupPeriod != 50*time.Millisecond || v1.CPUStatFile() != "/sys/fs/cgroup/cpu,cpuacct/x/cpu.stat" {
		t.Errorf("v1: period %v, cpu.stat %q", v1.CgroupPeriod, v1.CPUStatFile())
	}
	v2 := readBudgetFS(fstest.MapFS{
		"proc/self/cgroup":        file("0::/a\n"),
		"proc/self/mountinfo":     file(mountinfoV2),
		"sys/fs/cgroup/a/cpu.max": file("200000 250000\n"),
	})
	if v2.CgroupPeriod != 250*time.Millisecond || v2.CPUStatFile() != "/sys/fs/cgroup/a/cpu.stat" {
		t.Errorf("v2: period %v, cpu.stat %q", v2.CgroupPeriod, v2.CPUStatFile())
	}
	if none := (Budget{NumCPU: 4}); none.CPUStatFile() != "" {
		t.Errorf("no quota: cpu.stat %q", none.CPUStatFile())
	}
}

// A system that lacks a limit says so in the one-line summaries the
// reports print, and a Linux budget says nothing of the kind.
func TestUnmeasuredIsSaid(t *testing.T) {
	mac := Budget{GOMAXPROCS: 8, NumCPU: 8, Unmeasured: unmeasured["darwin"]}
	for _, s := range []string{mac.Limits(), mac.String()} {
		if !strings.Contains(s, "not measured: affinity mask, CPU quota and memory limit (macOS has no cgroups)") {
			t.Errorf("%q does not say what macOS lacks", s)
		}
	}
	if mac.Cores() != 8 {
		t.Errorf("Cores() = %v, want GOMAXPROCS and NumCPU's 8", mac.Cores())
	}
	if b := Read(); runtime.GOOS == "linux" && b.Unmeasured != "" {
		t.Errorf("Linux budget misses %q", b.Unmeasured)
	}
}
