// Package cryptobox holds the interoperability tests of WAMP-cryptobox
// (package payloadcodec/cryptobox): Autobahn|Python 22.7.1 sessions with
// their own KeyRing (PyNaCl, see /work/shared/INTEROP.md) and Go sessions
// with ours call, register, publish and subscribe each other through the
// embedded router, in both roles, and the router's traffic is recorded to
// show that it never carries the plaintext. Wrong keys end in the
// documented errors while everything else goes on.
package cryptobox
