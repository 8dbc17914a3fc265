// Package wsinterop holds differential tests of package
// transports/websocket against third-party WebSocket implementations:
// Autobahn|Python 22.7.1 (Twisted) and node ws 8, each as a server and as a
// client.
//
// The package has no API; it is its tests and the peer scripts in peers/.
// A peer runs as a subprocess (peers/autobahn_peer.py, peers/ws_peer.js),
// listening on a free port that it prints on stdout, or opening the
// connections it reads on stdin. Peers echo every message and obey
// commands sent as text messages ("cmd " and JSON: send a generated
// message, ping, close), and report what they see as JSON lines on stdout.
// Every connection passes through a relay in the test that parses the frames
// in both directions, so that the tests can check what went over the wire:
// the opening handshake headers, fragmentation, and the RSV1 bit of
// compressed messages.
//
// The matrix (peer × peer role × scenario) covers text, binary and 1 MiB
// messages, fragmentation by either side, permessage-deflate in both
// directions, pings both ways, close codes and reasons both ways, and
// denied opening handshakes. A missing peer skips its tests, or fails them
// when AUTOBAHN_INTEROP=1.
package wsinterop
