// Package client holds the interoperability tests of the WAMP client
// (package wamp): Go sessions call, register, publish and subscribe with
// real peers nobody on this project wrote (Autobahn|Python 22.7.1 and
// AutobahnJS 22.11.1, see /work/shared/INTEROP.md) through an embedded
// router, over WebSocket and RawSocket with JSON, MsgPack and CBOR.
package client
