// Package router is the embedded WAMP router: realms, each with a broker
// (PubSub) and a dealer (RPC), serving sessions over any [core.Transport] —
// WebSocket, RawSocket, or the in-memory transport for components in the
// same process.
//
// A router-side session is a small struct over its transport with no
// goroutine of its own: every message is handled on the transport's reader,
// and everything the router sends goes through the engine's non-blocking
// enqueue ([core.TrySender]), so a peer that stops reading can never stall a
// publisher, a caller or another session. A session whose send queue
// overflows is disconnected with a logged reason and counted in
// [Router.Stats]; everyone else carries on.
//
// An event fanned out to the subscribers of one subscription is one
// [core.Prepared] message: it is serialized once per serializer in use, not
// once per subscriber. Messages are typed values, so a peer on any
// serializer talks to a peer on any other; bytes survive JSON's \0+base64
// convention, and opaque payloads (enc_* and ppt_* passthru) are forwarded
// untouched.
//
// [Router.Stats] counts messages by type, calls in flight and their
// durations, events, slow consumers, authentication failures and refused
// connections with plain atomics on the routing paths; [Router.Snapshot]
// copies the realms' sessions, registrations and subscriptions. The
// router/metrics package exports them to Prometheus and router/status
// serves them as a page, so this package depends on no metrics library.
//
// Authentication (beyond anonymous), authorization, the meta APIs and
// Crossbar's config file come later; the broker and dealer here implement
// the advanced-profile features that [Features] lists, and the router
// announces exactly those in WELCOME.
package router
