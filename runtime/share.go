package runtime

import (
	"encoding"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"

	"corelab/runtime/limits"
)

// NotShareable is the error for a value that cannot cross between isolates
// at all (CPython's NotShareableError, raised for what pickle refuses):
// funcs, channels, locks and other sync values, OS handles (files,
// connections), unsafe pointers, and compiled types whose insides cannot
// be copied. Everything else crosses as a deep copy (see Copy).
type NotShareable struct {
	Type string // the Go type refused
	Path string // where in the value, e.g. "argument 1.Items[0]"
	Hint string // what to send instead
}

// Error says what was refused, where, and what to send instead.
func (e *NotShareable) Error() string {
	msg := fmt.Sprintf("NotShareable: %s of type %s cannot cross between isolates", e.Path, e.Type)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Limits of one copy: beyond them Copy fails with a *CopyError instead of
// taking the evaluator's memory or stack (pickle too stops at its recursion
// limit).
const (
	MaxCopyBytes = 256 << 20 // memory a copy may allocate
	MaxCopyDepth = 10000     // nesting of values inside values
)

// CopyError is the error for a value that cannot be copied as asked: too
// big, nested too deeply, or not of the shape of the parameter it is for.
type CopyError struct {
	Path   string // where the limit was reached
	Reason string
}

// Error says where the copy failed and why.
func (e *CopyError) Error() string {
	return fmt.Sprintf("cannot copy %s into another isolate: %s", e.Path, e.Reason)
}

var (
	queueType  = reflect.TypeOf((*Queue)(nil))
	bufferType = reflect.TypeOf((*SharedBuffer)(nil))
	timeType   = reflect.TypeOf(time.Time{})
	errorType  = reflect.TypeOf((*error)(nil)).Elem()
)

// Copy returns a deep copy of v as it would arrive in another isolate, or
// an error saying which part of v cannot cross. It copies the way CPython
// pickles an argument for another interpreter: structs, arrays, slices,
// maps and pointers are copied all the way down, so changing the copy never
// changes v; a value reached twice is copied once and the copy reached twice,
// so cycles (a map holding itself) are copied, not followed forever.
// *Queue and *SharedBuffer cross as themselves: they are meant to be shared.
// Compiled types with unexported fields cross through their own
// MarshalBinary/UnmarshalBinary (time.Time by value); what has no such
// copy is refused with a *NotShareable.
func Copy(v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	c, err := newCopier().into(reflect.ValueOf(v), nil, "value", 0)
	if err != nil {
		return nil, err
	}
	return c.Interface(), nil
}

// copyAll copies a call's arguments (or results), keeping their types.
func copyAll(vs []any) ([]any, error) { return copyInto(vs, nil) }

// copyInto copies a call's arguments, each into its type in types when
// types is not nil (the receiving interpreter's parameter types). The
// arguments share one memo: two arguments holding the same map arrive
// holding the same copy.
func copyInto(vs []any, types []reflect.Type) ([]any, error) {
	out := make([]any, len(vs))
	cp := newCopier()
	for i, v := range vs {
		if v == nil {
			continue
		}
		var dst reflect.Type
		if i < len(types) {
			dst = types[i]
		}
		c, err := cp.into(reflect.ValueOf(v), dst, fmt.Sprintf("argument %d", i+1), 0)
		if err != nil {
			return nil, err
		}
		out[i] = c.Interface()
	}
	return out, nil
}

// paramTypes returns the parameter type of each of n arguments to a func
// of type ft (spreading a variadic parameter), or nil when ft is nil.
func paramTypes(ft reflect.Type, n int) []reflect.Type {
	if ft == nil {
		return nil
	}
	types := make([]reflect.Type, n)
	for i := range types {
		switch {
		case ft.IsVariadic() && i >= ft.NumIn()-1:
			types[i] = ft.In(ft.NumIn() - 1).Elem()
		case i < ft.NumIn():
			types[i] = ft.In(i)
		}
	}
	return types
}

// copier is one deep copy in progress: the memo of what is already copied
// (pickle's memo) and the bytes still allowed.
type copier struct {
	memo map[memoKey]reflect.Value
	left int64
}

// memoKey names a value with identity: the memory a pointer, map or slice
// refers to, with its type (a struct and its first field share an address)
// and, for a slice, its length; and the type it is copied into.
type memoKey struct {
	ptr      uintptr
	typ, dst reflect.Type
	n        int
}

func newCopier() *copier { return &copier{memo: map[memoKey]reflect.Value{}, left: MaxCopyBytes} }

// alloc charges n bytes of the copy against the limit.
func (cp *copier) alloc(n int64, path string) error {
	cp.left -= n
	if cp.left < 0 {
		return &CopyError{Path: path, Reason: fmt.Sprintf("the copy would take more than %s; "+
			"share large data as an rt.SharedBuffer, or send it in parts through an rt.Queue", limits.FormatBytes(MaxCopyBytes))}
	}
	return nil
}

// into copies v as a value of type dst: the receiving interpreter's own
// type for it (yaegi gives each interpreter its own struct types, which
// must not be compared with the sender's: reflect loops forever on two
// copies of a recursive one). A nil dst, or an interface, keeps v's type.
//
// An error whose value cannot be copied (most have private fields) crosses
// as an error with the same message, as an exception crosses between
// CPython interpreters as a snapshot of itself.
func (cp *copier) into(v reflect.Value, dst reflect.Type, path string, depth int) (reflect.Value, error) {
	c, err := cp.copy(v, dst, path, depth)
	var ns *NotShareable
	if errors.As(err, &ns) && (dst == nil || dst.Kind() == reflect.Interface) &&
		v.Kind() != reflect.Interface && v.Type().Implements(errorType) && v.CanInterface() {
		snap := reflect.ValueOf(errors.New(v.Interface().(error).Error()))
		if dst == nil {
			return snap, nil
		}
		if snap.Type().AssignableTo(dst) {
			out := reflect.New(dst).Elem()
			out.Set(snap)
			return out, nil
		}
	}
	return c, err
}

// copy is into without the error snapshot.
func (cp *copier) copy(v reflect.Value, dst reflect.Type, path string, depth int) (reflect.Value, error) {
	t := v.Type()
	if dst != nil && dst.Kind() == reflect.Interface {
		if !t.Implements(dst) {
			return v, &CopyError{Path: path, Reason: fmt.Sprintf("a %s does not implement %s", t, dst)}
		}
		c, err := cp.into(v, nil, path, depth)
		if err != nil {
			return v, err
		}
		out := reflect.New(dst).Elem()
		out.Set(c)
		return out, nil
	}
	if dst == nil {
		dst = t
	} else if dst != t && !sameShape(t, dst) {
		return v, &CopyError{Path: path, Reason: fmt.Sprintf("a %s cannot be used as a %s", t, dst)}
	}
	if depth > MaxCopyDepth {
		return v, &CopyError{Path: path, Reason: fmt.Sprintf("it is nested more than %d levels deep "+
			"(a long linked list?); send it as a slice", MaxCopyDepth)}
	}
	switch t {
	case queueType, bufferType, timeType:
		// Shared on purpose, or (time.Time) a value with no shared insides.
		return v, nil
	}
	depth++
	if scalar(t.Kind()) {
		// Values (a string's bytes are immutable): copied by assignment.
		if dst != t {
			return v.Convert(dst), nil // sameShape checked it converts
		}
		return v, nil
	}
	switch t.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.Zero(dst), nil
		}
		key := memoKey{v.Pointer(), t, dst, v.Len()}
		if c, ok := cp.memo[key]; ok {
			return c, nil
		}
		if err := cp.alloc(int64(v.Len())*int64(t.Elem().Size()), path); err != nil {
			return v, err
		}
		out := reflect.MakeSlice(dst, v.Len(), v.Len())
		cp.memo[key] = out
		if t.Elem() == dst.Elem() && flat(t.Elem()) {
			reflect.Copy(out, v) // nothing inside to follow: one move
			return out, nil
		}
		return cp.elems(out, v, path, depth)
	case reflect.Array:
		if t == dst && flat(t) {
			return v, nil // a value, copied by assignment
		}
		return cp.elems(reflect.New(dst).Elem(), v, path, depth)
	case reflect.Map:
		if v.IsNil() {
			return reflect.Zero(dst), nil
		}
		key := memoKey{ptr: v.Pointer(), typ: t, dst: dst}
		if c, ok := cp.memo[key]; ok {
			return c, nil
		}
		if err := cp.alloc(int64(v.Len())*int64(t.Key().Size()+t.Elem().Size()), path); err != nil {
			return v, err
		}
		out := reflect.MakeMapWithSize(dst, v.Len())
		cp.memo[key] = out
		it := v.MapRange()
		if t == dst && flat(t.Key()) && flat(t.Elem()) {
			for it.Next() {
				out.SetMapIndex(it.Key(), it.Value())
			}
			return out, nil
		}
		for it.Next() {
			k, err := cp.into(it.Key(), dst.Key(), path+"[key]", depth)
			if err != nil {
				return v, err
			}
			e, err := cp.into(it.Value(), dst.Elem(), fmt.Sprintf("%s[%s]", path, mapKeyLabel(it.Key())), depth)
			if err != nil {
				return v, err
			}
			out.SetMapIndex(k, e)
		}
		return out, nil
	case reflect.Pointer:
		if v.IsNil() {
			return reflect.Zero(dst), nil
		}
		key := memoKey{ptr: v.Pointer(), typ: t, dst: dst}
		if c, ok := cp.memo[key]; ok {
			return c, nil
		}
		if ns := refused(t, path); ns != nil {
			return v, ns
		}
		if err := cp.alloc(int64(t.Elem().Size()), path); err != nil {
			return v, err
		}
		out := reflect.New(dst.Elem())
		cp.memo[key] = out
		e, err := cp.into(v.Elem(), dst.Elem(), path, depth)
		if err != nil {
			return v, err
		}
		out.Elem().Set(e)
		return out, nil
	case reflect.Struct:
		if ns := refused(t, path); ns != nil {
			return v, ns
		}
		if t == dst && flat(t) {
			return v, nil // a value, copied by assignment
		}
		if hasUnexported(t) {
			if dst != t {
				return v, &CopyError{Path: path, Reason: fmt.Sprintf("a %s cannot be used as a %s", t, dst)}
			}
			return cp.marshaled(v, path)
		}
		out := reflect.New(dst).Elem()
		for i := 0; i < t.NumField(); i++ {
			e, err := cp.into(v.Field(i), dst.Field(i).Type, path+"."+fieldLabel(t.Field(i).Name), depth)
			if err != nil {
				return v, err
			}
			out.Field(i).Set(e)
		}
		return out, nil
	case reflect.Interface:
		if v.IsNil() {
			return reflect.Zero(dst), nil
		}
		e, err := cp.into(v.Elem(), nil, path, depth)
		if err != nil {
			return v, err
		}
		out := reflect.New(dst).Elem()
		out.Set(e)
		return out, nil
	}
	return v, refusedKind(t, path)
}

