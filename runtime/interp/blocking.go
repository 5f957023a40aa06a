package interp

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
)

// The host's side of blocking calls (see blocking_rewrite.go): whether a
// call of a host method may run released. CPython releases the GIL around
// a blocking call because the call runs C code only; here the same holds
// when the receiver is a host value whose method runs host code only. The
// rewriter cannot tell, so it asks at run time with the receiver. Types are
// compared exactly: a value of an interpreted type reaches the host as a
// struct type yaegi built, or wrapped in one of yaegi's interface wrappers,
// never as one of these types, so interpreted code never runs released.
// (Type assertions to interfaces are avoided: on some interpreted struct
// types they crash the Go runtime.)

// Host types whose methods of the given names block and may run released.
var (
	tFile       = reflect.TypeFor[*os.File]()
	tPipe       = reflect.TypeFor[*io.PipeReader]()
	tBufReader  = reflect.TypeFor[*bufio.Reader]()
	tReadWriter = reflect.TypeFor[*bufio.ReadWriter]()
	tScanner    = reflect.TypeFor[*bufio.Scanner]()
	tServer     = reflect.TypeFor[*http.Server]()
	tCmd        = reflect.TypeFor[*exec.Cmd]()
	tProcess    = reflect.TypeFor[*os.Process]()
	tStdio      = reflect.TypeFor[*stdio]()

	// host readers that may block: reading them releases
	blockingReaders = map[reflect.Type]bool{
		tFile: true, tPipe: true, tStdio: true,
		reflect.TypeFor[*net.TCPConn]():  true,
		reflect.TypeFor[*net.UnixConn](): true,
		reflect.TypeFor[*net.UDPConn]():  true,
		reflect.TypeFor[*net.IPConn]():   true,
	}
	// host readers of memory: they never block, so reading them keeps the
	// lock, as io.BytesIO does in CPython
	memoryReaders = map[reflect.Type]bool{
		reflect.TypeFor[*strings.Reader](): true,
		reflect.TypeFor[*bytes.Reader]():   true,
		reflect.TypeFor[*bytes.Buffer]():   true,
	}
	listeners = map[reflect.Type]bool{
		reflect.TypeFor[*net.TCPListener]():  true,
		reflect.TypeFor[*net.UnixListener](): true,
	}
)

// trustedPkgs hold host readers, connections and listeners that wrap host
// ones: the GIL's own wrappers (which release by themselves) and net/http's
// bodies.
var trustedPkgs = map[string]bool{"corelab/runtime/gil": true, "net/http": true}

// blocking is _clBlocking: the instrumentation calls it before a call of
// method name on recv (or, recv nil, of fmt's scanning function name, like
// "fmt.Fscan") and the returned resume after. It releases (Hooks.Block)
// when releases says the call runs host code only.
func (in *Interpreter) blocking(recv any, name string, args ...any) func() {
	if !releases(recv, name, args) {
		return noop
	}
	return in.block()
}

// blockingFunc is _clBlockingFunc, for `go x.M(args)`: it returns the
// method value f wrapped so that each call releases around f when
// releases says so for its arguments, or f itself when it never will.
func (in *Interpreter) blockingFunc(recv any, name string, f any) any {
	fv := reflect.ValueOf(f)
	if fv.Kind() != reflect.Func || recv != nil && !releases(recv, name, nil) && !listenerArg[name] {
		return f
	}
	return reflect.MakeFunc(fv.Type(), func(args []reflect.Value) []reflect.Value {
		vals := make([]any, len(args))
		for i, a := range args {
			if a.CanInterface() {
				vals[i] = a.Interface()
			}
		}
		if releases(recv, name, vals) {
			defer in.block()()
		}
		if fv.Type().IsVariadic() {
			return fv.CallSlice(args)
		}
		return fv.Call(args)
	}).Interface()
}

