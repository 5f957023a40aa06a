package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	// Interpreted test code needs the Queue and a compiled workload.
	syms := testSymbols["corelab/runtime/runtime"]
	syms["NewQueue"] = reflect.ValueOf(NewQueue)
	syms["Queue"] = reflect.ValueOf((*Queue)(nil))
	syms["Fib"] = reflect.ValueOf(Fib)
	syms["Record"] = reflect.ValueOf(record)
}

// record is a compiled variadic func for go statements to start; recorded
// receives what it was called with.
func record(xs ...int) { recorded <- xs }

var recorded = make(chan []int, 2)

// Under %mode isolates a go statement runs a top-level func in a new
// isolate: its own copy of the package state, values in and out by copy,
// a Queue shared.
func TestGoInIsolates(t *testing.T) {
	nb := newNotebook(t)
	nb.eval(`
import rt "corelab/runtime"
var calls int
func bump(q *rt.Queue) { calls++; q.Put(calls) }
func sum(q *rt.Queue, xs []int) { s := 0; for _, x := range xs { s += x }; xs[0] = -1; q.Put(s) }`)
	if err := SetMode(Isolates); err != nil {
		t.Fatal(err)
	}
	nb.eval(`
q := rt.NewQueue(4)
xs := []int{1, 2, 3}
go bump(q)
go bump(q)
go sum(q, xs)`)
	got := map[int]int{}
	for i := 0; i < 3; i++ {
		got[nb.int(`q.Get().(int)`)]++
	}
	// Each isolate counted from its own zero; the sum arrived; the slice
	// the isolate changed was its copy.
	if got[1] != 2 || got[6] != 1 {
		t.Errorf("values from the isolates %v, want 1 twice (each its own calls) and 6", got)
	}
	if n := nb.int(`calls`); n != 0 {
		t.Errorf("isolates changed the notebook's calls to %d", n)
	}
	if n := nb.int(`xs[0]`); n != 1 {
		t.Errorf("an isolate changed the notebook's slice: xs[0] = %d", n)
	}
	// The cell itself still runs under the notebook's lock.
	if theLab().GIL.Holder() != nil {
		t.Errorf("the notebook's lock is held between cells by %v", theLab().GIL.Holder())
	}
}

// Pointers, maps and cycles cross into an isolate as deep copies, as
// CPython pickles them: the isolate changes its copy, the notebook's value
// stays as it was (issue 8 §3), and a map holding itself is copied once,
// not followed forever (issue 9: 39 s, 5.8 GB, then out of memory).
func TestGoInIsolatesCopies(t *testing.T) {
	nb := newNotebook(t)
	nb.eval(`
import rt "corelab/runtime"
type Account struct {
	Balance int
	owner   string
	Next    *Account
}
func deposit(a *Account, q *rt.Queue) { a.Balance += 10; a.Next.Balance++; a.owner = "isolate"; q.Put(a.Balance) }
func depositRet(a *Account) int { a.Balance += 10; return a.Next.Balance }
func report(m map[string]any, q *rt.Queue) { m["self"].(map[string]any)["seen"] = true; q.Put(len(m)) }`)
	if err := SetMode(Isolates); err != nil {
		t.Fatal(err)
	}
	nb.eval(`
q := rt.NewQueue(4)
acct := &Account{Balance: 100, owner: "notebook"}
acct.Next = acct
go deposit(acct, q)`)
	// The ring arrived as a ring of copies: a.Next is a, so both changes
	// land on the one copy.
	if got := nb.int(`q.Get().(int)`); got != 111 {
		t.Errorf("the isolate saw balance %d, want 111 (its copy, with Next pointing back at it)", got)
	}
	if got := nb.int(`acct.Balance`); got != 100 {
		t.Errorf("the isolate changed the notebook's account: balance %d", got)
	}
	if r := nb.eval(`acct.owner`); r.Value.String() != "notebook" {
		t.Errorf("the isolate changed the notebook's account: owner %q", r.Value.String())
	}
	nb.eval(`
m := map[string]any{}
m["self"] = m
go report(m, q)`)
	if got := nb.int(`q.Get().(int)`); got != 2 {
		t.Errorf("the isolate's m has %d keys, want 2 (self is its own copy, to which it added one)", got)
	}
	if got := nb.int(`len(m)`); got != 1 {
		t.Errorf("the isolate changed the notebook's map: %d keys", got)
	}
	// rt.Run copies the same way, into each isolate's own types.
	r := Run(Isolates, 2, "depositRet", nb.eval(`acct`).Value.Interface())
	if r.Err() != nil || r.Result() != 110 {
		t.Errorf("rt.Run(rt.Isolates, 2, \"depositRet\", acct) = %v (%v), want 110", r.Result(), r.Err())
	}
	if got := nb.int(`acct.Balance`); got != 100 {
		t.Errorf("rt.Run's isolates changed the notebook's account: balance %d", got)
	}
}

