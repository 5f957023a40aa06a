package kernel

// The contents of the messages the kernel sends, one type per message (or
// per shape of one, where a reply's fields depend on its status), so that
// the compiler checks what goes on the wire. Field names and JSON tags are
// those of the Jupyter messaging protocol 5.3
// (https://jupyter-client.readthedocs.io/en/latest/messaging.html). Empty
// maps and lists are sent as {} and [], never null: clients index into them.

// statusMsg is the content of an iopub status message.
type statusMsg struct {
	ExecutionState string `json:"execution_state"` // "starting", "busy" or "idle"
}

// streamMsg is the content of an iopub stream message.
type streamMsg struct {
	Name string `json:"name"` // "stdout" or "stderr"
	Text string `json:"text"`
}

// executeInput is the content of an iopub execute_input message.
type executeInput struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

// executeResult is the content of an iopub execute_result message.
type executeResult struct {
	ExecutionCount int            `json:"execution_count"`
	Data           map[string]any `json:"data"`
	Metadata       map[string]any `json:"metadata"`
}

// displayData is the content of an iopub display_data or
// update_display_data message.
type displayData struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient transient      `json:"transient"`
}

// transient holds what a display carries but a notebook does not keep.
type transient struct {
	DisplayID string `json:"display_id,omitempty"`
}

// errorContent is the content of an iopub error message, and the error
// fields of a reply whose status is "error".
type errorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// errorReply is any reply with status "error".
type errorReply struct {
	Status string `json:"status"` // "error"
	errorContent
}

// executeOK is an execute_reply with status "ok".
type executeOK struct {
	Status          string         `json:"status"` // "ok"
	ExecutionCount  int            `json:"execution_count"`
	UserExpressions map[string]any `json:"user_expressions"`
	Payload         []any          `json:"payload"`
}

// executeError is an execute_reply with status "error".
type executeError struct {
	Status         string `json:"status"` // "error"
	ExecutionCount int    `json:"execution_count"`
	errorContent
}

// executeAborted is an execute_reply with status "aborted": the request
// was queued behind a cell that failed.
type executeAborted struct {
	Status         string `json:"status"` // "aborted"
	ExecutionCount int    `json:"execution_count"`
}

// kernelInfoReply is the content of a kernel_info_reply.
type kernelInfoReply struct {
	Status                string       `json:"status"`
	ProtocolVersion       string       `json:"protocol_version"`
	Implementation        string       `json:"implementation"`
	ImplementationVersion string       `json:"implementation_version"`
	LanguageInfo          languageInfo `json:"language_info"`
	Banner                string       `json:"banner"`
	HelpLinks             []helpLink   `json:"help_links"`
	Debugger              bool         `json:"debugger"`
}

// languageInfo describes the kernel's language to frontends.
type languageInfo struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	Mimetype       string `json:"mimetype"`
	FileExtension  string `json:"file_extension"`
	PygmentsLexer  string `json:"pygments_lexer"`
	CodemirrorMode string `json:"codemirror_mode"`
}

// helpLink is one entry of a frontend's help menu.
type helpLink struct {
	Text string `json:"text"`
	URL  string `json:"url"`
}

// completeReply is the content of a complete_reply.
type completeReply struct {
	Status      string         `json:"status"`
	Matches     []string       `json:"matches"`
	CursorStart int            `json:"cursor_start"`
	CursorEnd   int            `json:"cursor_end"`
	Metadata    map[string]any `json:"metadata"`
}

// inspectReply is the content of an inspect_reply.
type inspectReply struct {
	Status   string         `json:"status"`
	Found    bool           `json:"found"`
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

// isCompleteReply is the content of an is_complete_reply. Indent is sent
// only with status "incomplete" (and then even when empty).
type isCompleteReply struct {
	Status string  `json:"status"`
	Indent *string `json:"indent,omitempty"`
}

// historyReply is the content of a history_reply: each entry is
// [session, line, input].
type historyReply struct {
	Status  string  `json:"status"`
	History [][]any `json:"history"`
}

// commInfoReply is the content of a comm_info_reply.
type commInfoReply struct {
	Status string         `json:"status"`
	Comms  map[string]any `json:"comms"`
}

// shutdownReply is the content of a shutdown_reply (also published on
// iopub, so every client learns of the shutdown).
type shutdownReply struct {
	Status  string `json:"status"`
	Restart bool   `json:"restart"`
}

// interruptReply is the content of an interrupt_reply.
type interruptReply struct {
	Status string `json:"status"`
}

// inputRequest is the content of a stdin input_request.
type inputRequest struct {
	Prompt   string `json:"prompt"`
	Password bool   `json:"password"`
}

// orEmpty returns m, or an empty map for nil, so that it is sent as {}.
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
