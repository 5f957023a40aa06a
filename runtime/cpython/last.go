package cpython

import "sync"

// last is the most recent run the kernel remembered, for Go cells to read
// (rt.Python).
var last struct {
	sync.Mutex
	r *Result
}

// Remember makes r the run Last returns: the kernel calls it after every
// %%python cell, so that the next Go cell can compare its numbers.
func Remember(r *Result) {
	last.Lock()
	last.r = r
	last.Unlock()
}

// Last returns the run last remembered, or nil.
func Last() *Result {
	last.Lock()
	defer last.Unlock()
	return last.r
}
