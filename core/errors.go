package core

import (
	"errors"
	"fmt"
	"strings"
)

// Standard WAMP error URIs (basic and advanced profile), plus the ones
// Crossbar.io and Autobahn use for authentication and end-to-end encryption.
const (
	URIInvalidURI                 = "wamp.error.invalid_uri"
	URINoSuchProcedure            = "wamp.error.no_such_procedure"
	URIProcedureAlreadyExists     = "wamp.error.procedure_already_exists"
	URINoSuchRegistration         = "wamp.error.no_such_registration"
	URINoSuchSubscription         = "wamp.error.no_such_subscription"
	URIInvalidArgument            = "wamp.error.invalid_argument"
	URINotAuthorized              = "wamp.error.not_authorized"
	URIAuthorizationFailed        = "wamp.error.authorization_failed"
	URINoSuchRealm                = "wamp.error.no_such_realm"
	URINoSuchRole                 = "wamp.error.no_such_role"
	URICanceled                   = "wamp.error.canceled"
	URITimeout                    = "wamp.error.timeout"
	URIOptionNotAllowed           = "wamp.error.option_not_allowed"
	URINoEligibleCallee           = "wamp.error.no_eligible_callee"
	URIFeatureNotSupported        = "wamp.error.feature_not_supported"
	URIOptionDisallowedDiscloseMe = "wamp.error.option_disallowed.disclose_me"
	URINetworkFailure             = "wamp.error.network_failure"
	URIProtocolViolation          = "wamp.error.protocol_violation"
	URIAuthenticationFailed       = "wamp.error.authentication_failed"
	URINoAuthMethod               = "wamp.error.no_auth_method"
	URICannotAuthenticate         = "wamp.error.cannot_authenticate"
	URITrustedURIMismatch         = "wamp.error.encryption.trusted_uri_mismatch"
	URIDecryptError               = "wamp.error.encryption.decrypt_error"
)

// Standard WAMP close reasons (ABORT and GOODBYE).
const (
	URICloseSystemShutdown = "wamp.close.system_shutdown"
	URICloseRealm          = "wamp.close.close_realm"
	URICloseGoodbyeAndOut  = "wamp.close.goodbye_and_out"
	URICloseNormal         = "wamp.close.normal"
	URICloseKilled         = "wamp.close.killed"
)

// Sentinel application errors for the standard error URIs. An
// [*ApplicationError] matches one of them with [errors.Is] when the URIs are
// equal, whatever its Args and Kwargs:
//
//	errors.Is(&ApplicationError{URI: URINoSuchProcedure, Args: []any{"no callee"}}, ErrNoSuchProcedure) // true
var (
	ErrInvalidURI                 = &ApplicationError{URI: URIInvalidURI}
	ErrNoSuchProcedure            = &ApplicationError{URI: URINoSuchProcedure}
	ErrProcedureAlreadyExists     = &ApplicationError{URI: URIProcedureAlreadyExists}
	ErrNoSuchRegistration         = &ApplicationError{URI: URINoSuchRegistration}
	ErrNoSuchSubscription         = &ApplicationError{URI: URINoSuchSubscription}
	ErrInvalidArgument            = &ApplicationError{URI: URIInvalidArgument}
	ErrNotAuthorized              = &ApplicationError{URI: URINotAuthorized}
	ErrAuthorizationFailed        = &ApplicationError{URI: URIAuthorizationFailed}
	ErrNoSuchRealm                = &ApplicationError{URI: URINoSuchRealm}
	ErrNoSuchRole                 = &ApplicationError{URI: URINoSuchRole}
	ErrCanceled                   = &ApplicationError{URI: URICanceled}
	ErrTimeout                    = &ApplicationError{URI: URITimeout}
	ErrOptionNotAllowed           = &ApplicationError{URI: URIOptionNotAllowed}
	ErrNoEligibleCallee           = &ApplicationError{URI: URINoEligibleCallee}
	ErrOptionDisallowedDiscloseMe = &ApplicationError{URI: URIOptionDisallowedDiscloseMe}
	ErrNetworkFailure             = &ApplicationError{URI: URINetworkFailure}
	// Every [*ProtocolError] matches ErrProtocolViolation too.
	ErrProtocolViolation    = &ApplicationError{URI: URIProtocolViolation}
	ErrAuthenticationFailed = &ApplicationError{URI: URIAuthenticationFailed}
	ErrNoAuthMethod         = &ApplicationError{URI: URINoAuthMethod}
	ErrCannotAuthenticate   = &ApplicationError{URI: URICannotAuthenticate}
	ErrTrustedURIMismatch   = &ApplicationError{URI: URITrustedURIMismatch}
	ErrDecryptError         = &ApplicationError{URI: URIDecryptError}
)

// ApplicationError is a WAMP error with an error URI and an optional
// payload: what an ERROR message carries, what a callee returns to make the
// caller receive an ERROR, and what a failed call returns to the caller
// (Autobahn's ApplicationError).
type ApplicationError struct {
	// URI is the error URI, e.g. "wamp.error.no_such_procedure" or an
	// application's "com.example.error.overdrawn".
	URI string
	// Args and Kwargs are the error's positional and keyword payload.
	Args   []any
	Kwargs map[string]any
}

