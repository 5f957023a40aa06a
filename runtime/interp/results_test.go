package interp

import "testing"

// TestTrailingHostMethod checks that a cell ending in a call of a compiled
// (host) type's method shows a value exactly when the method has one result.
func TestTrailingHostMethod(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{
		{src: "import \"strings\"\nvar sb strings.Builder\nsb.Reset()", want: "<none>"},
		{src: "sb.WriteString(\"ab\")", want: "<none>"}, // (int, error)
		{src: "sb.Len()", want: "2"},
		{src: "sb.String()", want: "ab"},
		{src: "(&sb).Reset()", want: "<none>"},
		{src: "bp := &sb\nbp.Grow(8)", want: "<none>"},
		{src: "(*bp).Reset()", want: "<none>"},
		{src: "strings.NewReader(\"x\").Reset(\"y\")", want: "<none>"},
		{src: "strings.NewReader(\"xyz\").Len()", want: "3"},
		{src: "bs := []strings.Builder{{}, {}}\nbs[1].Reset()", want: "<none>"},
		{src: "m := map[string]*strings.Builder{\"a\": &sb}\nm[\"a\"].Reset()", want: "<none>"},
		{src: "type holder struct{ b *strings.Builder }\nhd := holder{b: &sb}\nhd.b.Reset()", want: "<none>"},
		{src: "f := sb.Reset\nf()", want: "<none>"},
		// a host type embedded in an interpreted one (reflect does not
		// promote its methods): still the host signature
		{src: "type W struct{ strings.Builder }\nvar w W\nw.Reset()", want: "<none>"},
		{src: "w.WriteString(\"abc\")\nw.Len()", want: "3"},
		{src: "pw := &w\npw.Reset()", want: "<none>"},
		// a notebook method of the same name with another signature wins
		{src: "type V struct{ strings.Builder }\nfunc (v *V) Reset() int { return 7 }\nvar vv V\nvv.Reset()", want: "7"},
		// interpreted methods, interface values
		{src: "type T struct{}\nfunc (T) M() {}\nfunc (T) N() int { return 5 }\nvar tt T\ntt.M()", want: "<none>"},
		{src: "tt.N()", want: "5"},
		{src: "import \"io\"\nwr := io.Writer(&sb)\nwr.Write([]byte(\"q\"))", want: "<none>"},
		{src: "import \"fmt\"\nst := fmt.Stringer(&sb)\nst.String()", want: "q"},
	})
}
