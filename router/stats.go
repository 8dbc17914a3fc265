package router

import (
	"math/bits"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// The router's counters are plain atomics that the routing code bumps as it
// goes; Stats copies them out. Exporters (the router/metrics package for
// Prometheus, the router/status page) read Stats when they are asked, so
// there is one set of books, and the router itself depends on no metrics
// library. Everything here is on the hot path (every message in and out
// touches a counter), so it is fixed-size arrays indexed by message type
// and lock-free histogram buckets: no maps, no locks, no allocation.

// Stats are the router's counters, for metrics, status pages and tests.
type Stats struct {
	// Sessions is the number of sessions joined to a realm now.
	Sessions int64
	// SessionsTotal counts the sessions that ever joined.
	SessionsTotal uint64
	// Publications counts PUBLISH messages routed; Events counts the EVENT
	// messages queued for subscribers (attempts: an EVENT that finds a full
	// queue counts here, not in Sent).
	Publications, Events uint64
	// Calls counts CALL messages routed to a callee (invocations created).
	Calls uint64
	// CallsInFlight is the number of invocations that callees are running
	// now: created and not yet answered by the callee (nor given up on by
	// the dealer: canceled with killnowait, timed out at a callee that can
	// be interrupted, callee gone).
	CallsInFlight int64
	// CallDurations is the histogram of the time from routing a CALL to
	// the caller's final RESULT or ERROR (including cancelations, timeouts
	// and lost callees), as the router sees it.
	CallDurations CallDurations
	// Received counts the messages sessions sent to the router, by type;
	// Sent the messages the router queued to sessions successfully, by type.
	Received, Sent MessageCounts
	// SlowDisconnects counts sessions disconnected because their send queue
	// was full (a peer that does not read).
	SlowDisconnects uint64
	// Dropped counts messages the transports' "drop" slow-peer policy
	// discarded; DroppedByType the same by message type.
	Dropped       uint64
	DroppedByType MessageCounts
	// ProtocolViolations counts sessions aborted for a protocol violation.
	ProtocolViolations uint64
	// AuthFailures counts HELLOs and AUTHENTICATEs that the authentication
	// method refused (ABORT with its error); not HELLOs naming no method
	// the router admits, nor those refused by AuthThrottled.
	AuthFailures uint64
	// AuthThrottled counts HELLOs refused because their peer host failed
	// authentication Options.MaxAuthFailures times.
	AuthThrottled uint64
	// RetainedRefused counts retained publications not kept because their
	// realm holds Options.MaxRetainedTopics retained topics.
	RetainedRefused uint64
	// HandshakeTimeouts counts connections closed for not joining within
	// Options.HandshakeTimeout; Refused those refused for MaxSessions.
	HandshakeTimeouts, Refused uint64
}

// MessageCounts counts messages by type: c[core.TypeCall] is the number of
// CALL messages. Element 0 counts messages of a type outside WAMP's codes
// (none the router sends or parses; kept so that nothing goes uncounted).
type MessageCounts [core.TypeYield + 1]uint64

// Total is the number of messages of every type.
func (c *MessageCounts) Total() uint64 {
	var n uint64
	for _, v := range c {
		n += v
	}
	return n
}

// messageCounters is the live form of MessageCounts.
type messageCounters [core.TypeYield + 1]atomic.Uint64

// add counts one message of type t.
func (c *messageCounters) add(t core.MessageType) {
	if uint(t) >= uint(len(c)) {
		t = 0
	}
	c[t].Add(1)
}

func (c *messageCounters) load() (out MessageCounts) {
	for i := range c {
		out[i] = c[i].Load()
	}
	return out
}

// Call durations are counted in exponential buckets: bucket i holds the
// calls that took at most callDurationBase<<i (and more than the bound
// below it), from 16 µs to about 16.8 s, and a last bucket those that took
// longer. Powers of two let observe find the bucket with one bit count
// instead of a search, and cover in-process calls (tens of microseconds) as
// well as calls to a slow callee across a network.
const (
	callDurationBase    = 16 * time.Microsecond
	callDurationBuckets = 21 // bounds: callDurationBase << 0 … << 20
)

// CallDurations is a histogram of call durations with fixed bounds (see
// Bounds).
type CallDurations struct {
	// Counts[i] counts the calls that took more than Bounds()[i-1] and at
	// most Bounds()[i]; the last element counts the calls that took longer
	// than the highest bound. They are not cumulative.
	Counts [callDurationBuckets + 1]uint64
	// Sum is the total time of the calls counted.
	Sum time.Duration
}

// Bounds returns the upper bounds of the buckets, ascending: 16 µs, 32 µs,
// … about 16.8 s.
func (CallDurations) Bounds() []time.Duration {
	b := make([]time.Duration, callDurationBuckets)
	for i := range b {
		b[i] = callDurationBase << i
	}
	return b
}

// Count is the number of calls counted.
func (h *CallDurations) Count() uint64 {
	var n uint64
	for _, v := range h.Counts {
		n += v
	}
	return n
}

// durationHistogram is the live form of CallDurations: lock-free, one
// atomic add per bucket and one for the sum.
type durationHistogram struct {
	counts [callDurationBuckets + 1]atomic.Uint64
	sum    atomic.Int64 // nanoseconds
}

func (h *durationHistogram) observe(d time.Duration) {
	if d < 0 {
		d = 0
	}
	i := 0
	if d > 0 {
		// (d-1)/base is 0 for d ≤ base, 1 for base < d ≤ 2·base, 2…3 up to
		// 4·base: its bit length is the index of the first bound ≥ d.
		i = min(bits.Len64(uint64((d-1)/callDurationBase)), callDurationBuckets)
	}
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

func (h *durationHistogram) load() (out CallDurations) {
	for i := range h.counts {
		out.Counts[i] = h.counts[i].Load()
	}
	out.Sum = time.Duration(h.sum.Load())
	return out
}

// routerCounters are the live counters behind Stats.
type routerCounters struct {
	sessions                                                  atomic.Int64
	sessionsTotal, publications, events, calls, slow, dropped atomic.Uint64
	violations, retainedRefused, handshakeTimeouts, refused   atomic.Uint64
	authFailures, authThrottled                               atomic.Uint64
	callsInFlight                                             atomic.Int64
	callDurations                                             durationHistogram
	received, sent, droppedByType                             messageCounters
}

// Stats returns the router's counters. Each is read atomically, but not
// all at one instant: while messages flow, related counters (Calls and
// CallDurations, say) may be a few messages apart.
func (r *Router) Stats() Stats {
	c := &r.stats
	return Stats{
		Sessions: c.sessions.Load(), SessionsTotal: c.sessionsTotal.Load(),
		Publications: c.publications.Load(), Events: c.events.Load(), Calls: c.calls.Load(),
		CallsInFlight: c.callsInFlight.Load(), CallDurations: c.callDurations.load(),
		Received: c.received.load(), Sent: c.sent.load(),
		SlowDisconnects: c.slow.Load(), Dropped: c.dropped.Load(), DroppedByType: c.droppedByType.load(),
		ProtocolViolations: c.violations.Load(), AuthFailures: c.authFailures.Load(), AuthThrottled: c.authThrottled.Load(),
		RetainedRefused: c.retainedRefused.Load(), HandshakeTimeouts: c.handshakeTimeouts.Load(), Refused: c.refused.Load(),
	}
}
