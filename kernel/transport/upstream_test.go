package transport

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

// The tests in this file run zmq4's own "tcp" transport to show that the
// faults tcpg guards against are real in the zmq4 version corelab uses. If
// one starts failing, zmq4 has fixed that fault upstream.

// TestUpstreamAcceptStall: on plain tcp, one silent peer blocks zmq4's
// accept loop, so a real client cannot connect until that peer leaves.
func TestUpstreamAcceptStall(t *testing.T) {
	if testing.Short() {
		t.Skip("waits a second to show a client stays blocked")
	}
	router, addr := listen(t, zmq4.NewRouter, "tcp")
	silent := rawPeer(t, addr, 0, "", 0)

	done := make(chan error, 1)
	go func() {
		d := zmq4.NewDealer(context.Background(), zmq4.WithLogger(quietLogger()))
		defer d.Close()
		if err := d.Dial("tcp://" + addr); err != nil {
			done <- err
			return
		}
		done <- exchangeRouter(router, d)
	}()
	select {
	case <-done:
		t.Fatal("zmq4's tcp listener served a client while a silent peer was in its greeting (fixed upstream?)")
	case <-time.After(time.Second):
	}
	silent.Close()
	within(t, "client after the silent peer left", func() error { return <-done })
}

// TestUpstreamHugeFramePanics: on plain tcp, a 9-byte frame header
// announcing 2^62 bytes crashes the process (run in a child process).
func TestUpstreamHugeFramePanics(t *testing.T) {
	if os.Getenv("TCPG_UPSTREAM_CRASH") == "1" {
		_, addr := listen(t, zmq4.NewRouter, "tcp")
		c := rawPeer(t, addr, -1, "DEALER", 0)
		c.Write(longFrame(1 << 62))
		time.Sleep(bound)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUpstreamHugeFramePanics$")
	cmd.Env = append(os.Environ(), "TCPG_UPSTREAM_CRASH=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child survived a 2^62-byte frame on plain tcp (fixed upstream?):\n%s", out)
	}
	if !strings.Contains(string(out), "makeslice: len out of range") {
		t.Errorf("child failed, but not with zmq4's makeslice panic: %v\n%s", err, out)
	}
}