// sameShape reports whether a value of type t can be copied into dst, a
// type of another interpreter: the same kind, and for structs the same
// field names. It looks one level deep, never comparing the types whole.
func sameShape(t, dst reflect.Type) bool {
	if scalar(t.Kind()) && scalar(dst.Kind()) {
		return t.ConvertibleTo(dst) // as an argument converts: 10 into a float64
	}
	if t.Kind() != dst.Kind() {
		return false
	}
	switch t.Kind() {
	case reflect.Struct:
		if t.NumField() != dst.NumField() {
			return false
		}
		for i := 0; i < t.NumField(); i++ {
			if t.Field(i).Name != dst.Field(i).Name {
				return false
			}
		}
	case reflect.Array:
		return t.Len() == dst.Len()
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return true // refused below, with the reason
	}
	return true
}

// flat reports whether a value of type t holds nothing to follow or
// refuse: scalars, and arrays and structs (with exported fields only) of
// scalars. Such a value is copied whole, by assignment.
func flat(t reflect.Type) bool {
	switch {
	case scalar(t.Kind()):
		return true
	case t.Kind() == reflect.Array:
		return flat(t.Elem())
	case t.Kind() == reflect.Struct:
		if t == timeType {
			return true
		}
		if hasUnexported(t) || refused(t, "") != nil {
			return false
		}
		for i := 0; i < t.NumField(); i++ {
			if !flat(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// scalar reports whether values of kind k are copied by assignment.
func scalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128, reflect.String:
		return true
	}
	return false
}

// elems copies the elements of the slice or array v into out.
func (cp *copier) elems(out, v reflect.Value, path string, depth int) (reflect.Value, error) {
	et := out.Type().Elem()
	for i := 0; i < v.Len(); i++ {
		e, err := cp.into(v.Index(i), et, fmt.Sprintf("%s[%d]", path, i), depth)
		if err != nil {
			return v, err
		}
		out.Index(i).Set(e)
	}
	return out, nil
}

// marshaled copies a compiled struct whose fields are not ours to read
// through its own binary encoding, the way pickle uses a class's
// __reduce__; without one it cannot be copied.
func (cp *copier) marshaled(v reflect.Value, path string) (reflect.Value, error) {
	t := v.Type()
	in := reflect.New(t) // addressable, for a MarshalBinary with a pointer receiver
	in.Elem().Set(v)
	m, ok := in.Interface().(encoding.BinaryMarshaler)
	out := reflect.New(t)
	u, uok := out.Interface().(encoding.BinaryUnmarshaler)
	if !ok || !uok {
		return v, &NotShareable{Type: t.String(), Path: path, Hint: "its fields are private to its package and it has no " +
			"MarshalBinary/UnmarshalBinary to copy it by; send the data it holds (numbers, strings, slices, maps, structs)"}
	}
	b, err := m.MarshalBinary()
	if err == nil {
		err = cp.alloc(int64(len(b)), path)
	}
	if err == nil {
		err = u.UnmarshalBinary(b)
	}
	if err != nil {
		return v, fmt.Errorf("copy %s (%s): %w", path, t, err)
	}
	return out.Elem(), nil
}

func hasUnexported(t reflect.Type) bool {
	for i := 0; i < t.NumField(); i++ {
		if !t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// refused returns the NotShareable error for a struct or pointer type that
// must not be copied even if it could be: a lock or other sync value (a
// copy would be a second, unrelated lock) or an OS handle (a copy would
// share the descriptor); nil for everything else.
func refused(t reflect.Type, path string) *NotShareable {
	named := t
	if named.Kind() == reflect.Pointer {
		named = named.Elem()
	}
	switch pkg := named.PkgPath(); {
	case pkg == "sync" || pkg == "sync/atomic" || pkg == "corelab/runtime/gil":
		return &NotShareable{Type: t.String(), Path: path, Hint: "a lock or other sync value belongs to one interpreter " +
			"(each isolate has its own lock); coordinate through an rt.Queue, or give each isolate its own part of the work"}
	case pkg == "os" || pkg == "net" || pkg == "syscall" || strings.HasPrefix(pkg, "net/"):
		return &NotShareable{Type: t.String(), Path: path, Hint: "an open file, connection or process handle cannot be " +
			"copied; send its name or address and open it in the isolate"}
	}
	return nil
}

// refusedKind is the NotShareable error for a func, channel or unsafe
// pointer.
func refusedKind(t reflect.Type, path string) *NotShareable {
	hint := ""
	switch t.Kind() {
	case reflect.Func:
		hint = "a func cannot be copied; every isolate has the notebook's top-level funcs: pass its name, e.g. " +
			"rt.Run(rt.Isolates, n, \"work\", ...), and the data it needs"
	case reflect.Chan:
		hint = "a channel belongs to one interpreter; send values through an rt.Queue (rt.NewQueue), which isolates share"
	case reflect.UnsafePointer:
		hint = "memory behind an unsafe pointer cannot be copied; send the data itself, or share bytes as an rt.SharedBuffer"
	}
	return &NotShareable{Type: t.String(), Path: path, Hint: hint}
}

// fieldLabel is a field's name as the notebook wrote it: yaegi builds an
// interpreted struct's unexported field "name" as exported "Xname" (only
// for messages; nothing is decided by it).
func fieldLabel(name string) string {
	if len(name) > 1 && name[0] == 'X' && (unicode.IsLower(rune(name[1])) || name[1] == '_') {
		return name[1:]
	}
	return name
}

// printable reports whether fmt can print v quickly and finitely: no
// value in it is reached twice (fmt follows a cycle until the stack
// overflows) and it holds at most limit values.
func printable(v any, limit int) bool {
	seen := map[memoKey]bool{}
	var walk func(v reflect.Value) bool
	walk = func(v reflect.Value) bool {
		if limit--; limit < 0 {
			return false
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Map, reflect.Slice:
			if v.IsNil() {
				return true
			}
			key := memoKey{ptr: v.Pointer(), typ: v.Type()}
			if seen[key] {
				return false
			}
			seen[key] = true
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			return v.IsNil() || walk(v.Elem())
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				if !walk(v.Index(i)) {
					return false
				}
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				if !walk(it.Key()) || !walk(it.Value()) {
					return false
				}
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if !v.Type().Field(i).IsExported() {
					continue // not ours to read
				}
				if !walk(v.Field(i)) {
					return false
				}
			}
		}
		return true
	}
	return v == nil || walk(reflect.ValueOf(v))
}

// mapKeyLabel shows a map key in a path: strings quoted, the rest as %v.
func mapKeyLabel(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return fmt.Sprintf("%q", k.String())
	}
	if k.Kind() == reflect.Interface && !k.IsNil() && k.Elem().Kind() == reflect.String {
		return fmt.Sprintf("%q", k.Elem().String())
	}
	return fmt.Sprint(k)
}

// Queue is a FIFO queue shared between goroutines, isolates and the
// notebook (like concurrent.interpreters' Queue): Put copies the value
// when it is called (the same deep copy as arguments, see Copy), so later
// changes by the sender never reach the receiver; Get and a Put on a full
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
// It panics with *NotShareable for a value that cannot cross (a recursive
// notebook type too, see recursiveType), or *CopyError for one too big or
// deep to copy.
func (q *Queue) Put(v any) {
	if e := recursiveType(reflect.TypeOf(v)); e != nil {
		panic(e)
	}
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
// isolates — the analogue of a memoryview over shared memory. Reads and
// writes take no lock, like a memoryview's: writes are visible to every
// holder at once, and two isolates writing the same bytes race. Give each
// worker its own range, or pass the right to write as a token through a
// Queue (a buffer that needs a lock is better served by a Queue of
// messages, as in CPython).
type SharedBuffer struct {
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

// recursiveType refuses a value of t for a Queue when t holds a recursive
// notebook type (type Node struct{ Next *Node }). Each isolate compiles
// the notebook's types afresh, and a recursive one comes out as a type of
// its own in each: a copy keeps the sender's, so the receiver's assertion
// v.(*Node) would fail ("Node is not Node"). A Queue does not know its
// receiver's types (an argument or a result does, and is copied into
// them). The test needs no knowledge of the interpreter: in compiled Go a
// type can only refer to itself through a named type, so a cycle of
// unnamed types is an interpreted recursive one.
func recursiveType(t reflect.Type) *NotShareable {
	rec, known := recursiveTypes.Load(t)
	if !known {
		rec, _ = recursiveTypes.LoadOrStore(t, hasInterpretedCycle(t))
	}
	if !rec.(bool) {
		return nil
	}
	return &NotShareable{Type: "a recursive notebook type (a struct that refers to itself)", Path: "the value put in the Queue",
		Hint: "each isolate compiles its own copy of such a type, and the receiver's type assertion would fail. " +
			"Send its contents in a non-recursive form (a slice of nodes with indexes instead of pointers), " +
			"or pass it as an argument to the isolate's func, which is copied into the isolate's own type"}
}

// recursiveTypes caches hasInterpretedCycle by type (Put is called often,
// with few types).
var recursiveTypes sync.Map

// hasInterpretedCycle reports whether t reaches a cycle of unnamed types.
func hasInterpretedCycle(t reflect.Type) bool {
	var path []reflect.Type // the types being walked, outermost first
	done := map[reflect.Type]bool{}
	var walk func(t reflect.Type) bool
	walk = func(t reflect.Type) bool {
		if t == nil || done[t] {
			return false
		}
		for i, p := range path {
			if p == t { // a cycle: interpreted if no type on it has a name
				for _, c := range path[i:] {
					if c.Name() != "" {
						return false
					}
				}
				return true
			}
		}
		path = append(path, t)
		defer func() { path = path[:len(path)-1] }()
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			if walk(t.Elem()) {
				return true
			}
		case reflect.Map:
			if walk(t.Key()) || walk(t.Elem()) {
				return true
			}
		case reflect.Struct:
			for i := range t.NumField() {
				if walk(t.Field(i).Type) {
					return true
				}
			}
		}
		done[t] = true
		return false
	}
	return walk(t)
}
