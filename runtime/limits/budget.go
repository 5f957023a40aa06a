// Package limits reads how much of the machine this process may use: its
// core budget (GOMAXPROCS, NumCPU, the affinity mask, a cgroup v1 or v2 CPU
// quota) and its memory limit (cgroup), so that a measured speed-up can be
// held against the cores it could have had.
//
//	b := limits.Read()
//	fmt.Println(b)         // budget 1 core (GOMAXPROCS 2, NumCPU 2, affinity 2, cgroup 1 CPU), memory 2.0 GiB
//	fmt.Println(b.Cores()) // 1
//
// Linux exposes every limit; elsewhere the ones the system lacks stay zero
// and [Budget.Unmeasured] names them, so reports say what they could not see.
package limits

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Budget is how many cores (and how much memory) this process may really use,
// read from every place that can limit it. On a laptop they all agree; on
// Binder or in a container they often do not: the cgroup allows one CPU while
// runtime.NumCPU sees all the node's cores. A speed-up is bounded by
// [Budget.Cores], never by NumCPU.
type Budget struct {
	GOMAXPROCS int     // runtime.GOMAXPROCS(0): Go ≥1.25 derives it from the cgroup limit
	NumCPU     int     // runtime.NumCPU(): CPUs this process may be scheduled on at start-up
	Online     int     // CPUs the machine has online (/proc/stat cpuN lines); 0 if unknown
	Affinity   int     // CPUs in the sched_getaffinity mask now; 0 if unknown
	CgroupCPUs float64 // cgroup CPU quota in CPUs (quota/period); 0 = no limit
	CgroupFile string  // where the quota came from ("/sys/fs/cgroup/cpu.max"); "" if none
	// CgroupPeriod is the quota's CFS period (100 ms by default): within
	// one period the group may run on every visible core until its quota
	// is spent, so a run shorter than a few periods can use more than
	// CgroupCPUs. 0 if there is no quota.
	CgroupPeriod time.Duration
	MemTotal     uint64 // bytes of RAM the machine has (/proc/meminfo MemTotal); 0 if unknown
	CgroupMem    uint64 // cgroup memory limit in bytes (memory.max); 0 = no limit
	// Unmeasured names the limits this operating system does not expose,
	// so Read could not read them (e.g. "affinity mask, cgroup CPU quota
	// and memory limit (darwin has none)"); "" on Linux.
	Unmeasured string
}

// Read reads the budget of the current process. Fields it cannot read
// stay zero, which every method treats as "unknown / no limit"; on systems
// without cgroups or an affinity mask, [Budget.Unmeasured] says which.
func Read() Budget {
	b := readOS()
	b.GOMAXPROCS = runtime.GOMAXPROCS(0)
	b.NumCPU = runtime.NumCPU()
	return b
}

// Cores is the effective core budget: the smallest positive limit among
// GOMAXPROCS, NumCPU, Affinity and the cgroup quota.
func (b Budget) Cores() float64 {
	c := math.Inf(1)
	for _, v := range []float64{float64(b.GOMAXPROCS), float64(b.NumCPU), float64(b.Affinity), b.CgroupCPUs} {
		if v > 0 && v < c {
			c = v
		}
	}
	if math.IsInf(c, 1) {
		return 1
	}
	return c
}

// Memory is the effective memory budget in bytes: the cgroup limit when set
// and below MemTotal, else MemTotal (0 when neither is known).
func (b Budget) Memory() uint64 {
	if b.CgroupMem > 0 && (b.MemTotal == 0 || b.CgroupMem < b.MemTotal) {
		return b.CgroupMem
	}
	return b.MemTotal
}

// Visible is the number of cores a program that only asks runtime.NumCPU (or
// Python's os.cpu_count) would think it has: the larger of NumCPU and Online.
func (b Budget) Visible() int {
	if b.Online > b.NumCPU {
		return b.Online
	}
	return b.NumCPU
}

