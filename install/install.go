package install

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// Name is the kernelspec's directory name (`jupyter kernelspec list` shows it).
const Name = "corelab"

// DisplayName is what notebook frontends show in their kernel menus.
const DisplayName = "Go (corelab)"

// Where selects the Jupyter data directory to install into.
type Where int

// Install locations.
const (
	User      Where = iota // the user's Jupyter data directory
	SysPrefix              // sys.prefix of the Jupyter Python
	Prefix                 // Options.Prefix/share/jupyter
)

// Options say where and what to install.
type Options struct {
	Where  Where
	Prefix string // for Where == Prefix
	// Exe is the binary kernel.json runs; "" means the running binary.
	Exe string
	// Python finds sys.prefix for SysPrefix; "" means the default search.
	Python string
}

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata"`
}

// NewSpec returns the kernel.json content for the binary at exe.
func NewSpec(exe string) Spec {
	return Spec{
		Argv:          []string{exe, "kernel", "-f", "{connection_file}"},
		DisplayName:   DisplayName,
		Language:      "go",
		InterruptMode: "message",
		Metadata: map[string]any{
			"debugger": false,
			"corelab":  map[string]any{"evaluator": "yaegi", "child_process": true},
		},
	}
}

// DataDir returns the Jupyter data directory for opts.
func DataDir(opts Options) (string, error) {
	switch opts.Where {
	case User:
		return userDataDir(runtime.GOOS, os.Getenv, os.UserHomeDir)
	case SysPrefix:
		p, err := sysPrefix(opts.Python)
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter"), nil
	case Prefix:
		if opts.Prefix == "" {
			return "", errors.New("--prefix needs a directory")
		}
		p, err := filepath.Abs(opts.Prefix)
		if err != nil {
			return "", err
		}
		return filepath.Join(p, "share", "jupyter"), nil
	}
	return "", fmt.Errorf("unknown install location %d", opts.Where)
}

// userDataDir is jupyter_core's jupyter_data_dir (jupyter_core/paths.py)
// for the system goos: $JUPYTER_DATA_DIR, else ~/Library/Jupyter on macOS,
// %APPDATA%\jupyter on Windows (without APPDATA, the config directory's
// "data": $JUPYTER_CONFIG_DIR or ~/.jupyter), and $XDG_DATA_HOME/jupyter
// or ~/.local/share/jupyter elsewhere.
func userDataDir(goos string, getenv func(string) string, homeDir func() (string, error)) (string, error) {
	if d := getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	if goos == "windows" && getenv("APPDATA") != "" {
		return filepath.Join(getenv("APPDATA"), "jupyter"), nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && goos != "darwin" && goos != "windows" {
		return filepath.Join(d, "jupyter"), nil
	}
	if goos == "windows" && getenv("JUPYTER_CONFIG_DIR") != "" {
		return filepath.Join(getenv("JUPYTER_CONFIG_DIR"), "data"), nil
	}
	home, err := homeDir()
	if err != nil {
		return "", fmt.Errorf("find home directory: %w", err)
	}
	switch goos {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		return filepath.Join(home, ".jupyter", "data"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// sysPrefix asks Python for sys.prefix.
func sysPrefix(python string) (string, error) {
	var candidates []string
	if python != "" {
		candidates = []string{python}
	} else {
		if p := os.Getenv("CORELAB_PYTHON"); p != "" {
			candidates = append(candidates, p)
		}
		candidates = append(candidates, "/usr/bin/python3", "python3", "python")
	}
	var errs []error
	for _, py := range candidates {
		out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", py, err))
			continue
		}
		if p := strings.TrimSpace(string(out)); p != "" {
			return p, nil
		}
	}
	return "", fmt.Errorf("find sys.prefix for --sys-prefix: %w", errors.Join(errs...))
}

// Install writes the kernelspec and returns its directory.
func Install(opts Options) (string, error) {
	exe := opts.Exe
	if exe == "" {
		var err error
		if exe, err = os.Executable(); err != nil {
			return "", fmt.Errorf("find the corelab binary: %w", err)
		}
	}
	exe, err := filepath.Abs(exe)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	data, err := DataDir(opts)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(data, "kernels", Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	spec, err := json.MarshalIndent(NewSpec(exe), "", "  ")
	if err != nil {
		return "", err
	}
	files := map[string][]byte{
		"kernel.json":    append(spec, '\n'),
		"logo-32x32.png": LogoPNG(32),
		"logo-64x64.png": LogoPNG(64),
		"logo-svg.svg":   []byte(LogoSVG),
	}
	for name, b := range files {
		if err := writeFile(filepath.Join(dir, name), b); err != nil {
			return "", err
		}
	}
	return dir, nil
}

// writeFile writes through a temporary file so a reader never sees half a file.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Main is `corelab install [--user|--sys-prefix|--prefix DIR]`.
func Main(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for the current user (the default)")
	sys := fs.Bool("sys-prefix", false, "install into the sys.prefix of the Python that runs Jupyter")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	python := fs.String("python", "", "the Python whose sys.prefix --sys-prefix uses")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: corelab install [--user | --sys-prefix | --prefix DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("install: unexpected argument %q", fs.Arg(0))
	}
	n := 0
	opts := Options{Where: User, Python: *python}
	if *user {
		n++
	}
	if *sys {
		n++
		opts.Where = SysPrefix
	}
	if *prefix != "" {
		n++
		opts.Where, opts.Prefix = Prefix, *prefix
	}
	if n > 1 {
		return errors.New("install: choose one of --user, --sys-prefix and --prefix")
	}
	dir, err := Install(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Installed kernelspec %s (%s) in %s\n", Name, DisplayName, dir)
	return nil
}
