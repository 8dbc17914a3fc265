package core

// ObjectSerializer encodes and decodes single values in the representation
// documented in the package comment. It is what a new wire format implements;
// [NewSerializer] turns it into a message [Serializer], plain or batched.
//
// Implementations must be safe for concurrent use.
type ObjectSerializer interface {
	// Name is the serializer's short id, as in the subprotocol wamp.2.<Name>:
	// "json", "msgpack", "cbor", "ubjson".
	Name() string
	// RawSocketID is the serializer id of the RawSocket handshake (1..15).
	RawSocketID() byte
	// Binary reports whether the encoding is binary. Text encodings travel in
	// WebSocket text frames and are batched with a separator byte; binary
	// encodings travel in binary frames and are batched with length prefixes.
	Binary() bool
	// Marshal appends the encoding of v to dst and returns the extended slice.
	// It must neither modify v nor keep a reference to it after returning:
	// message serializers pass pooled lists.
	Marshal(dst []byte, v any) ([]byte, error)
	// Unmarshal decodes exactly one value that fills all of data.
	Unmarshal(data []byte) (any, error)
}

// Serializer converts WAMP messages to and from the bytes of one wire format.
// Implementations must be safe for concurrent use.
type Serializer interface {
	// Name is "json", "json.batched", "msgpack", …
	Name() string
	// Subprotocol is the WebSocket subprotocol, e.g. "wamp.2.json.batched".
	Subprotocol() string
	// RawSocketID is the RawSocket serializer id of the underlying format.
	RawSocketID() byte
	// Binary reports whether the bytes must travel in binary frames.
	Binary() bool
	// Batched reports whether one transport message may carry several WAMP
	// messages.
	Batched() bool
	// Serialize encodes one message. For a batched serializer the result is a
	// batch of one, ready to be sent or concatenated with others.
	Serialize(msg Message) ([]byte, error)
	// Unserialize decodes the messages of one transport message: exactly one
	// for a plain serializer, one or more for a batched one.
	Unserialize(data []byte) ([]Message, error)
}
