// shortens the switch interval but leaves the job on the UI's lock, as a thread of this interpreter
func startBackground(jobs int) (wait func()) {
	rt.SetSwitchInterval(500 * time.Microsecond)
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
