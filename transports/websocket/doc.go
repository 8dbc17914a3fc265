// Package websocket is the WebSocket programming model of Autobahn|Python
// for Go: servers and clients for applications that speak plain WebSocket
// (RFC 6455), with Autobahn's callbacks, handshake objects, protocol options
// and defaults. Frames are read and written by this package; only a
// server's opening handshake response is written by
// github.com/gorilla/websocket. The WAMP-over-WebSocket transport of this
// module is built on it.
//
// # Programming model
//
// An application implements a [Handler]: OnOpen, OnMessage and OnClose,
// plus OnConnect on a server ([ServerHandler], which accepts with a
// [ConnectionAccept] or denies with a [ConnectionDeny]) or on a client
// ([ClientHandler], which sees the [ConnectionResponse]). A [Server] (an
// http.Handler; see also [ListenAndServe]) creates one handler per
// connection; [Dial] connects a client. Both hand the handler a [*Conn] to
// send with: [Conn.SendMessage], [Conn.SendPing], [Conn.SendClose].
//
//	type echo struct{ conn *websocket.Conn }
//
//	func (e *echo) OnConnect(req *websocket.ConnectionRequest) (websocket.ConnectionAccept, error) {
//		return websocket.ConnectionAccept{}, nil
//	}
//	func (e *echo) OnOpen(c *websocket.Conn)                       { e.conn = c }
//	func (e *echo) OnMessage(payload []byte, isBinary bool)        { e.conn.SendMessage(payload, isBinary) }
//	func (e *echo) OnClose(wasClean bool, code int, reason string) {}
//
//	err := websocket.ListenAndServe(ctx, "127.0.0.1:9000",
//		func() websocket.ServerHandler { return &echo{} }, websocket.Options{})
//
// # Protocol behaviour
//
// [Options] holds Autobahn's protocol options; its zero value means
// Autobahn's defaults, and [OptionsFromMap] reads Autobahn's option names.
// Opening handshakes are validated as Autobahn does, with the same HTTP
// statuses and reasons (405 for a wrong method, 400 with
// "Sec-WebSocket-Version: 13,8" for an unsupported version, 400 for a
// denied origin, 503 beyond MaxConnections, a status page or 426 for plain
// GETs). Incoming frames are parsed once, by this package, and checked as
// Autobahn does: violations fail the connection by
// dropping it (Autobahn's failByDrop default) or with a close frame
// (FailByClose) carrying 1002, 1007 for invalid UTF-8 and 1009 for frames or
// messages over the size limits, checked after decompression too. The closing handshake, its timeouts and
// the codes and reasons given to OnClose follow Autobahn.
//
// What this implementation does not do is listed in the documentation of
// [Options]: unmasked client frames, masked server frames, and
// permessage-deflate with context takeover or small windows. The client's
// opening handshake is Autobahn's: Hybi-10 clients, any permessage-deflate
// offers, and Autobahn's checks of the response.
//
// # Concurrency and memory
//
// Each connection has one reader goroutine that calls the handler; sending
// is safe from any goroutine and writes directly, under a mutex, to the
// network connection (there is no send queue: a slow peer blocks the
// sender, bounded by WriteTimeout).
//
// An idle connection holds its reader goroutine with a 2 KiB stack and
// about 1.2 KiB of state; write buffers are pooled, and the auto-ping uses
// timers, not goroutines. The opening handshake is kept packed into one
// string (about 200 bytes rather than 1 KiB of parsed headers) and parsed
// again only when Request, Response, Headers or a WAMP transport's Details
// are first asked for. The resolved options are shared by the connections of
// a Server or a WAMP listener, and by all WAMP dials with the default
// options; origin patterns are compiled only for servers. After
// 50 ms without data an idle reader continues on a fresh goroutine, since a
// goroutine's stack does not shrink back after the handler has used more;
// on a plain TCP or Unix socket it then also lets go of its read buffer
// (ReadBufferSize bytes) and waits for data without one. BenchmarkIdleServerConnMemory,
// BenchmarkIdleClientConnMemory and BenchmarkIdleRSS (the server process's
// RSS, what an operator sees) measure the memory per idle connection.
//
// WAMP connections ([WAMPTransport]) add the transport engine shared by
// every WAMP transport: a bounded send queue with a slow-peer policy, Send
// honouring its context, TrySend, panic containment and stats.
//
// # WAMP over WebSocket
//
// [WAMPFactory] carries WAMP messages over this layer as a core.Transport and
// is registered for the URL schemes ws and wss, so that registry.Dial and
// registry.Listen reach it. The subprotocols wamp.2.<serializer> (plain and
// batched) are negotiated in the client's order of preference; JSON travels
// in text frames, the other serializers in binary frames. [NewWAMPHandler]
// serves WAMP on an existing http.ServeMux.
//
// # URLs
//
// [ParseURL] and [CreateURL] take WebSocket URLs apart and build them like
// autobahn.websocket.util.parse_url and create_url.
package websocket
