package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib/unrestricted"

	rt "corelab/runtime"
	"corelab/runtime/gil"
	"corelab/runtime/host"
	"corelab/runtime/interp"
	"corelab/runtime/symbols"
)

// These tests drive the runtime the way the kernel does: cells that import
// corelab/runtime through the generated symbols, evaluated between
// CellStart and done.

var cellMu sync.Mutex

func newInterpreter(o interp.Options) (*interp.Interpreter, error) {
	o.Symbols = append([]yaegi.Exports{symbols.Symbols}, o.Symbols...)
	return interp.New(o)
}

type kernel struct {
	t   *testing.T
	in  *interp.Interpreter
	lab *host.Lab
}

func newKernel(t *testing.T, extra ...yaegi.Exports) *kernel {
	cellMu.Lock()
	t.Cleanup(cellMu.Unlock)
	in, err := newInterpreter(interp.Options{Symbols: extra})
	if err != nil {
		t.Fatal(err)
	}
	l := host.New(host.Env{NewInterpreter: newInterpreter})
	l.Attach(in)
	t.Cleanup(rt.InstallTestLab)
	return &kernel{t: t, in: in, lab: l}
}

func (k *kernel) cell(src string) (interp.Result, error) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := k.lab.CellStart()
	defer done()
	res, err := k.in.Eval(ctx, src)
	if ctx.Err() != nil {
		k.t.Fatalf("cell did not finish (deadlock?):\n%s", src)
	}
	return res, err
}

func (k *kernel) must(src string) interp.Result {
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
		k.lab.Interrupt()
	}()
	_, err := k.cell(`rt.Run(rt.GIL, 2, "forever")`)
	if !errors.Is(err, interp.ErrInterrupted) {
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
	buf.Bytes()[rt.Worker()] = byte(10 + rt.Worker()) // each isolate its own byte: the buffer has no lock
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
n*1000 + sum*10 + int(buf.Bytes()[0]) + int(buf.Bytes()[1])`)
	if got := res.Value.Int(); got != 10*1000+20*10+10+11 {
		t.Fatalf("got %d, want 10221 (10 values, sum 20, bytes 10 and 11 written by the two isolates)", got)
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

// blockingCells each block a goroutine in one operation that must release
// the lock, while the cell's goroutine, holding it, computes past a switch
// interval (so the goroutine gets the lock and blocks) and then unblocks
// it; or, for a receive and http.Client.Do, the cell itself blocks on what
// a goroutine needing the lock must do. Without the release the cell waits
// for the lock for ever (the kernel's deadline fails the test) or, where a
// timeout or a count stands in, returns something else.
var blockingCells = []struct{ name, src, want string }{
	{"setup", `
import (
	"bufio"
	"fmt"
	"io"
	"lockprobe"
	"net"
	"net/http"
	"os"
	"os/exec"
	"time"
)
func spin(n int) int { s := 0; for i := 0; i < n; i++ { s += i }; return s }`, ""},
	{"pipe read", `
r1, w1, _ := os.Pipe()
got1 := make(chan int)
go func() { buf := make([]byte, 8); n, _ := r1.Read(buf); got1 <- n }()
spin(2000000)
w1.Write([]byte("hello"))
<-got1`, "5"},
	{"bufio.Scanner on a pipe", `
r2, w2, _ := os.Pipe()
got2 := make(chan int)
go func() {
	sc := bufio.NewScanner(r2)
	lines := 0
	for sc.Scan() {
		lines++
	}
	got2 <- lines
}()
spin(2000000)
w2.Write([]byte("a\nb\n"))
w2.Close()
<-got2`, "2"},
	{"bufio.Reader.ReadString on a pipe", `
r3, w3, _ := os.Pipe()
got3 := make(chan string)
go func() { line, _ := bufio.NewReader(r3).ReadString('\n'); got3 <- line }()
spin(2000000)
w3.Write([]byte("line\n"))
<-got3`, "line\n"},
	{"fmt.Fscan from a pipe", `
r4, w4, _ := os.Pipe()
got4 := make(chan int)
go func() { var k int; fmt.Fscan(r4, &k); got4 <- k }()
spin(2000000)
fmt.Fprintln(w4, 42)
<-got4`, "42"},
	{"receive right of &&", `
ch5 := make(chan bool)
go func() { ch5 <- true }()
yes := true
x5 := yes && <-ch5
x5`, "true"},
	{"receive spanning lines", `
cs6 := []chan int{make(chan int)}
go func() { cs6[0] <- 5 }()
v6 := 1 + <-cs6[
	0]
v6`, "6"},
	{"http.Client.Do", `
ln7, _ := net.Listen("tcp", "127.0.0.1:0")
mux7 := http.NewServeMux()
mux7.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "pong") })
go http.Serve(ln7, mux7)
client7 := &http.Client{Timeout: 5 * time.Second}
req7, _ := http.NewRequest("GET", "http://"+ln7.Addr().String()+"/x", nil)
resp7, err7 := client7.Do(req7)
out7 := ""
if err7 != nil {
	out7 = err7.Error()
} else {
	b, _ := io.ReadAll(resp7.Body)
	resp7.Body.Close()
	out7 = string(b)
}
ln7.Close()
out7`, "pong"},
	{"go srv.Serve", `
