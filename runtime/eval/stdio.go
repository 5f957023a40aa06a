// Standard streams of interpreted code.

package eval

import (
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// stdioSymbols makes os.Stdout/os.Stderr/os.Stdin of interpreted code write
// to (read from) the interpreter's streams when those are not real files.
// yaegi only does this for *os.File streams; for any other writer its
// os.Stdout stays the process's, which would bypass the notebook.
func (in *Interpreter) stdioSymbols(out, errw io.Writer, stdin io.Reader) interp.Exports {
	m := map[string]reflect.Value{}
	if out != nil {
		if _, isFile := out.(*os.File); !isFile {
			f := &stdio{w: out, name: "/dev/stdout", fd: 1}
			m["Stdout"] = reflect.ValueOf(&f).Elem()
		}
	}
	if errw != nil {
		if _, isFile := errw.(*os.File); !isFile {
			f := &stdio{w: errw, name: "/dev/stderr", fd: 2}
			m["Stderr"] = reflect.ValueOf(&f).Elem()
		}
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
