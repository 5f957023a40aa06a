package bench_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchCommand runs `corelab bench kernel` briefly on corelab alone and
// checks the table's shape (its numbers are for people, not for tests).
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "corelab")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "bench", "kernel", "-n", "5", "-starts", "1", "-no-ipykernel").Output()
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, out)
	}
	for _, want := range []string{"start-up to kernel_info_reply", "empty execute, median", "empty execute, p99", "through the child pipe"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if err := exec.Command(bin, "bench", "nosuch").Run(); err == nil {
		t.Error("unknown benchmark accepted")
	}
}
