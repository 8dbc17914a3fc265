package rawsocket

import (
	"errors"
	"fmt"
)

// magic is the first byte of every handshake message; no HTTP request can
// start with it, so RawSocket can share a port with WebSocket.
const magic = 0x7F

// ErrorCode is the error a server answers a handshake with (the high 4 bits
// of the second byte of an error reply).
type ErrorCode byte

// The handshake error codes of the WAMP specification.
const (
	CodeSerializerUnsupported ErrorCode = 1 // serializer unsupported
	CodeMaxLengthUnacceptable ErrorCode = 2 // maximum message length unacceptable
	CodeReservedBitsUsed      ErrorCode = 3 // use of reserved bits (unsupported feature)
	CodeMaxConnectionsReached ErrorCode = 4 // maximum connection count reached
)

// String returns the specification's description of the code.
func (c ErrorCode) String() string {
	switch c {
	case CodeSerializerUnsupported:
		return "serializer unsupported"
	case CodeMaxLengthUnacceptable:
		return "maximum message length unacceptable"
	case CodeReservedBitsUsed:
		return "use of reserved bits (unsupported feature)"
	case CodeMaxConnectionsReached:
		return "maximum connection count reached"
	case 0:
		return "illegal error code 0"
	}
	return fmt.Sprintf("unknown error %d", byte(c))
}

// HandshakeError is a refused RawSocket opening handshake: on a client, the
// server's error reply; on a server, the reason a client was refused.
type HandshakeError struct {
	// Code is the error code sent in the reply.
	Code ErrorCode
	// Reason adds detail for logs (not sent on the wire).
	Reason string
}

func (e *HandshakeError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("handshake refused: %v (error %d): %s", e.Code, byte(e.Code), e.Reason)
	}
	return fmt.Sprintf("handshake refused: %v (error %d)", e.Code, byte(e.Code))
}

// ErrBadMagic reports a handshake that does not start with 0x7F: the peer
// does not speak RawSocket. The connection is failed without a reply.
var ErrBadMagic = errors.New("not a RawSocket peer: the handshake does not start with the magic byte 0x7F")

// handshake returns the 4 bytes of a handshake request or success reply.
func handshake(maxSize int, serializerID byte) [4]byte {
	return [4]byte{magic, lengthExp(maxSize)<<4 | serializerID&0x0F, 0, 0}
}

// errorReply returns the 4 bytes of an error reply.
func errorReply(code ErrorCode) [4]byte {
	return [4]byte{magic, byte(code) << 4, 0, 0}
}

// request is a parsed client handshake.
type request struct {
	serializerID byte
	maxSize      int // the client's receive limit
}

// parseRequest checks a client handshake. It returns ErrBadMagic, or a
// *HandshakeError carrying the code to reply with, when the request is
// unacceptable; accept reports whether a serializer id is supported and
// minPeer is the smallest limit the client may announce.
func parseRequest(b [4]byte, accept func(id byte) bool, minPeer int) (request, error) {
	if b[0] != magic {
		return request{}, fmt.Errorf("%w (got 0x%02X)", ErrBadMagic, b[0])
	}
	if b[2] != 0 || b[3] != 0 {
		return request{}, &HandshakeError{Code: CodeReservedBitsUsed, Reason: fmt.Sprintf("reserved bytes are 0x%02X%02X", b[2], b[3])}
	}
	req := request{serializerID: b[1] & 0x0F, maxSize: 1 << (9 + b[1]>>4)}
	if req.serializerID == 0 || !accept(req.serializerID) {
		return request{}, &HandshakeError{Code: CodeSerializerUnsupported, Reason: fmt.Sprintf("client asked for serializer id %d", req.serializerID)}
	}
	if req.maxSize < minPeer {
		return request{}, &HandshakeError{Code: CodeMaxLengthUnacceptable, Reason: fmt.Sprintf("client accepts messages up to %d bytes, at least %d required", req.maxSize, minPeer)}
	}
	return req, nil
}

// parseReply checks a server's reply to a client that asked for serializer
// id; it returns the server's receive limit.
func parseReply(b [4]byte, id byte, minPeer int) (int, error) {
	if b[0] != magic {
		return 0, fmt.Errorf("%w (server replied 0x%02X)", ErrBadMagic, b[0])
	}
	if b[1]&0x0F == 0 {
		return 0, &HandshakeError{Code: ErrorCode(b[1] >> 4)}
	}
	if b[2] != 0 || b[3] != 0 {
		return 0, fmt.Errorf("server handshake reply uses the reserved bytes (0x%02X%02X)", b[2], b[3])
	}
	if got := b[1] & 0x0F; got != id {
		return 0, fmt.Errorf("server replied with serializer id %d, but %d was requested", got, id)
	}
	size := 1 << (9 + b[1]>>4)
	if size < minPeer {
		return 0, fmt.Errorf("server accepts messages up to %d bytes, at least %d required", size, minPeer)
	}
	return size, nil
}
