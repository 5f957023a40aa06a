package transport

import (
	"encoding/binary"
	"fmt"
)

// The parts of ZMTP 3.0 (rfc.zeromq.org/spec/23) tcpg has to understand.
const (
	greetingLen = 64

	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
	flagsKnown  = flagMore | flagLong | flagCommand

	// maxHandshake caps the first command (READY for NULL), which tcpg
	// buffers whole before zmq4 reads it; libzmq's READY is under 300 bytes.
	maxHandshake = 16 << 10

	readBufSize = 32 << 10

	// holdOver: message frames larger than this are read in full before
	// zmq4 sees their header (see conn.hold).
	holdOver = 64 << 10
	// maxHoldChunk is the largest piece a held frame is read in.
	maxHoldChunk = 4 << 20

	// maxTopic and maxTopics bound the subscriptions one peer holds on a
	// PUB socket. Jupyter clients subscribe to everything (the empty
	// topic); libzmq puts no limit, but its subscriptions are not kept
	// forever by a reader nobody drains.
	maxTopic  = 1 << 10
	maxTopics = 64
)

// ourGreeting is the greeting tcpg sends on zmq4's behalf: version 3.0, the
// NULL mechanism, as-server 0 — byte for byte what zmq4 itself writes for a
// NULL-security socket.
var ourGreeting = func() [greetingLen]byte {
	var g [greetingLen]byte
	g[0], g[9] = 0xFF, 0x7F
	g[10], g[11] = 3, 0
	copy(g[12:32], "NULL")
	return g
}()

// checkGreeting accepts a ZMTP 3.x greeting for the NULL mechanism. zmq4
// would refuse other versions and mechanisms a step later; refusing them
// here keeps the mechanism's own handshake (which tcpg cannot bound) out
// of zmq4's accept loop.
func checkGreeting(g []byte) error {
	if g[0] != 0xFF || g[9] != 0x7F {
		return fmt.Errorf("%w: not a ZMTP 3 signature (% x)", ErrProtocol, g[:10])
	}
	if g[10] < 3 {
		return fmt.Errorf("%w: ZMTP version %d.%d, want 3.x", ErrProtocol, g[10], g[11])
	}
	mech := g[12:32]
	if string(mech[:4]) != "NULL" || !allZero(mech[4:]) {
		return fmt.Errorf("%w: security mechanism %q, only NULL is supported", ErrProtocol, trimZero(mech))
	}
	return nil
}

// frameHeader decodes a frame header at the start of b: its flags, its
// body size and the header's own length. need > 0 means b is too short and
// need bytes are required.
func frameHeader(b []byte) (flags byte, size uint64, hlen, need int) {
	if len(b) < 2 {
		return 0, 0, 0, 2
	}
	flags = b[0]
	if flags&flagLong == 0 {
		return flags, uint64(b[1]), 2, 0
	}
	if len(b) < 9 {
		return 0, 0, 0, 9
	}
	return flags, binary.BigEndian.Uint64(b[1:9]), 9, 0
}

// checkCommand validates a command frame body: a name length and the
// name, and for READY a well-formed property list whose Socket-Type zmq4
// knows. zmq4 would panic on either fault: it indexes into properties
// without bounds checks, and its compatibility check panics on an unknown
// socket type. It returns the Socket-Type of a READY command.
func checkCommand(body []byte) (sockType string, err error) {
	if len(body) == 0 || int(body[0]) > len(body)-1 {
		return "", fmt.Errorf("%w: malformed command", ErrProtocol)
	}
	name := string(body[1 : 1+int(body[0])])
	if name != "READY" {
		return "", nil
	}
	props := body[1+len(name):]
	for len(props) > 0 {
		klen := int(props[0])
		if len(props) < 1+klen+4 {
			return "", fmt.Errorf("%w: READY property truncated", ErrProtocol)
		}
		key := props[1 : 1+klen]
		vlen := binary.BigEndian.Uint32(props[1+klen:])
		props = props[1+klen+4:]
		if uint64(vlen) > uint64(len(props)) {
			return "", fmt.Errorf("%w: READY property value truncated", ErrProtocol)
		}
		if !validName(key) {
			return "", fmt.Errorf("%w: READY property name %q", ErrProtocol, key)
		}
		// zmq4 title-cases names and keeps the last value of each.
		if isSocketTypeKey(key) {
			sockType = string(props[:vlen])
		}
		props = props[vlen:]
	}
	if !knownSocketTypes[sockType] {
		return "", fmt.Errorf("%w: READY with socket type %q", ErrProtocol, sockType)
	}
	return sockType, nil
}

