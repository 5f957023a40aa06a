// decref does nothing: every reference dropped is still counted, so the object would leak
func increfBiased(b *Biased, w int) {
	if w == b.owner {
		b.local++
	} else {
		atomic.AddInt64(&b.shared, 1)
	}
}

func decrefBiased(b *Biased, w int) {}
