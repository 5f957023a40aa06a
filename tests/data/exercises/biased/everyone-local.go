// every worker updates local with plain operations: non-owners race on it and the counts end up in the wrong place
func increfBiased(b *Biased, w int) { b.local++ }

func decrefBiased(b *Biased, w int) { b.local-- }
