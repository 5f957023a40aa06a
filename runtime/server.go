package runtime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"corelab/display"
	"corelab/runtime/gil"
	"corelab/runtime/internal/invoke"
	"corelab/runtime/limits"
	"corelab/runtime/report"
)

// Server is a loopback HTTP server answering GET /fib/{n} with fib(n)
// (compiled, with check points) under one model, like the workshop's
// threaded / process-pool / interpreter-pool / free-threaded servers.
type Server struct {
	Model   Model
	Workers int // pool size (isolates, processes); GIL and Free use a goroutine per request
	url     string
	srv     *http.Server
	ln      net.Listener
	pool    chan func(n int) (int, error) // isolates and processes: one entry per worker
	procs   []*proc
	done    chan struct{}
	memory  uint64 // what the pool added: isolates' Go heap, processes' RSS
	unstop  func() // removes the Interrupt hook
	unboost func() // gives back the extra P (see boostProcs)
}

// Memory returns what the server's pool took when it started: the Go heap
// its isolates keep alive, or the resident memory of its processes (0 for
// GIL and Free, whose request goroutines cost a few KiB each).
func (s *Server) Memory() uint64 { return s.memory }

// StartServer starts a /fib/{n} server for model m on 127.0.0.1 (a free
// port). Close it when done; it also stops by itself after an hour.
func StartServer(m Model, workers int) *Server {
	if err := m.check(); err != nil {
		usage("%v", err)
	}
	if workers < 1 || workers > 64 {
		usage("rt.StartServer: %d workers; want 1..64", workers)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		usage("rt.StartServer: %v", err)
	}
	s := &Server{Model: m, Workers: workers, ln: ln, url: "http://" + ln.Addr().String(), done: make(chan struct{})}
	var compute func(n int) (int, error)
	switch m {
	case GIL, Free:
		compute = fibOn(newLock(m)) // one lock for all request threads
	case Isolates:
		h0 := heapInUse()
		defer func() {
			if h1 := heapInUse(); h1 > h0 {
				s.memory = h1 - h0
			}
		}()
		s.pool = make(chan func(int) (int, error), workers)
		for i := 0; i < workers; i++ {
			// A real isolate per pool slot, so start-up is paid as it
			// would be; the request itself runs compiled under its lock.
			iso, err := newIsolate()
			if err != nil {
				ln.Close()
				usage("rt.StartServer: %v", err)
			}
			s.pool <- fibOn(iso.lock)
		}
	case Processes:
		s.pool = make(chan func(int) (int, error), workers)
		s.procs = make([]*proc, workers)
		var wg sync.WaitGroup
		errs := make([]error, workers)
		rss := make([]uint64, workers)
		for i := range s.procs {
			wg.Add(1)
			go func() { // joined by wg.Wait
				defer wg.Done()
				s.procs[i], rss[i], errs[i] = startProc("")
			}()
		}
		wg.Wait()
		for _, m := range rss {
			s.memory += m
		}
		for i, p := range s.procs {
			if errs[i] != nil {
				s.closeProcs()
				ln.Close()
				usage("rt.StartServer: %v", errs[i])
			}
			s.pool <- func(n int) (int, error) {
				out, err := p.call("rt.Fib", []any{n})
				if err != nil || len(out) != 1 {
					return 0, err
				}
				v, _ := out[0].(int)
				return v, nil
			}
		}
	}
	if s.pool != nil {
		compute = func(n int) (int, error) {
			w := <-s.pool
			defer func() { s.pool <- w }()
			return w(n)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /fib/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil || n < 0 || n > 40 {
			http.Error(w, "n must be 0..40", http.StatusBadRequest)
			return
		}
		v, err := compute(n)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, v)
	})
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	s.unboost = boostProcs()                // until Close
	s.unstop = theLab().AddStopper(s.Close) // Interrupt stops the server
	go func() { _ = s.srv.Serve(ln) }()     // stopped by Close
	go func() {                             // stops a forgotten server; ends with Close
		select {
		case <-time.After(time.Hour):
			s.Close()
		case <-s.done:
		}
	}()
	return s
}

// fibOn computes fib(n) on a new thread of lock for each request.
func fibOn(lock *gil.GIL) func(n int) (int, error) {
	l := theLab()
	return func(n int) (res int, err error) {
		onThread(lock, "request", nil, func(t *gil.Thread) {
			err = invoke.Catch(func() { res = fib(n, t, l) })
		})
		return res, err
	}
}

// URL returns the server's base URL, e.g. "http://127.0.0.1:40123".
func (s *Server) URL() string { return s.url }

