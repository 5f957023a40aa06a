//go:build !unix

package cpython

import (
	"os"
	"os/exec"
)

// setProcessGroup: without Unix process groups, the interpreter is
// stopped alone.
func setProcessGroup(*exec.Cmd) {}

// interruptGroup: there is no SIGINT to send, so the interpreter is killed.
func interruptGroup(p *os.Process) { _ = p.Kill() }

// killGroup kills the interpreter.
func killGroup(p *os.Process) { _ = p.Kill() }

func maxRSS(*os.ProcessState) uint64 { return 0 }
