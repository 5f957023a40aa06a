// combine keeps only worker 0's count (r.Result() is the first worker's result)
func countOwn() int {
	mine := 0
	for i := 0; i < N; i++ {
		mine = addOne(mine)
	}
	return mine
}

func combine(r *rt.Report) int {
	return r.Result().(int)
}
