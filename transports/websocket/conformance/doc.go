// Package conformance is a Go-native WebSocket conformance suite for package
// websocket, organised like the case categories of the Autobahn|Testsuite
// (which needs Python 2 and cannot run here):
//
//	1   framing: text and binary payloads of 0 to 1 MiB bytes
//	2   pings and pongs
//	3   reserved bits
//	4   opcodes
//	5   fragmentation
//	6   UTF-8 handling
//	7   close handling
//	9   limits (maxFramePayloadSize, maxMessagePayloadSize) and big messages
//	12  permessage-deflate messages
//	13  permessage-deflate negotiation
//
// The package has no API; it is its tests. A raw-frame test peer writes
// exact frames (masked when it plays the client) and reads the frames it
// gets back, checking the close codes the implementation sends. Every case
// runs against a websocket.Server, with the peer as the client, and where it
// means something against a websocket client, with the peer as a server that
// completes the opening handshake by hand and then sends unmasked frames.
// Cases about protocol violations run twice: with FailByClose, where the
// implementation must send a close frame with the expected code, and with the
// default failByDrop, where it must drop the TCP connection without one.
//
// TestCatalogue logs the number of cases per category.
package conformance
