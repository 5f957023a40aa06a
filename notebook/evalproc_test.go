package notebook

import (
	"testing"

	"corelab/kernel/supervisor"
)

func TestOutputEvent(t *testing.T) {
	data := map[string]any{"text/plain": "x"}
	for _, tc := range []struct {
		in   supervisor.Output
		want Event
	}{
		{supervisor.Output{Stream: "stderr", Text: "warn\n"}, Event{Kind: "stream", Name: "stderr", Text: "warn\n"}},
		{supervisor.Output{Display: &supervisor.Display{Data: data, DisplayID: "d"}}, Event{Kind: "display_data", Data: data, DisplayID: "d"}},
		{supervisor.Output{Display: &supervisor.Display{Data: data, DisplayID: "d", Update: true}}, Event{Kind: "update_display_data", Data: data, DisplayID: "d"}},
	} {
		got := outputEvent(tc.in)
		if got.Kind != tc.want.Kind || got.Name != tc.want.Name || got.Text != tc.want.Text ||
			got.DisplayID != tc.want.DisplayID || len(got.Data) != len(tc.want.Data) {
			t.Errorf("outputEvent(%+v) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}