// readyProperty returns the value of the last property of a READY command
// body whose name matches key ("" for another command or a malformed one).
func readyProperty(body []byte, key func([]byte) bool) string {
	if len(body) < 6 || string(body[:6]) != "\x05READY" {
		return ""
	}
	props := body[6:]
	var v string
	for len(props) > 0 {
		klen := int(props[0])
		if len(props) < 1+klen+4 {
			return ""
		}
		k := props[1 : 1+klen]
		vlen := uint64(binary.BigEndian.Uint32(props[1+klen:]))
		props = props[1+klen+4:]
		if vlen > uint64(len(props)) {
			return ""
		}
		if key(k) {
			v = string(props[:vlen])
		}
		props = props[vlen:]
	}
	return v
}

// withProperty returns a READY body (checked by checkCommand) with every
// property matching key removed and name = value added.
func withProperty(body []byte, key func([]byte) bool, name, value string) []byte {
	out := append([]byte(nil), body[:6]...)
	props := body[6:]
	for len(props) > 0 {
		klen := int(props[0])
		vlen := int(binary.BigEndian.Uint32(props[1+klen:]))
		n := 1 + klen + 4 + vlen
		if !key(props[1 : 1+klen]) {
			out = append(out, props[:n]...)
		}
		props = props[n:]
	}
	out = append(out, byte(len(name)))
	out = append(out, name...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(value)))
	return append(out, value...)
}

// commandFrame encodes body as one command frame.
func commandFrame(body []byte) []byte {
	if len(body) <= 255 {
		return append([]byte{flagCommand, byte(len(body))}, body...)
	}
	return append(binary.BigEndian.AppendUint64([]byte{flagCommand | flagLong}, uint64(len(body))), body...)
}

// isIdentityKey reports whether zmq4 files the property name k under
// Identity (see isSocketTypeKey).
func isIdentityKey(k []byte) bool {
	return len(k) == 8 && (k[0] == 'i' || k[0] == 'I') && string(k[1:]) == "dentity"
}

// isSocketTypeKey reports whether zmq4 files the ASCII property name k
// under Socket-Type: its title-casing upper-cases the first letter of each
// word (words split at "-") and leaves the other letters alone.
func isSocketTypeKey(k []byte) bool {
	return len(k) == 11 && (k[0] == 's' || k[0] == 'S') && string(k[1:7]) == "ocket-" &&
		(k[7] == 't' || k[7] == 'T') && string(k[8:]) == "ype"
}

// knownSocketTypes are the types zmq4.SocketType.IsCompatible accepts
// without panicking.
var knownSocketTypes = map[string]bool{
	"PAIR": true, "PUB": true, "SUB": true, "REQ": true, "REP": true, "DEALER": true,
	"ROUTER": true, "PULL": true, "PUSH": true, "XPUB": true, "XSUB": true,
}

// validName reports whether b is a ZMTP property name: 1 to 255 of
// ALPHA, DIGIT, "-", "_", ".", "+". Keeping names ASCII keeps zmq4's
// Unicode title-casing from turning some other name into Socket-Type.
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '+':
		default:
			return false
		}
	}
	return true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func trimZero(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}
