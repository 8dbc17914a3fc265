package router

import (
	"slices"
	"strings"
	"sync"

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
	subscribers []*session
}

// retainedEvent is a publication kept for subscribers that ask for it
// (event retention); its filters still apply when it is delivered.
type retainedEvent struct {
	pub         *core.Publish
	publication uint64
	publisher   publisherInfo
}

// publisherInfo is what an event may disclose about its publisher, and
// what publisher exclusion compares.
type publisherInfo struct {
	id               uint64
	authid, authrole string
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
	pub := randomID()
	from := publisherInfo{id: s.id, authid: s.authid, authrole: s.authrole}
	delivered := 0
	b.mu.Lock()
	b.subs.each(m.Topic, func(sub *subscription) {
		delivered += b.deliver(sub, m, pub, from, false, nil)
	})
	if isTrue(m.Options.Retain) {
		b.retained[m.Topic] = &retainedEvent{pub: m, publication: pub, publisher: from}
	}
	b.mu.Unlock()
	b.realm.router.stats.publications.Add(1)
	b.realm.router.stats.events.Add(uint64(delivered))
	if ack {
		s.send(&core.Published{Request: m.Request, Publication: pub})
	}
}

// deliver sends the event of publication pub to the subscribers of sub
// that its filters allow (to only one when only is set), and returns how
// many it was sent to. The event is the same for all of them, so it is
// prepared once: serialized once per serializer in use.
func (b *broker) deliver(sub *subscription, m *core.Publish, pub uint64, from publisherInfo, retained bool, only *session) int {
	ev := &core.Event{Subscription: sub.id, Publication: pub, Args: m.Args, Kwargs: m.Kwargs, Payload: m.Payload}
	ev.Details.Passthru = m.Options.Passthru
	if isTrue(m.Options.DiscloseMe) {
		ev.Details.Publisher, ev.Details.PublisherAuthID, ev.Details.PublisherAuthRole = from.id, from.authid, from.authrole
	}
	if sub.match != core.MatchExact {
		ev.Details.Topic = m.Topic
	}
	if retained {
		ev.Details.Retained = &retained
	}
	var msg core.Message = ev
	if only == nil && len(sub.subscribers) > 1 {
		msg = core.Prepare(ev)
	}
	excludeMe := m.Options.ExcludeMe == nil || *m.Options.ExcludeMe
	n := 0
	for _, to := range sub.subscribers {
		if only != nil && to != only {
			continue
		}
		if (excludeMe && to.id == from.id && !retained) || !allowed(&m.Options, to) {
			continue
		}
		to.send(msg)
		n++
	}
	return n
}

// allowed applies a publication's black and white lists to a subscriber.
func allowed(o *core.PublishOptions, to *session) bool {
	switch {
	case o.Exclude != nil && slices.Contains(o.Exclude, to.id),
		o.ExcludeAuthID != nil && slices.Contains(o.ExcludeAuthID, to.authid),
		o.ExcludeAuthRole != nil && slices.Contains(o.ExcludeAuthRole, to.authrole),
		o.Eligible != nil && !slices.Contains(o.Eligible, to.id),
		o.EligibleAuthID != nil && !slices.Contains(o.EligibleAuthID, to.authid),
		o.EligibleAuthRole != nil && !slices.Contains(o.EligibleAuthRole, to.authrole):
		return false
	}
	return true
}

// subscribe adds s to the subscription of the topic pattern, creating it
// on first use, and sends the retained events it asks for.
func (b *broker) subscribe(s *session, m *core.Subscribe) {
	match := matchOf(m.Options.Match)
	if !s.checkURI(core.TypeSubscribe, m.Request, m.Topic, match) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	sub, ok := b.subs.get(m.Topic, match)
	if !ok {
		sub = &subscription{id: randomID(), uri: m.Topic, match: match}
		for b.byID[sub.id] != nil {
			sub.id = randomID()
		}
		b.subs.put(m.Topic, match, sub)
		b.byID[sub.id] = sub
	}
	if !slices.Contains(sub.subscribers, s) {
		sub.subscribers = append(sub.subscribers, s)
		s.subscriptions = append(s.subscriptions, sub)
	}
	s.send(&core.Subscribed{Request: m.Request, Subscription: sub.id})
	if !isTrue(m.Options.GetRetained) {
		return
	}
	if match == core.MatchExact {
		if r := b.retained[m.Topic]; r != nil {
			b.deliver(sub, r.pub, r.publication, r.publisher, true, s)
		}
		return
	}
	for topic, r := range b.retained {
		if matches(sub.uri, sub.match, topic) {
			b.deliver(sub, r.pub, r.publication, r.publisher, true, s)
		}
	}
}

// unsubscribe removes s from a subscription.
func (b *broker) unsubscribe(s *session, m *core.Unsubscribe) {
	b.mu.Lock()
	sub := b.byID[m.Subscription]
	ok := sub != nil && slices.Contains(sub.subscribers, s)
	if ok {
		b.drop(sub, s)
		s.subscriptions = slices.DeleteFunc(s.subscriptions, func(x *subscription) bool { return x == sub })
	}
	b.mu.Unlock()
	if !ok {
		s.sendError(core.TypeUnsubscribe, m.Request, core.URINoSuchSubscription, "no subscription with this ID for this session")
		return
	}
	s.send(&core.Unsubscribed{Request: m.Request})
}

// drop removes s from sub, and sub once it has no subscriber left.
func (b *broker) drop(sub *subscription, s *session) {
	sub.subscribers = slices.DeleteFunc(sub.subscribers, func(x *session) bool { return x == s })
	if len(sub.subscribers) == 0 {
		b.subs.remove(sub.uri, sub.match)
		delete(b.byID, sub.id)
	}
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
