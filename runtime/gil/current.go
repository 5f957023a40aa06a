package gil

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Go has no goroutine-local storage, and interpreted code reaches the GIL
// through hooks that carry no thread argument. So threads are bound to the
// goroutine that runs them, and Current finds the calling goroutine's thread
// by a goroutine key: the address of the runtime's g (a few nanoseconds,
// getg_*.s) or, on other architectures, the goroutine id parsed from a
// stack header (microseconds). A g is reused after its goroutine exits, so
// every binding must be undone (Unbind) before the goroutine ends.

var (
	bound  sync.Map // goroutine key (uintptr) -> *Thread
	nbound atomic.Int64
)

// Bind makes t the thread of the calling goroutine (see Current).
func (t *Thread) Bind() {
	id := goroutineKey()
	if old := t.goid.Swap(id); old != 0 && old != id {
		bound.CompareAndDelete(old, t)
	}
	if _, loaded := bound.Swap(id, t); !loaded {
		nbound.Add(1)
	}
}

// Unbind undoes Bind, whichever goroutine calls it.
func (t *Thread) Unbind() {
	if id := t.goid.Swap(0); id != 0 {
		if bound.CompareAndDelete(id, t) {
			nbound.Add(-1)
		}
	}
}

var fallback atomic.Pointer[func() *Thread]

// SetFallback installs fn, which Current asks when the calling goroutine
// has no thread bound. The runtime uses it to let the goroutine the
// evaluator starts for a cell adopt the cell's thread; fn may Bind and
// return a thread, or return nil.
func SetFallback(fn func() *Thread) {
	if fn == nil {
		fallback.Store(nil)
		return
	}
	fallback.Store(&fn)
}

// Current returns the thread bound to the calling goroutine (or the one
// the fallback provides), or nil.
func Current() *Thread {
	if nbound.Load() == 0 {
		return nil
	}
	if v, ok := bound.Load(goroutineKey()); ok {
		return v.(*Thread)
	}
	if f := fallback.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// goid returns the calling goroutine's id, parsed from the header line of
// runtime.Stack ("goroutine 123 [running]:").
func goid() int64 {
	var buf [32]byte
	n := runtime.Stack(buf[:], false)
	b := buf[:n]
	const prefix = "goroutine "
	if len(b) < len(prefix) {
		return -1
	}
	var id int64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + int64(c-'0')
	}
	return id
}
