package router

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// broker routes events of one realm. One lock guards its tables and the
// fan-out of each publication, so that every subscriber sees the events
// of the realm in the same order (publication order), and a subscription
// made while events flow sees each of them either entirely before or after
// its SUBSCRIBED. The lock is held only while enqueuing (TrySend never
// waits), never while a peer writes.
type broker struct {
	realm *Realm

	mu       sync.Mutex
	subs     patternTable[*subscription]
	byID     map[uint64]*subscription
	retained map[string]*retainedEvent // by topic: the last publication with retain
}

// subscription is one topic pattern (URI + match policy); its ID is shared
// by all its subscribers.
type subscription struct {
	id          uint64
	uri, match  string
	created     time.Time
	subscribers []*session
	history     *eventHistory // event history kept (then the subscription stays without subscribers)
}

// retainedEvent is a publication kept for subscribers that ask for it
// (event retention); its black and white lists still apply when it is
// delivered.
type retainedEvent struct {
	pub         *core.Publish
	publication uint64
	publisher   publisherInfo
}

// filter is the publication's filter without publisher exclusion: a
// publisher that subscribes with get_retained asked for the event.
func (r *retainedEvent) filter() *pubFilter {
	return newPubFilter(&r.pub.Options, 0)
}

// publisherInfo is what an event may disclose about its publisher, and
// what publisher exclusion compares.
type publisherInfo struct {
	id               uint64
	authid, authrole string
	disclose         bool // the authorizer discloses the publisher
}

func (b *broker) init(rl *Realm) {
	b.realm = rl
	b.byID = make(map[uint64]*subscription)
	b.retained = make(map[string]*retainedEvent)
}

func matchOf(m string) string {
	if m == "" {
		return core.MatchExact
	}
	return m
}

func isTrue(b *bool) bool { return b != nil && *b }

// publish routes PUBLISH to the subscribers of every matching subscription.
func (b *broker) publish(s *session, m *core.Publish) {
	ack := isTrue(m.Options.Acknowledge)
	if err := s.router.checkURI(m.Topic, core.MatchExact); err != nil {
		if ack {
			s.sendError(core.TypePublish, m.Request, core.URIInvalidURI, err.Error())
		}
		return
	}
	if strings.HasPrefix(m.Topic, "wamp.") {
		if ack {
			s.sendError(core.TypePublish, m.Request, core.URIInvalidURI, "topics in the wamp. namespace are reserved for the router")
		}
		return
	}
	d, ok := s.authorize(ActionPublish, m.Topic, m, m.Request, ack)
	if !ok {
		return
	}
	pub := randomID()
	from := publisherInfo{id: s.id, authid: s.authid, authrole: s.authrole, disclose: d.Disclose}
	f := newPubFilter(&m.Options, from.id)
	delivered, refused := b.route(m, pub, from, f)
	st := &b.realm.router.stats
	st.publications.Add(1)
	st.events.Add(uint64(delivered))
	if refused && st.retainedRefused.Add(1) == 1 {
		b.realm.router.logger.Warn("router: realm holds the most retained topics allowed: new retained events are delivered but not kept",
			"session", s.id, "realm", b.realm.name, "limit", b.realm.router.opts.MaxRetainedTopics, "topic", m.Topic)
	}
	if ack {
		s.send(&core.Published{Request: m.Request, Publication: pub})
	}
}

// route fans a publication out and keeps it when it is retained; refused
// reports a retained publication not kept (the realm's limit).
func (b *broker) route(m *core.Publish, pub uint64, from publisherInfo, f *pubFilter) (delivered int, refused bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delivered = b.fanOut(m, pub, from, f)
	if isTrue(m.Options.Retain) {
		if b.retained[m.Topic] == nil && len(b.retained) >= b.realm.router.opts.MaxRetainedTopics {
			return delivered, true
		}
		b.retained[m.Topic] = &retainedEvent{pub: m, publication: pub, publisher: from}
	}
	return delivered, false
}

