package kernel

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
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
		{"error reply", errorReply{request: "x_request", Status: "error", errorContent: errorContent{Ename: "E", Evalue: "v", Traceback: []string{}}},
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

// The messages of the Jupyter messaging protocol 5.3
// (https://jupyter-client.readthedocs.io/en/latest/messaging.html) that a
// kernel sends: the replies to the requests of the shell and control
// channels, stdin's input_request, and the iopub messages.
var (
	specReplies = map[string]string{
		"execute_request":     "execute_reply",
		"inspect_request":     "inspect_reply",
		"complete_request":    "complete_reply",
		"history_request":     "history_reply",
		"is_complete_request": "is_complete_reply",
		"comm_info_request":   "comm_info_reply",
		"kernel_info_request": "kernel_info_reply",
		"shutdown_request":    "shutdown_reply",
		"interrupt_request":   "interrupt_reply",
		"debug_request":       "debug_reply",
	}
	specStdin = []string{"input_request"}
	specIOPub = []string{"stream", "display_data", "update_display_data", "execute_input", "execute_result",
		"error", "status", "clear_output", "debug_event", "comm_open", "comm_msg", "comm_close"}
)

// TestMessageTypes checks that each content goes out under the spec's name
// for it: a reply under its request's name with _reply for _request, the
// rest under the spec's stdin and iopub names. Every content type of
// msg.go must be listed here (the test reads msg.go for them), so a new
// one cannot skip the check.
func TestMessageTypes(t *testing.T) {
	replies := []struct {
		request string
		c       content
	}{
		{"kernel_info_request", kernelInfoReply{}},
		{"execute_request", executeOK{}},
		{"execute_request", executeError{}},
		{"execute_request", executeAborted{}},
		{"complete_request", completeReply{}},
		{"inspect_request", inspectReply{}},
		{"is_complete_request", isCompleteReply{}},
		{"history_request", historyReply{}},
		{"comm_info_request", commInfoReply{}},
		{"interrupt_request", interruptReply{}},
		{"shutdown_request", shutdownReply{}},
		// An error reply answers any request, one the kernel does not
		// know too, under the protocol's naming rule.
		{"inspect_request", errorReply{request: "inspect_request"}},
		{"frobnicate_request", errorReply{request: "frobnicate_request"}},
	}
	others := []struct {
		spec []string
		c    content
	}{
		{specStdin, inputRequest{}},
		{specIOPub, statusMsg{}},
		{specIOPub, streamMsg{}},
		{specIOPub, executeInput{}},
		{specIOPub, executeResult{}},
		{specIOPub, displayData{}},
		{specIOPub, updateDisplayData{}},
		{specIOPub, errorMsg{}},
	}
	tested := map[string]bool{}
	for _, r := range replies {
		tested[fmt.Sprintf("%T", r.c)] = true
		base, ok := strings.CutSuffix(r.request, "_request")
		if !ok {
			t.Fatalf("%s is not a request", r.request)
		}
		want := base + "_reply"
		if spec, ok := specReplies[r.request]; ok && spec != want {
			t.Fatalf("the spec answers %s with %s, not %s: fix the table", r.request, spec, want)
		}
		if got := r.c.msgType(); got != want {
			t.Errorf("%T answers %s as %q, want %q", r.c, r.request, got, want)
		}
	}
	for _, o := range others {
		tested[fmt.Sprintf("%T", o.c)] = true
		if !slices.Contains(o.spec, o.c.msgType()) {
			t.Errorf("%T goes out as %q, not a message type of the spec (%v)", o.c, o.c.msgType(), o.spec)
		}
	}
	for _, name := range contentTypes(t) {
		if !tested[name] {
			t.Errorf("%s has a msgType but no row in TestMessageTypes", name)
		}
	}
}

// contentTypes lists the types declared with a msgType method in msg.go,
// as %T prints them.
func contentTypes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "msg.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "msgType" || fn.Recv == nil {
			continue
		}
		if id, ok := fn.Recv.List[0].Type.(*ast.Ident); ok {
			names = append(names, "kernel."+id.Name)
		}
	}
	if len(names) == 0 {
		t.Fatal("msg.go declares no msgType methods")
	}
	return names
}
