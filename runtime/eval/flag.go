//go:build !race

package eval

// checkFlag is the check-point flag: a bool declared inside the interpreter
// (so yaegi reads it like any interpreted variable, the cheapest test there
// is) that the host writes through its address. The read in interpreted code
// is deliberately unsynchronised; the race build uses flag_race.go instead.
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
