package bench

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"corelab/runtime/cpython"
)

// emulated holds the emulation's figures that the CPython rows compare
// with, recorded by the steps that measure them.
type emulated struct {
	n                 int // updates per worker in the lost-update rows
	lostInc, lostCall int
	tickP50, tickP99  time.Duration // 10 ms tick beside 1 CPU job under the GIL
	cores             float64       // 2 interpreted CPU workers under the GIL
}

// lostUpdates is the lost-update experiment in Python, the file that
// scripts/lost_updates.py runs for notebook 03's reference table; the bench
// sets its N and runs two of its rows (see pyLost).
//
//go:embed lost_updates.py
var lostUpdates string

// pyLost runs lostUpdates's counter += 1 and add_one rows for n updates per
// thread, leaving the updates lost in lost_inc and lost_call.
func pyLost(n int) string {
	return lostUpdates + fmt.Sprintf("\nN = %d\nlost_inc = lost(plus_equals)\nlost_call = lost(via_call)\n", n)
}

// The other experiments in Python, run by the default CPython (the first
// python3 on PATH). Each leaves its numbers in global names (cpython's Vars).
const (
	pyTick = `
import threading, time
stop = threading.Event()
def spin():
    x = 0
    while not stop.is_set():
        x += 1
t = threading.Thread(target=spin)
t.start()
time.sleep(0.05)
late = []
end = time.perf_counter() + %g
while time.perf_counter() < end:
    t0 = time.perf_counter()
    time.sleep(0.010)
    late.append(time.perf_counter() - t0 - 0.010)
stop.set()
t.join()
late.sort()
p50 = late[len(late) // 2]
p99 = late[int(0.99 * (len(late) - 1))]
`
	pyCores = `
import threading, time
def spin(seconds):
    x = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        x += 1
ts = [threading.Thread(target=spin, args=(%g,)) for _ in range(2)]
w0, c0 = time.perf_counter(), time.process_time()
for t in ts:
    t.start()
for t in ts:
    t.join()
cores = (time.process_time() - c0) / (time.perf_counter() - w0)
`
)

// cpython runs the emulation's experiments in real CPython and sets the
// two side by side, so that a change that makes the emulation less
// faithful shows as a number.
func (b *bencher) cpython() ([]row, error) {
	py, err := cpython.NewFinder().Select("")
	if err != nil {
		return []row{{what: "real CPython beside the emulation", target: "a python3", got: "not run: " + err.Error(), ok: false}}, nil
	}
	run := func(src string) (map[string]any, error) {
		res, err := cpython.Run(context.Background(), py, src, cpython.Options{NoSample: true})
		if err != nil {
			return nil, err
		}
		if res.Error != nil {
			return nil, fmt.Errorf("CPython %s: %s", py.Name(), res.Error)
		}
		return res.Vars, nil
	}
	num := func(v any) float64 {
		switch x := v.(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		}
		return 0
	}
	name := "CPython " + py.Name()
	var rows []row

	e := b.emu
	lost, err := run(pyLost(e.n))
	if err != nil {
		return nil, err
	}
	pct := func(l int) string { return fmt.Sprintf("%d (%.1f %%)", l, 100*float64(l)/float64(2*e.n)) }
	pyInc, pyCall := int(num(lost["lost_inc"])), int(num(lost["lost_call"]))
	rows = append(rows,
		row{what: fmt.Sprintf("2 × %d counter += 1: lost, emulation | %s", e.n, name), target: "same verdict",
			got: pct(e.lostInc) + " | " + pct(pyInc), ok: (e.lostInc == 0) == (pyInc == 0), ref: "0 (3.11–3.13)"},
		row{what: fmt.Sprintf("2 × %d add_one: lost, emulation | %s", e.n, name), target: "same verdict",
			got: pct(e.lostCall) + " | " + pct(pyCall), ok: (e.lostCall > 0) == (pyCall > 0), ref: "17–45 %"},
	)

	tick, err := run(fmt.Sprintf(pyTick, b.dur(3*time.Second).Seconds()))
	if err != nil {
		return nil, err
	}
	p50 := time.Duration(num(tick["p50"]) * float64(time.Second))
	p99 := time.Duration(num(tick["p99"]) * float64(time.Second))
	ratio := float64(e.tickP50) / float64(max(p50, time.Microsecond))
	rows = append(rows, row{what: "10 ms tick beside 1 CPU thread: late p50 / p99, emulation | " + name,
		target: "p50 within 0.5–2×", got: fmt.Sprintf("%s / %s | %s / %s", ms(e.tickP50), ms(e.tickP99), ms(p50), ms(p99)),
		ok: ratio >= 0.5 && ratio <= 2, ref: "5.3 / 5.5 ms"})

	cores, err := run(fmt.Sprintf(pyCores, b.dur(time.Second).Seconds()))
	if err != nil {
		return nil, err
	}
	pyC := num(cores["cores"])
	c := row{what: "2 CPU threads: cores used, emulation | " + name, target: "both ≤ 1.05",
		got: fmt.Sprintf("%.2f | %.2f", e.cores, pyC), ok: e.cores <= 1.05 && pyC <= 1.05, ref: "≈1 core (threads)"}
	if py.FreeThreaded && py.GIL != "on" { // no GIL to compare with: CPython should use both cores
		c.target, c.ok, c.ref = "emulation ≤ 1.05, CPython > 1.5", e.cores <= 1.05 && pyC > 1.5, "≈2 cores (3.13t+)"
	}
	rows = append(rows, c)
	return rows, nil
}
