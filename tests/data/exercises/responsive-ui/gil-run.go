// picks the gil model for rt.Run: still threads of this interpreter, under the lock the UI needs
func startBackground(jobs int) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		rt.Run(rt.GIL, jobs, "job")
	}()
	return func() { <-done }
}
