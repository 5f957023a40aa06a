package runtime

import (
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// What crosses into an isolate is a deep copy, as CPython pickles it: the
// receiver may change everything it got and the sender sees none of it.
func TestCopyIsDeep(t *testing.T) {
	type account struct {
		Balance int
		Tags    []string
		Limits  map[string]int
		Owner   *Point
	}
	orig := &account{Balance: 100, Tags: []string{"a"}, Limits: map[string]int{"day": 5}, Owner: &Point{1, 2}}
	c, err := Copy(orig)
	if err != nil {
		t.Fatal(err)
	}
	cp := c.(*account)
	if cp == orig || cp.Owner == orig.Owner {
		t.Fatal("the copy is the original pointer")
	}
	cp.Balance, cp.Tags[0], cp.Limits["day"], cp.Owner.X = 0, "changed", 0, 9
	if orig.Balance != 100 || orig.Tags[0] != "a" || orig.Limits["day"] != 5 || orig.Owner.X != 1 {
		t.Errorf("changing the copy changed the original: %+v owner %+v", orig, orig.Owner)
	}
	ts := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	if c, err := Copy(ts); err != nil || !c.(time.Time).Equal(ts) {
		t.Errorf("Copy(time.Time) = %v, %v", c, err)
	}
}

// A value reached twice arrives as one copy reached twice, as pickle's memo
// does; a cycle is copied, not followed forever (issue 9: a map holding
// itself took 39 s and 5.8 GB, then the evaluator died).
func TestCopyCyclesAndSharing(t *testing.T) {
	m := map[string]any{}
	m["self"] = m
	c, err := Copy(m)
	if err != nil {
		t.Fatal(err)
	}
	cm := c.(map[string]any)
	cm["new"] = 1
	if len(cm["self"].(map[string]any)) != 2 || len(m) != 1 {
		t.Errorf("copy of a self-holding map: its self is not itself (%v), or the original changed (%v)", cm["self"], m)
	}

	s := []any{nil, 1}
	s[0] = s
	c, err = Copy(s)
	if err != nil {
		t.Fatal(err)
	}
	cs := c.([]any)
	cs[1] = 2
	if cs[0].([]any)[1] != 2 || s[1] != 1 {
		t.Errorf("copy of a self-holding slice: %v, original %v", cs[0], s[1])
	}

	type node struct {
		V    int
		Next *node
	}
	a := &node{V: 1}
	a.Next = &node{V: 2, Next: a}
	shared := &Point{1, 1}
	pair := [2]*Point{shared, shared}
	c, err = Copy([]any{a, pair})
	if err != nil {
		t.Fatal(err)
	}
	ca, cp := c.([]any)[0].(*node), c.([]any)[1].([2]*Point)
	if ca.Next.Next != ca || ca == a {
		t.Error("a two-node ring did not copy into a ring of copies")
	}
	if cp[0] != cp[1] || cp[0] == shared {
		t.Error("one pointer reached twice did not arrive as one copy reached twice")
	}
}

// Only what cannot be copied at all is refused, and the error says what to
// send instead.
func TestNotShareable(t *testing.T) {
	type guarded struct {
		Mu sync.Mutex
		N  int
	}
	var wg sync.WaitGroup
	x := 1
	for _, tc := range []struct {
		name string
		v    any
		hint string
	}{
		{"func", func() {}, "pass its name"},
		{"func in a map", map[string]any{"f": func() {}}, "pass its name"},
		{"channel", make(chan int), "rt.Queue"},
		{"mutex in a struct", &guarded{}, "lock"},
		{"wait group", &wg, "lock"},
		{"open file", os.Stdin, "open it in the isolate"},
		{"unsafe pointer", unsafe.Pointer(&x), "send the data itself"},
		{"private fields", strings.Builder{}, "MarshalBinary"},
	} {
		_, err := Copy(tc.v)
		var ns *NotShareable
		if !errors.As(err, &ns) || ns.Type == "" || !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("%s: Copy(%T) = %v, want NotShareable saying %q", tc.name, tc.v, err, tc.hint)
		}
	}
	q, buf := NewQueue(2), NewSharedBuffer(4)
	if c, err := Copy(q); err != nil || c != q {
		t.Error("a Queue must cross as itself")
	}
	if c, err := Copy(buf); err != nil || c != buf {
		t.Error("a SharedBuffer must cross as itself")
	}
}

// An error crosses as an error with the same message (its fields are
// private to its package: it cannot be copied as it is).
func TestCopyErrors(t *testing.T) {
	type result struct {
		N   int
		Err error
	}
	orig := []any{errors.New("boom"), result{1, os.ErrNotExist}}
	c, err := Copy(orig)
	if err != nil {
		t.Fatal(err)
	}
	got := c.([]any)
	if e, ok := got[0].(error); !ok || e.Error() != "boom" {
		t.Errorf("error copied as %#v", got[0])
	}
	if r := got[1].(result); r.N != 1 || r.Err == nil || r.Err.Error() != os.ErrNotExist.Error() {
		t.Errorf("struct with an error copied as %+v", r)
	}
}

// A copy has bounds: too big or too deep fails fast with a CopyError.
func TestCopyLimits(t *testing.T) {
	huge := new([MaxCopyBytes + 1]byte) // zero pages: nothing touched until copied
	_, err := Copy(huge)
	var ce *CopyError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "SharedBuffer") {
		t.Errorf("Copy of %d bytes = %v, want a CopyError suggesting a SharedBuffer", len(huge), err)
	}
	type node struct{ Next *node }
	var list *node
	for range MaxCopyDepth + 10 {
		list = &node{Next: list}
	}
	if _, err := Copy(list); !errors.As(err, &ce) || !strings.Contains(err.Error(), "levels deep") {
		t.Errorf("Copy of a %d-long list = %v, want a CopyError on its depth", MaxCopyDepth+10, err)
	}
}

// Queue.Put copies when called: changing the value afterwards does not
// change what Get returns.
func TestQueuePutCopies(t *testing.T) {
	q := NewQueue(1)
	p := &Point{1, 2}
	q.Put(p)
	p.X = 9
	if got := q.Get().(*Point); got == p || got.X != 1 {
		t.Errorf("Get = %+v, want a copy of {1 2} made at Put", got)
	}
}

// BenchmarkCopy is what crossing into an isolate costs for a large slice of
// numbers and of small structs (copied whole, not element by element).
func BenchmarkCopy(b *testing.B) {
	for _, c := range []struct {
		name string
		v    any
	}{
		{"ints-1M", make([]int, 1<<20)},
		{"points-256K", make([]Point, 1<<18)},
		{"map-64K", func() map[int]string {
			m := map[int]string{}
			for i := range 1 << 16 {
				m[i] = "x"
			}
			return m
		}()},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Copy(c.v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