ln8, _ := net.Listen("tcp", "127.0.0.1:0")
mux8 := http.NewServeMux()
mux8.HandleFunc("/y", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "served") })
srv8 := &http.Server{Handler: mux8}
go srv8.Serve(ln8)
resp8, err8 := http.DefaultClient.Get("http://" + ln8.Addr().String() + "/y")
out8 := ""
if err8 != nil {
	out8 = err8.Error()
} else {
	b, _ := io.ReadAll(resp8.Body)
	resp8.Body.Close()
	out8 = string(b)
}
srv8.Close()
out8`, "served"},
	{"exec.Cmd.Run beside a ticker", `
ticks9 := make(chan bool, 100000) // channels, not shared ints: under Free, races are real
stop9 := make(chan bool)
go func() {
	for {
		select {
		case <-stop9:
			return
		case ticks9 <- true:
		}
		time.Sleep(time.Millisecond)
	}
}()
time.Sleep(10 * time.Millisecond)
before9 := len(ticks9)
exec.Command("sleep", "0.2").Run()
during9 := len(ticks9) - before9
close(stop9)
during9 > 0`, "true"},
}

// lockProbe lets a cell ask whether its goroutine holds its GIL.
var lockProbe = yaegi.Exports{"lockprobe/lockprobe": {
	"Holds": reflect.ValueOf(func() bool { t := gil.Current(); return t != nil && t.Holds() }),
}}

// TestBlockingCallsUnderGIL runs blockingCells under the GIL, then under
// the Free model, where nothing is released and all must work as before.
func TestBlockingCallsUnderGIL(t *testing.T) {
	gil.InstallTransport() // as the evaluator does at start-up
	for _, mode := range []rt.Model{rt.GIL, rt.Free} {
		t.Run(string(mode), func(t *testing.T) {
			k := newKernel(t, unrestricted.Symbols, lockProbe)
			if err := rt.SetMode(mode); err != nil {
				t.Fatal(err)
			}
			defer rt.SetMode(rt.GIL)
			if err := rt.SetSwitchInterval(time.Millisecond); err != nil {
				t.Fatal(err)
			}
			defer rt.SetSwitchInterval(5 * time.Millisecond)
			for _, c := range blockingCells {
				res := k.must(c.src)
				if c.want == "" {
					continue
				}
				if got := fmt.Sprint(res.Value); got != c.want {
					t.Errorf("%s: got %q, want %q", c.name, got, c.want)
				}
			}
		})
	}
}

// TestNotebookReadKeepsTheLock: a Read the notebook declares, and host
// methods that would call it (bufio over a notebook reader, a notebook
// type embedding *bufio.Reader), run holding the lock.
func TestNotebookReadKeepsTheLock(t *testing.T) {
	k := newKernel(t, lockProbe)
	res := k.must(`
import (
	"bufio"
	"fmt"
	"lockprobe"
)
type probeReader struct{ held []bool }
func (p *probeReader) Read(b []byte) (int, error) {
	p.held = append(p.held, lockprobe.Holds())
	b[0] = 'x'
	return 1, nil
}
type wrapped struct{ *bufio.Reader }
pr := &probeReader{}
buf := make([]byte, 1)
pr.Read(buf)
br := bufio.NewReader(pr)
br.ReadByte()
wr := wrapped{bufio.NewReader(pr)}
wr.ReadByte()
fmt.Sprint(pr.held)`)
	if got := res.Value.String(); got != "[true true true]" {
		t.Fatalf("the notebook's Read saw the lock held: %s, want [true true true]", got)
	}
}

// TestInterruptLeavesAStuckHolder: a goroutine of an earlier cell holds
// the lock in a host call that does not release it (a Read through a
// notebook type), the next cell waits for the lock, and the user
// interrupts. The lock is never taken from the stuck goroutine: the cell
// gets it only after the call returned and the goroutine gave it up, and
// the goroutine still holds it when it comes back. (Until then the
// evaluator's supervisor is the way out; see CellStart.) It runs under
// -race: there is no second holder to race with.
func TestInterruptLeavesAStuckHolder(t *testing.T) {
	inRead := make(chan struct{})
	k := newKernel(t, lockProbe, yaegi.Exports{"probe/probe": {
		"InRead": reflect.ValueOf(func() { close(inRead) }),
	}})
	res := k.must(`
