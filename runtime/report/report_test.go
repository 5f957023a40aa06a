package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"corelab/display"
	"corelab/runtime/limits"
	"corelab/runtime/meter"
)

// svgInfo is what the structural checks need from a parsed SVG.
type svgInfo struct {
	root     xml.StartElement
	elements map[string]int // element name -> count
	classes  map[string]int // class attribute -> count
	texts    []string
}

// parseSVG parses s with encoding/xml and checks the things every chart
// must have: an <svg> root in the SVG namespace with a viewBox, a <title>,
// and no external references.
func parseSVG(t *testing.T, s string) svgInfo {
	t.Helper()
	info := svgInfo{elements: map[string]int{}, classes: map[string]int{}}
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	first := true
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v\n%s", err, s)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if first {
				info.root = e
				first = false
			}
			info.elements[e.Name.Local]++
			for _, a := range e.Attr {
				if a.Name.Local == "class" {
					info.classes[a.Value]++
				}
				if a.Name.Local == "href" || strings.Contains(a.Value, "url(") {
					t.Errorf("external or id reference %s=%q", a.Name.Local, a.Value)
				}
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(e)); s != "" {
				info.texts = append(info.texts, s)
			}
		}
	}
	if info.root.Name.Local != "svg" || info.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root is %v, want svg in the SVG namespace", info.root.Name)
	}
	attrs := map[string]string{}
	for _, a := range info.root.Attr {
		attrs[a.Name.Local] = a.Value
	}
	if !strings.HasPrefix(attrs["viewBox"], "0 0 ") {
		t.Errorf("viewBox = %q", attrs["viewBox"])
	}
	if !strings.Contains(attrs["style"], "max-width:100%") {
		t.Errorf("style = %q, want max-width:100%%", attrs["style"])
	}
	if info.elements["title"] < 1 {
		t.Error("no <title>")
	}
	if info.elements["rect"] < 1 {
		t.Error("no background rect")
	}
	return info
}

