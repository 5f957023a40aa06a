package backend

import (
	"os"
	"time"

	yaegi "github.com/traefik/yaegi/interp"

	"corelab/runtime"
	"corelab/runtime/gil"
	"corelab/runtime/host"
	"corelab/runtime/interp"
	"corelab/runtime/meter"
	"corelab/runtime/symbols"
)

// labSymbols are the symbol tables every interpreter of the notebook gets
// (the main one, isolates, workers): GIL-aware blocking calls and the lab's
// own packages.
func labSymbols() []yaegi.Exports {
	return []yaegi.Exports{symbols.Symbols, gil.Symbols}
}

// lab is what the evaluator needs of corelab/runtime.
type lab interface {
	cellStart() (done func())
	interrupt()
	measure(fn func()) string
	mode() string
	setMode(m string) error
	switchInterval() time.Duration
	setSwitchInterval(d time.Duration) error
	checkpoints() string
	setCheckpoints(p string) error
}

// runtimeLab is lab on the evaluator's own host.Lab; the mode, switch
// interval and check points are set through corelab/runtime, as a cell
// would set them, on that same lab (host.New installed it).
type runtimeLab struct{ l *host.Lab }

func newLab(in *evalInterp, factory func(interp.Options) (*interp.Interpreter, error)) lab {
	exe, _ := os.Executable()
	gil.InstallTransport() // http.Client round trips release the lock, in every interpreter here
	l := host.New(host.Env{NewInterpreter: factory, Executable: exe})
	l.Attach(in.in)
	return runtimeLab{l: l}
}

func (r runtimeLab) cellStart() func() { return r.l.CellStart() }
func (r runtimeLab) interrupt()        { r.l.Interrupt() }
func (runtimeLab) measure(fn func()) string {
	m := meter.Measure(func(*meter.Recorder) { fn() })
	return host.CoreSummary(m)
}
func (runtimeLab) mode() string { return string(runtime.Mode()) }
func (runtimeLab) setMode(m string) error {
	model, err := runtime.ParseModel(m)
	if err != nil {
		return err
	}
	return runtime.SetMode(model)
}
func (runtimeLab) switchInterval() time.Duration           { return runtime.SwitchInterval() }
func (runtimeLab) setSwitchInterval(d time.Duration) error { return runtime.SetSwitchInterval(d) }
func (runtimeLab) checkpoints() string                     { return runtime.Checkpoints() }
func (runtimeLab) setCheckpoints(p string) error           { return runtime.SetCheckpoints(p) }
