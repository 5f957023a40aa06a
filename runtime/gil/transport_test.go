package gil

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestTransportReleases: a round trip through Transport releases the
// caller's lock, so a handler that needs the same lock (as an interpreted
// one does) can answer; without a thread the base transport is used as is.
func TestTransportReleases(t *testing.T) {
	g := New(time.Millisecond)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := g.NewThread("handler")
		h.Acquire()
		defer h.Exit()
		io.WriteString(w, "pong")
	}))
	defer srv.Close()
	client := &http.Client{Transport: &Transport{Base: http.DefaultTransport}, Timeout: 5 * time.Second}

	th := g.NewThread("caller")
	th.Bind()
	defer th.Unbind()
	th.Acquire()
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("the handler could not take the lock: %v", err)
	}
	if !th.Holds() {
		t.Fatal("the lock was not taken back after the round trip")
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "pong" {
		t.Fatalf("got %q", b)
	}
	th.Exit()

	// no thread: the base transport's response, untouched
	free := &http.Client{Transport: &Transport{Base: http.DefaultTransport}}
	srv2 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	defer srv2.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := free.Get(srv2.URL)
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		if _, ok := resp.Body.(body); ok {
			t.Error("a goroutine without a thread got a wrapped body")
		}
	}()
	<-done
}

// TestInstallTransport: InstallTransport wraps http.DefaultTransport once.
func TestInstallTransport(t *testing.T) {
	InstallTransport()
	first := http.DefaultTransport
	InstallTransport()
	tr, ok := http.DefaultTransport.(*Transport)
	if !ok || http.DefaultTransport != first {
		t.Fatalf("DefaultTransport is %T after two installs", http.DefaultTransport)
	}
	if _, ok := tr.Base.(*Transport); ok {
		t.Fatal("installed over itself")
	}
}
