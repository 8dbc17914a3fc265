// Package routerauth proves the router's authentication, authorization and
// meta APIs with real clients nobody on this project wrote:
// Autobahn|Python 22.7.1 (asyncio) and AutobahnJS 22.11.1 (Node), see
// /work/shared/INTEROP.md.
//
// The package has no API; it is its tests. Each test starts an embedded
// router configured like a Crossbar.io node (node_test.go: realms with
// static roles and a dynamic authorizer, event history, and listeners —
// WebSocket, RawSocket, both over TLS 1.2, WebSocket over TLS 1.3 — each
// with its own authentication methods, as the transports of a Crossbar.io
// config have) and runs one peer process with a batch of scenarios
// (internal/peers; the peer scripts are interop/testdata/auth_peer.py and
// auth_peer.js), then asserts what every scenario reported:
//
//   - TestPythonAuthentication: ticket, WAMP-CRA plain and salted,
//     cryptosign with and without tls-unique channel binding join; wrong
//     and unknown credentials, a forged channel binding, tls-unique where
//     it is undefined and a missing authmethod are refused with the ABORT
//     reason Autobahn reports;
//   - TestPythonDynamicAuthentication: a dynamic authenticator written in
//     Python (ticket, WAMP-CRA, cryptosign) admits and refuses sessions;
//   - TestPythonAuthorization: static permissions and a dynamic authorizer
//     written in Python allow and deny actions, disclose callers and cache
//     decisions;
//   - TestPythonMetaAPI: the session, registration and subscription meta
//     procedures and events, testaments, event history and kill;
//   - TestJSAuthentication: AutobahnJS joins with ticket, WAMP-CRA and
//     cryptosign (tweetnacl) and is refused a wrong secret;
//   - TestPythonTwistedChannelBinding pins that Autobahn's Twisted variant
//     cannot bind cryptosign to tls-unique with this router (it hashes the
//     other Finished message).
//
// The Python peers run on asyncio, whose tls-unique is RFC 5929's (and
// Go's). AUTOBAHN_PEERS_DUMP=1 logs everything the peers report.
//
// Without the peers the tests are skipped, unless AUTOBAHN_INTEROP=1, which
// makes that a failure (scripts/install-peers.sh installs them).
package routerauth
