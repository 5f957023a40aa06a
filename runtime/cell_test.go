package runtime_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/traefik/yaegi/interp"

	rt "corelab/runtime"
	"corelab/runtime/eval"
	"corelab/runtime/symbols"
)

// These tests drive the runtime the way the kernel does: cells that import
// corelab/runtime through the generated symbols, evaluated between
// CellStart and done.

var cellMu sync.Mutex

func newInterpreter(o eval.Options) (*eval.Interpreter, error) {
	o.Symbols = append([]interp.Exports{symbols.Symbols}, o.Symbols...)
	return eval.New(o)
}

type kernel struct {
	t  *testing.T
	in *eval.Interpreter
}

func newKernel(t *testing.T) *kernel {
	cellMu.Lock()
	t.Cleanup(cellMu.Unlock)
	in, err := newInterpreter(eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rt.Setup(rt.Env{NewInterpreter: newInterpreter, Main: in})
	return &kernel{t: t, in: in}
}

func (k *kernel) cell(src string) (eval.Result, error) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := rt.CellStart()
	defer done()
	res, err := k.in.Eval(ctx, src)
	if ctx.Err() != nil {
		k.t.Fatalf("cell did not finish (deadlock?):\n%s", src)
	}
	return res, err
}

func (k *kernel) must(src string) eval.Result {
	k.t.Helper()
	res, err := k.cell(src)
	if err != nil {
		k.t.Fatalf("cell failed: %v\n%s", err, src)
	}
	return res
}

func TestCellsUseTheRuntime(t *testing.T) {
	k := newKernel(t)
	k.must(`
import rt "corelab/runtime"
func work(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }`)
	for _, m := range []string{"GIL", "Free", "Isolates"} {
		res := k.must(`rt.Run(rt.` + m + `, 2, "work", 100000).Result()`)
		if res.Value.Interface() != 4999950000 {
			t.Errorf("%s: %v", m, res.Value)
		}
	}
	// A func value works under GIL; Isolates explain why not.
	if res := k.must(`rt.Run(rt.GIL, 2, work, 10).Result()`); res.Value.Interface() != 45 {
		t.Errorf("func value: %v", res.Value)
	}
	_, err := k.cell(`rt.Run(rt.Isolates, 2, work, 10)`)
	if err == nil || !strings.Contains(err.Error(), "pass the function's name") {
		t.Errorf("func value to isolates: %v", err)
	}
	// Goroutines of a cell calling compiled workloads beside the cell's own loop.
	res := k.must(`
import "sync"
var wg sync.WaitGroup
results := make([]int, 3)
for i := 0; i < 3; i++ {
	wg.Add(1)
	go func(i int) { defer wg.Done(); results[i] = rt.Fib(20) }(i)
}
wg.Wait()
results[0] + results[1] + results[2]`)
	if res.Value.Int() != 3*6765 {
		t.Errorf("goroutines: %v", res.Value)
	}
}

func TestInterruptARun(t *testing.T) {
	k := newKernel(t)
	k.must(`
import rt "corelab/runtime"
func forever() { for { } }`)
	go func() {
		time.Sleep(200 * time.Millisecond)
		rt.Interrupt()
	}()
	_, err := k.cell(`rt.Run(rt.GIL, 2, "forever")`)
	if !errors.Is(err, eval.ErrInterrupted) {
		t.Fatalf("interrupted Run returned %v, want KeyboardInterrupt", err)
	}
	// The notebook is usable afterwards.
	if res := k.must(`rt.Fib(10)`); res.Value.Int() != 55 {
		t.Fatal(res.Value)
	}
}

func TestIOAndHTTPUnderGIL(t *testing.T) {
	k := newKernel(t)
	if err := rt.SetSwitchInterval(500 * time.Microsecond); err != nil {
		t.Fatal(err)
	}
	defer rt.SetSwitchInterval(5 * time.Millisecond)
	dir := t.TempDir()
	res := k.must(`
import (
	"fmt"
	"io"
	rt "corelab/runtime"
	"net"
	"net/http"
	"os"
)
os.WriteFile("` + dir + `/x.txt", []byte("hello"), 0o644)
b, _ := os.ReadFile("` + dir + `/x.txt")
ln, _ := net.Listen("tcp", "127.0.0.1:0")
mux := http.NewServeMux()
mux.HandleFunc("/fib", func(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, rt.Fib(15))
})
go http.Serve(ln, mux)
resp, err := http.Get("http://" + ln.Addr().String() + "/fib")
body := ""
if err == nil {
	bb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body = string(bb)
}
ln.Close()
string(b) + " " + body`)
	if got := res.Value.String(); got != "hello 610" {
		t.Fatalf("got %q", got)
	}
}

func TestQueueAcrossIsolates(t *testing.T) {
	k := newKernel(t)
	k.must(`
import rt "corelab/runtime"
func produce(q *rt.Queue, buf *rt.SharedBuffer, id int) int {
	for i := 0; i < 5; i++ {
		q.Put([]int{id, i})
	}
	buf.Lock()
	buf.Bytes()[id] = byte(id)
	buf.Unlock()
	return id
}`)
	res := k.must(`
q := rt.NewQueue(100)
buf := rt.NewSharedBuffer(4)
rt.Run(rt.Isolates, 2, "produce", q, buf, 1)
n := q.Len()
sum := 0
for q.Len() > 0 {
	v := q.Get().([]int)
	sum += v[1]
}
n*1000 + sum*10 + int(buf.Bytes()[1])`)
	if got := res.Value.Int(); got != 10*1000+20*10+1 {
		t.Fatalf("got %d, want 10201 (10 values, sum 20, byte 1)", got)
	}
	_, err := k.cell(`rt.Run(rt.Isolates, 1, "produce", make(chan int), buf, 1)`)
	if err == nil || !strings.Contains(err.Error(), "NotShareable") {
		t.Fatalf("a map of funcs crossed: %v", err)
	}
}

// TestNetUnderGIL: an interpreted TCP echo server and client on one lock.
// Accept and Read block; without releasing the lock the client could never
// connect.
func TestNetUnderGIL(t *testing.T) {
	k := newKernel(t)
	res := k.must(`
import (
	"bufio"
	"net"
)
ln, _ := net.Listen("tcp", "127.0.0.1:0")
go func() {
	c, err := ln.Accept()
	if err != nil { return }
	line, _ := bufio.NewReader(c).ReadString('\n')
	c.Write([]byte("echo " + line))
	c.Close()
}()
c, _ := net.Dial("tcp", ln.Addr().String())
c.Write([]byte("hi\n"))
reply, _ := bufio.NewReader(c).ReadString('\n')
c.Close()
ln.Close()
reply`)
	if got := res.Value.String(); got != "echo hi\n" {
		t.Fatalf("got %q", got)
	}
}
