// starts the jobs but returns a wait that does not wait for them
func startBackground(jobs int) (wait func()) {
	go rt.Run(rt.Isolates, jobs, "job")
	return func() {}
}
