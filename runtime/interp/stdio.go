// Standard streams of interpreted code.

package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"

	yaegi "github.com/traefik/yaegi/interp"
)

// stdioSymbols makes os.Stdout/os.Stderr/os.Stdin of interpreted code write
// to (read from) the interpreter's streams. A stream given as a file is
// given to interpreted code as a duplicate of it (see stdFiles), so that a
// cell closing os.Stdout or os.Stderr closes only the duplicate; any other
// writer gets a stand-in (yaegi only redirects *os.File streams: for any
// other writer its os.Stdout stays the process's, which would bypass the
// notebook). A stream left nil (an isolate's: there may be hundreds, and
// each duplicate holds a descriptor until the GC) is the process's own.
func (in *Interpreter) stdioSymbols(out, errw io.Writer, stdin io.Reader) yaegi.Exports {
	m := map[string]reflect.Value{}
	for i, w := range []io.Writer{out, errw} {
		if w == nil {
			continue
		}
		name, sym := [2]string{"/dev/stdout", "/dev/stderr"}[i], [2]string{"Stdout", "Stderr"}[i]
		if f, isFile := w.(*os.File); isFile {
			in.std.src[i] = f
			in.std.vars[i] = dupFile(f)
			m[sym] = reflect.ValueOf(&in.std.vars[i]).Elem()
			continue
		}
		f := &stdio{w: w, name: name, fd: uintptr(i + 1)}
		m[sym] = reflect.ValueOf(&f).Elem()
	}
	if stdin != nil {
		if _, isFile := stdin.(*os.File); !isFile {
			f := &stdio{r: stdin, name: "/dev/stdin", fd: 0}
			m["Stdin"] = reflect.ValueOf(&f).Elem()
		}
	}
	ex := in.bufioSymbols()
	if len(m) > 0 {
		ex["os/os"] = m
	}
	return ex
}

// stdio stands in for os.Stdin/os.Stdout/os.Stderr in interpreted code when
// the interpreter's streams are not files. It has the methods programs
// usually call on them (Write, WriteString, Read, Name, Fd, Sync); code that
// needs a real *os.File (var f *os.File = os.Stdout) does not compile.
type stdio struct {
	w    io.Writer
	r    io.Reader
	name string
	fd   uintptr
}

// Write writes to the interpreter's stream.
func (f *stdio) Write(p []byte) (int, error) {
	if f.w == nil {
		return 0, fmt.Errorf("write %s: bad file descriptor", f.name)
	}
	return f.w.Write(p)
}

// WriteString writes s to the interpreter's stream.
func (f *stdio) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Read reads from the interpreter's input.
func (f *stdio) Read(p []byte) (int, error) {
	if f.r == nil {
		return 0, fmt.Errorf("read %s: bad file descriptor", f.name)
	}
	return f.r.Read(p)
}

// Name returns the file's conventional name, like os.File.Name.
func (f *stdio) Name() string { return f.name }

// Fd returns the conventional descriptor number (0, 1 or 2).
func (f *stdio) Fd() uintptr { return f.fd }

// Sync does nothing; writes are not buffered here.
func (f *stdio) Sync() error { return nil }

// stdFiles are interpreted code's os.Stdout and os.Stderr when the
// interpreter's streams are files: duplicates of those files, bound by
// address into the os package interpreted code sees. A cell may close them
// (os.Stdout.Close()); that closes only the duplicate, so fmt.Print*, log,
// panics and the Go runtime's own reports, which write to the streams
// themselves, still show, and reopen gives later cells a fresh duplicate.
type stdFiles struct {
	src  [2]*os.File // Options.Stdout and Stderr; never reachable from interpreted code
	vars [2]*os.File // os.Stdout and os.Stderr as interpreted code reads them
}

// reopen replaces a duplicate a cell closed by a fresh one, and says so on
// w, once per close. It runs between cells (Eval holds in.mu): interpreted
// code reads the variables without a lock, so a goroutine of an earlier
// cell still running while it swaps one may see either file.
func (fs *stdFiles) reopen(w io.Writer) {
	for i, f := range fs.vars {
		if fs.src[i] == nil || !isClosed(f) {
			continue
		}
		name := [2]string{"os.Stdout", "os.Stderr"}[i]
		fs.vars[i] = dupFile(fs.src[i])
		if fs.vars[i] == fs.src[i] {
			fmt.Fprintf(w, "corelab: this cell closed %s and it could not be reopened: what cells write through it now goes to the stream itself.\n", name)
			continue
		}
		fmt.Fprintf(w, "corelab: this cell closed %s; later cells get a fresh one (fmt.Println and the like never used it).\n", name)
	}
}

// isClosed reports whether f, an open file once, was closed.
func isClosed(f *os.File) bool {
	if f == nil {
		return false // a cell set os.Stdout = nil: its choice, not a close
	}
	_, err := f.Stat()
	return errors.Is(err, os.ErrClosed)
}
