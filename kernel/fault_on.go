//go:build corelab_fault

package kernel

// In a corelab_fault build, a "corelab_fault_request" panics its handler,
// so that tests can check a panic costs only that request.
func init() {
	testFault = func(msgType string) {
		if msgType == "corelab_fault_request" {
			panic("corelab_fault_request: injected fault")
		}
	}
}
