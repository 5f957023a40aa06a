// off by one: fills lo..lo+chunk inclusive, so each task also writes the first byte of the next task's range
func fillWorker(tasks *rt.Queue, buf *rt.SharedBuffer) []int {
	b := buf.Bytes()
	var done []int
	for {
		lo := tasks.Get().(int)
		if lo == stop {
			return done
		}
		for i := lo; i <= lo+chunk; i++ {
			b[i] = primesIn(i)
		}
		done = append(done, lo)
	}
}
