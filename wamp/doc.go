// Package wamp is what an application uses to speak WAMP: a [Session]
// joins a realm over any [core.Transport] and calls, registers, publishes
// and subscribes, as Autobahn's ApplicationSession does, with Go idiom in
// place of Deferreds: every operation that waits takes a context and
// returns an error, and the errors of the other side are
// [*core.ApplicationError] values that match the core.Err* sentinels with
// errors.Is.
//
// A Session has no goroutine of its own while it is idle. The transport's
// reader hands it each message; answers go to the goroutine waiting for
// them, each invocation of a registered procedure runs on its own goroutine
// (bounded by the registration's concurrency), and the events of one
// subscription run one after the other, in publication order, on a
// goroutine that exists only while events are queued.
//
// Memory stays bounded when the application is slower than its peers:
// queued events and progressive results are capped, and when a queue is
// full the reader waits, so that the router sees a slow consumer and
// applies its policy instead of this process growing without end.
package wamp
