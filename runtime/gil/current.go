package gil

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Go has no goroutine-local storage, and interpreted code reaches the GIL
// through hooks that carry no thread argument. So threads are bound to the
// goroutine that runs them, and Current finds the calling goroutine's thread
// by goroutine id. Reading the id costs about a microsecond, which is why
// the hot path (Checkpoint with no drop request pending) never does it.

var (
	bound  sync.Map // goroutine id (int64) -> *Thread
	nbound atomic.Int64
)

// Bind makes t the thread of the calling goroutine (see Current).
func (t *Thread) Bind() {
	id := goid()
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

// Current returns the thread bound to the calling goroutine, or nil.
func Current() *Thread {
	if nbound.Load() == 0 {
		return nil
	}
	if v, ok := bound.Load(goid()); ok {
		return v.(*Thread)
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

// GoroutineID returns the calling goroutine's id (as printed in stack
// traces).
func GoroutineID() int64 { return goid() }
