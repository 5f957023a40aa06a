// every worker adds its count into one shared total: an unsynchronised read-modify-write that can lose an update
func countShare(workers, lo, hi int) int {
	w := rt.Worker()
	size := (hi - lo + workers - 1) / workers
	a := lo + w*size
	b := a + size
	if b > hi {
		b = hi
	}
	if a >= b {
		return 0
	}
	return rt.CountPrimes(a, b)
}

func parallelPrimes(m rt.Model, workers, lo, hi int) (int, *rt.Report) {
	total := 0
	r := rt.Run(m, workers, func() {
		total += countShare(workers, lo, hi)
	})
	return total, r
}
