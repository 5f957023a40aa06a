//go:build unix

package notebook

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileMode: a notebook written by `corelab run` gets the mode any tool would give it — a new file
// follows the umask, and a file being replaced keeps its own mode (as Jupyter's atomic save does).
func TestWriteFileMode(t *testing.T) {
	nb, err := ReadFile("testdata/roundtrip.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0o077) // process-wide: this test does not run in parallel
	defer syscall.Umask(old)
	dir := t.TempDir()

	fresh := filepath.Join(dir, "new.ipynb")
	if err := WriteFile(fresh, nb); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, fresh); got != 0o600 {
		t.Errorf("new notebook under umask 077 has mode %v, want -rw-------", got)
	}

	kept := filepath.Join(dir, "kept.ipynb")
	if err := os.WriteFile(kept, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(kept, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(kept, nb); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, kept); got != 0o640 {
		t.Errorf("rewritten notebook has mode %v, want its own -rw-r-----", got)
	}
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}
