// Package rawsocket implements WAMP-over-RawSocket: WAMP messages carried
// over TCP, TLS or Unix domain sockets with a 4-byte opening handshake and
// 4-byte length-prefixed frames, as specified in the WAMP Advanced Profile
// and spoken by Autobahn|Python and Crossbar.io.
//
// The package is a transport plugin: importing it (blank import is enough)
// registers a [Factory] with the default registry for the URL schemes
//
//	rs://host[:port]        RawSocket over TCP (port 80 when omitted, like Autobahn)
//	rss://host[:port]       RawSocket over TLS (port 443 when omitted)
//	rs://unix:/path.sock    RawSocket over a Unix domain socket (Autobahn's form)
//	rss://unix:/path.sock   the same with TLS on top
//	tcp://host:port         RawSocket over TCP (port required)
//	unix:///path.sock       RawSocket over a Unix domain socket; also unix:/path.sock
//	                        and unix:relative/path.sock
//
// URLs carry no path (except the socket path), query or fragment. When
// listening, the host may be empty (rs://:8080) to listen on every interface,
// and port 0 picks a free port. An Autobahn component "endpoint"
// configuration ({"type": "tcp"|"unix", "host", "port", "path", "tls",
// "timeout", "version"}) maps to these URLs with [ParseEndpoint].
//
// # Protocol
//
// The client opens with 0x7F, (exp<<4)|serializer, 0, 0, announcing that it
// accepts messages up to 2^(9+exp) bytes; the server answers the same way
// with its own limit and the serializer echoed, or with an error reply
// 0x7F, code<<4, 0, 0 ([ErrorCode]): 1 serializer unsupported, 2 maximum
// message length unacceptable, 3 use of reserved bits, 4 maximum connection
// count reached. A first byte other than 0x7F fails the connection without a
// reply. Each frame then starts with a 4-byte header: the low 3 bits of the
// first byte are the frame type (0 WAMP message, 1 PING, 2 PONG), bit 3 is the
// spec's 25th length bit (set only for a payload of exactly 16 MiB), the high
// 4 bits are reserved and must be zero, and the next 3 bytes are the payload
// length, big-endian. A frame longer than the receiver announced, an unknown
// frame type, reserved bits, or a payload the serializer cannot decode fail
// that one connection. Every PING is answered with a PONG echoing its
// payload.
//
// Only plain (unbatched) serializers run over RawSocket: a client offers the
// first plain serializer of [core.TransportConfig.Serializers] (by default the
// first registered of CBOR, MsgPack, UBJSON, JSON), a server accepts any
// plain serializer of its list (by default every registered one).
//
// # Compatibility notes
//
//   - Autobahn|Python's Twisted transport reads the frame header as a plain
//     32-bit length, and its asyncio transport does not implement PING: do
//     not call [Transport.Ping] towards them.
//   - A message of exactly 16 MiB would need the spec's 25th length bit, which
//     no Autobahn|Python transport reads; Send therefore refuses messages
//     larger than 16 MiB - 1 byte. Frames using that bit are accepted.
//   - Autobahn|Python announces 16 MiB by default (maxMessagePayloadSize);
//     so does this package ([Options.MaxMessagePayloadSize]).
//
// # Resources and safety
//
// The transport runs on the engine shared by every WAMP transport of this
// module: Send queues (bounded by [Options.Queue], waiting only as long as
// its context allows), TrySend never waits, a slow peer meets the
// configured slow-peer policy, and a panicking handler fails only its own
// connection. See [core.QueueOptions].
//
// Each established connection has exactly one goroutine, its reader, which
// runs the [core.TransportHandler]. Its read buffer is 128 bytes inside the
// connection's struct, enough for a header and a small message, so that a
// small message takes one read call; larger payloads are read straight into
// their own allocation, which grows as the bytes arrive rather than
// trusting the announced length. A frame that starts to arrive must be
// complete within [Options.FrameTimeout] (60 s), so a peer cannot hold a
// connection with half a frame. Writes need no goroutine while the
// connection is idle: the engine's writer runs only while frames are
// queued, and writes all of them with one system call (writev on TCP and
// Unix sockets, one buffer otherwise). PINGs are answered at once with a
// PONG between queued frames. A listener starts each connection's reader
// afresh after the handshake, and the idle reader's call chain is kept
// shallow, so that an idle server connection costs little more than its
// reader's minimal stack (see BenchmarkIdleServerConnMemory and
// BenchmarkIdleRSS). A handler that does deep work in OnMessage grows its
// reader's stack, which the runtime does not shrink while the goroutine
// waits in a read; so, as on WebSocket, a reader that finds nothing to read
// for 50 ms between frames continues on a fresh goroutine with the
// smallest stack (over TCP, TLS and Unix sockets, not in [ServeConn], which
// serves the connection on its caller's goroutine). The handler's methods
// are called one at a time and in order, but not always from the same
// goroutine.
package rawsocket
