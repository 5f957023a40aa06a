package backend

import (
	"strings"
	"testing"

	"corelab/runtime"
)

// %help lists exactly the models %mode accepts.
func TestHelpModeMatchesSetMode(t *testing.T) {
	for _, m := range magicTable {
		if m.name != "mode" {
			continue
		}
		defer runtime.SetMode(runtime.GIL)
		listed := strings.Split(m.args, "|")
		for _, v := range listed {
			if err := runtime.SetMode(runtime.Model(v)); err != nil {
				t.Errorf("%%help lists %%mode %s, but it is rejected: %v", v, err)
			}
		}
		for _, v := range runtime.Models {
			if !strings.Contains("|"+m.args+"|", "|"+string(v)+"|") {
				t.Errorf("%%mode %s is accepted; list it in %%help", v)
			}
			if !strings.Contains(m.help, string(v)) {
				t.Errorf("%%help for %%mode does not say what %s does: %q", v, m.help)
			}
		}
		return
	}
	t.Fatal("no %mode magic")
}
