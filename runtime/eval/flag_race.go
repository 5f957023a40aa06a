//go:build race

package eval

import "sync/atomic"

// checkFlag, in race builds, is an atomic bool read through a host call, so
// `go test -race` stays clean. It is far slower than the interpreted flag of
// normal builds; benchmarks are meaningless under -race anyway.
type checkFlag struct{ b atomic.Bool }

// checkExpr is the condition instrumented code tests.
const checkExpr = hostName + ".Pending()"

func (f *checkFlag) bind(p *bool) {}

func (f *checkFlag) set(on bool) { f.b.Store(on) }

func (f *checkFlag) pending() bool { return f.b.Load() }