// Close stops the server and its worker processes.
func (s *Server) Close() {
	select {
	case <-s.done:
		return
	default:
		close(s.done)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
	s.closeProcs()
	s.unstop()
	s.unboost()
}

func (s *Server) closeProcs() {
	for _, p := range s.procs {
		if p != nil {
			p.close()
		}
	}
}

// Load is the bounded load WebServers applies to each server.
type Load struct {
	Clients  int           // concurrent clients for the batch (default 4)
	Requests int           // requests of fib(N) in the batch (default 40)
	N        int           // fib size of batch requests (default 27)
	Small    int           // fib size of small requests (default 1)
	HogN     int           // fib size the hog client asks for, over and over (default 32)
	Phase    time.Duration // length of the alone / beside-a-hog phases (default 1 s)
	Timeout  time.Duration // bound on the batch (default 30 s)
}

func (l *Load) defaults() {
	if l.Clients <= 0 {
		l.Clients = 4
	}
	if l.Requests <= 0 {
		l.Requests = 40
	}
	if l.N <= 0 {
		l.N = 27
	}
	if l.Small <= 0 {
		l.Small = 1
	}
	if l.HogN <= 0 {
		l.HogN = 32
	}
	if l.Phase <= 0 {
		l.Phase = time.Second
	}
	if l.Timeout <= 0 {
		l.Timeout = 30 * time.Second
	}
}

// ServerResult is one model's server under load.
type ServerResult struct {
	Model      Model
	Startup    time.Duration // starting the server and its pool
	Memory     uint64        // what the pool took (see Server.Memory)
	Batch      time.Duration // time for the batch of fib(N) requests
	Throughput float64       // batch requests per second
	P50, P99   time.Duration // batch latency
	Failed     int           // batch requests that failed or timed out
	Alone      float64       // small requests per second, one client, idle server
	WithHog    float64       // small requests per second beside a hog client
	HogP99     time.Duration // small-request p99 latency beside the hog
}

// WebReport compares servers under the same load.
type WebReport struct {
	Workers int
	Load    Load
	Results []ServerResult
}

// WebServers starts a /fib/{n} server per model (nil = all four) with the
// given pool size, applies the same bounded load to each — a batch of
// requests from concurrent clients, then small requests alone and beside a
// client hogging the server with fib(HogN) — and reports throughput and
// latency. Every phase is bounded in requests and time; servers are closed
// before it returns.
//
//	rt.WebServers(nil, 2, rt.Load{})
func WebServers(models []Model, workers int, load Load) *WebReport {
	models = modelsOrAll(models)
	load.defaults()
	defer boostProcs()()
	for _, m := range models {
		if err := m.check(); err != nil {
			usage("%v", err)
		}
	}
	resume := block()
	defer resume()
	rep := &WebReport{Workers: workers, Load: load}
	h := display.New()
	h.Show(display.TextBundle("starting servers…"))
	defer h.Clear() // the report replaces it
	for _, m := range models {
		h.Update(display.TextBundle(fmt.Sprintf("loading the %s server…", m)))
		rep.Results = append(rep.Results, loadServer(m, workers, load))
		if interrupted() {
			panic(ErrInterrupted)
		}
	}
	return rep
}

func loadServer(m Model, workers int, l Load) ServerResult {
	res := ServerResult{Model: m}
	t0 := time.Now()
	s := StartServer(m, workers)
	defer s.Close()
	res.Startup = time.Since(t0)
	res.Memory = s.Memory()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: l.Timeout}
	defer client.CloseIdleConnections()
	get := func(ctx context.Context, n int) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/fib/%d", s.URL(), n), nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			return errors.New(resp.Status)
		}
		return nil
	}

	// The batch.
	ctx, cancel := context.WithTimeout(context.Background(), l.Timeout)
	var next atomic.Int64
	lat := make([]time.Duration, l.Requests)
	var failed atomic.Int64
	var wg sync.WaitGroup
	b0 := time.Now()
	for c := 0; c < l.Clients; c++ {
		wg.Add(1)
		go func() { // ends when the requests run out or ctx ends
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= l.Requests || ctx.Err() != nil || interrupted() {
					return
				}
				r0 := time.Now()
				if err := get(ctx, l.N); err != nil {
					failed.Add(1)
				}
				lat[i] = time.Since(r0)
			}
		}()
	}
	wg.Wait()
	cancel()
	res.Batch = time.Since(b0)
	res.Failed = int(failed.Load())
	res.Throughput = float64(l.Requests-res.Failed) / res.Batch.Seconds()
	res.P50, res.P99 = percentiles(lat)

	// Small requests alone, then beside a hog.
	res.Alone, _ = smallRate(get, l.Small, l.Phase)
	hogCtx, stopHog := context.WithCancel(context.Background())
	var hog sync.WaitGroup
	hog.Add(1)
	go func() { // stopped by stopHog
		defer hog.Done()
		for hogCtx.Err() == nil && !interrupted() {
			_ = get(hogCtx, l.HogN)
		}
	}()
	time.Sleep(20 * time.Millisecond)
	var smallLat []time.Duration
	res.WithHog, smallLat = smallRate(get, l.Small, l.Phase)
	_, res.HogP99 = percentiles(smallLat)
	stopHog()
	hog.Wait()
	return res
}

