package gil

import (
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// Symbols replaces, for interpreted code, the standard-library entries that
// block with GIL-aware versions that release the calling goroutine's lock
// while they block. Pass it in interp.Options.Symbols (after yaegi's stdlib,
// which it overrides entry by entry). In goroutines without a thread (the
// Free model) every entry behaves exactly like the original.
//
// Covered here: time.Sleep, time.AfterFunc; sync.Mutex, RWMutex, WaitGroup
// (with Go), Cond, NewCond, Once; os.ReadFile, os.WriteFile; io.ReadAll,
// ReadFull, Copy, CopyN; net.Dial, DialTimeout, Listen (and Accept, Read
// and Write of the listeners and connections they return); http.Get,
// Head, Post (and reading the response body), ListenAndServe, Serve
// (whose handlers run attached to the lock).
//
// Covered elsewhere: every http.Client round trip (Do, Get, Post, Head on
// any client using http.DefaultTransport, http.DefaultClient included) and
// its response body, through Transport, which InstallTransport puts in
// http.DefaultTransport. The evaluator's rewriter releases around channel
// operations, select and range over a channel (Hooks.Block); around fmt.Scan,
// Scanln, Scanf, Fscan, Fscanln and Fscanf (not replaced here: Scan reads
// the interpreter's own stdin, which this table cannot know); and around
// calls of methods of host types that block — Read of an *os.File (a pipe,
// stdin), *io.PipeReader or *net.TCPConn/UnixConn/UDPConn/IPConn;
// (*http.Server).ListenAndServe, ListenAndServeTLS, Serve and ServeTLS;
// (*exec.Cmd).Run, Wait, Output and CombinedOutput (os/exec when the host
// gives cells yaegi's unrestricted table); (*os.Process).Wait. It decides at
// run time from the receiver's type, so a method of an interpreted type,
// or fmt reading one, keeps the lock. The evaluator's bufio.NewReader,
// NewReaderSize and NewScanner read a host reader that blocks through a
// reader that releases around each Read underneath; over a notebook's
// reader they keep the lock, and bufio's own code (and a split function)
// always runs holding it.
//
// Not covered: other methods of host types that block (Accept of a
// listener not made by Listen here, a client with a Transport of its own);
// a blocking method call that is deferred, in a for statement's init or
// post, in a switch case, the cell's trailing expression, or whose
// results are passed on whole (f(r.ReadString('\n')), but fmt and log
// printing functions are fine); the handlers of an http.Server started by
// its own ListenAndServe or Serve, which run free, as before. Those keep
// the lock while they block, as a C extension that forgets to release the
// GIL would. The lock is never taken from such a holder: a cell that waits
// for it waits until the call returns, or until the evaluator is restarted
// (the kernel's supervisor does that when an interrupt does not stop the
// cell). Reading strings and bytes readers never blocks and
// keeps the lock, as io.BytesIO does in CPython.
var Symbols = interp.Exports{
	"time/time": {
		"Sleep":     reflect.ValueOf(Sleep),
		"AfterFunc": reflect.ValueOf(AfterFunc),
	},
	"sync/sync": {
		"Mutex":     reflect.ValueOf((*Mutex)(nil)),
		"RWMutex":   reflect.ValueOf((*RWMutex)(nil)),
		"WaitGroup": reflect.ValueOf((*WaitGroup)(nil)),
		"Cond":      reflect.ValueOf((*Cond)(nil)),
		"NewCond":   reflect.ValueOf(NewCond),
		"Once":      reflect.ValueOf((*Once)(nil)),
	},
	"os/os": {
		"ReadFile":  reflect.ValueOf(ReadFile),
		"WriteFile": reflect.ValueOf(WriteFile),
	},
	"io/io": {
		"ReadAll":  reflect.ValueOf(ReadAll),
		"ReadFull": reflect.ValueOf(ReadFull),
		"Copy":     reflect.ValueOf(Copy),
		"CopyN":    reflect.ValueOf(CopyN),
	},
	"net/net": {
		"Dial":        reflect.ValueOf(Dial),
		"DialTimeout": reflect.ValueOf(DialTimeout),
		"Listen":      reflect.ValueOf(Listen),
	},
	"net/http/http": {
		"Get":            reflect.ValueOf(HTTPGet),
		"Head":           reflect.ValueOf(HTTPHead),
		"Post":           reflect.ValueOf(HTTPPost),
		"ListenAndServe": reflect.ValueOf(ListenAndServe),
		"Serve":          reflect.ValueOf(Serve),
	},
}
