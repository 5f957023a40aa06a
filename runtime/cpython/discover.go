// Package cpython runs real CPython beside the lab's emulation: it finds the
// interpreters installed on the machine, runs a cell's Python source in one
// of them as a subprocess, and measures the run like a Go run (wall, CPU,
// cores used, per-core load) with one lane per OS thread of the Python
// process, sampled from /proc.
//
// The kernel uses it for `%%python` cells and `%python`; `corelab bench
// runtime` uses it for its side-by-side rows:
//
//	f := cpython.NewFinder()            // discovery runs once, on first use
//	py, err := f.Select("3.14t")        // "" = the default; "3.13"; "/path/to/python"
//	res, err := cpython.Run(ctx, py, src, cpython.Options{Stdout: os.Stdout, Stderr: os.Stderr})
//	fmt.Println(res.Measurement.CoresUsed, res.Vars["lost"])
package cpython

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Interpreter is one CPython found on the machine.
type Interpreter struct {
	Path       string   // where it was found, as a learner would type it
	Aliases    []string // other names found for the same interpreter
	Executable string   // sys.executable: what Run starts (a pyenv shim resolves to the real binary)
	Where      string   // which place it was found in: "PATH", "conda", "pyenv", "uv", "system", "given"
	Version    string   // "3.11.2"
	Major      int
	Minor      int
	Impl       string // platform.python_implementation(): "CPython", "PyPy"
	// FreeThreaded is a free-threaded build (PEP 703,
	// sysconfig.get_config_var("Py_GIL_DISABLED")), named like "3.14t".
	FreeThreaded bool
	// GIL is sys._is_gil_enabled() at start-up (3.13+): "on", "off", or
	// "" where the function does not exist (the GIL is always on there).
	GIL string

	sysPrefix string // sys.prefix: a venv shares its base's binary but not its packages
}

// Name is the version as `%%python` takes it: "3.11.2", or "3.14.0t" for
// a free-threaded build.
func (p Interpreter) Name() string {
	if p.FreeThreaded {
		return p.Version + "t"
	}
	return p.Version
}

// String is one line of `%python`'s listing.
func (p Interpreter) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-9s %s", p.Name(), p.Path)
	var notes []string
	if p.Impl != "" && p.Impl != "CPython" {
		notes = append(notes, p.Impl)
	}
	switch {
	case p.FreeThreaded:
		notes = append(notes, "free-threaded, sys._is_gil_enabled() = "+boolWord(p.GIL))
	case p.GIL != "":
		notes = append(notes, "with the GIL, sys._is_gil_enabled() = "+boolWord(p.GIL))
	default:
		notes = append(notes, "with the GIL")
	}
	if p.Where != "" {
		notes = append(notes, "found on "+p.Where)
	}
	if len(p.Aliases) > 0 {
		notes = append(notes, "also "+strings.Join(p.Aliases, ", "))
	}
	b.WriteString("  (" + strings.Join(notes, "; ") + ")")
	return b.String()
}

func boolWord(s string) string {
	switch s {
	case "on":
		return "True"
	case "off":
		return "False"
	}
	return "?"
}

// probeTimeout bounds one interpreter's start-up during discovery; a
// broken or hanging one is left out.
const probeTimeout = 5 * time.Second

// probeScript prints what discovery needs as JSON. It must run on any
// Python 3 (and not crash Python 2), so it uses no newer syntax.
const probeScript = `import json, platform, sys, sysconfig
g = getattr(sys, "_is_gil_enabled", None)
print(json.dumps({"version": "%d.%d.%d" % sys.version_info[:3], "major": sys.version_info[0],
 "minor": sys.version_info[1], "impl": platform.python_implementation(),
 "ft": bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "gil": "" if g is None else ("on" if g() else "off"),
 "exe": sys.executable, "prefix": sys.prefix}))`

// pythonName matches the file names discovery probes: python3, python3.13,
// python3.14t.
var pythonName = regexp.MustCompile(`^python3(\.[0-9]+t?)?$`)

// place is one location discovery searches, with the name shown for it.
type place struct {
	where string
	dirs  []string
}

// Finder finds the interpreters on this machine, once: the first call of
// List, Default or Select searches and probes, and later calls reuse the
// result. The zero value is not ready; use NewFinder.
type Finder struct {
	env    func(string) string
	home   string
	conda  string   // the image's conda prefix, searched besides $CONDA_PREFIX
	system []string // the system's own bin directories

	mu      sync.Mutex
	probed  map[string]*Interpreter // by path; nil: it did not run
	pathOne sync.Once
	pathDef *Interpreter // the default, found by probing PATH alone
	once    sync.Once
	found   []Interpreter
	def     int // index of the default in found, -1 if none
	places  []place
	elapsed time.Duration
}

