// Package wamp proves that Autobahn|Python 22.7.1 clients and this module's
// WAMP transports understand each other at the level of WAMP sessions.
//
// The package has no API; it is its tests. They run a minimal router built
// on the transports (RawSocket over TCP, and WebSocket over TLS) and let
// autobahn.twisted.component.Component clients join it with every
// serializer a transport can carry: each client's HELLO must parse to the
// expected realm and the roles and features Autobahn announces; the client
// must accept the router's WELCOME (it reports the session id and realm,
// publishes with acknowledgement and leaves with GOODBYE) and must report an
// ABORT's reason and message.
//
// The tests need /usr/bin/python3 with python3-autobahn, python3-twisted and
// the serializer libraries (see /work/shared/INTEROP.md). Without them the
// tests are skipped, unless AUTOBAHN_INTEROP=1, which makes that a failure.
package wamp
