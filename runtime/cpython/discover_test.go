package cpython

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakePython writes an executable shell script at dir/name that answers
// discovery's probe like a Python would (it ignores its arguments).
func fakePython(t *testing.T, dir, name, version string, ft bool, gil string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var major, minor int
	fmt.Sscanf(version, "%d.%d", &major, &minor)
	path := filepath.Join(dir, name)
	js := fmt.Sprintf(`{"version": "%s", "major": %d, "minor": %d, "impl": "CPython", "ft": %v, "gil": "%s", "exe": "%s", "prefix": "%s"}`,
		version, major, minor, ft, gil, path, dir)
	script := "#!/bin/sh\ncat <<'EOF'\n" + js + "\nEOF\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// finderIn is a Finder whose environment is only root: PATH=root/bin,
// HOME=root/home (pyenv and uv under it), no conda prefix.
func finderIn(root string) *Finder {
	env := map[string]string{"PATH": filepath.Join(root, "bin") + string(filepath.ListSeparator) + filepath.Join(root, "shims")}
	return &Finder{env: func(k string) string { return env[k] }, home: filepath.Join(root, "home"),
		system: []string{filepath.Join(root, "usr", "bin")}}
}

func TestDiscoveryFindsEachPlaceAndPicksPATHsPython3(t *testing.T) {
	root := t.TempDir()
	onPath := fakePython(t, filepath.Join(root, "bin"), "python3", "3.12.4", false, "")
	fakePython(t, filepath.Join(root, "home/.pyenv/versions/3.13.1/bin"), "python3.13", "3.13.1", false, "on")
	ft := fakePython(t, filepath.Join(root, "home/.local/share/uv/python/cpython-3.14.0+freethreaded-linux/bin"), "python3.14t", "3.14.0", true, "off")
	sys := fakePython(t, filepath.Join(root, "usr/bin"), "python3.11", "3.11.2", false, "")
	// an alias of the system python: listed once, with the other name
	if err := os.Symlink(sys, filepath.Join(root, "usr/bin/python3")); err != nil {
		t.Fatal(err)
	}
	// a shim directory is skipped; a broken python is left out
	fakePython(t, filepath.Join(root, "shims"), "python3.10", "3.10.0", false, "")
	if err := os.WriteFile(filepath.Join(root, "bin", "python3.9"), []byte("#!/bin/sh\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	// not a python name
	fakePython(t, filepath.Join(root, "bin"), "python3-config", "3.12.4", false, "")

	f := finderIn(root)
	var names []string
	for _, p := range f.List() {
		names = append(names, p.Name()+"@"+p.Where)
	}
	want := "3.12.4@PATH 3.13.1@pyenv 3.14.0t@uv 3.11.2@system"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("found %s, want %s", got, want)
	}
	def, ok := f.Default()
	if !ok || def.Path != onPath {
		t.Fatalf("default %v, want %s", def, onPath)
	}
	for spec, want := range map[string]string{"": onPath, "3": onPath, "3.13": "3.13.1", "3.14t": ft, "3.11.2": "3.11.2", "3.11": "3.11.2"} {
		p, err := f.Select(spec)
		if err != nil {
			t.Fatalf("Select(%q): %v", spec, err)
		}
		if p.Path != want && p.Version != want {
			t.Errorf("Select(%q) = %s (%s), want %s", spec, p.Path, p.Version, want)
		}
	}
	list := f.Listing()
	for _, s := range []string{"* 3.12.4", onPath, "free-threaded, sys._is_gil_enabled() = False", "also " + filepath.Join(root, "usr/bin/python3")} {
		if !strings.Contains(list, s) {
			t.Errorf("listing lacks %q:\n%s", s, list)
		}
	}
	if strings.Contains(list, "3.10.0") || strings.Contains(list, "python3.9") {
		t.Errorf("listing has a shim's or a broken python:\n%s", list)
	}
}

func TestSelectSaysWhatIsMissingAndHowToGetIt(t *testing.T) {
	root := t.TempDir()
	fakePython(t, filepath.Join(root, "bin"), "python3", "3.12.4", false, "")
	f := finderIn(root)

	_, err := f.Select("3.14t")
	var nf *NotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrNotFound) || !nf.NoneFT {
		t.Fatalf("Select(3.14t) = %v, want a NotFoundError saying no free-threaded build exists", err)
	}
	for _, s := range []string{"No free-threaded CPython (3.14t)", "3.12.4 (" + filepath.Join(root, "bin/python3") + ")", "uv python install 3.14t", "Looked for"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message lacks %q: %s", s, err)
		}
	}
	_, err = f.Select("9.99")
	if !errors.As(err, &nf) || nf.NoneFT || !strings.Contains(err.Error(), "No CPython 9.99 was found") {
		t.Errorf("Select(9.99) = %v", err)
	}
	if _, err := f.Select("latest"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Select(latest) = %v, want a usage error", err)
	}
	if _, err := f.Select(filepath.Join(root, "nothing-here")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Select(missing path) = %v", err)
	}
	p, err := f.Select(filepath.Join(root, "bin", "python3"))
	if err != nil || p.Version != "3.12.4" || p.Where != "given" {
		t.Errorf("Select(path) = %v, %v", p, err)
	}

	empty := finderIn(t.TempDir())
	if _, err := empty.Select(""); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "No Python 3 interpreter") {
		t.Errorf("Select(\"\") with nothing installed = %v", err)
	}
}

func TestParseCell(t *testing.T) {
	for _, tc := range []struct {
		code, spec string
		quiet, ok  bool
		err        bool
		src        string
	}{
		{code: "%%python\nprint(1)\n", ok: true, src: "\nprint(1)\n"},
		{code: "\n  %%python 3.14t --quiet\nx = 1", spec: "3.14t", quiet: true, ok: true, src: "\n\nx = 1"},
		{code: "%%python /opt/py/bin/python3 -q\n", spec: "/opt/py/bin/python3", quiet: true, ok: true, src: "\n"},
		{code: "%%python --loud\n", ok: true, err: true},
		{code: "%%python 3.13 3.14\n", ok: true, err: true},
		{code: "%python\n", ok: false},
		{code: "x := 1\n%%python\n", ok: false},
		{code: "%%pythonic\n", ok: false},
	} {
		c, ok, err := ParseCell(tc.code)
		if ok != tc.ok || (err != nil) != tc.err {
			t.Errorf("ParseCell(%q) ok=%v err=%v", tc.code, ok, err)
			continue
		}
		if ok && !tc.err && (c.Spec != tc.spec || c.Quiet != tc.quiet || c.Source != tc.src) {
			t.Errorf("ParseCell(%q) = %+v", tc.code, c)
		}
	}
}
