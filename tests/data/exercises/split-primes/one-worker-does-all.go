// worker 0 counts the whole range and the others idle: the total is right, but nothing ran in parallel
func countShare(workers, lo, hi int) int {
	if rt.Worker() == 0 {
		return rt.CountPrimes(lo, hi)
	}
	return 0
}

func parallelPrimes(m rt.Model, workers, lo, hi int) (int, *rt.Report) {
	r := rt.Run(m, workers, countShare, workers, lo, hi)
	total := 0
	for _, res := range r.Results {
		total += res[0].(int)
	}
	return total, r
}
