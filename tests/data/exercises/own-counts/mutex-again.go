// the mutex of locked() again: exact, but every worker still writes the shared counter
var ownMu sync.Mutex

func countOwn() int {
	for i := 0; i < N; i++ {
		ownMu.Lock()
		counter = addOne(counter)
		ownMu.Unlock()
	}
	return N
}

func combine(r *rt.Report) int {
	total := 0
	for _, res := range r.Results {
		total += res[0].(int)
	}
	return total
}
