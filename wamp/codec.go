package wamp

import (
	"context"
	"fmt"

	"github.com/autobahn-go/autobahn/core"
)

// URINoPayloadCodec is the error of a message with an encoded payload
// received by a session that has no payload codec (Autobahn's).
const URINoPayloadCodec = "wamp.error.encryption.no_payload_codec"

// payload is the application payload of one message, plain or encoded.
type payload struct {
	args     []any
	kwargs   map[string]any
	opaque   []byte        // the encoded payload, when encoded
	passthru core.Passthru // how it is encoded
}

// encode applies Config.PayloadCodec to an outgoing payload (CALL, PUBLISH
// originate; YIELD and a callee's ERROR respond) for uri: the procedure,
// topic or error URI that the receiver checks the payload against.
func (s *Session) encode(ctx context.Context, originating bool, uri string, args []any, kwargs map[string]any) (payload, error) {
	p := payload{args: args, kwargs: kwargs}
	codec := s.cfg.PayloadCodec
	if codec == nil {
		return p, nil
	}
	enc, err := codec.Encode(ctx, originating, uri, args, kwargs)
	if err != nil {
		return p, fmt.Errorf("wamp: encoding the payload for %s: %w", uri, err)
	}
	if enc != nil {
		p = payload{opaque: enc.Payload}
		p.passthru.SetEncoded(enc, s.cfg.PayloadSpelling)
	}
	return p, nil
}

// decode returns the plain payload of an incoming RESULT, ERROR,
// INVOCATION or EVENT for uri, checking that the encoded payload names the
// same URI (a payload moved to another URI is refused).
func (s *Session) decode(ctx context.Context, originating bool, uri string, pt *core.Passthru, opaque []byte, args []any, kwargs map[string]any) ([]any, map[string]any, error) {
	enc := pt.Encoded(opaque)
	if enc == nil {
		return args, kwargs, nil
	}
	codec := s.cfg.PayloadCodec
	if codec == nil {
		return nil, nil, &core.ApplicationError{URI: URINoPayloadCodec, Args: []any{
			fmt.Sprintf("received a payload encoded with %s for %s, and the session has no payload codec", enc.Algo, uri)}}
	}
	inner, args, kwargs, err := codec.Decode(ctx, originating, uri, enc)
	if err != nil {
		return nil, nil, &core.ApplicationError{URI: core.URIDecryptError, Args: []any{fmt.Sprintf("decoding the payload for %s: %v", uri, err)}}
	}
	if inner != uri {
		return nil, nil, &core.ApplicationError{URI: core.URITrustedURIMismatch, Args: []any{
			fmt.Sprintf("URI within the encoded payload (%q) does not match the envelope (%q)", inner, uri)}}
	}
	return args, kwargs, nil
}
