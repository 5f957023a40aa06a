package cpython

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// ErrNotFound is wrapped by Select's error when no interpreter matches;
// errors.As with *NotFoundError gives the details.
var ErrNotFound = errors.New("python interpreter not found")

// NotFoundError says which interpreter was asked for and not found, what
// was found instead, where discovery looked and how to get the one asked
// for.
type NotFoundError struct {
	Spec         string // what was asked for: "9.99", "3.14t", a path
	FreeThreaded bool   // a free-threaded build was asked for
	NoneFT       bool   // ... and no free-threaded build exists here at all
	msg          string
}

func (e *NotFoundError) Error() string { return e.msg }

// Unwrap makes errors.Is(err, ErrNotFound) true.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// versionSpec is what `%%python` takes as a version: 3, 3.13, 3.13.1, each
// with an optional t for a free-threaded build.
var versionSpec = regexp.MustCompile(`^[0-9]+(\.[0-9]+){0,2}t?$`)

// Select returns the interpreter spec names: "" for the default, a
// version prefix ("3.13", "3.11.2"), the same with a t for a free-threaded
// build ("3.14t"), or a path to a python executable. A version picks the
// default when it matches, else the newest match.
func (f *Finder) Select(spec string) (Interpreter, error) {
	switch {
	case spec == "":
		if p, ok := f.Default(); ok {
			return p, nil
		}
		return Interpreter{}, f.notFound(spec, false)
	case strings.ContainsRune(spec, filepath.Separator) || strings.HasPrefix(spec, "~"):
		path := spec
		if strings.HasPrefix(path, "~/") && f.home != "" {
			path = filepath.Join(f.home, path[2:])
		}
		if !executable(path) {
			return Interpreter{}, &NotFoundError{Spec: spec, msg: fmt.Sprintf("%s is not an executable file", spec)}
		}
		p, err := probe(context.Background(), path)
		if err != nil {
			return Interpreter{}, &NotFoundError{Spec: spec,
				msg: fmt.Sprintf("%s did not run as a Python 3 interpreter (%v)", spec, err)}
		}
		p.Where = "given"
		return *p, nil
	case versionSpec.MatchString(spec):
		f.load()
	default:
		return Interpreter{}, fmt.Errorf("%%%%python %s: want a version such as 3.13 or 3.14t, or a path to a python executable", spec)
	}
	ft := strings.HasSuffix(spec, "t")
	want := strings.TrimSuffix(spec, "t")
	var best *Interpreter
	for i := range f.found {
		p := &f.found[i]
		if p.Impl != "CPython" || p.FreeThreaded != ft || !versionHasPrefix(p.Version, want) {
			continue
		}
		if i == f.def {
			return *p, nil
		}
		if best == nil || versionLess(best.Version, p.Version) {
			best = p
		}
	}
	if best != nil {
		return *best, nil
	}
	return Interpreter{}, f.notFound(spec, ft)
}

// versionHasPrefix reports whether version "3.11.2" starts with the
// components of want ("3.11"; not "3.1").
func versionHasPrefix(version, want string) bool {
	return version == want || strings.HasPrefix(version, want+".")
}

// notFound builds the message for an interpreter that is not here.
func (f *Finder) notFound(spec string, ft bool) error {
	f.load()
	e := &NotFoundError{Spec: spec, FreeThreaded: ft}
	var b strings.Builder
	anyFT := false
	for _, p := range f.found {
		anyFT = anyFT || p.FreeThreaded
	}
	switch {
	case spec == "":
		b.WriteString("No Python 3 interpreter was found on this machine.")
	case ft && !anyFT:
		e.NoneFT = true
		fmt.Fprintf(&b, "No free-threaded CPython (%s) was found: every Python here is built with the GIL, so this cell cannot show threads running Python code in parallel.", spec)
	default:
		fmt.Fprintf(&b, "No CPython %s was found.", spec)
	}
	if len(f.found) > 0 {
		names := make([]string, len(f.found))
		for i, p := range f.found {
			names[i] = p.Name() + " (" + p.Path + ")"
		}
		b.WriteString(" Found: " + strings.Join(names, ", ") + ".")
	}
	b.WriteString(" " + strings.TrimSuffix(f.lookedIn(), "\n"))
	b.WriteString(" To get it: " + howToGet(spec, ft))
	e.msg = b.String()
	return e
}

// howToGet names the usual ways of installing the interpreter spec names.
func howToGet(spec string, ft bool) string {
	v := strings.TrimSuffix(spec, "t")
	if v == "" {
		v = "3.14"
	}
	if ft {
		return fmt.Sprintf("`uv python install %st` (then restart the kernel), or with conda `conda install -c conda-forge python-freethreading python=%s`, or `pyenv install %st`; free-threaded builds exist from 3.13 on.", v, v, v)
	}
	return fmt.Sprintf("`uv python install %s` (then restart the kernel), or with conda `conda install -c conda-forge python=%s`, or `pyenv install %s`, or your system's package manager.", v, v, v)
}

// FreeThreadedReference is what is known of free-threaded CPython from its
// own documentation and issues, labelled as reference (not measured here):
// shown in place of a run when a cell asks for a free-threaded build that
// this machine does not have.
const FreeThreadedReference = `**Reference — free-threaded CPython, not run here** (no free-threaded build was found on this machine)

| what | free-threaded CPython | source |
|---|---|---|
| threads running Python code | in parallel, on as many cores as there are threads | [PEP 703](https://peps.python.org/pep-0703/) |
| ` + "`counter += 1`" + ` from 2 threads | about half of the updates lost (3.13t), objects stay intact | [cpython issue #125646](https://github.com/python/cpython/issues/125646) |
| single-thread overhead, 3.13t | about 40 % (pyperformance) | [free-threading HOWTO, 3.13](https://docs.python.org/3.13/howto/free-threading-python.html) |
| single-thread overhead, 3.14t | "roughly 5–10 %" | [What's New in Python 3.14](https://docs.python.org/3/whatsnew/3.14.html) |
| an extension not marked free-thread-safe | re-enables the GIL at import, with a warning | [free-threading HOWTO](https://docs.python.org/3/howto/free-threading-python.html) |
`
