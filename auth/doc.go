// Package auth holds the algorithms of WAMP authentication, shared by the
// client (package wamp) and the router: WAMP-CRA (plain and salted
// secrets), TOTP, WAMP-Cryptosign (Ed25519 signatures over the router's
// challenge, with TLS channel binding) and the loading of Ed25519 keys from
// the files Autobahn reads (raw hex seeds, OpenSSH and signify private
// keys). WAMP-Ticket needs no algorithm: the ticket is the signature.
//
// The byte-level details follow Autobahn|Python (autobahn.wamp.auth and
// autobahn.wamp.cryptosign) and Crossbar.io, and the tests check them
// against vectors that Autobahn|Python computed.
package auth
