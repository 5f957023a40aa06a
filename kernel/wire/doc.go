// Package wire converts between the multipart frames a Jupyter socket
// carries and Message values, signing and verifying them on the way
// (Jupyter messaging protocol 5.3).
//
// A kernel decodes each request with Decode (or a Decoder with its own size
// limit), builds answers with NewMessage, Reply or a Session, and sends
// msg.Encode(signer). A frame list on the wire reads
//
//	identities... "<IDS|MSG>" signature header parent_header metadata content buffers...
//
// where the signature is the hex HMAC of the four JSON frames after it.
package wire
