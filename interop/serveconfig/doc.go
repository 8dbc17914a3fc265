// Package serveconfig proves "autobahn serve --config" with a Crossbar.io
// configuration: the real autobahn binary, built from this checkout, runs
// testdata/config.json — a config.json (version 2) written in the shape of
// the authentication and authorization examples of Crossbar.io
// (crossbar-examples; serve_test.go says which part mirrors which) — and
// real clients nobody on this project wrote authenticate against it and
// are authorized by it: Autobahn|Python 22.7.1 (asyncio) and AutobahnJS
// 22.11.1 (Node), see /work/shared/INTEROP.md.
//
// The package has no API; it is its tests. Each test starts its own
// "autobahn serve --config" process on free loopback ports (port 0 in the
// file; the URLs come from the lines serve prints), with a TLS certificate
// and key the test makes and the secrets in the environment
// (${MYTICKET}, ${MYSECRET}), runs one peer process with a batch of
// scenarios (internal/peers, with the shared peers
// interop/testdata/auth_peer.py and auth_peer.js), and finally stops serve
// with SIGTERM: it must exit 0 after its "stopped" line.
//
//   - TestServe: the configuration loads and serves every transport,
//     static files included (needs no peers);
//   - TestPython: ticket, WAMP-CRA plain and salted, cryptosign with and
//     without tls-unique channel binding (TLS 1.2), static and through a
//     dynamic authenticator written in Python (an anonymous session of role
//     authenticator, allowed only to register it; answering a role alone
//     or a dict, as Crossbar.io's examples do); wrong secrets, unknown
//     keys, forged channel bindings and tls-unique on TLS 1.3 are refused
//     with the ABORT reason Autobahn reports; static roles (exact, prefix,
//     starred and wildcard permissions, disclose caller) and a dynamic
//     authorizer allow and deny calls, registrations, subscriptions and
//     publications, denials reaching Autobahn as wamp.error.not_authorized;
//   - TestJS: AutobahnJS joins with ticket, WAMP-CRA plain and salted and
//     cryptosign (also over TLS), is refused wrong secrets, and is
//     authorized by the roles as Autobahn|Python is.
//
// A few subtests of TestPython pin details where Crossbar.io's behaviour
// is easy to miss: a cryptosign principal's realm chosen for a HELLO that
// names none or another one, and a dynamic WAMP-CRA salt without
// iterations and keylen (a plain secret).
//
// Without the peers the peer tests are skipped, unless AUTOBAHN_INTEROP=1,
// which makes that a failure (scripts/install-peers.sh installs them).
// AUTOBAHN_PEERS_DUMP=1 logs everything the peers report.
package serveconfig
