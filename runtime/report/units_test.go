package report

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFormatDurationsOneUnit(t *testing.T) {
	us, ms, s := time.Microsecond, time.Millisecond, time.Second
	for _, c := range []struct {
		in   []time.Duration
		want []string
	}{
		// The example: 28.457µs beside 5.89ms.
		{[]time.Duration{28457 * time.Nanosecond, 5890 * us}, []string{"0.03 ms", "5.89 ms"}},
		{[]time.Duration{1230 * ms, 2410 * ms, 12 * ms}, []string{"1.23 s", "2.41 s", "0.01 s"}},
		{[]time.Duration{1230 * ms, 1 * ms}, []string{"1.230 s", "0.001 s"}},
		{[]time.Duration{1230 * ms, 200 * us}, []string{"1.230 s", "< 0.001 s"}},
		{[]time.Duration{45 * s, 12 * s}, []string{"45.0 s", "12.0 s"}},
		{[]time.Duration{150 * s, 0}, []string{"150 s", "0 s"}},
		{[]time.Duration{0, 0}, []string{"0 s", "0 s"}},
		{[]time.Duration{800 * time.Nanosecond, 35}, []string{"800 ns", "35 ns"}},
		{[]time.Duration{1500 * ns(1), 999 * ns(1)}, []string{"1.50 µs", "1.00 µs"}},
		{[]time.Duration{250 * ms, 5 * ms}, []string{"250 ms", "5 ms"}},
	} {
		got := FormatDurations(c.in...)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("FormatDurations(%v) = %q, want %q", c.in, got, c.want)
		}
		units := map[string]bool{}
		for _, g := range got {
			units[g[strings.LastIndexByte(g, ' ')+1:]] = true
		}
		if len(units) != 1 {
			t.Errorf("FormatDurations(%v) = %q: %d units", c.in, got, len(units))
		}
	}
}

func ns(n int) time.Duration { return time.Duration(n) }
