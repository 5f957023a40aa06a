package gil

import (
	"reflect"

	"github.com/traefik/yaegi/interp"
)

// Symbols replaces, for interpreted code, the standard-library entries that
// block with GIL-aware versions that release the calling goroutine's lock
// while they block. Pass it in eval.Options.Symbols (after yaegi's stdlib,
// which it overrides entry by entry). In goroutines without a thread (the
// Free model) every entry behaves exactly like the original.
//
// Covered: time.Sleep, time.AfterFunc; sync.Mutex, RWMutex, WaitGroup
// (with Go), Cond, NewCond, Once; os.ReadFile, os.WriteFile; io.ReadAll,
// ReadFull, Copy, CopyN; net.Dial, DialTimeout, Listen (and Accept, Read
// and Write of the listeners and connections they return); http.Get,
// Head, Post (and reading the response body), ListenAndServe, Serve
// (whose handlers run attached to the lock). Channel operations, select
// and range over a channel are released by the evaluator's Hooks.Block.
// Not covered: other methods of host types that block (os.File.Read on a
// pipe, http.Client.Do, http.Server.ListenAndServe, fmt.Scan on stdin) —
// they keep the lock while they block, as a C extension that forgets to
// release the GIL would; Interrupt frees the notebook's lock from such a
// holder when a cell waits for it.
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