// fanOut delivers a publication to every matching subscription; b.mu is
// held.
func (b *broker) fanOut(m *core.Publish, pub uint64, from publisherInfo, f *pubFilter) (delivered int) {
	b.subs.each(m.Topic, func(sub *subscription) {
		delivered += b.deliver(sub, m, pub, from, f, nil)
		if sub.history != nil {
			sub.history.add(storedEvent{at: time.Now(), publication: pub, from: from, topic: m.Topic, args: m.Args, kwargs: m.Kwargs})
		}
	})
	return delivered
}

// metaLocked publishes a meta event of the realm while b.mu is held (the
// broker's own subscription events).
func (b *broker) metaLocked(topic string, args ...any) {
	n := b.fanOut(&core.Publish{Topic: topic, Args: args}, randomID(), publisherInfo{}, &pubFilter{})
	b.realm.router.stats.events.Add(uint64(n))
}

// deliver sends the event of publication pub to the subscribers of sub
// that f allows, or to only one when only is set (a retained event for a
// new subscriber), and returns how many it was sent to. The event is the
// same for all of them, so it is prepared once: serialized once per
// serializer in use.
func (b *broker) deliver(sub *subscription, m *core.Publish, pub uint64, from publisherInfo, f *pubFilter, only *session) int {
	ev := &core.Event{Subscription: sub.id, Publication: pub, Args: m.Args, Kwargs: m.Kwargs, Payload: m.Payload}
	ev.Details.Passthru = m.Options.Passthru
	if isTrue(m.Options.DiscloseMe) || from.disclose {
		ev.Details.Publisher, ev.Details.PublisherAuthID, ev.Details.PublisherAuthRole = from.id, from.authid, from.authrole
	}
	if sub.match != core.MatchExact {
		ev.Details.Topic = m.Topic
	}
	if only != nil {
		retained := true
		ev.Details.Retained = &retained
		if !f.allows(only) {
			return 0
		}
		only.send(ev)
		return 1
	}
	var msg core.Message = ev
	if len(sub.subscribers) > 1 {
		msg = core.Prepare(ev)
	}
	n := 0
	for _, to := range sub.subscribers {
		if f.allows(to) {
			to.send(msg)
			n++
		}
	}
	return n
}

// pubFilter is a publication's black and white lists and publisher
// exclusion, with the lists as sets so that a fan-out checks each
// subscriber in constant time. It is built before the broker's lock is
// taken.
type pubFilter struct {
	excludeID                         uint64 // the publisher, when exclude_me; 0: none
	exclude, eligible                 map[uint64]struct{}
	excludeAuthID, eligibleAuthID     map[string]struct{}
	excludeAuthRole, eligibleAuthRole map[string]struct{}
}

func newPubFilter(o *core.PublishOptions, publisher uint64) *pubFilter {
	f := &pubFilter{
		exclude: setOf(o.Exclude), eligible: setOf(o.Eligible),
		excludeAuthID: setOf(o.ExcludeAuthID), eligibleAuthID: setOf(o.EligibleAuthID),
		excludeAuthRole: setOf(o.ExcludeAuthRole), eligibleAuthRole: setOf(o.EligibleAuthRole),
	}
	if o.ExcludeMe == nil || *o.ExcludeMe {
		f.excludeID = publisher
	}
	return f
}

// setOf returns the items of a list as a set; nil (no list) stays nil,
// while an empty list is an empty set (an empty whitelist admits nobody).
func setOf[T comparable](list []T) map[T]struct{} {
	if list == nil {
		return nil
	}
	set := make(map[T]struct{}, len(list))
	for _, v := range list {
		set[v] = struct{}{}
	}
	return set
}

func (f *pubFilter) allows(to *session) bool {
	if to.id == f.excludeID {
		return false
	}
	return !in(f.exclude, to.id) && !in(f.excludeAuthID, to.authid) && !in(f.excludeAuthRole, to.authrole) &&
		admits(f.eligible, to.id) && admits(f.eligibleAuthID, to.authid) && admits(f.eligibleAuthRole, to.authrole)
}

// in reports whether v is in a blacklist (nil: no list).
func in[T comparable](set map[T]struct{}, v T) bool {
	_, ok := set[v]
	return ok
}

// admits reports whether a whitelist lets v through (nil: no list).
func admits[T comparable](set map[T]struct{}, v T) bool {
	if set == nil {
		return true
	}
	_, ok := set[v]
	return ok
}

