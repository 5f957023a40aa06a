package evaluator

import (
	"strings"
	"testing"

	"corelab/runtime"
)

// %help lists exactly the models %mode accepts, and says where the others go.
func TestHelpModeMatchesSetMode(t *testing.T) {
	for _, m := range magicTable {
		if m.name != "mode" {
			continue
		}
		defer runtime.SetMode(runtime.GIL)
		for _, v := range strings.Split(m.args, "|") {
			if err := runtime.SetMode(runtime.Model(v)); err != nil {
				t.Errorf("%%help lists %%mode %s, but it is rejected: %v", v, err)
			}
		}
		for _, v := range []string{"isolates", "processes"} {
			if runtime.SetMode(runtime.Model(v)) == nil {
				t.Errorf("%%mode %s is accepted; list it in %%help", v)
			}
			if !strings.Contains(m.help, "rt.Run(rt."+strings.ToUpper(v[:1])+v[1:]) {
				t.Errorf("%%help for %%mode does not say to use rt.Run for %s: %q", v, m.help)
			}
		}
		return
	}
	t.Fatal("no %mode magic")
}
