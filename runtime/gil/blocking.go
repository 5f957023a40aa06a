package gil

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the GIL-aware pieces interpreted code reaches through
// Symbols: blocking calls that release the lock of the calling goroutine's
// thread while they block, and goroutine starts that attach the new
// goroutine to the parent's lock.

var panicHandler atomic.Pointer[func(v any, stack []byte)]

// SetPanicHandler sets what happens to a panic that escapes a goroutine
// started by Go (by default it is printed to os.Stderr).
func SetPanicHandler(fn func(v any, stack []byte)) { panicHandler.Store(&fn) }

func reportPanic(v any) {
	stack := debug.Stack()
	if p := panicHandler.Load(); p != nil && *p != nil {
		(*p)(v, stack)
		return
	}
	fmt.Fprintf(os.Stderr, "panic in goroutine: %v\n%s", v, stack)
}

// Block releases the lock if the calling goroutine's thread holds it and
// returns the function that takes it back (a no-op otherwise). It is what
// the evaluator's Hooks.Block does around channel operations and blocking
// host calls. Like blockingUndo, the resume ends the goroutine of a cell
// that was interrupted while it waited, instead of running the rest.
func Block() (resume func()) {
	t := Current()
	if t == nil || !t.Holds() {
		return func() {}
	}
	t.Release()
	return func() { t.resume(nil) }
}

func blocking(fn func()) { blockingUndo(fn, nil) }

// blockingUndo runs wait with the lock released, like blocking, for a wait
// that may outlive the cell it was called from. An interrupt ends a cell
// parked in such a wait without waking it (the wait is in host code no
// interrupt reaches); when the wait returns later, the rest of that cell
// must not run — it would run inside whatever cell is current, writing its
// variables. So if the calling goroutine's thread was given up meanwhile
// (Exit from another goroutine: an interrupted cell), the goroutine takes
// the lock back (so its deferred calls run under it, as everything
// interpreted does), calls undo (nil: nothing to undo) to give back what
// the wait acquired, and ends with runtime.Goexit, which runs its deferred
// calls. CPython behaves alike: a KeyboardInterrupt in the main thread
// abandons a lock.acquire() and the code after it.
func blockingUndo(wait, undo func()) {
	t := Current()
	if t == nil || !t.Holds() {
		wait()
		return
	}
	t.Release()
	returned := false
	defer func() {
		if !returned {
			t.Acquire() // wait panicked: take the lock back before unwinding
		}
	}()
	wait()
	returned = true
	t.resume(undo)
}

// resume takes the lock back after a wait and, if t's cell was given up
// meanwhile, calls undo (when not nil) and ends the goroutine (see
// blockingUndo).
func (t *Thread) resume(undo func()) {
	t.Acquire()
	if t.abandoned() {
		if undo != nil {
			undo()
		}
		runtime.Goexit()
	}
}

// Go runs fn in a new goroutine. If the calling goroutine has a thread, the
// new goroutine gets its own thread of the same GIL and runs fn holding the
// lock; otherwise it runs free. Either way a panic in fn is recovered and
// reported (SetPanicHandler). The goroutine is owned by fn: it ends when fn
// returns.
func Go(fn func()) {
	if p := Current(); p != nil {
		p.g.Go(fn)
		return
	}
	go func() {
		defer recoverPanic()
		fn()
	}()
}

// Go runs fn in a new goroutine holding g (see the package-level Go).
func (g *GIL) Go(fn func()) { g.GoWith(nil, fn) }

// GoWith is Go with the new thread's Data set to data before its
// goroutine starts (the runtime passes on which worker started it).
func (g *GIL) GoWith(data any, fn func()) {
	t := g.NewThread("")
	t.name = fmt.Sprintf("goroutine %d", t.id)
	t.Data = data
	go t.Run(fn)
}

// Run binds t to the calling goroutine, takes the lock, runs fn, and exits,
// recovering and reporting a panic in fn.
func (t *Thread) Run(fn func()) {
	t.Bind()
	defer t.Unbind()
	t.Acquire()
	defer t.Exit()
	defer recoverPanic()
	fn()
}

func recoverPanic() {
	if v := recover(); v != nil {
		reportPanic(v)
	}
}

// Sleep is time.Sleep that releases the lock while it sleeps.
func Sleep(d time.Duration) { blocking(func() { time.Sleep(d) }) }

// AfterFunc is time.AfterFunc whose fn runs attached to the caller's GIL.
func AfterFunc(d time.Duration, fn func()) *time.Timer {
	if p := Current(); p != nil {
		g := p.g
		return time.AfterFunc(d, func() {
			t := g.NewThread("timer")
			t.Run(fn)
		})
	}
	return time.AfterFunc(d, func() {
		defer recoverPanic()
		fn()
	})
}

