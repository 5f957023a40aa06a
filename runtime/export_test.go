package runtime

// NewIsolateForTest exposes newIsolate to the external benchmarks; the
// isolate is returned opaque so a benchmark can keep it alive.
func NewIsolateForTest() (any, error) { return newIsolate() }

// MainLockWaiters is how many threads wait for the notebook's lock.
func MainLockWaiters() int { return theLab().GIL.Waiters() }

// RaceBuild reports whether the tests run under the race detector.
const RaceBuild = raceBuild

// InstallTestLab puts back the lab of the tests, for external tests that
// made their own.
func InstallTestLab() { testLab.Install() }
