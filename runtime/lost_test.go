package runtime

import (
	"strings"
	"testing"

	"corelab/display"
)

func TestLostTableShowsOnlyWhatWasMeasured(t *testing.T) {
	lt := NewLostTable("lost")
	lt.Add("gil 3.10+", "counter++", 0)
	lt.Add("free", "counter++", 0.25)
	lt.Add("gil ≤3.9", "+= as bytecodes", 0.5)
	lt.Add("free", "counter++", 0.3) // a re-run replaces the value

	if x, ok := lt.Lost("free", "counter++"); !ok || x != 0.3 {
		t.Errorf("Lost(free, counter++) = %v, %v; want 0.3, true", x, ok)
	}
	if _, ok := lt.Lost("free", "+= as bytecodes"); ok {
		t.Error("Lost reports a pair that was never measured")
	}
	text := lt.String()
	for _, want := range []string{"30.0 % lost", "0.0 % lost", "50.0 % lost", "not measured"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
	svg := lt.DisplayBundle()[display.MIMESVG].(string)
	// One bar per measured pair: 3, not 2 variants × 3 policies.
	if n := strings.Count(svg, `class="bar"`); n != 3 {
		t.Errorf("chart has %d bars, want 3 (one per measured pair):\n%s", n, svg)
	}
	if strings.Contains(svg, "+= as bytecodes · free") {
		t.Error("chart draws a bar for a pair that was never measured")
	}
}
