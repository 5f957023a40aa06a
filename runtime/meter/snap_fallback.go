//go:build !linux && !darwin && !windows

package meter

import (
	"fmt"
	"runtime"
)

// readSnap has no per-core source on this system.
func readSnap(string) (statSnap, error) {
	return statSnap{}, fmt.Errorf("meter: no per-core times on %s", runtime.GOOS)
}