// Mutex is sync.Mutex for interpreted code: a Lock that has to wait
// releases the GIL while it waits, so the holder of the mutex can run.
type Mutex struct{ mu sync.Mutex }

// Lock locks m, releasing the GIL if it has to wait.
func (m *Mutex) Lock() {
	if !m.mu.TryLock() {
		blockingUndo(m.mu.Lock, m.mu.Unlock)
	}
}

// TryLock tries to lock m without waiting.
func (m *Mutex) TryLock() bool { return m.mu.TryLock() }

// Unlock unlocks m.
func (m *Mutex) Unlock() { m.mu.Unlock() }

// RWMutex is sync.RWMutex for interpreted code (see Mutex).
type RWMutex struct{ mu sync.RWMutex }

// Lock locks rw for writing, releasing the GIL if it has to wait.
func (rw *RWMutex) Lock() {
	if !rw.mu.TryLock() {
		blockingUndo(rw.mu.Lock, rw.mu.Unlock)
	}
}

// Unlock unlocks rw for writing.
func (rw *RWMutex) Unlock() { rw.mu.Unlock() }

// RLock locks rw for reading, releasing the GIL if it has to wait.
func (rw *RWMutex) RLock() {
	if !rw.mu.TryRLock() {
		blockingUndo(rw.mu.RLock, rw.mu.RUnlock)
	}
}

// RUnlock undoes one RLock.
func (rw *RWMutex) RUnlock() { rw.mu.RUnlock() }

// TryLock tries to lock rw for writing without waiting.
func (rw *RWMutex) TryLock() bool { return rw.mu.TryLock() }

// TryRLock tries to lock rw for reading without waiting.
func (rw *RWMutex) TryRLock() bool { return rw.mu.TryRLock() }

// RLocker returns a Locker whose Lock and Unlock are rw.RLock and rw.RUnlock.
func (rw *RWMutex) RLocker() sync.Locker { return rlocker{rw} }

type rlocker struct{ rw *RWMutex }

func (r rlocker) Lock()   { r.rw.RLock() }
func (r rlocker) Unlock() { r.rw.RUnlock() }

// WaitGroup is sync.WaitGroup for interpreted code: Wait releases the GIL.
type WaitGroup struct{ wg sync.WaitGroup }

// Add adds delta to the counter.
func (wg *WaitGroup) Add(delta int) { wg.wg.Add(delta) }

// Done decrements the counter.
func (wg *WaitGroup) Done() { wg.wg.Done() }

// Wait waits for the counter to reach zero, releasing the GIL meanwhile.
func (wg *WaitGroup) Wait() { blocking(wg.wg.Wait) }

// Go runs fn in a new goroutine (attached like Go) and counts it.
func (wg *WaitGroup) Go(fn func()) {
	wg.wg.Add(1)
	Go(func() {
		defer wg.wg.Done()
		fn()
	})
}

// Cond is sync.Cond for interpreted code: Wait releases the GIL.
type Cond struct {
	// L is held while observing or changing the condition.
	L    sync.Locker
	once sync.Once
	c    *sync.Cond
}

// NewCond returns a Cond with locker l.
func NewCond(l sync.Locker) *Cond { return &Cond{L: l} }

func (c *Cond) cond() *sync.Cond {
	c.once.Do(func() { c.c = sync.NewCond(c.L) })
	return c.c
}

// Wait unlocks c.L, waits for Signal or Broadcast (releasing the GIL), and
// locks c.L again. An interrupted cell's goroutine that wakes here ends
// with c.L locked, as Python's Condition.wait re-acquires before raising:
// a deferred c.L.Unlock() releases it.
func (c *Cond) Wait() {
	cc := c.cond()
	blocking(cc.Wait)
}

// Signal wakes one goroutine waiting on c.
func (c *Cond) Signal() { c.cond().Signal() }

// Broadcast wakes all goroutines waiting on c.
func (c *Cond) Broadcast() { c.cond().Broadcast() }

// Once is sync.Once for interpreted code: a caller that has to wait for
// another's f releases the GIL, so f can finish.
type Once struct {
	done atomic.Bool
	m    Mutex
}

// Do calls f if and only if Do is being called for the first time for o.
func (o *Once) Do(f func()) {
	if o.done.Load() {
		return
	}
	o.m.Lock()
	defer o.m.Unlock()
	if !o.done.Load() {
		defer o.done.Store(true)
		f()
	}
}

// ReadFile is os.ReadFile, releasing the GIL.
func ReadFile(name string) (b []byte, err error) {
	blocking(func() { b, err = os.ReadFile(name) })
	return
}

// WriteFile is os.WriteFile, releasing the GIL.
func WriteFile(name string, data []byte, perm os.FileMode) (err error) {
	blocking(func() { err = os.WriteFile(name, data, perm) })
	return
}

