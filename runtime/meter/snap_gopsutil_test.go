//go:build linux && gopsutil

package meter

import (
	"os"
	"testing"
)

// The macOS and Windows per-core reader, run on Linux (make crossbuild runs
// it with -tags gopsutil): gopsutil must see the CPUs /proc/stat lists, and
// a sampler fed by it must see this process's work.
func TestGopsutilSnapOnLinux(t *testing.T) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		t.Skip("no /proc/stat to compare with")
	}
	want, err := parseProcStat(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := gopsutilSnap()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.cpus) != len(want.cpus) {
		t.Fatalf("gopsutil sees %d CPUs, /proc/stat %d", len(got.cpus), len(want.cpus))
	}
	s := &Sampler{read: gopsutilSnap}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	sink := burn(60_000_000)
	cores := s.Stop()
	if sink == 0 {
		t.Log("burn returned 0")
	}
	var busiest float64
	for _, c := range cores {
		busiest = max(busiest, c.Mean)
	}
	if busiest <= 0 || s.ProcessCPU() <= 0 {
		t.Errorf("a busy run: busiest core %.2f, process CPU %v; want both above 0", busiest, s.ProcessCPU())
	}
	t.Logf("%d cores, busiest %.2f, process CPU %v over %v", len(cores), busiest, s.ProcessCPU(), s.Elapsed())
}
