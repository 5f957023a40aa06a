package kernel

// SpecIOPub and SpecReplies give the external tests the protocol's names.
var (
	SpecIOPub   = specIOPub
	SpecReplies = specReplies
)
