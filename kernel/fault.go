package kernel

// testFault, when set (only in a build with the corelab_fault tag), runs
// before every handler with the request's msg_type: it lets a test make a
// handler panic, which no well-formed message does.
var testFault func(msgType string)