// Warning explains, in one or two sentences, where the limits disagree in a
// way that changes what a learner will measure; "" when they agree.
func (b Budget) Warning() string {
	var parts []string
	cores := b.Cores()
	if vis := b.Visible(); vis > 0 && cores < float64(vis) {
		var who []string
		if b.CgroupCPUs > 0 && b.CgroupCPUs < float64(vis) {
			who = append(who, "the cgroup quota allows "+FormatCPUs(b.CgroupCPUs)+" CPU")
		}
		if b.Affinity > 0 && b.Affinity < vis {
			who = append(who, fmt.Sprintf("the affinity mask allows %d", b.Affinity))
		}
		if b.GOMAXPROCS > 0 && b.GOMAXPROCS < vis && float64(b.GOMAXPROCS) <= cores {
			who = append(who, fmt.Sprintf("GOMAXPROCS is %d", b.GOMAXPROCS))
		}
		if len(who) == 0 {
			who = append(who, fmt.Sprintf("only %s may be used", FormatCPUs(cores)))
		}
		parts = append(parts, fmt.Sprintf(
			"The machine shows %d cores but %s: the core budget is %s, so no run can use more than %s (a speed-up above %s× is impossible here).",
			vis, strings.Join(who, " and "), FormatCPUs(cores), Cores(cores), FormatCPUs(cores)))
	}
	if b.GOMAXPROCS > 0 && float64(b.GOMAXPROCS) > math.Ceil(cores) {
		parts = append(parts, fmt.Sprintf(
			"GOMAXPROCS is %d, above the budget of %s: extra goroutines share the same cores.",
			b.GOMAXPROCS, FormatCPUs(cores)))
	}
	if b.CgroupMem > 0 && b.MemTotal > 0 && b.CgroupMem < b.MemTotal {
		parts = append(parts, fmt.Sprintf(
			"Memory is limited to %s by the cgroup (the machine has %s).",
			FormatBytes(b.CgroupMem), FormatBytes(b.MemTotal)))
	}
	return strings.Join(parts, " ")
}

// String is a one-line summary, e.g.
// "budget 1 core (GOMAXPROCS 1, NumCPU 16, affinity 16, cgroup 1 CPU), memory 2.0 GiB".
func (b Budget) String() string {
	s := fmt.Sprintf("budget %s (%s)", Cores(b.Cores()), b.Limits())
	if m := b.Memory(); m > 0 {
		s += ", memory " + FormatBytes(m)
	}
	return s
}

// Limits lists the CPU limits behind the budget, e.g.
// "GOMAXPROCS 1, NumCPU 16, affinity 16, cgroup 1 CPU".
func (b Budget) Limits() string {
	cg := "no cgroup limit"
	if b.CgroupCPUs > 0 {
		cg = "cgroup " + FormatCPUs(b.CgroupCPUs) + " CPU"
	}
	s := fmt.Sprintf("GOMAXPROCS %d, NumCPU %d, affinity %d, %s", b.GOMAXPROCS, b.NumCPU, b.Affinity, cg)
	if b.Unmeasured != "" {
		s += "; not measured: " + b.Unmeasured
	}
	return s
}

// CPUStatFile is the cpu.stat file of the cgroup whose quota sets the
// budget ("" without a quota): its throttling counters are the ones that
// hold this process off.
func (b Budget) CPUStatFile() string {
	if b.CgroupCPUs <= 0 || b.CgroupFile == "" {
		return ""
	}
	return path.Join(path.Dir(b.CgroupFile), "cpu.stat")
}

// Cores prints a core count with its noun: "1 core", "1.5 cores", "16 cores".
func Cores(c float64) string {
	if FormatCPUs(c) == "1" {
		return "1 core"
	}
	return FormatCPUs(c) + " cores"
}

// FormatCPUs prints a CPU count without needless decimals: 2, 1.5, 0.25.
func FormatCPUs(c float64) string {
	return strconv.FormatFloat(math.Round(c*100)/100, 'f', -1, 64)
}

// FormatBytes prints a byte count in binary units: 512 B, 3.2 MiB, 2.0 GiB.
func FormatBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// unmeasured is what Read cannot read on systems other than Linux, by
// GOOS; it becomes [Budget.Unmeasured].
var unmeasured = map[string]string{
	"darwin":  "affinity mask, CPU quota and memory limit (macOS has no cgroups)",
	"windows": "affinity mask, job-object CPU rate and memory limits (not read on Windows)",
}

// usec converts microseconds to a Duration, saturating instead of
// overflowing on absurd input.
func usec(n int64) time.Duration {
	if n > math.MaxInt64/int64(time.Microsecond) {
		return math.MaxInt64
	}
	return time.Duration(n) * time.Microsecond
}

// readBudgetFS fills the file-based fields from a file system rooted at "/"
// (os.DirFS("/") in production, fstest.MapFS fixtures in tests).
func readBudgetFS(fsys fs.FS) Budget {
	var b Budget
	if data, err := fs.ReadFile(fsys, "proc/stat"); err == nil {
		b.Online = countStatCPUs(data)
	}
	if data, err := fs.ReadFile(fsys, "proc/meminfo"); err == nil {
		b.MemTotal = parseMemTotal(data)
	}
	cg, _ := fs.ReadFile(fsys, "proc/self/cgroup")
	mi, _ := fs.ReadFile(fsys, "proc/self/mountinfo")
	for _, dir := range cgroupDirs(cg, mi) {
		if b.CgroupCPUs == 0 && dir.hasCPU {
			if cpus, file, period := readCPULimit(fsys, dir); cpus > 0 {
				b.CgroupCPUs, b.CgroupFile, b.CgroupPeriod = cpus, file, period
			}
		}
		if b.CgroupMem == 0 && dir.hasMem {
			b.CgroupMem = readMemLimit(fsys, dir)
		}
	}
	if b.CgroupMem > 0 && b.MemTotal > 0 && b.CgroupMem >= b.MemTotal {
		b.CgroupMem = 0 // a limit above the machine's RAM limits nothing
	}
	return b
}

