package runtime

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corelab/runtime/meter"
)

// quotaChildEnv makes the test binary run TestQuotaChild inside a cgroup.
const quotaChildEnv = "CORELAB_QUOTA_CHILD"

// TestQuotaThrottling runs short and long workloads inside a one-CPU cgroup
// v1 group on this machine (quota = period = 100 ms; Binder's shape: every
// core visible, one CPU of quota) and checks what their reports say:
// throttling counted, the budget of 1 read from the group, short runs said to
// be too short, and no speed-up above the budget presented as a result. The
// workloads run in a re-exec of this test binary, moved into the group before
// it starts measuring (TestQuotaChild holds the assertions).
func TestQuotaThrottling(t *testing.T) {
	if raceBuild {
		// It checks what the meter and reports say about a quota, not
		// concurrency; under the detector its workloads run ~10× slower
		// and the test takes 40 s. The unit phase runs it.
		t.Skip("a measurement of reports under a CPU quota; run without -race")
	}
	if os.Getuid() != 0 {
		t.Skip("needs root to create a cgroup v1 cpu group (run the tests as root, as CI does)")
	}
	const root = "/sys/fs/cgroup/cpu"
	if _, err := os.Stat(filepath.Join(root, "cpu.cfs_quota_us")); err != nil {
		t.Skipf("no cgroup v1 cpu controller at %s: %v", root, err)
	}
	dir := filepath.Join(root, fmt.Sprintf("corelab-test-%d", os.Getpid()))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("create cgroup: %v", err)
	}
	t.Cleanup(func() {
		if err := os.Remove(dir); err != nil {
			t.Errorf("remove cgroup %s: %v", dir, err)
		}
	})
	// cpu.shares at its maximum: on a machine busy with other work the
	// group still gets the CPU its quota allows, so what limits it is the
	// quota (the case under test), not contention.
	for f, v := range map[string]string{"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "100000", "cpu.shares": "262144"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(v), 0o644); err != nil {
			t.Fatalf("set %s: %v", f, err)
		}
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestQuotaChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), quotaChildEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Into the group before the child measures anything; then let it go.
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(fmt.Sprint(cmd.Process.Pid)), 0o644); err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("move the child into the group: %v", err)
	}
	fmt.Fprintln(stdin, "go")
	stdin.Close()
	err = cmd.Wait()
	t.Logf("child:\n%s", out.String())
	if err != nil || !strings.Contains(out.String(), "--- PASS: TestQuotaChild") {
		t.Fatalf("child inside the one-CPU group failed: %v", err)
	}
}

// TestQuotaChild is the inside of TestQuotaThrottling; alone it skips.
func TestQuotaChild(t *testing.T) {
	if os.Getenv(quotaChildEnv) != "1" {
		t.Skip("runs only inside TestQuotaThrottling's cgroup")
	}
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		t.Fatalf("waiting for the parent: %v", err)
	}
	b := budget()
	if b.Cores() != 1 || b.CgroupPeriod != 100*time.Millisecond || b.CPUStatFile() == "" {
		t.Fatalf("budget inside the group: %s, period %v, cpu.stat %q; want 1 CPU, 100 ms", b, b.CgroupPeriod, b.CPUStatFile())
	}

	// Long: two workers of fib(39) (about 0.75 s of CPU each here) need
	// about 1.5 s of a one-CPU quota, so the group is throttled in most
	// periods and the budget holds. (Spin would not do: it counts wall
	// time, and a throttled spinner stops early.)
	long := Run(Free, 2, Fib, 39)
	m := long.Measurement
	t.Logf("long run: %s", long)
	if m.Throttling.Throttled < 2 || m.Throttling.Time <= 0 || len(m.Throttled) == 0 {
		t.Errorf("long run: throttling %+v, %d throttled intervals; want it counted and sampled", m.Throttling, len(m.Throttled))
	}
	if !strings.Contains(long.String(), "throttled") {
		t.Errorf("long run's report does not say it was throttled:\n%s", long)
	}
	if m.Short() || m.OverBudget() || m.CoresUsed > 1.2 {
		t.Errorf("long run: %.2f cores over %v, short %v: the quota should hold over %d periods",
			m.CoresUsed, m.Wall, m.Short(), m.Wall/(100*time.Millisecond))
	}

	// Short: runs of a few periods may burst to both cores; whatever they
	// show, nothing above the budget may be presented as a result.
	short := Run(Free, 2, Fib, 30)
	if !short.Measurement.Short() || !strings.Contains(short.String(), "less than 10 periods") {
		t.Errorf("short run not said to be too short for the quota:\n%s", short)
	}
	s := Scale([]Model{GIL, Free}, 2, Fib, 32)
	t.Logf("scale under the quota:\n%s", s)
	for _, md := range s.Models {
		for i := range s.Workers {
			if sp := s.Speedup[md][i]; math.Round(100*sp) > 100 && !s.Void(md, i) {
				t.Errorf("%s at %d workers: %.2f× on a budget of 1 shown as a result", md, s.Workers[i], sp)
			}
			if s.Void(md, i) && !strings.Contains(s.rowsText(), "⚠") {
				t.Errorf("void point not marked in the table")
			}
		}
	}
	if v := s.Verdict(); !strings.Contains(v, "cannot show a parallel speed-up") || !strings.Contains(v, "less than 10 periods") {
		t.Errorf("verdict under the quota:\n%s", v)
	}
	c := Compare([]Model{GIL, Free}, 1, Fib, 32)
	if med, _, _ := c.Speedup(Free); c.void(med) != (med > 1.1) {
		t.Errorf("free %.2f× over the GIL with 1 worker: marked %v", med, c.void(med))
	}
	_ = meter.MinQuotaPeriods
}
