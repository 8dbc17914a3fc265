// Package channelbinding checks the tls-unique channel binding of
// core.TransportDetails.ChannelID against Autobahn|Python 22.7.1, whose
// transport_channel_id WAMP-cryptosign XORs into the signed challenge.
//
// The package has no API; it is its tests. Each test makes a real TLS 1.2
// connection over TCP between Go (crypto/tls) and a Python peer, once with Go
// as the server and once with Go as the client, and compares the 32-byte
// channel ids both ends compute:
//
//   - autobahn.asyncio.util.transport_channel_id hashes the tls-unique value
//     of Python's ssl module, which is RFC 5929's: the first Finished message
//     of the handshake, the client's on a full handshake. Go's ChannelID must
//     equal it, byte for byte.
//   - autobahn.twisted.util.transport_channel_id (the one Crossbar.io uses)
//     hashes the server's Finished message on both ends, because it swaps the
//     branches of the client/server rule (it hard-codes "not resumed"). Go's
//     crypto/tls does not expose the server's Finished message on a full
//     handshake, so Go cannot match it; the test pins this behaviour, and
//     checks through pyOpenSSL that Go's TLSUnique is the client's Finished
//     message, so that a change in Autobahn shows up here.
//
// The tests need /usr/bin/python3 with python3-autobahn and python3-twisted
// (see /work/shared/INTEROP.md). Without them the tests are skipped, unless
// AUTOBAHN_INTEROP=1, which makes that a failure.
package channelbinding