func TestGoInIsolatesRefusesSharing(t *testing.T) {
	nb := newNotebook(t)
	nb.eval(`
import "sync"
func send(ch chan int) { ch <- 1 }
type Counter struct{ n int }
func (c *Counter) Inc() { c.n++ }
type Safe struct {
	mu sync.Mutex
	n  int
}
func useSafe(s *Safe) {}`)
	if err := SetMode(Isolates); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ cell, want string }{
		{`x := 0; go func() { x++ }()`, "Declare `func work(...)`"},
		{`c := &Counter{}; go c.Inc()`, "method value"},
		{`f := func() {}; go f()`, "func variable"},
		{`go send(make(chan int))`, "rt.Queue"},
		{`go useSafe(&Safe{})`, "NotShareable: argument 1.mu"},
	} {
		_, err := nb.try(tc.cell)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n  error %v, want one saying %q", tc.cell, err, tc.want)
		}
	}
	// State from before is intact and cells go on.
	nb.eval(`y := 2`)
	if n := nb.int(`y`); n != 2 {
		t.Errorf("y = %d after refused go statements", n)
	}
}

// A compiled workload started by go runs on a lock of its own under
// %mode isolates: the notebook's lock is free while it runs.
func TestGoCompiledInIsolates(t *testing.T) {
	nb := newNotebook(t)
	nb.eval(`import rt "corelab/runtime"`)
	if err := SetMode(Isolates); err != nil {
		t.Fatal(err)
	}
	before := theLab().Spawned.Load()
	nb.eval(`go rt.Fib(5)`)
	if theLab().Spawned.Load() != before+1 {
		t.Fatal("go rt.Fib(5) did not start an isolate")
	}
	// Arguments spread with xs... arrive one by one, as copies.
	nb.eval("xs := []int{4, 5, 6}\ngo rt.Record(xs...)\ngo rt.Record(1, 2)")
	got := map[string]bool{}
	for range 2 {
		select {
		case xs := <-recorded:
			got[fmt.Sprint(xs)] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("a go rt.Record(...) never ran; got %v", got)
		}
	}
	if !got["[4 5 6]"] || !got["[1 2]"] {
		t.Errorf("rt.Record got %v, want [4 5 6] and [1 2]", got)
	}
}

// Under %mode processes a go statement runs a top-level func in a new
// worker process with the notebook's declarations and copied arguments.
func TestGoInProcesses(t *testing.T) {
	nb := newNotebook(t)
	dir := t.TempDir()
	nb.eval(`
import "os"
import "strconv"
import rt "corelab/runtime"
var tag = "notebook"
func mark(path string) { os.WriteFile(path, []byte(tag+" "+strconv.Itoa(os.Getpid())), 0o644) }
func useQueue(q *rt.Queue) {}`)
	if err := SetMode(Processes); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "mark")
	nb.eval(`go mark(` + strconv.Quote(path) + `)`)
	deadline := time.Now().Add(30 * time.Second)
	var data []byte
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			data = b
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	f := strings.Fields(string(data))
	if len(f) != 2 || f[0] != "notebook" {
		t.Fatalf("worker wrote %q, want the notebook's tag and its pid", data)
	}
	if pid, _ := strconv.Atoi(f[1]); pid == os.Getpid() || pid == 0 {
		t.Errorf("go mark ran in pid %s, the notebook's own process", f[1])
	}
	if _, err := nb.try(`go useQueue(rt.NewQueue(1))`); err == nil || !strings.Contains(err.Error(), "NotShareable") {
		t.Errorf("a Queue sent to a worker process: %v, want NotShareable", err)
	}
	// One of rt's workloads goes to a worker process by its name there;
	// another package's func cannot.
	before := theLab().Spawned.Load()
	if _, err := nb.try(`go rt.Fib(5)`); err != nil {
		t.Errorf("go rt.Fib(5) under processes: %v", err)
	} else if theLab().Spawned.Load() != before+1 {
		t.Error("go rt.Fib(5) did not start a worker process")
	}
	if _, err := nb.try(`go strconv.Itoa(5)`); err == nil || !strings.Contains(err.Error(), "not strconv.Itoa") {
		t.Errorf("go strconv.Itoa(5) under processes: %v, want refused", err)
	}
}
