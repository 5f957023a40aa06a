//go:build !linux

package cpython

import (
	"runtime"
	"time"

	"corelab/runtime/meter"
)

// threadSampler: reading another process's threads needs Linux's /proc;
// elsewhere the run is measured without lanes, and the report says so.
type threadSampler struct {
	lanes   []meter.Lane
	process []meter.Level
	ok      bool
	note    string
	futex   bool
}

func startThreads(int, time.Duration, time.Time) *threadSampler {
	return &threadSampler{note: "per-thread lanes need Linux's /proc/PID/task; this is " + runtime.GOOS}
}

func (s *threadSampler) stop() (int, []meter.Lane) { return 0, nil }
