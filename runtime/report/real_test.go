package report

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"corelab/display"
	"corelab/runtime/meter"
)

// toyGIL is a minimal lock that records lanes the way runtime/gil does:
// Waiting before acquiring, Running once held, Blocked around sleeps.
type toyGIL struct {
	mu  sync.Mutex
	rec *meter.Recorder
}

func (g *toyGIL) acquire(w int) {
	g.rec.Record(w, meter.Waiting)
	g.mu.Lock()
	g.rec.Record(w, meter.Running)
	g.rec.AddCounts(1, 0)
}

func (g *toyGIL) release(w int) { g.mu.Unlock() }

func spinFor(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}

// TestWriteRealExample measures a real toy run (two CPU-bound workers and an
// I/O worker under one lock, then two free workers) and writes the figures
// to $CORELAB_SVG_DIR, to check how real sampled data looks.
func TestWriteRealExample(t *testing.T) {
	dir := os.Getenv("CORELAB_SVG_DIR")
	if dir == "" {
		t.Skip("set CORELAB_SVG_DIR to write example charts")
	}
	m := meter.Measure(func(rec *meter.Recorder) {
		g := &toyGIL{rec: rec}
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			w := rec.AddWorker("cpu worker")
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 40; k++ {
					g.acquire(w)
					spinFor(5 * time.Millisecond)
					g.release(w)
				}
				rec.Record(w, meter.Done)
			}()
		}
		io := rec.AddWorker("io worker")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 20; k++ {
				g.acquire(io)
				spinFor(500 * time.Microsecond)
				g.release(io)
				rec.Record(io, meter.Blocked)
				time.Sleep(10 * time.Millisecond)
			}
			rec.Record(io, meter.Done)
		}()
		wg.Wait()
		for i := 0; i < 2; i++ {
			w := rec.AddWorker("free worker")
			wg.Add(1)
			go func() {
				defer wg.Done()
				rec.Record(w, meter.Running)
				spinFor(200 * time.Millisecond)
				rec.Record(w, meter.Done)
			}()
		}
		wg.Wait()
	})
	b := Bundle(m, "Toy lock, then free workers")
	parseSVG(t, b[display.MIMESVG].(string))
	if err := os.WriteFile(filepath.Join(dir, "real.svg"), []byte(b[display.MIMESVG].(string)), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log(b[display.MIMEText])
}
