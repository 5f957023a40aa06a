//go:build race

package interp

import (
	"fmt"
	"reflect"
	"sync/atomic"
)

// checkFlag, in race builds, is an atomic bool read through a host call, so
// `go test -race` stays clean. It is far slower than the interpreted flag of
// normal builds; benchmarks are meaningless under -race anyway.
type checkFlag struct{ b atomic.Bool }

// checkExpr is the condition instrumented code tests.
const checkExpr = hostName + ".Pending()"

func (f *checkFlag) bind(p *bool) {}

func (f *checkFlag) set(on bool) { f.b.Store(on) }

func (f *checkFlag) pending() bool { return f.b.Load() }

// posMarks, in race builds, are atomics written through host calls (see
// the normal build's posMarks).
type posMarks struct{ at, top atomic.Int64 }

func (m *posMarks) bind(at, top *int) {}

func (m *posMarks) load() (at, top int64) { return m.at.Load(), m.top.Load() }

func (m *posMarks) reset() { m.at.Store(0); m.top.Store(0) }

func (m *posMarks) setAt(code int64) { m.at.Store(code) }

func (m *posMarks) setTop(code int64) { m.top.Store(code) }

// markText is the statement that records position code before a statement.
func markText(code int64, top bool) string {
	if top {
		return fmt.Sprintf("%s.AtTop(%d);", hostName, code)
	}
	return fmt.Sprintf("%s.At(%d);", hostName, code)
}

// addSymbols adds the host functions markText calls.
func (m *posMarks) addSymbols(syms map[string]reflect.Value) {
	syms["At"] = reflect.ValueOf(m.setAt)
	syms["AtTop"] = reflect.ValueOf(m.setTop)
}
