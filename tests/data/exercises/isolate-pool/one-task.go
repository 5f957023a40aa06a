// takes one task and returns: no loop, so the other tasks are never done
func fillWorker(tasks *rt.Queue, buf *rt.SharedBuffer) []int {
	b := buf.Bytes()
	lo := tasks.Get().(int)
	if lo == stop {
		return nil
	}
	for i := lo; i < lo+chunk; i++ {
		b[i] = primesIn(i)
	}
	return []int{lo}
}