// ReadAll is io.ReadAll, releasing the GIL.
func ReadAll(r io.Reader) (b []byte, err error) {
	blocking(func() { b, err = io.ReadAll(r) })
	return
}

// ReadFull is io.ReadFull, releasing the GIL.
func ReadFull(r io.Reader, buf []byte) (n int, err error) {
	blocking(func() { n, err = io.ReadFull(r, buf) })
	return
}

// Copy is io.Copy, releasing the GIL.
func Copy(dst io.Writer, src io.Reader) (n int64, err error) {
	blocking(func() { n, err = io.Copy(dst, src) })
	return
}

// CopyN is io.CopyN, releasing the GIL.
func CopyN(dst io.Writer, src io.Reader, n int64) (written int64, err error) {
	blocking(func() { written, err = io.CopyN(dst, src, n) })
	return
}

// Dial is net.Dial, releasing the GIL; the connection's Read and Write
// release it too.
func Dial(network, address string) (c net.Conn, err error) {
	blocking(func() { c, err = net.Dial(network, address) })
	return wrapConn(c), err
}

// DialTimeout is net.DialTimeout, releasing the GIL; the connection's Read
// and Write release it too.
func DialTimeout(network, address string, d time.Duration) (c net.Conn, err error) {
	blocking(func() { c, err = net.DialTimeout(network, address, d) })
	return wrapConn(c), err
}

// Listen is net.Listen; the listener's Accept, and Read and Write of the
// connections it accepts, release the GIL.
func Listen(network, address string) (net.Listener, error) {
	l, err := net.Listen(network, address)
	if err != nil {
		return nil, err
	}
	return listener{l}, nil
}

type listener struct{ net.Listener }

func (l listener) Accept() (c net.Conn, err error) {
	blocking(func() { c, err = l.Listener.Accept() })
	return wrapConn(c), err
}

// conn is a net.Conn whose Read and Write release the GIL.
type conn struct{ net.Conn }

func wrapConn(c net.Conn) net.Conn {
	if c == nil {
		return nil
	}
	return conn{c}
}

func (c conn) Read(p []byte) (n int, err error) {
	blocking(func() { n, err = c.Conn.Read(p) })
	return
}

func (c conn) Write(p []byte) (n int, err error) {
	blocking(func() { n, err = c.Conn.Write(p) })
	return
}

// body is a response body whose Read releases the GIL.
type body struct{ io.ReadCloser }

func (b body) Read(p []byte) (n int, err error) {
	blocking(func() { n, err = b.ReadCloser.Read(p) })
	return
}

func wrapBody(r *http.Response) *http.Response {
	if r == nil || r.Body == nil {
		return r
	}
	switch b := r.Body.(type) {
	case body, rwBody:
		// wrapped already (http.Get over a Transport)
	case io.Writer:
		r.Body = rwBody{body{r.Body}, b}
	default:
		r.Body = body{b}
	}
	return r
}

// HTTPGet is http.Get, releasing the GIL (also while reading the body).
func HTTPGet(url string) (r *http.Response, err error) {
	blocking(func() { r, err = http.Get(url) })
	return wrapBody(r), err
}

// HTTPHead is http.Head, releasing the GIL.
func HTTPHead(url string) (r *http.Response, err error) {
	blocking(func() { r, err = http.Head(url) })
	return wrapBody(r), err
}

// HTTPPost is http.Post, releasing the GIL (also while reading the body).
func HTTPPost(url, contentType string, body io.Reader) (r *http.Response, err error) {
	blocking(func() { r, err = http.Post(url, contentType, body) })
	return wrapBody(r), err
}

// Handler wraps h so that each request is served by a new thread of the
// caller's GIL (requests run free if the caller has no thread). Without it,
// interpreted handlers would run on net/http's goroutines outside the lock.
func Handler(h http.Handler) http.Handler {
	if h == nil {
		h = http.DefaultServeMux
	}
	p := Current()
	if p == nil {
		return h
	}
	g := p.g
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := g.NewThread("request")
		t.Bind()
		defer t.Unbind()
		t.Acquire()
		defer t.Exit()
		h.ServeHTTP(w, r)
	})
}

// ListenAndServe is http.ListenAndServe with handlers attached to the
// caller's GIL (see Handler); it releases the GIL while it serves.
func ListenAndServe(addr string, h http.Handler) (err error) {
	h = Handler(h)
	blocking(func() { err = http.ListenAndServe(addr, h) })
	return
}

// Serve is http.Serve with handlers attached to the caller's GIL; it
// releases the GIL while it serves.
func Serve(l net.Listener, h http.Handler) (err error) {
	h = Handler(h)
	blocking(func() { err = http.Serve(l, h) })
	return
}
