package kernel

import "time"

// pollParent checks once a second whether pid has exited (gone, or a
// zombie), until done closes.
func pollParent(pid int, done <-chan struct{}, exited func()) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if !alive(pid) {
				exited()
				return
			}
		}
	}
}
