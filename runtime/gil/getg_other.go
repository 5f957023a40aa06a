//go:build !amd64 && !arm64

package gil

// goroutineKey identifies the calling goroutine for the binding table; on
// architectures without the assembly helper it is the goroutine id.
func goroutineKey() uintptr { return uintptr(goid()) }
