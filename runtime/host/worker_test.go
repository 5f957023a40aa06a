package host

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/runtime/internal/wire"
)

// A worker speaks the wire protocol: it loads the notebook's declarations,
// calls what it is asked to — a notebook func by name, or one of rt's
// compiled workloads found in its symbol tables — and sends back results
// and errors.
func TestServeWorker(t *testing.T) {
	double := func(n int) int { return 2 * n }
	symbols := yaegi.Exports{"corelab/runtime/runtime": {"Double": reflect.ValueOf(double)}}
	callsR, callsW := io.Pipe()
	resR, resW := io.Pipe()
	served := make(chan error, 1)
	go func() { // ends when callsW is closed
		served <- serveWorker(callsR, resW, symbols)
		resW.Close()
	}()
	send := func(m *wire.Msg) *wire.Msg {
		t.Helper()
		if err := wire.Write(callsW, m); err != nil {
			t.Fatal(err)
		}
		r, err := wire.Read(resR)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	arg := func(v any) []json.RawMessage {
		b, _ := json.Marshal(v)
		return []json.RawMessage{b}
	}
	if r := send(&wire.Msg{Kind: "setup", Decls: "func square(n int) int { return n * n }", Policy: "py310"}); r.Kind != "ready" || r.Error != "" {
		t.Fatalf("setup: %+v", r)
	}
	for _, c := range []struct {
		fn, want string
	}{
		{"square", "49"},
		{"rt.Double", "14"},
		{"rt.Double (lock released)", "14"},
	} {
		r := send(&wire.Msg{Kind: "call", Func: c.fn, Args: arg(7), Worker: -1})
		if r.Error != "" || len(r.Results) != 1 || string(r.Results[0]) != c.want {
			t.Errorf("%s(7): %+v, want %s", c.fn, r, c.want)
		}
	}
	if r := send(&wire.Msg{Kind: "call", Func: "cube", Args: arg(2), Worker: -1}); !strings.Contains(r.Error, `no func "cube"`) {
		t.Errorf("an unknown func: %+v", r)
	}
	callsW.Close()
	if err := <-served; err != io.EOF {
		t.Errorf("the worker ended with %v, want EOF", err)
	}
}
