package runtime

// NewIsolateForTest exposes newIsolate to the external benchmarks; the
// isolate is returned opaque so a benchmark can keep it alive.
func NewIsolateForTest() (any, error) { return newIsolate() }
