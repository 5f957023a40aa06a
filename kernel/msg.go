package kernel

import "strings"

// The contents of the messages the kernel sends, one type per message (or
// per shape of one, where a reply's fields depend on its status), so that
// the compiler checks what goes on the wire. Field names and JSON tags are
// those of the Jupyter messaging protocol 5.3
// (https://jupyter-client.readthedocs.io/en/latest/messaging.html). Empty
// maps and lists are sent as {} and [], never null: clients index into them.

// content is the content of a message the kernel sends. Each type names
// its own msg_type, and publish and reply take nothing else, so a content
// cannot go out under another message's name.
type content interface {
	// msgType is the msg_type of the message that carries the content.
	msgType() string
}

// statusMsg is the content of an iopub status message.
type statusMsg struct {
	ExecutionState string `json:"execution_state"` // "starting", "busy" or "idle"
}

func (statusMsg) msgType() string { return "status" }

// streamMsg is the content of an iopub stream message.
type streamMsg struct {
	Name string `json:"name"` // "stdout" or "stderr"
	Text string `json:"text"`
}

func (streamMsg) msgType() string { return "stream" }

// executeInput is the content of an iopub execute_input message.
type executeInput struct {
	Code           string `json:"code"`
	ExecutionCount int    `json:"execution_count"`
}

func (executeInput) msgType() string { return "execute_input" }

// executeResult is the content of an iopub execute_result message.
type executeResult struct {
	ExecutionCount int            `json:"execution_count"`
	Data           map[string]any `json:"data"`
	Metadata       map[string]any `json:"metadata"`
}

func (executeResult) msgType() string { return "execute_result" }

// displayData is the content of an iopub display_data message.
type displayData struct {
	Data      map[string]any `json:"data"`
	Metadata  map[string]any `json:"metadata"`
	Transient transient      `json:"transient"`
}

func (displayData) msgType() string { return "display_data" }

// updateDisplayData is the content of an iopub update_display_data
// message: a display_data that replaces the one with its display id.
type updateDisplayData displayData

func (updateDisplayData) msgType() string { return "update_display_data" }

// transient holds what a display carries but a notebook does not keep.
type transient struct {
	DisplayID string `json:"display_id,omitempty"`
}

// errorContent holds the fields of an error: the content of an iopub
// error message (errorMsg) and part of every reply whose status is
// "error".
type errorContent struct {
	Ename     string   `json:"ename"`
	Evalue    string   `json:"evalue"`
	Traceback []string `json:"traceback"`
}

// errorMsg is the content of an iopub error message.
type errorMsg struct {
	errorContent
}

func (errorMsg) msgType() string { return "error" }

// errorReply is a reply with status "error" to a request of any type,
// also one the kernel does not know: its msg_type is the request's, with
// _reply for _request.
type errorReply struct {
	request string // the request's msg_type, "X_request"
	Status  string `json:"status"` // "error"
	errorContent
}

func (r errorReply) msgType() string { return strings.TrimSuffix(r.request, "_request") + "_reply" }

// executeOK is an execute_reply with status "ok".
type executeOK struct {
	Status          string         `json:"status"` // "ok"
	ExecutionCount  int            `json:"execution_count"`
	UserExpressions map[string]any `json:"user_expressions"`
	Payload         []any          `json:"payload"`
}

func (executeOK) msgType() string { return "execute_reply" }

// executeError is an execute_reply with status "error".
type executeError struct {
	Status         string `json:"status"` // "error"
	ExecutionCount int    `json:"execution_count"`
	errorContent
}

func (executeError) msgType() string { return "execute_reply" }

// executeAborted is an execute_reply with status "aborted": the request
// was queued behind a cell that failed.
type executeAborted struct {
	Status         string `json:"status"` // "aborted"
	ExecutionCount int    `json:"execution_count"`
}

func (executeAborted) msgType() string { return "execute_reply" }

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

func (kernelInfoReply) msgType() string { return "kernel_info_reply" }

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

func (completeReply) msgType() string { return "complete_reply" }

// inspectReply is the content of an inspect_reply.
type inspectReply struct {
	Status   string         `json:"status"`
	Found    bool           `json:"found"`
	Data     map[string]any `json:"data"`
	Metadata map[string]any `json:"metadata"`
}

func (inspectReply) msgType() string { return "inspect_reply" }

// isCompleteReply is the content of an is_complete_reply. Indent is sent
// only with status "incomplete" (and then even when empty).
type isCompleteReply struct {
	Status string  `json:"status"`
	Indent *string `json:"indent,omitempty"`
}

func (isCompleteReply) msgType() string { return "is_complete_reply" }

// historyReply is the content of a history_reply: each entry is
// [session, line, input].
type historyReply struct {
	Status  string  `json:"status"`
	History [][]any `json:"history"`
}

func (historyReply) msgType() string { return "history_reply" }

// commInfoReply is the content of a comm_info_reply.
type commInfoReply struct {
	Status string         `json:"status"`
	Comms  map[string]any `json:"comms"`
}

func (commInfoReply) msgType() string { return "comm_info_reply" }

// shutdownReply is the content of a shutdown_reply (also published on
// iopub, so every client learns of the shutdown).
type shutdownReply struct {
	Status  string `json:"status"`
	Restart bool   `json:"restart"`
}

func (shutdownReply) msgType() string { return "shutdown_reply" }

// interruptReply is the content of an interrupt_reply.
type interruptReply struct {
	Status string `json:"status"`
}

func (interruptReply) msgType() string { return "interrupt_reply" }

// inputRequest is the content of a stdin input_request.
type inputRequest struct {
	Prompt   string `json:"prompt"`
	Password bool   `json:"password"`
}

func (inputRequest) msgType() string { return "input_request" }

// orEmpty returns m, or an empty map for nil, so that it is sent as {}.
func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
