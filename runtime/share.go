package runtime

import (
	"fmt"
	"reflect"
	"sync"
	"time"
)

// NotShareable is the error for a value that cannot cross between
// isolates (CPython's NotShareableError): only numbers, bools, strings,
// bytes and slices, arrays, maps and structs of those are copied; *Queue
// and *SharedBuffer are passed as themselves; anything else is refused.
type NotShareable struct {
	Type string // the Go type refused
	Path string // where in the value, e.g. "argument 1.Items[0]"
}

// Error says what was refused and what can cross.
func (e *NotShareable) Error() string {
	return fmt.Sprintf("NotShareable: %s of type %s cannot cross between isolates "+
		"(copied: numbers, bools, strings, []byte, and slices/arrays/maps/structs of those; "+
		"shared: *rt.Queue, *rt.SharedBuffer)", e.Path, e.Type)
}

var (
	queueType  = reflect.TypeOf((*Queue)(nil))
	bufferType = reflect.TypeOf((*SharedBuffer)(nil))
)

// Copy returns a deep copy of v as it would arrive in another isolate, or
// a *NotShareable error saying which part of v cannot cross.
func Copy(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	c, err := copyValue(reflect.ValueOf(v), "value")
	if err != nil {
		return nil, err
	}
	return c.Interface(), nil
}

func copyAll(vs []any) ([]any, error) {
	out := make([]any, len(vs))
	for i, v := range vs {
		if v == nil {
			continue
		}
		c, err := copyValue(reflect.ValueOf(v), fmt.Sprintf("argument %d", i+1))
		if err != nil {
			return nil, err
		}
		out[i] = c.Interface()
	}
	return out, nil
}

func copyValue(v reflect.Value, path string) (reflect.Value, error) {
	t := v.Type()
	switch t {
	case queueType, bufferType:
		return v, nil
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return v, nil // values: copied by assignment
	case reflect.Slice:
		if v.IsNil() {
			return v, nil
		}
		out := reflect.MakeSlice(t, v.Len(), v.Len())
		if t.Elem().Kind() == reflect.Uint8 {
			reflect.Copy(out, v)
			return out, nil
		}
		return copyElems(out, v, path)
	case reflect.Array:
		return copyElems(reflect.New(t).Elem(), v, path)
	case reflect.Map:
		if v.IsNil() {
			return v, nil
		}
		out := reflect.MakeMapWithSize(t, v.Len())
		it := v.MapRange()
		for it.Next() {
			k, err := copyValue(it.Key(), path+"[key]")
			if err != nil {
				return v, err
			}
			e, err := copyValue(it.Value(), fmt.Sprintf("%s[%v]", path, it.Key()))
			if err != nil {
				return v, err
			}
			out.SetMapIndex(k, e)
		}
		return out, nil
	case reflect.Struct:
		out := reflect.New(t).Elem()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				return v, &NotShareable{Type: t.String(), Path: path + "." + f.Name + " (unexported field)"}
			}
			e, err := copyValue(v.Field(i), path+"."+f.Name)
			if err != nil {
				return v, err
			}
			out.Field(i).Set(e)
		}
		return out, nil
	case reflect.Interface:
		if v.IsNil() {
			return v, nil
		}
		e, err := copyValue(v.Elem(), path)
		if err != nil {
			return v, err
		}
		out := reflect.New(t).Elem()
		out.Set(e)
		return out, nil
	}
	return v, &NotShareable{Type: t.String(), Path: path}
}

// copyElems copies the elements of the slice or array v into out.
func copyElems(out, v reflect.Value, path string) (reflect.Value, error) {
	for i := 0; i < v.Len(); i++ {
		e, err := copyValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		if err != nil {
			return v, err
		}
		out.Index(i).Set(e)
	}
	return out, nil
}

// Queue is a FIFO queue shared between goroutines, isolates and the
// notebook (like concurrent.interpreters' Queue): values put in are copied
// (the same rules as arguments, see NotShareable); Get and a Put on a full
// queue release the lock while they wait.
type Queue struct {
	ch chan any
}

// NewQueue returns a queue holding up to size values (size ≥ 1).
func NewQueue(size int) *Queue {
	if size < 1 {
		usage("rt.NewQueue(%d): size must be at least 1", size)
	}
	return &Queue{ch: make(chan any, size)}
}

// Put copies v into the queue, waiting (lock released) while it is full.
// It panics with *NotShareable for a value that cannot cross.
func (q *Queue) Put(v any) {
	c, err := Copy(v)
	if err != nil {
		panic(err)
	}
	select {
	case q.ch <- c:
		return
	default:
	}
	resume := block()
	defer resume()
	q.ch <- c
}

// Get takes the oldest value, waiting (lock released) while the queue is
// empty.
func (q *Queue) Get() any {
	select {
	case v := <-q.ch:
		return v
	default:
	}
	resume := block()
	defer resume()
	return <-q.ch
}

// GetTimeout is Get that gives up after d, returning ok=false.
func (q *Queue) GetTimeout(d time.Duration) (v any, ok bool) {
	resume := block()
	defer resume()
	select {
	case v := <-q.ch:
		return v, true
	case <-time.After(d):
		return nil, false
	}
}

// Len returns how many values wait in the queue.
func (q *Queue) Len() int { return len(q.ch) }

// SharedBuffer is a byte buffer shared, not copied, between goroutines and
// isolates — the analogue of a memoryview over shared memory. Writes are
// visible to every holder at once; guard them yourself (Lock/Unlock).
type SharedBuffer struct {
	mu  sync.Mutex
	buf []byte
}

// NewSharedBuffer returns a zeroed shared buffer of n bytes.
func NewSharedBuffer(n int) *SharedBuffer {
	if n < 0 || n > 1<<30 {
		usage("rt.NewSharedBuffer(%d): want 0..1 GiB", n)
	}
	return &SharedBuffer{buf: make([]byte, n)}
}

// Bytes returns the buffer itself (not a copy).
func (b *SharedBuffer) Bytes() []byte { return b.buf }

// Len returns the buffer's size in bytes.
func (b *SharedBuffer) Len() int { return len(b.buf) }

// Lock locks the buffer's mutex, releasing the lock while it waits.
func (b *SharedBuffer) Lock() {
	if !b.mu.TryLock() {
		resume := block()
		b.mu.Lock()
		resume()
	}
}

// Unlock unlocks the buffer's mutex.
func (b *SharedBuffer) Unlock() { b.mu.Unlock() }
