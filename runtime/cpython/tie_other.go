//go:build !linux

package cpython

import "os/exec"

// tieToParent: only Linux can have the kernel kill a child when its parent
// dies; elsewhere the interpreter outlives a crashed kernel until its cell
// ends.
func tieToParent(*exec.Cmd) {}