// releases says whether calling method name on recv (or fmt's function
// name) with args runs host code only, so the lock may be released around
// it: recv is one of the host types whose method of that name blocks, and
// what it reads from, or serves, is a host value too.
func releases(recv any, name string, args []any) bool {
	switch name {
	case "fmt.Scan", "fmt.Scanln", "fmt.Scanf":
		return true // they read the interpreter's stdin, a host reader
	case "fmt.Fscan", "fmt.Fscanln", "fmt.Fscanf":
		return len(args) > 0 && hostReader(reflect.ValueOf(args[0]), 0)
	}
	v := reflect.ValueOf(recv)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return false // nil: the call panics, which must not happen released
	}
	if blockingReaders[v.Type()] {
		return name == "Read"
	}
	switch v.Type() {
	case tServer:
		switch name {
		case "ListenAndServe", "ListenAndServeTLS":
			return true
		case "Serve", "ServeTLS":
			return len(args) > 0 && hostListener(reflect.ValueOf(args[0]))
		}
	case tCmd:
		switch name {
		case "Run", "Wait", "Output", "CombinedOutput":
			return true
		}
	case tProcess:
		return name == "Wait"
	}
	return false
}

// hostReader says whether reading v runs host code only and may block: v
// is a host reader that may block (a file, a pipe, a connection, an HTTP
// body), or a bufio.Reader or Scanner (with one of bufio's split
// functions) or an io.LimitedReader of one.
func hostReader(v reflect.Value, depth int) bool {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	if !v.IsValid() || depth > 8 {
		return false
	}
	t := v.Type()
	if blockingReaders[t] {
		return true
	}
	if memoryReaders[t] {
		return false
	}
	if t.Kind() != reflect.Pointer {
		return trustedPkgs[t.PkgPath()]
	}
	if v.IsNil() {
		return false
	}
	switch t {
	case tBufReader, tReadWriter, tScanner:
		// What a bufio reader reads from is not visible through its API;
		// one made over a host reader reads through a releasingReader,
		// which releases by itself (see bufioSymbols).
		return false
	case reflect.TypeFor[*io.LimitedReader]():
		return hostReader(v.Elem().FieldByName("R"), depth+1)
	}
	return trustedPkgs[t.Elem().PkgPath()]
}

// hostListener says whether accepting on v runs host code only.
func hostListener(v reflect.Value) bool {
	for v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
		v = v.Elem()
	}
	if !v.IsValid() {
		return false
	}
	t := v.Type()
	if listeners[t] {
		return true
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == "corelab/runtime/gil"
}

// bufioSymbols replace bufio's constructors for interpreted code. What a
// bufio.Reader or Scanner reads from is not visible through bufio's API,
// so the decision is made where it is: at construction. Over a host
// reader that may block (hostReader), the reader or scanner reads through
// a reader whose every Read releases the lock (Hooks.Block); over anything
// else, a notebook's own reader included, nothing is released. bufio's own
// code, and a split function (which may be interpreted), run holding the
// lock. A bufio value made by host code, or reset onto another reader,
// keeps the lock while it reads.
func (in *Interpreter) bufioSymbols() yaegi.Exports {
	wrap := func(r io.Reader) io.Reader {
		if hostReader(reflect.ValueOf(r), 0) {
			return releasingReader{r: r, in: in}
		}
		return r
	}
	return yaegi.Exports{"bufio/bufio": {
		"NewReader": reflect.ValueOf(func(r io.Reader) *bufio.Reader { return bufio.NewReader(wrap(r)) }),
		"NewReaderSize": reflect.ValueOf(func(r io.Reader, size int) *bufio.Reader {
			return bufio.NewReaderSize(wrap(r), size)
		}),
		"NewScanner": reflect.ValueOf(func(r io.Reader) *bufio.Scanner { return bufio.NewScanner(wrap(r)) }),
	}}
}

// releasingReader is a host reader that may block, read with the lock
// released (see bufioSymbols).
type releasingReader struct {
	r  io.Reader
	in *Interpreter
}

func (rr releasingReader) Read(p []byte) (int, error) {
	defer rr.in.block()()
	return rr.r.Read(p)
}