// cgroupDir is one cgroup directory (a path below a mount, no leading slash)
// and what it can limit.
type cgroupDir struct {
	mount  string // mount point without leading slash, e.g. "sys/fs/cgroup/cpu"
	rel    string // the process's cgroup below the mount, e.g. "docker/abc"; "" = mount root
	v2     bool
	hasCPU bool
	hasMem bool
}

// cgroupDirs finds the process's cgroup directories from /proc/self/cgroup
// and /proc/self/mountinfo, v2 first. Without mountinfo the usual mount
// points are assumed.
func cgroupDirs(cgroup, mountinfo []byte) []cgroupDir {
	type mnt struct {
		root, point string
		v2          bool
		opts        []string
	}
	var mounts []mnt
	for _, line := range strings.Split(string(mountinfo), "\n") {
		// 36 35 98:0 /root /mnt rw,noatime master:1 - cgroup cgroup rw,cpu,cpuacct
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		switch g[0] {
		case "cgroup2":
			mounts = append(mounts, mnt{root: f[3], point: f[4], v2: true})
		case "cgroup":
			var opts []string
			if len(g) >= 3 {
				opts = strings.Split(g[2], ",")
			}
			mounts = append(mounts, mnt{root: f[3], point: f[4], opts: opts})
		}
	}
	if len(mounts) == 0 {
		mounts = []mnt{
			{root: "/", point: "/sys/fs/cgroup", v2: true},
			{root: "/", point: "/sys/fs/cgroup/cpu", opts: []string{"cpu"}},
			{root: "/", point: "/sys/fs/cgroup/cpu,cpuacct", opts: []string{"cpu", "cpuacct"}},
			{root: "/", point: "/sys/fs/cgroup/memory", opts: []string{"memory"}},
		}
	}
	var v2, v1 []cgroupDir
	for _, line := range strings.Split(string(cgroup), "\n") {
		// hierarchy-ID:controller-list:cgroup-path
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 {
			continue
		}
		ctrls, cpath := strings.Split(parts[1], ","), parts[2]
		for _, m := range mounts {
			if m.v2 != (parts[0] == "0" && parts[1] == "") {
				continue
			}
			if !m.v2 && !hasAny(m.opts, ctrls) {
				continue
			}
			d := cgroupDir{mount: strings.TrimPrefix(m.point, "/"), rel: relCgroup(m.root, cpath), v2: m.v2}
			if m.v2 {
				d.hasCPU, d.hasMem = true, true
				v2 = append(v2, d)
			} else {
				d.hasCPU = contains(ctrls, "cpu")
				d.hasMem = contains(ctrls, "memory")
				v1 = append(v1, d)
			}
		}
	}
	return append(v2, v1...)
}

// relCgroup maps the process's cgroup path onto a mount whose root is
// mountRoot. Inside a container with its own cgroup namespace the path is
// often "/" or does not lie below the mount root: then the mount root is the
// process's own cgroup.
func relCgroup(mountRoot, cpath string) string {
	cpath = path.Clean("/" + cpath)
	mountRoot = path.Clean("/" + mountRoot)
	if mountRoot != "/" {
		if cpath == mountRoot {
			return ""
		}
		if !strings.HasPrefix(cpath, mountRoot+"/") {
			return ""
		}
		cpath = strings.TrimPrefix(cpath, mountRoot)
	}
	return strings.TrimPrefix(cpath, "/")
}

func hasAny(a, b []string) bool {
	for _, x := range b {
		if contains(a, x) {
			return true
		}
	}
	return false
}

func contains(a []string, x string) bool {
	for _, y := range a {
		if y == x {
			return true
		}
	}
	return false
}

// ancestors lists dir's cgroup directory and each parent up to the mount
// point: a limit anywhere up the tree applies, and the smallest wins.
func (d cgroupDir) ancestors() []string {
	var out []string
	rel := d.rel
	for {
		out = append(out, path.Join(d.mount, rel))
		if rel == "" || rel == "." {
			return out
		}
		rel = path.Dir(rel)
		if rel == "." || rel == "/" {
			rel = ""
		}
	}
}