func (i svgInfo) hasText(sub string) bool {
	for _, s := range i.texts {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// gilLanes makes lanes like a GIL run: cpu-bound workers taking turns every
// 5 ms, and one I/O worker mostly blocked.
func gilLanes(cpu int, span time.Duration) []meter.Lane {
	var lanes []meter.Lane
	slice := 5 * time.Millisecond
	for w := 0; w < cpu; w++ {
		l := meter.Lane{Name: fmt.Sprintf("fib worker %d", w)}
		for t, k := time.Duration(0), 0; t < span; t, k = t+slice, k+1 {
			st := meter.Waiting
			if k%cpu == w {
				st = meter.Running
			}
			end := min(t+slice, span)
			l.Intervals = append(l.Intervals, meter.Interval{Start: t, End: end, State: st})
			if st == meter.Running {
				l.Running += end - t
			} else {
				l.Waiting += end - t
			}
		}
		lanes = append(lanes, l)
	}
	io := meter.Lane{Name: "io <worker> & \"friends\""}
	for t := time.Duration(0); t < span; t += 20 * time.Millisecond {
		io.Intervals = append(io.Intervals,
			meter.Interval{Start: t, End: t + 3*time.Millisecond, State: meter.Waiting},
			meter.Interval{Start: t + 3*time.Millisecond, End: t + 4*time.Millisecond, State: meter.Running},
			meter.Interval{Start: t + 4*time.Millisecond, End: t + 20*time.Millisecond, State: meter.Blocked})
		io.Waiting += 3 * time.Millisecond
		io.Running += time.Millisecond
		io.Blocked += 16 * time.Millisecond
	}
	return append(lanes, io)
}

func fakeCores(n int, span time.Duration, busy func(cpu int, t time.Duration) float64) []meter.CoreSeries {
	out := make([]meter.CoreSeries, n)
	step := 20 * time.Millisecond
	for c := range out {
		out[c].CPU = c
		sum, cnt := 0.0, 0.0
		for t := time.Duration(0); t < span; t += step {
			v := busy(c, t)
			out[c].Levels = append(out[c].Levels, meter.Level{Start: t, End: t + step, Busy: v})
			sum += v
			cnt++
		}
		out[c].Mean = sum / cnt
	}
	return out
}

func TestLanesSVG(t *testing.T) {
	lanes := gilLanes(3, 400*time.Millisecond)
	s := Lanes(lanes, 0, Options{Title: "GIL: 3 × fib + 1 I/O <escaped>"})
	info := parseSVG(t, s)
	if got := info.classes["lane"]; got != len(lanes) {
		t.Errorf("%d lane groups, want %d", got, len(lanes))
	}
	for _, st := range []string{"state-running", "state-waiting", "state-blocked"} {
		if info.classes[st] == 0 {
			t.Errorf("no %s rectangles", st)
		}
	}
	if info.classes["legend"] != 1 || !info.hasText("waiting for the lock") {
		t.Error("legend missing")
	}
	if !info.hasText("time (ms)") || !info.hasText(`io <worker> & "friends"`) || !info.hasText("GIL: 3 × fib + 1 I/O <escaped>") {
		t.Errorf("axis label or escaped names missing: %q", info.texts)
	}
	// rasterised: a lane never has more rectangles than the plot has pixels
	if n := strings.Count(s, "<rect"); n > len(lanes)*800 {
		t.Errorf("%d rects", n)
	}
}

func TestLanesManyIntervalsStaySmall(t *testing.T) {
	l := meter.Lane{Name: "busy"}
	for i := 0; i < 200000; i++ {
		st := meter.Running
		if i%2 == 1 {
			st = meter.Waiting
		}
		l.Intervals = append(l.Intervals, meter.Interval{Start: time.Duration(i) * time.Microsecond, End: time.Duration(i+1) * time.Microsecond, State: st})
	}
	s := Lanes([]meter.Lane{l}, 0, Options{})
	parseSVG(t, s)
	if len(s) > 200_000 {
		t.Errorf("SVG of one lane is %d bytes", len(s))
	}
}

func TestLanesEmpty(t *testing.T) {
	info := parseSVG(t, Lanes(nil, 0, Options{}))
	if !info.hasText("No worker states") {
		t.Error("empty lanes not explained")
	}
}

func TestCoreUsageSVG(t *testing.T) {
	for _, n := range []int{1, 2, 64} {
		cores := fakeCores(n, time.Second, func(c int, t time.Duration) float64 {
			return math.Mod(float64(c)*0.3+t.Seconds(), 1)
		})
		info := parseSVG(t, CoreUsage(cores, 0, Options{Title: fmt.Sprintf("%d cores", n)}))
		if got := info.classes["core"]; got != n {
			t.Errorf("%d cores: %d core rows", n, got)
		}
		if info.classes["core-average"] != 1 || !info.hasText("average") {
			t.Errorf("%d cores: no average row", n)
		}
		if !info.hasText("cpu0") {
			t.Errorf("%d cores: no cpu0 label", n)
		}
	}
	if info := parseSVG(t, CoreUsage(nil, 0, Options{})); !info.hasText("No per-core samples") {
		t.Error("empty cores not explained")
	}
}

func TestSpeedupChart(t *testing.T) {
	series := []Series{
		{"GIL", []Point{{X: 1, Y: 1}, {X: 2, Y: 0.98}, {X: 4, Y: 0.97}}},
		{"Free", []Point{{X: 4, Y: 1.9}, {X: 1, Y: 1}, {X: 2, Y: 1.95}}},
		{"Isolates", nil},
	}
	info := parseSVG(t, SpeedupChart(series, 2, Options{Title: "fib(27)"}))
	if info.classes["series"] != 3 || info.elements["circle"] != 6 {
		t.Errorf("series %d circles %d", info.classes["series"], info.elements["circle"])
	}
	if info.classes["ideal"] != 1 || info.classes["budget"] != 1 || !info.hasText("core budget 2") {
		t.Error("ideal or budget line missing")
	}
	parseSVG(t, SpeedupChart(nil, 0, Options{}))
}

func TestCDF(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var idle, gil []float64
	for i := 0; i < 500; i++ {
		idle = append(idle, 0.1+r.Float64()*0.1)
		gil = append(gil, 5+r.NormFloat64())
	}
	for _, log := range []bool{false, true} {
		info := parseSVG(t, CDF([]Sample{{"idle", idle}, {"GIL 5 ms", gil}, {"empty", nil}}, Options{Unit: "ms", Log: log}))
		if info.classes["series"] != 3 || info.elements["polyline"] != 2 || info.elements["circle"] != 4 {
			t.Errorf("log=%v: series %d polylines %d circles %d", log, info.classes["series"], info.elements["polyline"], info.elements["circle"])
		}
		if !info.hasText("p50") || !info.hasText("p99") {
			t.Error("percentile marks missing")
		}
	}
}

func TestPercentile(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3}
	cases := map[float64]float64{0: 1, 50: 3, 100: 5, 25: 2, 90: 4.6}
	for p, want := range cases {
		if got := Percentile(v, p); math.Abs(got-want) > 1e-9 {
			t.Errorf("Percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if v[0] != 5 {
		t.Error("Percentile sorted its input")
	}
	if !math.IsNaN(Percentile(nil, 50)) || Percentile([]float64{7}, 99) != 7 {
		t.Error("edge cases")
	}
}

func TestBars(t *testing.T) {
	bars := []Bar{
		{Label: "threads (GIL)", Value: 110, Note: "83 MB", Reference: true},
		{Label: "processes", Value: 41.7, Note: "385 MB", Reference: true},
		{Label: "GIL (measured)", Value: 2.1},
		{Label: "zero", Value: 0},
	}
	for _, log := range []bool{false, true} {
		info := parseSVG(t, Bars(bars, Options{Unit: "s", Log: log}))
		if info.classes["bar"] != len(bars) {
			t.Errorf("%d bars", info.classes["bar"])
		}
		if !info.hasText("110 s ref") || !info.hasText("2.1 s") {
			t.Errorf("value labels: %q", info.texts)
		}
	}
	info := parseSVG(t, GroupedBars([]string{"threads", "processes", "interpreters"},
		[]BarSeries{{"alone", []float64{13000, 700, 13100}}, {"with a fib(40) hog", []float64{100, 600, 11500}}},
		Options{Unit: "req/s", Log: true}))
	if info.classes["bar"] != 6 || info.classes["legend"] != 1 {
		t.Errorf("grouped: %d bars", info.classes["bar"])
	}
	info = parseSVG(t, ThroughputLatency([]LoadRow{
		{Label: "GIL", Throughput: 120, P50: 40 * time.Millisecond, P99: 90 * time.Millisecond},
		{Label: "Processes", Throughput: 410, P50: 4 * time.Millisecond, P99: 9 * time.Millisecond},
	}, Options{}))
	if info.classes["bar"] != 6 {
		t.Errorf("throughput/latency: %d bars", info.classes["bar"])
	}
	parseSVG(t, Bars(nil, Options{}))
}

func TestTables(t *testing.T) {
	h := Table([]string{"model", "time", "<b>"}, [][]string{{"GIL", "1.2 s", "a&b"}, {"Free", "0.6 s", ""}})
	if !strings.Contains(h, "&lt;b&gt;") || !strings.Contains(h, "a&amp;b") {
		t.Errorf("not escaped: %s", h)
	}
	if !strings.Contains(h, `<td style="text-align:right">1.2 s</td>`) || !strings.Contains(h, `<td style="text-align:left">GIL</td>`) {
		t.Errorf("alignment: %s", h)
	}
	if err := xml.Unmarshal([]byte(h), new(any)); err != nil {
		t.Errorf("table is not well-formed: %v", err)
	}
	txt := TextTable([]string{"model", "time"}, [][]string{{"GIL", "1.2 s"}, {"Free", "10.5 s"}})
	want := "model    time\n-------------\nGIL     1.2 s\nFree   10.5 s\n"
	if txt != want {
		t.Errorf("TextTable:\n%s\nwant\n%s", txt, want)
	}
}

func sampleMeasurement() meter.Measurement {
	lanes := gilLanes(2, 300*time.Millisecond)
	return meter.Measurement{
		Wall: 300 * time.Millisecond, User: 290 * time.Millisecond, Sys: 10 * time.Millisecond, GC: 3 * time.Millisecond,
		CoresUsed: 1.0, MachineCores: 1.1,
		Budget: limits.Budget{GOMAXPROCS: 1, NumCPU: 16, Online: 16, Affinity: 16, CgroupCPUs: 1, CgroupFile: "/sys/fs/cgroup/cpu.max"},
		Cores: fakeCores(2, 300*time.Millisecond, func(c int, t time.Duration) float64 {
			if (t/(50*time.Millisecond))%2 == time.Duration(c) {
				return 1
			}
			return 0.1
		}),
		Lanes: lanes, Handovers: 58, DropRequests: 60, MaxRSS: 30 << 20,
	}
}

func TestBundle(t *testing.T) {
	m := sampleMeasurement()
	b := Bundle(m, "GIL, 2 workers")
	for _, mime := range []string{display.MIMESVG, display.MIMEHTML, display.MIMEText} {
		if s, ok := b[mime].(string); !ok || s == "" {
			t.Fatalf("bundle lacks %s", mime)
		}
	}
	info := parseSVG(t, b[display.MIMESVG].(string))
	if info.classes["lane"] != len(m.Lanes) || info.classes["core"] != 2 {
		t.Errorf("figure: %d lanes, %d cores", info.classes["lane"], info.classes["core"])
	}
	if h := b[display.MIMEHTML].(string); !strings.Contains(h, "<svg") || !strings.Contains(h, "<table") {
		t.Error("HTML lacks the figure or the table")
	}
	txt := b[display.MIMEText].(string)
	for _, want := range []string{
		"GIL, 2 workers", "wall 300 ms", "CPU 300 ms", "user 290 ms", "sys 10 ms",
		"GC CPU 3 ms (reported apart)", "cores used 1.00 of a budget of 1",
		"machine busy 1.10 cores", "lock hand-overs 58", "drop requests 60",
		"worker", "running", "waiting", "blocked", "fib worker 0", "50.0%",
		"warning: The machine shows 16 cores",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text/plain lacks %q:\n%s", want, txt)
		}
	}
	if one := OneLine(m); !strings.Contains(one, "1.00 cores used of 1") || strings.Contains(one, "\n") {
		t.Errorf("OneLine = %q", one)
	}
}

func TestBundleOfEmptyMeasurement(t *testing.T) {
	b := Bundle(meter.Measurement{}, "")
	parseSVG(t, b[display.MIMESVG].(string))
	if txt := b[display.MIMEText].(string); !strings.Contains(txt, "cores used 0.00") {
		t.Errorf("text = %q", txt)
	}
}

func TestBudgetBundle(t *testing.T) {
	b := BudgetBundle(limits.Budget{GOMAXPROCS: 1, NumCPU: 16, Online: 16, Affinity: 16, CgroupCPUs: 1, CgroupFile: "/sys/fs/cgroup/cpu.max", MemTotal: 64 << 30, CgroupMem: 2 << 30})
	txt := b[display.MIMEText].(string)
	for _, want := range []string{"core budget", "GOMAXPROCS", "cgroup CPU quota", "1 CPU (/sys/fs/cgroup/cpu.max)", "2.0 GiB", "warning:"} {
		if !strings.Contains(txt, want) {
			t.Errorf("budget text lacks %q:\n%s", want, txt)
		}
	}
	if h := b[display.MIMEHTML].(string); !strings.Contains(h, "<table") || !strings.Contains(h, "Warning") {
		t.Errorf("budget html: %s", h)
	}
}

func TestEscape(t *testing.T) {
	in := "a<b>&\"c'\x00\x1b\xff ok ✓"
	s := Bars([]Bar{{Label: in, Value: 1}}, Options{Title: in, Subtitle: in})
	parseSVG(t, s)
	if strings.ContainsAny(esc(in), "<>\x00\x1b") {
		t.Errorf("esc left raw characters: %q", esc(in))
	}
}

func TestNiceTicks(t *testing.T) {
	got := niceTicks(0, 437, 5)
	want := []float64{0, 100, 200, 300, 400}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("niceTicks(0, 437) = %v", got)
	}
	if niceMax(437, 5) != 500 || niceMax(0, 5) != 1 {
		t.Errorf("niceMax")
	}
}

// TestWriteExamples writes one example of every chart to $CORELAB_SVG_DIR
// (e.g. /tmp/corelab-svg) for looking at; it does nothing without it.
func TestWriteExamples(t *testing.T) {
	dir := os.Getenv("CORELAB_SVG_DIR")
	if dir == "" {
		t.Skip("set CORELAB_SVG_DIR to write example charts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewSource(2))
	var idle, gil5, gil05 []float64
	for i := 0; i < 400; i++ {
		idle = append(idle, 0.1+r.ExpFloat64()*0.05)
		gil5 = append(gil5, math.Max(0.1, 5.2+r.NormFloat64()*1.2))
		gil05 = append(gil05, math.Max(0.1, 0.7+r.ExpFloat64()*0.3))
	}
	m := sampleMeasurement()
	files := map[string]string{
		"lanes.svg": Lanes(gilLanes(3, 200*time.Millisecond), 0, Options{Title: "GIL: three CPU-bound workers and one I/O worker", Subtitle: "switch interval 5 ms"}),
		"cores.svg": CoreUsage(fakeCores(4, 2*time.Second, func(c int, t time.Duration) float64 {
			return math.Max(0, math.Min(1, 0.5+0.5*math.Sin(t.Seconds()*3+float64(c))+0.1*r.NormFloat64()))
		}), 0, Options{Title: "Per-core usage", Subtitle: "4 cores, 20 ms samples"}),
		"cores64.svg": CoreUsage(fakeCores(64, time.Second, func(c int, t time.Duration) float64 { return r.Float64() }), 0, Options{Title: "64 cores"}),
		"speedup.svg": SpeedupChart([]Series{
			{"GIL", []Point{{X: 1, Y: 1}, {X: 2, Y: 0.97}, {X: 3, Y: 0.96}, {X: 4, Y: 0.95}}},
			{"Free", []Point{{X: 1, Y: 1}, {X: 2, Y: 1.92}, {X: 3, Y: 1.95}, {X: 4, Y: 1.96}}},
			{"Isolates", []Point{{X: 1, Y: 0.95}, {X: 2, Y: 1.85}, {X: 3, Y: 1.88}, {X: 4, Y: 1.9}}},
			{"Processes", []Point{{X: 1, Y: 0.9}, {X: 2, Y: 1.7}, {X: 3, Y: 1.8}, {X: 4, Y: 1.85}}},
		}, 2, Options{Title: "Prime counting: speed-up vs workers", Subtitle: "budget 2 cores"}),
		"cdf.svg": CDF([]Sample{{"idle", idle}, {"GIL, 5 ms interval", gil5}, {"GIL, 0.5 ms interval", gil05}},
			Options{Title: "UI tick lateness", Unit: "ms"}),
		"cdf-log.svg": CDF([]Sample{{"idle", idle}, {"GIL, 5 ms interval", gil5}, {"GIL, 0.5 ms interval", gil05}},
			Options{Title: "UI tick lateness (log)", Unit: "ms", Log: true}),
		"bars.svg": Bars([]Bar{
			{Label: "threads (CPython 3.13)", Value: 110, Note: "83 MB", Reference: true},
			{Label: "processes (CPython 3.13)", Value: 41.7, Note: "385 MB", Reference: true},
			{Label: "sub-interpreters (CPython 3.13)", Value: 41.6, Note: "82 MB", Reference: true},
			{Label: "GIL", Value: 3.9, Note: "measured"},
			{Label: "Isolates", Value: 2.1, Note: "measured"},
		}, Options{Title: "Desktop app: total job time", Unit: "s"}),
		"grouped.svg": GroupedBars([]string{"threads", "processes", "interpreters"},
			[]BarSeries{{"alone", []float64{13000, 700, 13100}}, {"with a fib(40) hog", []float64{100, 600, 11500}}},
			Options{Title: "fib(1) requests/s (Eric Snow, PyCon US 2023)", Unit: "req/s", Log: true}),
		"tl.svg": ThroughputLatency([]LoadRow{
			{Label: "GIL", Throughput: 120, P50: 40 * time.Millisecond, P99: 95 * time.Millisecond},
			{Label: "Processes", Throughput: 410, P50: 4 * time.Millisecond, P99: 9 * time.Millisecond},
			{Label: "Isolates", Throughput: 430, P50: 3500 * time.Microsecond, P99: 8 * time.Millisecond},
			{Label: "Free", Throughput: 450, P50: 3 * time.Millisecond, P99: 7 * time.Millisecond},
		}, Options{Title: "Web server: 40 requests from 20 clients"}),
		"measurement.svg": MeasurementSVG(m, "GIL, 2 workers × fib(27)"),
	}
	for name, s := range files {
		parseSVG(t, s)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b := Bundle(m, "GIL, 2 workers × fib(27)")
	page := "<!doctype html><meta charset=utf-8><body style='font-family:system-ui;max-width:800px'>" + b[display.MIMEHTML].(string) +
		"<pre>" + b[display.MIMEText].(string) + "</pre>" + BudgetBundle(m.Budget)[display.MIMEHTML].(string)
	if err := os.WriteFile(filepath.Join(dir, "bundle.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log(b[display.MIMEText])
}

// A title wider than the chart wraps onto more lines instead of being
// clipped at the right edge (the WebServers title at 760 px).
func TestLongTitleWraps(t *testing.T) {
	title := "/fib servers, 4 worker(s): 200 × fib(25) from 8 clients; fib(5) alone and beside a fib(32) hog"
	svg := ThroughputLatency([]LoadRow{{Label: "gil", Throughput: 10, P50: time.Millisecond, P99: 2 * time.Millisecond}},
		Options{Title: title})
	if n := strings.Count(svg, esc(title)); n != 2 { // aria-label and <title> only
		t.Errorf("full title drawn as one line (%d occurrences, want 2)", n)
	}
	for _, w := range strings.Fields(title) {
		if !strings.Contains(svg, esc(w)) {
			t.Errorf("title word %q missing", w)
		}
	}
	for _, l := range wrapWords(title, fitRunes(760-24, 15)) {
		if w := textWidth(l) * 15 / 12; w > 760-24 {
			t.Errorf("title line %q is %.0f px wide, chart 760", l, w)
		}
	}
}

// A measurement of a quota-throttled run with a lock-released worker draws
// both distinctly: a "CPU quota" row and grey shading over lanes and cores,
// a lane colour of its own for "lock released", and says so in every form.
func TestThrottledAndReleasedDrawn(t *testing.T) {
	const span = 400 * time.Millisecond
	rel := meter.Lane{Name: "C code", Released: 300 * time.Millisecond, Running: 100 * time.Millisecond,
		Intervals: []meter.Interval{{Start: 0, End: 100 * time.Millisecond, State: meter.Running},
			{Start: 100 * time.Millisecond, End: span, State: meter.Released}}}
	m := meter.Measurement{
		Wall: span, CoresUsed: 0.9, MachineCores: 1,
		Budget:     limits.Budget{GOMAXPROCS: 2, NumCPU: 2, Online: 2, CgroupCPUs: 1, CgroupPeriod: 100 * time.Millisecond},
		Lanes:      []meter.Lane{rel},
		Cores:      fakeCores(2, span, func(int, time.Duration) float64 { return 0.5 }),
		Throttling: meter.Throttling{Period: 100 * time.Millisecond, Periods: 4, Throttled: 2, Time: 70 * time.Millisecond},
		Throttled:  []meter.Level{{Start: 100 * time.Millisecond, End: 140 * time.Millisecond, Busy: 1}},
	}
	info := parseSVG(t, MeasurementSVG(m, "quota"))
	if info.classes["state-released"] == 0 || !info.hasText("running, lock released") {
		t.Error("lock-released lane not drawn in its own colour with a legend entry")
	}
	if info.classes["throttled"] != 2 || info.classes["throttled-shade"] != 2 || !info.hasText("held off by the CPU quota") {
		t.Errorf("throttled rows %d, shades %d; want 2 each (lanes and cores) and a legend entry",
			info.classes["throttled"], info.classes["throttled-shade"])
	}
	if info.classes["caveat"] == 0 {
		t.Error("no caveat in the figure")
	}
	sum := Summary(m, "quota")
	for _, want := range []string{"throttled 2 times, 70 ms", "less than 10 periods", "lock released"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q:\n%s", want, sum)
		}
	}
	if !strings.Contains(OneLine(m), "throttled 2 times") {
		t.Errorf("one-line summary lacks the throttling: %s", OneLine(m))
	}
	// not throttled: no row, no shade, no legend entry
	m.Throttled, m.Throttling = nil, meter.Throttling{Period: 100 * time.Millisecond}
	info = parseSVG(t, MeasurementSVG(m, "quota"))
	if info.classes["throttled"] != 0 || info.hasText("held off by the CPU quota") {
		t.Error("throttling drawn for a run that was not throttled")
	}
}

// Log axes say so, with their unit.
func TestLogAxesLabelled(t *testing.T) {
	cdf := parseSVG(t, CDF([]Sample{{Name: "gil", Values: []float64{0.1, 1, 10}}},
		Options{XLabel: "lateness", Unit: "ms", Log: true}))
	if !cdf.hasText("lateness (ms, log scale)") {
		t.Errorf("CDF axis caption: %q", cdf.texts)
	}
	bars := parseSVG(t, GroupedBars([]string{"gil", "free"}, []BarSeries{{Name: "alone", Values: []float64{10, 1000}}},
		Options{XLabel: "small requests per second", Unit: "req/s", Log: true}))
	if !bars.hasText("small requests per second (req/s, log scale)") {
		t.Errorf("bars axis caption: %q", bars.texts)
	}
	lin := parseSVG(t, Bars([]Bar{{Label: "a", Value: 2}}, Options{Unit: "s"}))
	if lin.hasText("log scale") {
		t.Error("a linear axis says log scale")
	}
}
