// Package plugin runs payload codecs and object serializers in another
// process, started by hashicorp/go-plugin, and registers them in a
// registry under their names exactly like in-process plugins: a codec as a
// factory (its config is sent to the plugin, which makes the codec there),
// a serializer as message serializers made by core.NewSerializer, plain
// and batched. A program or "autobahn serve --plugin PATH" calls [Load]; a
// plugin binary's main calls [Serve] with what it offers.
//
// Why out of process: a codec or serializer can then be written, built and
// updated apart from the router or client, and a crash of it costs one
// message, not the process. The host restarts a crashed plugin with
// backoff (logged, counted in [Host.Stats]); every request is bounded by
// its context's deadline (Options.CallTimeout when it has none), and its
// error names the plugin, so that a hung or broken plugin never hangs a
// session: wamp answers a call with decrypt_error and drops an event it
// cannot decode (Session.UndecodableEvents).
//
// Why one stream: a round trip to another process costs up to a hundred
// microseconds, more than encoding a payload. Every caller's request goes
// onto one stream, many requests in one write as they queue up while the
// previous write is made, answered in any order by request id; the plugin
// answers the requests that arrived together in turn on a worker, and a
// request that holds up the rest gets them a helper. Throughput then
// grows with the number of concurrent callers instead of being bounded by
// the latency (1 KiB cryptobox payloads on 2 cores: 4k/s for one caller,
// about 34–49k/s for 64 to 256, where the CPU time of the two processes,
// not the latency, is the limit; see the README).
//
// Why a socket of its own: go-plugin starts the process, checks the
// handshake and carries the one unary gRPC call, Describe (described by
// hand in internal/wire, no generated code), whose answer names a
// Unix-domain socket in a directory private to the user; the requests and
// answers travel there, not on a gRPC stream, whose framing, flow control
// and per-message buffers cost both processes a fifth of their CPU time
// per payload and nearly half of what the host allocated. Items (request id,
// length, body) follow each other on the socket, written with one writev
// for all that are queued and read into 32 KiB buffers that are never
// reused, so that a body is decoded in place (cbor.UnmarshalAliasing).
// CBOR is the value representation of package core: payloads keep their
// exact types. The bodies of every payload's requests and answers, Encode
// and Decode, are coded by hand (length-prefixed bytes and strings) around
// the CBOR of just args and kwargs: decoding answers was a third of the
// host's CPU time, and their values most of its allocations.
//
// No plugin outlives its host: Close ends it, on Linux the kernel kills it
// when the host dies (a parent-death signal), and a plugin whose parent
// changes exits. A plugin starts with an empty environment
// (Options.Env), so that no secret of the host reaches it by accident.
package plugin
