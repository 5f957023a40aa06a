package runtime

import (
	"strings"
	"testing"
	"time"

	"corelab/runtime/gil"
	"corelab/runtime/host"
	"corelab/runtime/internal/lab"
)

// Without a lab every rt function says how to make one, instead of
// crashing on a nil pointer or working on hidden state.
func TestNoLab(t *testing.T) {
	lab.Install(nil)
	defer testLab.Install()
	for name, call := range map[string]func(){
		"Run":     func() { Run(GIL, 1, Fib, 1) },
		"Fib":     func() { Fib(1) },
		"SetMode": func() { _ = SetMode(Free) },
		"Mode":    func() { Mode() },
		"Worker":  func() { Worker() },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				ue, ok := recover().(*UsageError)
				if !ok || !strings.Contains(ue.Msg, "no lab") || !strings.Contains(ue.Msg, "host.New") {
					t.Errorf("got %v, want a UsageError naming host.New", ue)
				}
			}()
			call()
		})
	}
}

// Each lab keeps its own mode, switch interval and check-point policy:
// what one notebook set does not leak into a lab made after it.
func TestLabsKeepTheirOwnState(t *testing.T) {
	defer testLab.Install()
	a := host.New(testEnv)
	if err := SetMode(Free); err != nil {
		t.Fatal(err)
	}
	if err := SetSwitchInterval(time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := SetCheckpoints(Py39); err != nil {
		t.Fatal(err)
	}
	host.New(testEnv)
	if Mode() != GIL || SwitchInterval() != gil.DefaultInterval || Checkpoints() != Py310 {
		t.Errorf("a new lab: %s, %v, %s; want gil, %v, py310", Mode(), SwitchInterval(), Checkpoints(), gil.DefaultInterval)
	}
	a.Install()
	if Mode() != Free || SwitchInterval() != time.Millisecond || Checkpoints() != Py39 {
		t.Errorf("the first lab again: %s, %v, %s; want free, 1ms, py39", Mode(), SwitchInterval(), Checkpoints())
	}
}

// The lab stores the names the rt constants have.
func TestLabNames(t *testing.T) {
	if string(GIL) != lab.ModeGIL || string(Free) != lab.ModeFree || Py310 != lab.Py310 || Py39 != lab.Py39 {
		t.Error("rt's mode or policy names differ from the lab's")
	}
}
