package router

import (
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/core"
)

// The registration and subscription meta procedures (Crossbar.io's names
// and result shapes): list, lookup, match, get, list_callees /
// list_subscribers, count_callees / count_subscribers. They read the
// dealer's and broker's tables under their locks, walking them in ID
// order with sortedByID, as Router.Snapshot does (the snapshot methods
// below) for status pages.

// metaTables answers a wamp.registration.* or wamp.subscription.* call;
// false when the procedure is not one of them.
func (rl *Realm) metaTables(s *session, m *core.Call) bool {
	var result any
	var ok bool
	switch m.Procedure {
	case "wamp.registration.list":
		result, ok = rl.dealer.list(), true
	case "wamp.registration.lookup", "wamp.registration.match", "wamp.registration.get",
		"wamp.registration.list_callees", "wamp.registration.count_callees":
		result, ok = rl.dealer.meta(m)
	case "wamp.subscription.list":
		result, ok = rl.broker.list(), true
	case "wamp.subscription.lookup", "wamp.subscription.match", "wamp.subscription.get",
		"wamp.subscription.list_subscribers", "wamp.subscription.count_subscribers":
		result, ok = rl.broker.meta(m)
	case "wamp.subscription.get_events":
		events, err := rl.broker.getEvents(m)
		if err != nil {
			s.sendError(core.TypeCall, m.Request, err.URI, err.Args...)
			return true
		}
		result, ok = events, true
	case "wamp.registration.remove_callee", "wamp.subscription.remove_subscriber":
		if err := rl.remove(m); err != nil {
			s.sendError(core.TypeCall, m.Request, err.URI, err.Args...)
		} else {
			s.send(&core.Result{Request: m.Request})
		}
		return true
	default:
		return false
	}
	if !ok {
		uri, what := core.URINoSuchRegistration, "registration"
		if strings.HasPrefix(m.Procedure, "wamp.subscription.") {
			uri, what = core.URINoSuchSubscription, "subscription"
		}
		s.sendError(core.TypeCall, m.Request, uri, "no "+what+" with this ID in the realm")
		return true
	}
	s.send(&core.Result{Request: m.Request, Args: []any{result}})
	return true
}

func lastComponent(uri string) string {
	return uri[strings.LastIndexByte(uri, '.')+1:]
}

// uriArg reads the URI argument and the match option of lookup.
func uriArg(m *core.Call) (uri, match string) {
	uri, _ = firstString(m.Args)
	match = core.MatchExact
	if len(m.Args) > 1 {
		if o, ok := m.Args[1].(map[string]any); ok {
			if s, ok := o["match"].(string); ok && s != "" {
				match = s
			}
		}
	}
	return uri, match
}

// sortedByID returns the entries of a table keyed by ID (registrations,
// subscriptions, a realm's sessions) in ascending ID order. The table's
// lock is held.
func sortedByID[T any](all map[uint64]T) []T {
	ids := make([]uint64, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]T, len(ids))
	for i, id := range ids {
		out[i] = all[id]
	}
	return out
}

// idsByMatch groups the IDs of a table by match policy, as the list
// procedures answer.
func idsByMatch[T any](all map[uint64]T, id func(T) uint64, match func(T) string) map[string]any {
	out := map[string]any{core.MatchExact: []any{}, core.MatchPrefix: []any{}, core.MatchWildcard: []any{}}
	for _, v := range sortedByID(all) {
		k := match(v)
		out[k] = append(out[k].([]any), id(v))
	}
	return out
}

func (d *dealer) list() map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	return idsByMatch(d.byID, func(r *registration) uint64 { return r.id }, func(r *registration) string { return r.match })
}

// snapshot describes the dealer's registrations, by ID.
func (d *dealer) snapshot() []RegistrationSnapshot {
	d.mu.Lock()
	defer d.mu.Unlock()
	regs := sortedByID(d.byID)
	out := make([]RegistrationSnapshot, len(regs))
	for i, r := range regs {
		out[i] = r.snapshot()
	}
	return out
}

// snapshot describes a registration; the dealer's lock is held.
func (r *registration) snapshot() RegistrationSnapshot {
	return RegistrationSnapshot{ID: r.id, URI: r.uri, Match: r.match, Invoke: r.invoke, Created: r.created, Callees: len(r.callees)}
}

