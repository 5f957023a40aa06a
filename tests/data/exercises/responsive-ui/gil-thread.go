// runs the jobs as threads of the UI's own interpreter: they hold the UI's GIL
func startBackground(jobs int) (wait func()) {
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			job()
		}()
	}
	return wg.Wait
}
