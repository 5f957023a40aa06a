package install

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestInstallPrefix(t *testing.T) {
	prefix := t.TempDir()
	var out, errb bytes.Buffer
	if err := Main([]string{"--prefix", prefix}, &out, &errb); err != nil {
		t.Fatalf("install: %v (%s)", err, errb.String())
	}
	dir := filepath.Join(prefix, "share", "jupyter", "kernels", "corelab")
	if !strings.Contains(out.String(), dir) {
		t.Errorf("output %q does not name %s", out.String(), dir)
	}
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	if len(spec.Argv) != 4 || spec.Argv[0] != exe || spec.Argv[1] != "kernel" || spec.Argv[2] != "-f" || spec.Argv[3] != "{connection_file}" {
		t.Errorf("argv %q", spec.Argv)
	}
	if !filepath.IsAbs(spec.Argv[0]) {
		t.Errorf("argv[0] %q is not absolute", spec.Argv[0])
	}
	if spec.DisplayName != "Go (corelab)" || spec.Language != "go" || spec.InterruptMode != "message" || spec.Metadata == nil {
		t.Errorf("spec %+v", spec)
	}
	for name, size := range map[string]int{"logo-32x32.png": 32, "logo-64x64.png": 64} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
			t.Errorf("%s is %v", name, b)
		}
	}
	svg, err := os.ReadFile(filepath.Join(dir, "logo-svg.svg"))
	if err != nil || !bytes.Contains(svg, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Errorf("logo-svg.svg: %v", err)
	}
	// Installing again replaces the files.
	if err := Main([]string{"--prefix", prefix}, &out, &errb); err != nil {
		t.Fatal(err)
	}
}

func TestDataDirs(t *testing.T) {
	t.Setenv("JUPYTER_DATA_DIR", "/x/data")
	if d, _ := DataDir(Options{Where: User}); d != "/x/data" {
		t.Errorf("JUPYTER_DATA_DIR: %s", d)
	}
	t.Setenv("JUPYTER_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "/x/xdg")
	if d, _ := DataDir(Options{Where: User}); d != "/x/xdg/jupyter" {
		t.Errorf("XDG_DATA_HOME: %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/x/home")
	if d, _ := DataDir(Options{Where: User}); d != "/x/home/.local/share/jupyter" {
		t.Errorf("home: %s", d)
	}
	if d, _ := DataDir(Options{Where: Prefix, Prefix: "/opt/p"}); d != "/opt/p/share/jupyter" {
		t.Errorf("prefix: %s", d)
	}
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		d, err := DataDir(Options{Where: SysPrefix, Python: "/usr/bin/python3"})
		if err != nil || !strings.HasSuffix(d, "/share/jupyter") {
			t.Errorf("sys-prefix: %s %v", d, err)
		}
	}
	if err := Main([]string{"--user", "--sys-prefix"}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("two locations accepted")
	}
}

// TestJupyterSeesIt installs for a throw-away user and asks Jupyter's own
// kernelspec machinery (Debian's /usr/bin/python3) to list it.
func TestJupyterSeesIt(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import jupyter_client").Run(); err != nil {
		t.Skip("no jupyter_client for /usr/bin/python3")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("JUPYTER_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	if err := Main(nil, &bytes.Buffer{}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-m", "jupyter_client.kernelspecapp", "list", "--json")
	if _, err := os.Stat("/usr/bin/jupyter-kernelspec"); err == nil {
		cmd = exec.Command("/usr/bin/jupyter", "kernelspec", "list", "--json")
	}
	cmd.Env = append(os.Environ(), "HOME="+home, "PYDEVD_DISABLE_FILE_VALIDATION=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kernelspec list: %v", err)
	}
	var list struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        Spec   `json:"spec"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	ks, ok := list.Kernelspecs["corelab"]
	if !ok {
		t.Fatalf("corelab not listed: %s", out)
	}
	if ks.ResourceDir != filepath.Join(home, ".local/share/jupyter/kernels/corelab") || ks.Spec.Language != "go" {
		t.Errorf("listed as %+v", ks)
	}
}

// The user data directory follows jupyter_core's jupyter_data_dir on each
// system, so `corelab install` on a Mac or a Windows laptop writes where
// that machine's Jupyter looks.
func TestUserDataDirPerOS(t *testing.T) {
	home := func() (string, error) { return "/h", nil }
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	cases := []struct {
		goos string
		env  func(string) string
		want string
	}{
		{"linux", env(), "/h/.local/share/jupyter"},
		{"linux", env("XDG_DATA_HOME", "/x"), "/x/jupyter"},
		{"darwin", env(), "/h/Library/Jupyter"},
		{"darwin", env("XDG_DATA_HOME", "/x"), "/h/Library/Jupyter"},
		{"windows", env("APPDATA", "/ad"), filepath.Join("/ad", "jupyter")},
		{"windows", env(), filepath.Join("/h", ".jupyter", "data")},
		{"windows", env("JUPYTER_CONFIG_DIR", "/c"), filepath.Join("/c", "data")},
		{"darwin", env("JUPYTER_DATA_DIR", "/j"), "/j"},
	}
	for _, c := range cases {
		if got, err := userDataDir(c.goos, c.env, home); err != nil || got != c.want {
			t.Errorf("%s: %q, %v; want %q", c.goos, got, err, c.want)
		}
	}
}