// subscribe adds s to the subscription of the topic pattern, creating it
// on first use, and sends the retained events it asks for.
func (b *broker) subscribe(s *session, m *core.Subscribe) {
	match := matchOf(m.Options.Match)
	if !s.checkURI(core.TypeSubscribe, m.Request, m.Topic, match) || !s.allowed(ActionSubscribe, m.Topic, m, m.Request) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	sub, existed := b.subscription(m.Topic, match)
	added := !slices.Contains(sub.subscribers, s)
	if added {
		sub.subscribers = append(sub.subscribers, s)
		s.subscriptions = append(s.subscriptions, sub)
	}
	s.send(&core.Subscribed{Request: m.Request, Subscription: sub.id})
	// Meta events follow SUBSCRIBED, as in Crossbar.io; none for the meta
	// topics themselves.
	if !strings.HasPrefix(sub.uri, "wamp.") {
		if !existed {
			b.metaLocked("wamp.subscription.on_create", s.id, sub.details())
		}
		if added {
			b.metaLocked("wamp.subscription.on_subscribe", s.id, sub.id)
		}
	}
	if !isTrue(m.Options.GetRetained) {
		return
	}
	if match == core.MatchExact {
		if r := b.retained[m.Topic]; r != nil {
			b.deliver(sub, r.pub, r.publication, r.publisher, r.filter(), s)
		}
		return
	}
	matches := matcher(sub.uri, sub.match)
	for topic, r := range b.retained {
		if matches(topic) {
			b.deliver(sub, r.pub, r.publication, r.publisher, r.filter(), s)
		}
	}
}

// subscription returns the subscription of a topic pattern, creating it
// when it does not exist. b.mu is held.
func (b *broker) subscription(uri, match string) (sub *subscription, existed bool) {
	if sub, ok := b.subs.get(uri, match); ok {
		return sub, true
	}
	sub = &subscription{id: randomID(), uri: uri, match: match, created: time.Now()}
	for b.byID[sub.id] != nil {
		sub.id = randomID()
	}
	b.subs.put(uri, match, sub)
	b.byID[sub.id] = sub
	return sub, false
}

// unsubscribe removes s from a subscription.
func (b *broker) unsubscribe(s *session, m *core.Unsubscribe) {
	if !b.leave(s, m.Subscription) {
		s.sendError(core.TypeUnsubscribe, m.Request, core.URINoSuchSubscription, "no subscription with this ID for this session")
		return
	}
	s.send(&core.Unsubscribed{Request: m.Request})
}

// leave takes s out of the subscription id, reporting false when s is not
// one of its subscribers.
func (b *broker) leave(s *session, id uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	sub := b.byID[id]
	if sub == nil || !slices.Contains(sub.subscribers, s) {
		return false
	}
	b.drop(sub, s)
	s.subscriptions = slices.DeleteFunc(s.subscriptions, func(x *subscription) bool { return x == sub })
	return true
}

// drop removes s from sub, and sub once it has no subscriber left,
// publishing the meta events of both.
func (b *broker) drop(sub *subscription, s *session) {
	sub.subscribers = slices.DeleteFunc(sub.subscribers, func(x *session) bool { return x == s })
	meta := !strings.HasPrefix(sub.uri, "wamp.")
	if meta {
		b.metaLocked("wamp.subscription.on_unsubscribe", s.id, sub.id)
	}
	if len(sub.subscribers) == 0 && sub.history == nil {
		b.subs.remove(sub.uri, sub.match)
		delete(b.byID, sub.id)
		if meta {
			b.metaLocked("wamp.subscription.on_delete", s.id, sub.id)
		}
	}
}

// details describes sub as the meta API does.
func (sub *subscription) details() map[string]any {
	return map[string]any{"id": sub.id, "created": isoTime(sub.created), "uri": sub.uri, "match": sub.match}
}

// isoTime formats t as Crossbar.io's timestamps (UTC, milliseconds).
func isoTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// detach removes every subscription of a session that left.
func (b *broker) detach(s *session) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, sub := range s.subscriptions {
		b.drop(sub, s)
	}
	s.subscriptions = nil
}
