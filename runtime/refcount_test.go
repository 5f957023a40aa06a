package runtime

import (
	"strings"
	"testing"
)

// RefCountsOwned spreads the work the way PEP 703 expects: mostly on each
// worker's own object. The safe kinds stay exact, and the report says how
// the work was spread.
func TestRefCountsOwnedIsExactForSafeKinds(t *testing.T) {
	for _, m := range []Model{GIL, Free, Isolates} {
		r := RefCountsOwned(m, 2, 20_000, 8, []RefKind{LockedRef, AtomicRef, BiasedRef, ImmortalRef})
		if r.Every != 8 || len(r.Results) != 4 {
			t.Fatalf("%s: Every %d, %d results; want 8 and 4", m, r.Every, len(r.Results))
		}
		for _, x := range r.Results {
			if x.Verdict() != "exact" {
				t.Errorf("%s %s: %s (final %d, expected %d)", m, x.Kind, x.Verdict(), x.Final, x.Expected)
			}
		}
		if s := r.String(); !strings.Contains(s, "1 in 8 on the shared one") {
			t.Errorf("%s: the title does not say how the work was spread:\n%s", m, s)
		}
	}
}

// Under the GIL plain counts are exact in both patterns: one worker runs at
// a time. The findings say why, in words that follow the numbers.
func TestRefCountsFindingsFollowTheRun(t *testing.T) {
	for _, owned := range []bool{false, true} {
		var r *RefReport
		if owned {
			r = RefCountsOwned(GIL, 2, 20_000, 4, []RefKind{PlainRef, AtomicRef, BiasedRef})
		} else {
			r = RefCounts(GIL, 2, 20_000, []RefKind{PlainRef, AtomicRef, BiasedRef})
		}
		for _, x := range r.Results {
			if x.Verdict() != "exact" {
				t.Errorf("owned=%v gil %s: %s (final %d, expected %d)", owned, x.Kind, x.Verdict(), x.Final, x.Expected)
			}
		}
		f := strings.Join(r.Findings(), "\n")
		if !strings.Contains(f, "Under the GIL one worker runs at a time") || !strings.Contains(f, "× what atomic did") {
			t.Errorf("owned=%v: findings do not explain the GIL run:\n%s", owned, f)
		}
	}
	one := strings.Join(RefCounts(Free, 1, 1000, nil).Findings(), "\n")
	if !strings.Contains(one, "One worker") || strings.Contains(one, "went wrong") {
		t.Errorf("one worker: findings\n%s", one)
	}
	iso := strings.Join(RefCounts(Isolates, 2, 1000, []RefKind{PlainRef}).Findings(), "\n")
	if !strings.Contains(iso, "its own object") {
		t.Errorf("isolates: findings\n%s", iso)
	}
}

func TestRefCountsOwnedRejectsEvery(t *testing.T) {
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(error).Error(), "every") {
			t.Errorf("RefCountsOwned with every = 1: recovered %v, want a usage error about every", v)
		}
	}()
	RefCountsOwned(Free, 2, 100, 1, nil)
}
