package router

import (
	"fmt"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// EventHistory keeps the last Limit events published to the topics that
// URI and Match (exact, prefix, wildcard; empty is exact) select, as a
// realm's "event-history" in Crossbar.io's config: a subscription that
// always exists (with a stable ID, whether or not anyone subscribes)
// records them, and wamp.subscription.get_events(subscription) returns
// them, newest first.
type EventHistory struct {
	URI, Match string
	// Limit is how many events are kept (default 1000, at most
	// MaxEventHistory): memory grows with Limit times the events' size.
	Limit int
}

// MaxEventHistory bounds EventHistory.Limit.
const MaxEventHistory = 1_000_000

// URIHistoryUnavailable is the error of get_events for a subscription
// without history (Crossbar.io's).
const URIHistoryUnavailable = "wamp.error.history_unavailable"

// eventHistory is a subscription's ring of past events.
type eventHistory struct {
	events []storedEvent
	next   int // where the next event goes once the ring is full
	limit  int
}

type storedEvent struct {
	at          time.Time
	publication uint64
	from        publisherInfo
	topic       string
	args        []any
	kwargs      map[string]any
}

func (h *eventHistory) add(e storedEvent) {
	if len(h.events) < h.limit {
		h.events = append(h.events, e)
		return
	}
	h.events[h.next] = e
	h.next = (h.next + 1) % h.limit
}

// newestFirst returns the kept events, newest first.
func (h *eventHistory) newestFirst() []storedEvent {
	n := len(h.events)
	out := make([]storedEvent, 0, n)
	for i := range n {
		out = append(out, h.events[(h.next-1-i+2*n)%n])
	}
	return out
}

// addHistory creates the subscriptions that keep event history in a new
// realm.
func (b *broker) addHistory(rules []EventHistory) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range rules {
		match := matchOf(h.Match)
		if err := b.realm.router.checkURI(h.URI, match); err != nil {
			return fmt.Errorf("router: realm %s: event history %q: %w", b.realm.name, h.URI, err)
		}
		limit := h.Limit
		if limit <= 0 {
			limit = 1000
		}
		if limit > MaxEventHistory {
			return fmt.Errorf("router: realm %s: event history %q: limit %d is over %d", b.realm.name, h.URI, limit, MaxEventHistory)
		}
		sub, _ := b.subscription(h.URI, match)
		sub.history = &eventHistory{limit: limit}
	}
	return nil
}

// getEvents answers wamp.subscription.get_events(subscription, limit):
// the kept events, newest first (Crossbar.io's order and fields), at most
// limit (keyword or second argument); the keyword reverse gives them oldest
// first, topic keeps those of one topic.
func (b *broker) getEvents(m *core.Call) (any, *core.ApplicationError) {
	id, _ := firstUint(m.Args)
	limit := int64(-1)
	if len(m.Args) > 1 {
		limit, _ = intOf(m.Args[1])
	}
	var reverse bool
	var topic string
	for k, v := range m.Kwargs {
		ok := true
		switch k {
		case "limit":
			limit, ok = intOf(v)
		case "reverse":
			reverse, ok = v.(bool)
		case "topic":
			topic, ok = v.(string)
		default:
			return nil, core.NewApplicationError(core.URIInvalidArgument, fmt.Sprintf("get_events: the keyword %q is not supported (limit, reverse and topic are)", k))
		}
		if !ok {
			return nil, core.NewApplicationError(core.URIInvalidArgument, fmt.Sprintf("get_events: %s has the wrong type %T", k, v))
		}
	}
	b.mu.Lock()
	sub := b.byID[id]
	var events []storedEvent
	if sub != nil && sub.history != nil {
		events = sub.history.newestFirst()
	}
	b.mu.Unlock()
	switch {
	case sub == nil:
		return nil, core.NewApplicationError(core.URINoSuchSubscription, "no subscription with this ID in the realm")
	case sub.history == nil:
		return nil, core.NewApplicationError(URIHistoryUnavailable, "event history for the given subscription is not available or enabled")
	}
	out := []any{}
	for _, e := range events {
		if limit >= 0 && int64(len(out)) >= limit {
			break
		}
		if topic != "" && e.topic != topic {
			continue
		}
		out = append(out, map[string]any{"time_ns": e.at.UnixNano(), "realm": b.realm.name, "session_id": e.from.id,
			"authid": e.from.authid, "authrole": e.from.authrole, "publication": e.publication,
			"topic": e.topic, "args": e.args, "kwargs": e.kwargs})
	}
	if reverse {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}