// NewApplicationError returns an application error with the given URI and
// positional arguments. By convention the first argument is a human-readable
// message.
func NewApplicationError(uri string, args ...any) *ApplicationError {
	if len(args) == 0 {
		args = nil
	}
	return &ApplicationError{URI: uri, Args: args}
}

// Error returns the URI followed by the message (the first argument when it
// is a string) and any further payload, e.g.
// "wamp.error.no_such_procedure: no callee registered for procedure 'com.x'".
func (e *ApplicationError) Error() string {
	var b strings.Builder
	b.WriteString(e.URI)
	args := e.Args
	if len(args) > 0 {
		if s, ok := args[0].(string); ok {
			b.WriteString(": ")
			b.WriteString(s)
			args = args[1:]
		}
	}
	if len(args) > 0 {
		fmt.Fprintf(&b, " %v", args)
	}
	if len(e.Kwargs) > 0 {
		fmt.Fprintf(&b, " %v", e.Kwargs)
	}
	return b.String()
}

// Is reports whether target is an *ApplicationError with the same URI, so
// that errors.Is(err, ErrNoSuchProcedure) tests the error URI.
func (e *ApplicationError) Is(target error) bool {
	t, ok := target.(*ApplicationError)
	return ok && e != nil && t != nil && t.URI == e.URI
}

// ProtocolError reports a violation of the WAMP protocol: a message that does
// not parse or validate, or a message that is not allowed in the session's
// state. A peer answers it by aborting the session with
// wamp.error.protocol_violation. It matches [ErrProtocolViolation] with
// errors.Is.
type ProtocolError struct {
	// Message is the name of the WAMP message at fault, e.g. "CALL"; empty
	// when the message could not be identified.
	Message string
	// Field names the offending part of the message, e.g. "Options.timeout"
	// or "Request"; empty when the message as a whole is at fault.
	Field string
	// Reason says what is wrong, e.g. "must be a non-negative integer, got
	// float64".
	Reason string
	// Err is the underlying error, if any (e.g. a [*URIError]).
	Err error
}

// Error returns "MESSAGE.Field: reason", e.g.
// "CALL.Options.timeout: must be a non-negative integer, got float64".
func (e *ProtocolError) Error() string {
	var b strings.Builder
	if e.Message != "" {
		b.WriteString(e.Message)
	} else {
		b.WriteString("WAMP message")
	}
	if e.Field != "" {
		b.WriteByte('.')
		b.WriteString(e.Field)
	}
	b.WriteString(": ")
	switch {
	case e.Reason != "":
		b.WriteString(e.Reason)
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	default:
		b.WriteString("protocol violation")
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ProtocolError) Unwrap() error { return e.Err }

// Is reports whether target is [ErrProtocolViolation].
func (e *ProtocolError) Is(target error) bool { return target == ErrProtocolViolation }

// ErrTransportLost is matched (errors.Is) by every error that reports a lost
// or closed transport, in particular [*TransportLost].
var ErrTransportLost = errors.New("transport lost")

// TransportLost reports that the transport below a session is gone, or that
// a message was sent on a closed transport (Autobahn's TransportLost).
type TransportLost struct {
	// Err is the cause, e.g. the network error; nil after a clean close.
	Err error
}

// Error returns "transport lost" and the cause.
func (e *TransportLost) Error() string {
	if e.Err == nil {
		return ErrTransportLost.Error()
	}
	return ErrTransportLost.Error() + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TransportLost) Unwrap() error { return e.Err }

// Is reports whether target is [ErrTransportLost].
func (e *TransportLost) Is(target error) bool { return target == ErrTransportLost }

// ErrSessionNotReady is matched (errors.Is) by every [*SessionNotReady].
var ErrSessionNotReady = errors.New("session not ready")

// SessionNotReady reports an action that needs a joined session (call,
// publish, subscribe, register, …) on a session that has not joined a realm
// yet or has left it (Autobahn's SessionNotReady).
type SessionNotReady struct {
	// Op is the action attempted, e.g. "call com.example.add".
	Op string
}

// Error returns "<op>: session not ready".
func (e *SessionNotReady) Error() string {
	if e.Op == "" {
		return ErrSessionNotReady.Error()
	}
	return e.Op + ": " + ErrSessionNotReady.Error()
}

// Is reports whether target is [ErrSessionNotReady].
func (e *SessionNotReady) Is(target error) bool { return target == ErrSessionNotReady }

// SerializationError reports a failure to encode or decode a message with a
// serializer.
type SerializationError struct {
	// Serializer is the serializer's name, e.g. "json.batched".
	Serializer string
	// Op is "serialize" or "unserialize".
	Op string
	// Err is the cause.
	Err error
}

// Error returns "<serializer> <op>: <cause>".
func (e *SerializationError) Error() string {
	msg := e.Serializer + " " + e.Op
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *SerializationError) Unwrap() error { return e.Err }