// NewFinder returns a Finder for this process's environment.
func NewFinder() *Finder {
	home, _ := os.UserHomeDir()
	return &Finder{env: os.Getenv, home: home, conda: "/opt/conda", system: []string{"/usr/local/bin", "/usr/bin"}}
}

// places lists where discovery looks, in order of preference for the
// default: PATH first (the python3 a learner types in a terminal), then the
// image's conda prefix, pyenv, uv and Debian's own locations.
func (f *Finder) searchPlaces() []place {
	var ps []place
	var path []string
	for _, d := range filepath.SplitList(f.env("PATH")) {
		// Version managers' shims (pyenv, asdf) start a shell script per
		// call, seconds on a busy machine; pyenv's versions are probed
		// directly below instead.
		if filepath.Base(d) != "shims" {
			path = append(path, d)
		}
	}
	ps = append(ps, place{"PATH", path})
	var conda []string
	if p := f.env("CONDA_PREFIX"); p != "" {
		conda = append(conda, filepath.Join(p, "bin"))
	}
	if f.conda != "" {
		conda = append(conda, filepath.Join(f.conda, "bin"))
	}
	ps = append(ps, place{"conda", conda})
	pyenv := f.env("PYENV_ROOT")
	if pyenv == "" && f.home != "" {
		pyenv = filepath.Join(f.home, ".pyenv")
	}
	if pyenv != "" {
		ps = append(ps, place{"pyenv", globDirs(filepath.Join(pyenv, "versions", "*", "bin"))})
	}
	uv := f.env("UV_PYTHON_INSTALL_DIR")
	if uv == "" && f.home != "" {
		uv = filepath.Join(f.home, ".local", "share", "uv", "python")
	}
	if uv != "" {
		ps = append(ps, place{"uv", globDirs(filepath.Join(uv, "*", "bin"))})
	}
	ps = append(ps, place{"system", f.system})
	return ps
}

func globDirs(pattern string) []string {
	dirs, _ := filepath.Glob(pattern)
	sort.SliceStable(dirs, func(i, j int) bool { return versionLess(dirs[j], dirs[i]) }) // newest first
	return dirs
}

// candidate is a file discovery will probe.
type candidate struct {
	path, where string
	main        bool // a plain "python3" on PATH: a default candidate
}

// candidates lists the python3* executables in the search places, in
// order, each real file once (the first name found for it is kept, the
// others become aliases after probing).
func candidates(places []place) []candidate {
	var out []candidate
	seen := map[string]bool{}
	for _, p := range places {
		for _, dir := range p.dirs {
			if dir == "" {
				continue
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				continue
			}
			names := []string{}
			for _, e := range entries {
				if pythonName.MatchString(e.Name()) {
					names = append(names, e.Name())
				}
			}
			// python3 first, then the versioned names, newest first
			sort.Slice(names, func(i, j int) bool {
				if (names[i] == "python3") != (names[j] == "python3") {
					return names[i] == "python3"
				}
				return versionLess(names[j], names[i])
			})
			for _, n := range names {
				path := filepath.Join(dir, n)
				if !executable(path) || seen[path] {
					continue
				}
				seen[path] = true
				out = append(out, candidate{path: path, where: p.where, main: p.where == "PATH" && n == "python3"})
			}
		}
	}
	return out
}

func executable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0
}

var digits = regexp.MustCompile(`[0-9]+`)

