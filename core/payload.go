package core

import "context"

// EncodedPayload is an application payload transformed by a [PayloadCodec]
// (end-to-end encryption, or payload passthru mode): opaque bytes that travel
// alone in the Args position of a message, plus the fields that say how to
// decode them.
type EncodedPayload struct {
	// Payload is the opaque encoded payload.
	Payload []byte
	// Algo is the codec's algorithm, e.g. "cryptobox" (enc_algo / ppt_scheme).
	Algo string
	// Serializer is the serializer used inside the payload, e.g. "json"
	// (enc_serializer / ppt_serializer).
	Serializer string
	// Cipher is the cipher, where the scheme names one (ppt_cipher).
	Cipher string
	// Key identifies the key used (enc_key / ppt_keyid).
	Key string
}

// PayloadCodec transforms application payloads on the way out and back
// (Autobahn's IPayloadCodec). originating is true on the side that starts the
// exchange (CALL, PUBLISH) and false on the responding side (YIELD, ERROR from
// a callee); it selects the key pair to use.
//
// ctx bounds the work: a codec in another process (package
// payloadcodec/plugin) honours its deadline and cancellation, an in-process
// one may ignore it. ctx may have no deadline (a session decodes an event
// within the session's life): a codec that can hang bounds its own wait, as
// the plugin host does with its CallTimeout. A codec's errors should say which codec failed; the
// session turns a Decode error into wamp.error.encryption.decrypt_error.
// Sessions call a codec from several goroutines at once.
type PayloadCodec interface {
	// Encode returns the encoded payload for uri, args and kwargs, or nil
	// (and no error) when the payload is to be sent in the clear.
	Encode(ctx context.Context, originating bool, uri string, args []any, kwargs map[string]any) (*EncodedPayload, error)
	// Decode returns the plain uri, args and kwargs of an encoded payload.
	Decode(ctx context.Context, originating bool, uri string, p *EncodedPayload) (string, []any, map[string]any, error)
}