// readCPULimit returns the tightest CPU quota on the way up from d, in CPUs,
// the file it came from and the quota's period.
func readCPULimit(fsys fs.FS, d cgroupDir) (cpus float64, file string, period time.Duration) {
	for _, dir := range d.ancestors() {
		var c float64
		var p time.Duration
		var err error
		if d.v2 {
			var data []byte
			if data, err = fs.ReadFile(fsys, path.Join(dir, "cpu.max")); err == nil {
				c, err = ParseCPUMax(string(data))
				p = cpuMaxPeriod(string(data))
			}
			if err == nil && c > 0 && (cpus == 0 || c < cpus) {
				cpus, file, period = c, "/"+path.Join(dir, "cpu.max"), p
			}
			continue
		}
		q, err1 := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_quota_us"))
		ps, err2 := fs.ReadFile(fsys, path.Join(dir, "cpu.cfs_period_us"))
		if err1 != nil || err2 != nil {
			continue
		}
		if c, err = ParseCFS(string(q), string(ps)); err == nil && c > 0 && (cpus == 0 || c < cpus) {
			us, _ := strconv.ParseInt(strings.TrimSpace(string(ps)), 10, 64)
			cpus, file, period = c, "/"+path.Join(dir, "cpu.cfs_quota_us"), usec(us)
		}
	}
	return cpus, file, period
}

// cpuMaxPeriod is the period of a cgroup v2 cpu.max line (100 ms when the
// line gives none, as the kernel's default).
func cpuMaxPeriod(s string) time.Duration {
	f := strings.Fields(s)
	if len(f) == 2 {
		if us, err := strconv.ParseInt(f[1], 10, 64); err == nil && us > 0 {
			return usec(us)
		}
	}
	return 100 * time.Millisecond
}

// readMemLimit returns the tightest memory limit on the way up from d (0 = none).
func readMemLimit(fsys fs.FS, d cgroupDir) uint64 {
	name := "memory.limit_in_bytes"
	if d.v2 {
		name = "memory.max"
	}
	var best uint64
	for _, dir := range d.ancestors() {
		data, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			continue
		}
		if n, err := ParseMemoryMax(string(data)); err == nil && n > 0 && (best == 0 || n < best) {
			best = n
		}
	}
	return best
}

// ErrBadFormat is returned by the parsers for input they do not understand.
var ErrBadFormat = errors.New("limits: unrecognised format")

// ParseCPUMax parses a cgroup v2 cpu.max file ("max 100000" or
// "150000 100000") into CPUs; 0 means no limit.
func ParseCPUMax(s string) (float64, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 2 {
		return 0, fmt.Errorf("cpu.max %q: %w", s, ErrBadFormat)
	}
	if f[0] == "max" {
		return 0, nil
	}
	quota, err := strconv.ParseFloat(f[0], 64)
	if err != nil || quota <= 0 {
		return 0, fmt.Errorf("cpu.max quota %q: %w", f[0], ErrBadFormat)
	}
	period := 100000.0
	if len(f) == 2 {
		if period, err = strconv.ParseFloat(f[1], 64); err != nil || period <= 0 {
			return 0, fmt.Errorf("cpu.max period %q: %w", f[1], ErrBadFormat)
		}
	}
	return quota / period, nil
}

// ParseCFS parses cgroup v1 cpu.cfs_quota_us and cpu.cfs_period_us into
// CPUs; a quota of -1 means no limit (0).
func ParseCFS(quota, period string) (float64, error) {
	q, err := strconv.ParseInt(strings.TrimSpace(quota), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cfs_quota_us %q: %w", quota, ErrBadFormat)
	}
	if q < 0 {
		return 0, nil
	}
	p, err := strconv.ParseInt(strings.TrimSpace(period), 10, 64)
	if err != nil || p <= 0 {
		return 0, fmt.Errorf("cfs_period_us %q: %w", period, ErrBadFormat)
	}
	if q == 0 {
		return 0, fmt.Errorf("cfs_quota_us 0: %w", ErrBadFormat)
	}
	return float64(q) / float64(p), nil
}

// ParseMemoryMax parses cgroup v2 memory.max ("max" or bytes) or v1
// memory.limit_in_bytes; 0 means no limit. v1 writes "no limit" as a huge
// page-aligned number, which is treated as no limit too.
func ParseMemoryMax(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "max" || s == "-1" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("memory limit %q: %w", s, ErrBadFormat)
	}
	if n >= 1<<62 {
		return 0, nil
	}
	return n, nil
}

// parseMemTotal returns MemTotal from /proc/meminfo in bytes (0 if absent).
func parseMemTotal(data []byte) uint64 {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			n, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0
			}
			if len(f) >= 3 && f[2] == "kB" {
				n *= 1024
			}
			return n
		}
	}
	return 0
}

// countStatCPUs counts the per-CPU lines ("cpu0", "cpu1", ...) in /proc/stat.
func countStatCPUs(data []byte) int {
	n := 0
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(line) > 3 && bytes.HasPrefix(line, []byte("cpu")) && line[3] >= '0' && line[3] <= '9' {
			n++
		}
	}
	return n
}
