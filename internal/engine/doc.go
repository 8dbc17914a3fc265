// Package engine implements [core.Transport] once, for every WAMP transport
// of this module. A transport package (WebSocket, RawSocket, long-poll,
// memory) keeps only its framing and handshake, and plugs them in as a
// [Wire]; the engine owns everything else:
//
//   - a bounded send queue (messages and bytes) drained by one writer
//     goroutine that exists only while there is something to write, and that
//     hands all queued messages to the wire at once so that it can write them
//     with one system call or one batched frame; when no writer runs, a
//     wire that can write without waiting ([TryWriter]: plain TCP and Unix
//     sockets) takes the message on the sending goroutine instead, and
//     only what the socket does not take at once goes to the writer;
//   - Send honouring its context on every wait, and TrySend that never waits,
//     for a router;
//   - the slow-peer policy ([core.SlowPeerPolicy]): block up to ctx, fail the
//     connection, or drop with a count; a stalled write fails the connection
//     after the stall timeout. Every trigger logs one slog line naming the
//     peer and the policy, counts in [core.TransportStats], and a failure
//     reaches OnClose as an error that says why;
//   - prepared messages ([core.Prepared]) sent as their cached bytes;
//   - the handler's lifecycle: OnOpen once, OnMessage in order, OnClose once,
//     with panics contained (the connection fails, the stack is logged, the
//     process lives), Close safe from inside a handler, and Done;
//   - stats, timings and the logOctets / logFrames debug logs.
//
// Reading stays with the wire: each framing has its own reader (WebSocket's
// reader runs auto-ping and the closing handshake; long-poll's "reader" is an
// HTTP request), and pushes what it reads into the engine with
// [Receive]. Writing is push-driven too: a pull-driven framing such as
// long-poll lets Wire.Write wait until the peer asks for the messages, and
// the stall timeout bounds that wait like any other write.
package engine
