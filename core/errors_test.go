package core

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestApplicationErrorIs(t *testing.T) {
	err := &ApplicationError{URI: URINoSuchProcedure, Args: []any{"no callee for com.x"}}
	wrapped := fmt.Errorf("call com.x: %w", err)
	tests := []struct {
		err    error
		target error
		want   bool
	}{
		{err, ErrNoSuchProcedure, true},
		{wrapped, ErrNoSuchProcedure, true},
		{err, ErrTimeout, false},
		{err, &ApplicationError{URI: URINoSuchProcedure, Kwargs: map[string]any{"x": 1}}, true},
		{&ApplicationError{URI: "com.example.oops"}, &ApplicationError{URI: "com.example.oops"}, true},
		{&ApplicationError{URI: "com.example.oops"}, &ApplicationError{URI: "com.example.other"}, false},
		{err, io.EOF, false},
		{(&Error{RequestType: TypeCall, Request: 1, Error: URICanceled}).ApplicationError(), ErrCanceled, true},
		{&ProtocolError{Message: "CALL", Field: "Request", Reason: "bad"}, ErrProtocolViolation, true},
		{fmt.Errorf("x: %w", &ProtocolError{}), ErrProtocolViolation, true},
		{&ProtocolError{}, ErrNoSuchProcedure, false},
		{&URIError{URI: "a..b", Reason: "r"}, ErrInvalidURI, true},
		{&ProtocolError{Message: "CALL", Field: "Procedure", Err: &URIError{URI: "a..b"}}, ErrInvalidURI, true},
		{&TransportLost{Err: io.ErrUnexpectedEOF}, ErrTransportLost, true},
		{&TransportLost{Err: io.ErrUnexpectedEOF}, io.ErrUnexpectedEOF, true},
		{fmt.Errorf("send: %w", &TransportLost{}), ErrTransportLost, true},
		{&SessionNotReady{Op: "call"}, ErrSessionNotReady, true},
		{&SessionNotReady{}, ErrTransportLost, false},
		{&SerializationError{Serializer: "json", Op: "unserialize", Err: io.ErrUnexpectedEOF}, io.ErrUnexpectedEOF, true},
	}
	for i, tt := range tests {
		if got := errors.Is(tt.err, tt.target); got != tt.want {
			t.Errorf("%d: errors.Is(%v, %v) = %v, want %v", i, tt.err, tt.target, got, tt.want)
		}
	}
	// The standard URIs and their sentinels agree.
	for uri, sentinel := range map[string]*ApplicationError{
		"wamp.error.invalid_uri": ErrInvalidURI, "wamp.error.no_such_procedure": ErrNoSuchProcedure,
		"wamp.error.procedure_already_exists": ErrProcedureAlreadyExists, "wamp.error.no_such_registration": ErrNoSuchRegistration,
		"wamp.error.no_such_subscription": ErrNoSuchSubscription, "wamp.error.invalid_argument": ErrInvalidArgument,
		"wamp.error.not_authorized": ErrNotAuthorized, "wamp.error.authorization_failed": ErrAuthorizationFailed,
		"wamp.error.no_such_realm": ErrNoSuchRealm, "wamp.error.no_such_role": ErrNoSuchRole,
		"wamp.error.canceled": ErrCanceled, "wamp.error.timeout": ErrTimeout,
		"wamp.error.option_not_allowed": ErrOptionNotAllowed, "wamp.error.no_eligible_callee": ErrNoEligibleCallee,
		"wamp.error.option_disallowed.disclose_me": ErrOptionDisallowedDiscloseMe, "wamp.error.network_failure": ErrNetworkFailure,
		"wamp.error.protocol_violation": ErrProtocolViolation, "wamp.error.authentication_failed": ErrAuthenticationFailed,
		"wamp.error.no_auth_method": ErrNoAuthMethod, "wamp.error.cannot_authenticate": ErrCannotAuthenticate,
		"wamp.error.encryption.trusted_uri_mismatch": ErrTrustedURIMismatch, "wamp.error.encryption.decrypt_error": ErrDecryptError,
	} {
		if sentinel.URI != uri || !errors.Is(&ApplicationError{URI: uri}, sentinel) {
			t.Errorf("sentinel for %s has URI %s", uri, sentinel.URI)
		}
	}
}

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&ApplicationError{URI: URINoSuchProcedure}, "wamp.error.no_such_procedure"},
		{NewApplicationError(URINoSuchProcedure, "no callee for com.x"), "wamp.error.no_such_procedure: no callee for com.x"},
		{&ApplicationError{URI: "com.x.err", Args: []any{"msg", int64(1), true}, Kwargs: map[string]any{"k": "v"}}, "com.x.err: msg [1 true] map[k:v]"},
		{&ApplicationError{URI: "com.x.err", Args: []any{int64(1)}}, "com.x.err [1]"},
		{&ProtocolError{Message: "CALL", Field: "Options.timeout", Reason: "must be a non-negative integer, got float64"}, "CALL.Options.timeout: must be a non-negative integer, got float64"},
		{&ProtocolError{Message: "HELLO", Reason: "must have 3 elements, got 2"}, "HELLO: must have 3 elements, got 2"},
		{&ProtocolError{Reason: "must be a non-empty list, got dict"}, "WAMP message: must be a non-empty list, got dict"},
		{&ProtocolError{Message: "CALL", Field: "Procedure", Err: &URIError{URI: "a..b", Reason: "component 2 is empty"}}, `CALL.Procedure: invalid URI "a..b": component 2 is empty`},
		{&TransportLost{}, "transport lost"},
		{&TransportLost{Err: io.ErrUnexpectedEOF}, "transport lost: unexpected EOF"},
		{&SessionNotReady{Op: "call com.x"}, "call com.x: session not ready"},
		{&SerializationError{Serializer: "cbor", Op: "unserialize", Err: io.ErrUnexpectedEOF}, "cbor unserialize: unexpected EOF"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
