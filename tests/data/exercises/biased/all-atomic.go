// every update goes to shared, atomically: the count is exact, but the owner pays for atomics it does not need
func increfBiased(b *Biased, w int) { atomic.AddInt64(&b.shared, 1) }

func decrefBiased(b *Biased, w int) { atomic.AddInt64(&b.shared, -1) }
