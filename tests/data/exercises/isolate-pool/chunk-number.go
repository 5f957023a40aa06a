// treats the task as a chunk number instead of a byte offset: writes at lo*chunk, far outside its range
func fillWorker(tasks *rt.Queue, buf *rt.SharedBuffer) []int {
	b := buf.Bytes()
	var done []int
	for {
		lo := tasks.Get().(int)
		if lo == stop {
			return done
		}
		for i := lo * chunk; i < (lo+1)*chunk; i++ {
			b[i] = primesIn(i)
		}
		done = append(done, lo)
	}
}
