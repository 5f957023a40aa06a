package eval

import (
	"context"
	"testing"
)

func TestZZProbe(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	for _, src := range []string{"import \"strings\"\ntype W struct{ strings.Builder }\nvar w W\nw.Reset()", "w.Len()", "type V struct{ strings.Builder }\nfunc (v *V) Reset() int { return 7 }\nvar vv V\nvv.Reset()", "pw := &w\npw.Reset()"} {
		res, err := in.Eval(context.Background(), src)
		t.Logf("%q: %v %v", src, res.Has, err)
		if res.Has {
			t.Logf("  %v %v %#v", res.Value.Type(), res.Value.Kind(), res.Value.Interface())
		}
	}
	for k, v := range in.Globals() {
		t.Logf("%s: %v name=%q pkg=%q nm=%d", k, v.Type(), v.Type().Name(), v.Type().PkgPath(), v.Type().NumMethod())
	}
}
