// Package meter measures how many cores a run really used: wall and CPU
// time, per-core busy time (/proc/stat on Linux, gopsutil on macOS and
// Windows), and per-worker state lanes (running / waiting for the lock /
// blocked) recorded at every lock hand-over. Each measurement carries the
// core budget it ran under, read by package corelab/runtime/limits, and
// says what the system could not measure.
//
// The simplest use wraps a function:
//
//	m := meter.Measure(func(rec *meter.Recorder) {
//		w := rec.AddWorker("worker 0")
//		rec.Record(w, meter.Running)
//		work()
//		rec.Record(w, meter.Done)
//	})
//	fmt.Println(m.CoresUsed, "cores of", m.Budget.Cores())
//
// [Start] and [Meter.Stop] do the same around code that is not one call, and
// [Meter.Snapshot] gives a measurement so far for live progress. Package
// corelab/runtime/report renders a Measurement as SVG, HTML and text.
package meter
