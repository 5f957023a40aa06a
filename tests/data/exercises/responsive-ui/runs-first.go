// runs the jobs in isolates but waits for them before returning: the UI loop only starts afterwards
func startBackground(jobs int) (wait func()) {
	rt.Run(rt.Isolates, jobs, "job")
	return func() {}
}
