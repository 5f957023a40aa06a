// the owner test is inverted: the owner goes through the atomics and the others write local
func increfBiased(b *Biased, w int) {
	if w != b.owner {
		b.local++
	} else {
		atomic.AddInt64(&b.shared, 1)
	}
}

func decrefBiased(b *Biased, w int) {
	if w != b.owner {
		b.local--
	} else {
		atomic.AddInt64(&b.shared, -1)
	}
}
