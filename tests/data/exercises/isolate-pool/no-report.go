// fills its ranges correctly but returns nil, so nobody can tell which isolate did which task
func fillWorker(tasks *rt.Queue, buf *rt.SharedBuffer) []int {
	b := buf.Bytes()
	for {
		lo := tasks.Get().(int)
		if lo == stop {
			return nil
		}
		for i := lo; i < lo+chunk; i++ {
			b[i] = primesIn(i)
		}
	}
}