// meta answers the registration procedures that take a URI or an ID; ok
// false means no such registration (lookup and match answer nil instead).
func (d *dealer) meta(m *core.Call) (any, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch lastComponent(m.Procedure) {
	case "lookup":
		uri, match := uriArg(m)
		if r, ok := d.regs.get(uri, match); ok {
			return r.id, true
		}
		return nil, true
	case "match":
		uri, _ := firstString(m.Args)
		if r, ok := d.regs.best(uri); ok {
			return r.id, true
		}
		return nil, true
	}
	id, _ := firstUint(m.Args)
	r := d.byID[id]
	if r == nil {
		return nil, false
	}
	switch lastComponent(m.Procedure) {
	case "get":
		return r.details(), true
	case "list_callees":
		ids := make([]any, len(r.callees))
		for i, c := range r.callees {
			ids[i] = c.s.id
		}
		return ids, true
	}
	return int64(len(r.callees)), true // count_callees
}

func (b *broker) list() map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	return idsByMatch(b.byID, func(s *subscription) uint64 { return s.id }, func(s *subscription) string { return s.match })
}

// snapshot describes the broker's subscriptions, by ID.
func (b *broker) snapshot() []SubscriptionSnapshot {
	b.mu.Lock()
	defer b.mu.Unlock()
	subs := sortedByID(b.byID)
	out := make([]SubscriptionSnapshot, len(subs))
	for i, sub := range subs {
		out[i] = sub.snapshot()
	}
	return out
}

// snapshot describes a subscription; the broker's lock is held.
func (sub *subscription) snapshot() SubscriptionSnapshot {
	return SubscriptionSnapshot{ID: sub.id, URI: sub.uri, Match: sub.match, Created: sub.created, Subscribers: len(sub.subscribers)}
}

// meta answers the subscription procedures that take a URI or an ID.
func (b *broker) meta(m *core.Call) (any, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch lastComponent(m.Procedure) {
	case "lookup":
		uri, match := uriArg(m)
		if sub, ok := b.subs.get(uri, match); ok {
			return sub.id, true
		}
		return nil, true
	case "match":
		uri, _ := firstString(m.Args)
		var ids []any
		b.subs.each(uri, func(sub *subscription) { ids = append(ids, sub.id) })
		if ids == nil {
			return nil, true
		}
		return ids, true
	}
	id, _ := firstUint(m.Args)
	sub := b.byID[id]
	if sub == nil {
		return nil, false
	}
	switch lastComponent(m.Procedure) {
	case "get":
		return sub.details(), true
	case "list_subscribers":
		ids := make([]any, len(sub.subscribers))
		for i, s := range sub.subscribers {
			ids[i] = s.id
		}
		return ids, true
	}
	return int64(len(sub.subscribers)), true // count_subscribers
}

// remove answers wamp.registration.remove_callee(registration, callee,
// reason) and wamp.subscription.remove_subscriber(subscription,
// subscriber, reason): the session loses the registration or subscription
// and is told so with UNREGISTERED / UNSUBSCRIBED when it announced
// registration_revocation / subscription_revocation.
func (rl *Realm) remove(m *core.Call) *core.ApplicationError {
	var id, sessionID uint64
	if len(m.Args) >= 2 {
		id, _ = firstUint(m.Args)
		sessionID, _ = firstUint(m.Args[1:])
	}
	reason := core.URICanceled
	if len(m.Args) >= 3 {
		if r, ok := m.Args[2].(string); ok && core.ValidateURI(r, false, core.MatchExact) == nil {
			reason = r
		}
	}
	rl.mu.Lock()
	other := rl.sessions[sessionID]
	rl.mu.Unlock()
	if other == nil {
		return core.NewApplicationError(URINoSuchSession, "no session with this ID in the realm")
	}
	if lastComponent(m.Procedure) == "remove_callee" {
		if !rl.dealer.removeCallee(id, other, reason) {
			return core.NewApplicationError(core.URINoSuchRegistration, "the session is not a callee of this registration")
		}
		return nil
	}
	if !rl.broker.removeSubscriber(id, other, reason) {
		return core.NewApplicationError(core.URINoSuchSubscription, "the session is not a subscriber of this subscription")
	}
	return nil
}

func (d *dealer) removeCallee(id uint64, s *session, reason string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	reg := d.byID[id]
	if reg == nil || reg.calleeOf(s) == nil || strings.HasPrefix(reg.uri, "wamp.") {
		return false
	}
	d.revoke(reg, s, reason)
	d.drop(reg, s)
	return true
}

func (b *broker) removeSubscriber(id uint64, s *session, reason string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	sub := b.byID[id]
	if sub == nil || !slices.Contains(sub.subscribers, s) {
		return false
	}
	s.subscriptions = slices.DeleteFunc(s.subscriptions, func(x *subscription) bool { return x == sub })
	if s.features&subscriberRevocation != 0 {
		s.send(&core.Unsubscribed{Details: core.UnsubscribedDetails{Subscription: sub.id, Reason: reason}})
	}
	b.drop(sub, s)
	return true
}
