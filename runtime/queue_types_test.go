package runtime_test

import (
	"strings"
	"testing"

	rt "corelab/runtime"
)

// Tree is a compiled recursive type: it has one type in every isolate.
type Tree struct{ Kids []*Tree }

// TestQueueRefusesRecursiveTypes: a value of a recursive notebook type put
// in a Queue by an isolate would reach the notebook with the isolate's own
// copy of the type, and v.(*Node) would fail there ("Node is not Node").
// Put refuses it, saying why; a flat struct still crosses and asserts.
func TestQueueRefusesRecursiveTypes(t *testing.T) {
	k := newKernel(t)
	k.must(`
import rt "corelab/runtime"
type Flat struct{ A int; B string }
type Node struct {
	V    int
	Next *Node
}
type List struct{ Items []Node }
func sendFlat(q *rt.Queue) int { q.Put(Flat{1, "x"}); return 0 }
func sendNode(q *rt.Queue) int { q.Put(&Node{V: 1, Next: &Node{V: 2}}); return 0 }
func sendList(q *rt.Queue) int { q.Put(List{}); return 0 }
q := rt.NewQueue(4)`)
	if res := k.must(`rt.Run(rt.Isolates, 1, "sendFlat", q).Err() == nil && q.Get().(Flat) == Flat{1, "x"}`); res.Value.Interface() != true {
		t.Fatalf("a flat struct through a Queue: %v", res.Value)
	}
	for _, send := range []string{"sendNode", "sendList"} {
		_, err := k.cell(`rt.Run(rt.Isolates, 1, "` + send + `", q).Result()`)
		if err == nil || !strings.Contains(err.Error(), "NotShareable") || !strings.Contains(err.Error(), "recursive notebook type") {
			t.Errorf("%s: %v, want a NotShareable refusal of the recursive type", send, err)
		}
	}
	if res := k.must(`q.Len()`); res.Value.Interface() != 0 {
		t.Errorf("%v values were put", res.Value)
	}
}

// TestQueueTakesCompiledRecursiveTypes: the refusal is for interpreted
// types only; a compiled recursive type crosses, and keeps its type.
func TestQueueTakesCompiledRecursiveTypes(t *testing.T) {
	q := rt.NewQueue(1)
	q.Put(&Tree{Kids: []*Tree{{}, {}}})
	if got, ok := q.Get().(*Tree); !ok || len(got.Kids) != 2 {
		t.Fatalf("got %#v", got)
	}
}
