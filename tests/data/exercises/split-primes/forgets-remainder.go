// shares of (hi-lo)/workers rounded down: the last few numbers, the remainder, are counted by no worker
func countShare(workers, lo, hi int) int {
	size := (hi - lo) / workers
	a := lo + rt.Worker()*size
	return rt.CountPrimes(a, a+size)
}

func parallelPrimes(m rt.Model, workers, lo, hi int) (int, *rt.Report) {
	r := rt.Run(m, workers, countShare, workers, lo, hi)
	total := 0
	for _, res := range r.Results {
		total += res[0].(int)
	}
	return total, r
}
