//go:build !race

package interp

import (
	"fmt"
	"reflect"
)

// checkFlag is the check-point flag: a bool declared inside the interpreter
// (so yaegi reads it like any interpreted variable, the cheapest test there
// is) that the host writes through its address. The read in interpreted code
// is deliberately unsynchronised; the race build uses flag_race.go instead.
// Every race-free read measured (a channel's len, a countdown, a select, a
// host call) costs 1.2x or more on fib and 1.4x or more on a tight loop in
// yaegi v0.16.1, against 1.03x and 1.15x for this one: BenchmarkCandidates
// says why and re-measures it.
type checkFlag struct{ p *bool }

// checkExpr is the condition instrumented code tests.
const checkExpr = flagVar

func (f *checkFlag) bind(p *bool) { f.p = p }

func (f *checkFlag) set(on bool) {
	if f.p != nil {
		*f.p = on
	}
}

func (f *checkFlag) pending() bool { return f.p != nil && *f.p }

// posMarks holds the position markers instrumented statements write (see
// markText): _clAt, the last marked statement run, and _clTop, the last of
// the cell's own top-level statements. Like the flag, they are interpreted
// variables the host reads through their addresses, unsynchronised: they
// are only read to name a panic's line.
type posMarks struct{ at, top *int }

func (m *posMarks) bind(at, top *int) { m.at, m.top = at, top }

// load returns the markers (0 when unset).
func (m *posMarks) load() (at, top int64) {
	if m.at == nil || m.top == nil {
		return 0, 0
	}
	return int64(*m.at), int64(*m.top)
}

func (m *posMarks) reset() {
	if m.at != nil && m.top != nil {
		*m.at, *m.top = 0, 0
	}
}

// markText is the statement that records position code before a statement
// (one variable each: yaegi keeps every compiled node, and a marker of two
// costs twice the memory).
func markText(code int64, top bool) string {
	if top {
		return fmt.Sprintf("_clTop = %d;", code)
	}
	return fmt.Sprintf("_clAt = %d;", code)
}

// addSymbols adds the host functions markText calls: none here.
func (m *posMarks) addSymbols(map[string]reflect.Value) {}
