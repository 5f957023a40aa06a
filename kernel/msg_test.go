package kernel

import (
	"encoding/json"
	"testing"
)

// TestMessageShapes checks the JSON of the typed contents where clients
// index into fields: empty maps and lists go out as {} and [], a reply's
// fields follow its status, and is_complete's indent is there exactly when
// the code is incomplete, even when it is empty.
func TestMessageShapes(t *testing.T) {
	empty := ""
	for _, tc := range []struct {
		name string
		msg  any
		want string
	}{
		{"execute ok", executeOK{Status: "ok", ExecutionCount: 3, UserExpressions: map[string]any{}, Payload: []any{}},
			`{"status":"ok","execution_count":3,"user_expressions":{},"payload":[]}`},
		{"execute error", executeError{Status: "error", ExecutionCount: 4, errorContent: errorContent{Ename: "E", Evalue: "v", Traceback: []string{}}},
			`{"status":"error","execution_count":4,"ename":"E","evalue":"v","traceback":[]}`},
		{"execute aborted", executeAborted{Status: "aborted", ExecutionCount: 4}, `{"status":"aborted","execution_count":4}`},
		{"error reply", errorReply{Status: "error", errorContent: errorContent{Ename: "E", Evalue: "v", Traceback: []string{}}},
			`{"status":"error","ename":"E","evalue":"v","traceback":[]}`},
		{"display without id", displayData{Data: map[string]any{"text/plain": "x"}, Metadata: orEmpty(nil)},
			`{"data":{"text/plain":"x"},"metadata":{},"transient":{}}`},
		{"display with id", displayData{Data: map[string]any{}, Metadata: map[string]any{}, Transient: transient{DisplayID: "d"}},
			`{"data":{},"metadata":{},"transient":{"display_id":"d"}}`},
		{"incomplete, empty indent", isCompleteReply{Status: "incomplete", Indent: &empty}, `{"status":"incomplete","indent":""}`},
		{"complete", isCompleteReply{Status: "complete"}, `{"status":"complete"}`},
		{"inspect nothing", inspectReply{Status: "ok", Data: orEmpty(nil), Metadata: map[string]any{}},
			`{"status":"ok","found":false,"data":{},"metadata":{}}`},
		{"status", statusMsg{ExecutionState: "idle"}, `{"execution_state":"idle"}`},
		{"shutdown", shutdownReply{Status: "ok", Restart: true}, `{"status":"ok","restart":true}`},
	} {
		got, err := json.Marshal(tc.msg)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestKernelInfoShape checks kernel_info_reply's fields as a frontend
// reads them.
func TestKernelInfoShape(t *testing.T) {
	k := &server{}
	var got map[string]any
	b, err := json.Marshal(k.kernelInfo())
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	li, _ := got["language_info"].(map[string]any)
	if got["status"] != "ok" || got["implementation"] != "corelab" || li["name"] != "go" || li["file_extension"] != ".go" {
		t.Errorf("kernel_info_reply = %s", b)
	}
	if links, _ := got["help_links"].([]any); len(links) == 0 {
		t.Errorf("kernel_info_reply has no help_links: %s", b)
	}
}