import (
	"lockprobe"
	"os"
	"probe"
)
type stuck struct{ *os.File } // a Read through a notebook type keeps the lock
var heldAfter = make(chan bool, 1)
func block(s stuck) {
	buf := make([]byte, 1)
	probe.InRead()
	s.Read(buf)
	heldAfter <- lockprobe.Holds()
}
r, w, _ := os.Pipe()
go block(stuck{r})
w`)
	w := res.Value.Interface().(*os.File)
	<-inRead // the goroutine runs block holding the lock; Read is next

	got := make(chan func())
	go func() {
		done := k.lab.CellStart() // waits for the stuck holder
		got <- done
	}()
	for rt.MainLockWaiters() == 0 {
		time.Sleep(100 * time.Microsecond)
	}
	k.lab.Interrupt()
	// The window in which the evaluator used to take the lock from the
	// holder (0.5 s after an interrupt): the cell must keep waiting.
	select {
	case done := <-got:
		done()
		t.Fatal("the waiting cell got the lock while the stuck goroutine held it")
	case <-time.After(time.Second):
	}
	if _, err := w.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	done := <-got // the goroutine's next check point ends it (the interrupt), releasing the lock
	done()
	if res := k.must(`<-heldAfter`); res.Value.Interface() != true {
		t.Fatal("the stuck goroutine lost the lock while it was in its call")
	}
	if res := k.must(`1 + 1`); res.Value.Int() != 2 {
		t.Fatalf("next cell: %v", res.Value)
	}
}

// TestManyGoroutinesUnderGIL: 100,000 goroutines of one cell, all waiting
// for the lock at once, finish; the lock is left with no waiters, and the
// next cells hand it over between goroutines as usual.
func TestManyGoroutinesUnderGIL(t *testing.T) {
	n := 100000
	if rt.RaceBuild {
		n = 4000 // the race detector allows 8128 live goroutines, and runs them ~10x slower
	}
	k := newKernel(t)
	start := time.Now()
	res := k.must(fmt.Sprintf(`
import "sync"
var mu sync.Mutex
var wg sync.WaitGroup
count := 0
for i := 0; i < %d; i++ {
	wg.Add(1)
	go func() {
		defer wg.Done()
		mu.Lock()
		count++
		mu.Unlock()
	}()
}
wg.Wait()
count`, n))
	t.Logf("%d goroutines: %v", n, time.Since(start))
	if got := res.Value.Int(); got != int64(n) {
		t.Fatalf("count = %d, want %d", got, n)
	}
	if n := rt.MainLockWaiters(); n != 0 {
		t.Fatalf("%d threads still wait for the lock", n)
	}
	// The next cell's goroutines share the lock as usual.
	res = k.must(`
done := make(chan int)
for i := 0; i < 4; i++ {
	go func(i int) { s := 0; for j := 0; j < 200000; j++ { s += j % (i + 2) }; done <- s }(i)
}
<-done + <-done + <-done + <-done`)
	if res.Value.Int() <= 0 {
		t.Fatalf("next cell: %v", res.Value)
	}
	// Its goroutines re-take the lock after their send to exit, possibly
	// after the cell returned: the lock must drain, bounded.
	deadline := time.Now().Add(10 * time.Second)
	for rt.MainLockWaiters() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d threads still wait for the lock 10 s after the next cell", rt.MainLockWaiters())
		}
		time.Sleep(time.Millisecond)
	}
}

// The host's API is out of the cells' reach: corelab/runtime/host has no
// symbol table, and rt has no lifecycle functions.
func TestCellsCannotReachTheHost(t *testing.T) {
	k := newKernel(t)
	for _, src := range []string{
		`import "corelab/runtime/host"`,
		"import rt \"corelab/runtime\"\nrt.CellStart()",
		"import rt \"corelab/runtime\"\nrt.Interrupt()",
	} {
		if _, err := k.cell(src); err == nil {
			t.Errorf("a cell ran %q", src)
		}
	}
}
