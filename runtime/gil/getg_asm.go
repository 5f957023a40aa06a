//go:build amd64 || arm64

package gil

// getg returns the address of the calling goroutine's runtime g: a cheap
// identity for the goroutine while it lives (the runtime reuses it after
// the goroutine exits, which is why threads unbind when they end).
func getg() uintptr

// goroutineKey identifies the calling goroutine for the binding table.
func goroutineKey() uintptr { return getg() }