// versionLess orders "python3.9" before "python3.10".
func versionLess(a, b string) bool {
	na, nb := versionNums(a), versionNums(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	return len(na) < len(nb)
}

func versionNums(s string) []int {
	var out []int
	for _, f := range digits.FindAllString(s, -1) {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// probeAll probes the candidates not probed yet, in parallel, and returns
// each candidate's result (nil where it did not run as a Python).
func (f *Finder) probeAll(cands []candidate) []*Interpreter {
	out := make([]*Interpreter, len(cands))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4) // a few at a time: the machine may be small
	f.mu.Lock()
	if f.probed == nil {
		f.probed = map[string]*Interpreter{}
	}
	for i, c := range cands {
		if p, ok := f.probed[c.path]; ok {
			out[i] = p
			continue
		}
		wg.Add(1)
		go func() { // owned by probeAll: joined by wg.Wait below
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if p, err := probe(context.Background(), c.path); err == nil {
				p.Where = c.where
				out[i] = p
			}
		}()
	}
	f.mu.Unlock()
	wg.Wait()
	f.mu.Lock()
	for i, c := range cands {
		f.probed[c.path] = out[i]
	}
	f.mu.Unlock()
	return out
}

// usable is what a bare %%python may default to.
func (p *Interpreter) usable() bool { return p != nil && p.Impl == "CPython" && p.Major == 3 }

// discoverPath probes only PATH's interpreters, enough for the default:
// a bare %%python need not wait for every pyenv version to start.
func (f *Finder) discoverPath() {
	places := f.searchPlaces()[:1]
	cands := candidates(places)
	for i, p := range f.probeAll(cands) {
		if cands[i].main && p.usable() {
			f.pathDef = p
			return
		}
	}
}

// discover searches every place, probes every candidate in parallel and
// merges the names of one interpreter.
func (f *Finder) discover() {
	start := time.Now()
	f.places = f.searchPlaces()
	cands := candidates(f.places)
	probed := f.probeAll(cands)
	f.def = -1
	byKey := map[string]int{}
	for i, p := range probed {
		if p == nil {
			continue
		}
		key := realPath(p.Executable) + "\x00" + p.prefix()
		j, seen := byKey[key]
		if seen {
			f.found[j].Aliases = append(f.found[j].Aliases, p.Path)
		} else {
			j = len(f.found)
			byKey[key] = j
			f.found = append(f.found, *p)
		}
		if cands[i].main && f.def < 0 && p.usable() {
			f.def = j
		}
	}
	if f.def < 0 {
		for i, p := range f.found {
			if p.usable() && !p.FreeThreaded {
				f.def = i
				break
			}
		}
	}
	f.elapsed = time.Since(start)
}

// prefix tells a venv from its base interpreter (same binary, different
// sys.prefix).
func (p Interpreter) prefix() string { return p.sysPrefix }

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// probe starts path once and reads what probeScript prints.
func probe(ctx context.Context, path string) (*Interpreter, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-E", "-s", "-c", probeScript)
	var out bytes.Buffer
	cmd.Stdout = &out
	setProcessGroup(cmd)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	var r struct {
		Version, Impl, Gil, Exe, Prefix string
		Major, Minor                    int
		Ft                              bool
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("probe %s: %w", path, err)
	}
	exe := r.Exe
	if exe == "" {
		exe = path
	}
	return &Interpreter{Path: path, Executable: exe, Version: r.Version, Major: r.Major, Minor: r.Minor,
		Impl: r.Impl, FreeThreaded: r.Ft, GIL: r.Gil, sysPrefix: r.Prefix}, nil
}

func (f *Finder) load() { f.once.Do(f.discover) }

// List returns the interpreters found, in discovery order.
func (f *Finder) List() []Interpreter {
	f.load()
	return append([]Interpreter(nil), f.found...)
}

// Default returns the interpreter a bare `%%python` runs: the first python3
// on PATH (what `python3` in a terminal of this machine starts, except
// that a version manager's shim is skipped), else the first CPython 3 with
// the GIL found elsewhere.
func (f *Finder) Default() (Interpreter, bool) {
	f.pathOne.Do(f.discoverPath)
	if f.pathDef != nil {
		return *f.pathDef, true
	}
	f.load()
	if f.def < 0 {
		return Interpreter{}, false
	}
	return f.found[f.def], true
}

// Listing is `%python`'s output: every interpreter found, the default
// marked, and where discovery looked.
func (f *Finder) Listing() string {
	f.load()
	var b strings.Builder
	if len(f.found) == 0 {
		b.WriteString("No Python 3 interpreter was found.\n")
	} else {
		fmt.Fprintf(&b, "Python interpreters found (%s): `%%%%python VERSION` picks one, e.g. %%%%python %s\n",
			roundDuration(f.elapsed), f.found[0].Name())
		for i, p := range f.found {
			mark := " "
			if i == f.def {
				mark = "*"
			}
			fmt.Fprintf(&b, "%s %s\n", mark, p)
		}
		if f.def >= 0 {
			b.WriteString("* the default, used by a bare %%python: the first python3 on PATH, else the first CPython 3 found.\n")
		}
	}
	b.WriteString(f.lookedIn())
	return b.String()
}

func roundDuration(d time.Duration) string {
	return d.Round(time.Millisecond).String()
}

// lookedIn says where discovery searched.
func (f *Finder) lookedIn() string {
	var parts []string
	for _, p := range f.places {
		var dirs []string
		for _, d := range p.dirs {
			if d != "" {
				dirs = append(dirs, d)
			}
		}
		if len(dirs) == 0 {
			continue
		}
		if len(dirs) > 4 {
			dirs = append(dirs[:4:4], fmt.Sprintf("… %d more", len(dirs)-4))
		}
		parts = append(parts, p.where+" ("+strings.Join(dirs, ", ")+")")
	}
	return "Looked for python3 and python3.N[t] in: " + strings.Join(parts, "; ") + ".\n"
}
