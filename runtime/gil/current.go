package gil

import (
	"sync"
	"sync/atomic"

	"github.com/petermattis/goid"
)

// Go has no goroutine-local storage, and interpreted code reaches the GIL
// through hooks that carry no thread argument. So a thread is bound, where
// host code already runs on the goroutine (a goroutine start, a cell's
// start, a request handler), to that goroutine, and Current finds the
// calling goroutine's thread by its goroutine id. The id comes from
// github.com/petermattis/goid, a maintained library (a few nanoseconds on
// amd64 and arm64). Goroutine ids are never reused while the process
// lives, so a binding left behind can never alias another goroutine.

var (
	bound  sync.Map // goroutine id (int64) -> *Thread
	nbound atomic.Int64
)

// gid returns the calling goroutine's id.
func gid() int64 { return goid.Get() }

// Bind makes t the thread of the calling goroutine (see Current). A thread
// is bound to one goroutine at a time: binding it elsewhere unbinds it
// from the goroutine it had.
func (t *Thread) Bind() {
	id := gid()
	t.g.mu.Lock()
	old := t.goid
	t.goid = id
	t.g.mu.Unlock()
	if old != 0 && old != id {
		if bound.CompareAndDelete(old, t) {
			nbound.Add(-1)
		}
	}
	if _, loaded := bound.Swap(id, t); !loaded {
		nbound.Add(1)
	}
}

// Unbind undoes Bind, whichever goroutine calls it. If Exit was called
// from another goroutine while t was bound (see Exit), Unbind completes it.
func (t *Thread) Unbind() {
	t.g.mu.Lock()
	id := t.goid
	t.goid = 0
	exit := t.exitReq
	t.exitReq = false
	t.g.mu.Unlock()
	if id != 0 && bound.CompareAndDelete(id, t) {
		nbound.Add(-1)
	}
	if exit {
		t.Exit()
	}
}

// Current returns the thread bound to the calling goroutine, or nil.
func Current() *Thread {
	if nbound.Load() == 0 {
		return nil
	}
	if v, ok := bound.Load(gid()); ok {
		return v.(*Thread)
	}
	return nil
}