// smallRate sends small requests one after another for d and returns the
// rate and latencies.
func smallRate(get func(context.Context, int) error, n int, d time.Duration) (float64, []time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var lat []time.Duration
	t0 := time.Now()
	for ctx.Err() == nil && !interrupted() {
		r0 := time.Now()
		if err := get(ctx, n); err != nil {
			break
		}
		lat = append(lat, time.Since(r0))
	}
	return float64(len(lat)) / time.Since(t0).Seconds(), lat
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	v := make([]float64, 0, len(d))
	for _, x := range d {
		if x > 0 {
			v = append(v, float64(x))
		}
	}
	if len(v) == 0 {
		return 0, 0
	}
	return time.Duration(report.Percentile(v, 50)), time.Duration(report.Percentile(v, 99))
}

func (w *WebReport) rows() (header []string, rows [][]string) {
	header = []string{"model", "start-up", "memory", "batch", "req/s", "p50", "p99", "failed",
		"small req/s alone", "small req/s beside hog", "small p99 beside hog"}
	// One unit per kind of time: start-up, the batch, the latencies.
	var startups, batches, lats []time.Duration
	for _, r := range w.Results {
		startups = append(startups, r.Startup)
		batches = append(batches, r.Batch)
		lats = append(lats, r.P50, r.P99, r.HogP99)
	}
	su, bu, lu := report.UnitFor(startups...), report.UnitFor(batches...), report.UnitFor(lats...)
	for _, r := range w.Results {
		mem := "—"
		if r.Memory > 0 {
			mem = limits.FormatBytes(r.Memory)
		}
		rows = append(rows, []string{string(r.Model), su.Format(r.Startup), mem, bu.Format(r.Batch),
			fmt.Sprintf("%.1f", r.Throughput), lu.Format(r.P50), lu.Format(r.P99), fmt.Sprint(r.Failed),
			fmt.Sprintf("%.0f", r.Alone), fmt.Sprintf("%.0f", r.WithHog), lu.Format(r.HogP99)})
	}
	return header, rows
}

func (w *WebReport) title() string {
	return fmt.Sprintf("/fib servers, %d worker(s): %d × fib(%d) from %d clients; fib(%d) alone and beside a fib(%d) hog",
		w.Workers, w.Load.Requests, w.Load.N, w.Load.Clients, w.Load.Small, w.Load.HogN)
}

// String is the comparison as a text table.
func (w *WebReport) String() string { return w.title() + "\n" + report.TextTable(w.rows()) }

// DisplayBundle shows throughput and latency, the hog effect, and the table.
func (w *WebReport) DisplayBundle() display.Bundle {
	rows := make([]report.LoadRow, len(w.Results))
	groups := make([]string, len(w.Results))
	alone := report.BarSeries{Name: "small requests/s alone"}
	hog := report.BarSeries{Name: "beside a hog"}
	for i, r := range w.Results {
		rows[i] = report.LoadRow{Label: string(r.Model), Throughput: r.Throughput, P50: r.P50, P99: r.P99}
		groups[i] = string(r.Model)
		alone.Values = append(alone.Values, r.Alone)
		hog.Values = append(hog.Values, r.WithHog)
	}
	svg := report.ThroughputLatency(rows, report.Options{Title: w.title()})
	svg2 := report.GroupedBars(groups, []report.BarSeries{alone, hog},
		report.Options{Title: "Small requests: alone vs beside a hog", XLabel: "small requests per second",
			Unit: "req/s", Log: true})
	var h strings.Builder
	h.WriteString(svg)
	h.WriteString(svg2)
	h.WriteString(report.Table(w.rows()))
	return display.Bundle{display.MIMESVG: svg, display.MIMEHTML: h.String(), display.MIMEText: w.String()}
}
