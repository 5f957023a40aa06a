package gil

import (
	"io"
	"net/http"
	"sync"
)

// Transport is an http.RoundTripper that releases the calling goroutine's
// lock while Base makes the round trip, and wraps the response body so
// that reading it releases too. An http.Client (http.DefaultClient, or any
// client using http.DefaultTransport once InstallTransport ran) makes the
// round trip on the goroutine that called Do, Get or Post, so with it
// those release the lock the way CPython's socket calls release the GIL.
// A goroutine without a thread, or whose thread does not hold the lock,
// gets Base's behaviour unchanged.
type Transport struct {
	Base http.RoundTripper // nil means http.DefaultTransport as it was before InstallTransport
}

var (
	installOnce sync.Once
	original    http.RoundTripper // http.DefaultTransport before InstallTransport
)

// InstallTransport replaces http.DefaultTransport by a Transport over it,
// once per process; later calls do nothing. The evaluator calls it at
// start-up, so the clients of every interpreter in the process release.
// Code that asserts http.DefaultTransport.(*http.Transport) (to Clone it)
// sees the Transport instead: its Base is the original.
func InstallTransport() {
	installOnce.Do(func() {
		original = http.DefaultTransport
		http.DefaultTransport = &Transport{Base: original}
	})
}

func (t *Transport) base() http.RoundTripper {
	if t.Base != nil {
		return t.Base
	}
	if original != nil {
		return original
	}
	return http.DefaultTransport
}

// RoundTrip makes the round trip with the calling goroutine's lock
// released, if it holds one.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	th := Current()
	if th == nil || !th.Holds() {
		return t.base().RoundTrip(req)
	}
	th.Release()
	defer th.Acquire()
	resp, err := t.base().RoundTrip(req)
	return wrapBody(resp), err
}

// CloseIdleConnections closes Base's idle connections (what
// http.Client.CloseIdleConnections asks of its transport).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base().(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// rwBody is a body that may also be written to (a 101 Switching Protocols
// response): both directions release the lock.
type rwBody struct {
	body
	w io.Writer
}

func (b rwBody) Write(p []byte) (n int, err error) {
	blocking(func() { n, err = b.w.Write(p) })
	return
}
