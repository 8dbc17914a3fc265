// Package testpeer holds the helpers that the tests of the transports and the
// interoperability suites share: finding the Autobahn|Python peer (skipping,
// or failing when AUTOBAHN_INTEROP=1, when it is missing) and running it,
// self-signed TLS certificates, a recording core.TransportHandler, the roles
// Autobahn|Python announces, and deterministic test payloads.
//
// Only tests import it; it depends on nothing of this module but core, so
// that the in-package tests of the transports can use it without an import
// cycle.
package testpeer
