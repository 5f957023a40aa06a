// each share runs one number into the next, so the numbers at the borders are counted twice
func countShare(workers, lo, hi int) int {
	w := rt.Worker()
	size := (hi - lo + workers - 1) / workers
	a := lo + w*size
	b := a + size + 1
	if b > hi {
		b = hi
	}
	if a >= b {
		return 0
	}
	return rt.CountPrimes(a, b)
}

func parallelPrimes(m rt.Model, workers, lo, hi int) (int, *rt.Report) {
	r := rt.Run(m, workers, countShare, workers, lo, hi)
	total := 0
	for _, res := range r.Results {
		total += res[0].(int)
	}
	return total, r
}
