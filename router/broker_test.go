package router

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
)

func TestPublishToExactPrefixAndWildcard(t *testing.T) {
	r := newRouter(t, Options{})
	pub := join(t, r, "realm1")
	exact, prefix, wild, other := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	exactSub := exact.subscribe("com.example.topic.a", "")
	prefixSub := prefix.subscribe("com.example.topic", core.MatchPrefix)
	wildSub := wild.subscribe("com..topic.", core.MatchWildcard)
	other.subscribe("com.example.other", "")

	req := pub.publish("com.example.topic.a", core.PublishOptions{Acknowledge: ptr(true)}, "hello", int64(1))
	p := expect[*core.Published](pub)
	equal(t, "PUBLISHED request", p.Request, req)
	for _, tc := range []struct {
		c     *client
		sub   uint64
		topic string
	}{{exact, exactSub, ""}, {prefix, prefixSub, "com.example.topic.a"}, {wild, wildSub, "com.example.topic.a"}} {
		ev := expect[*core.Event](tc.c)
		equal(t, "subscription", ev.Subscription, tc.sub)
		equal(t, "publication", ev.Publication, p.Publication)
		equal(t, "details.topic", ev.Details.Topic, tc.topic)
		equal(t, "args", ev.Args, []any{"hello", int64(1)})
		if ev.Details.Publisher != 0 {
			t.Error("publisher disclosed without disclose_me")
		}
	}
	other.quiet(50 * time.Millisecond)
	pub.quiet(0)
}

func TestSubscriptionSharedByItsSubscribers(t *testing.T) {
	r := newRouter(t, Options{})
	a, b := join(t, r, "realm1"), join(t, r, "realm1")
	sa, sb := a.subscribe("com.example.t", ""), b.subscribe("com.example.t", "")
	equal(t, "subscription IDs", sa, sb)
	if again := a.subscribe("com.example.t", ""); again != sa {
		t.Fatalf("subscribing twice gave %d, want %d", again, sa)
	}
	sp := a.subscribe("com.example.t", core.MatchPrefix)
	if sp == sa {
		t.Fatal("prefix and exact subscription share an ID")
	}
	req := a.next()
	a.send(&core.Unsubscribe{Request: req, Subscription: sa})
	expect[*core.Unsubscribed](a)
	req = a.next()
	a.send(&core.Unsubscribe{Request: req, Subscription: sa})
	a.expectError(core.TypeUnsubscribe, req, core.URINoSuchSubscription)
}

func TestPublisherExclusionAndIdentification(t *testing.T) {
	r := newRouter(t, Options{})
	pub, sub := join(t, r, "realm1"), join(t, r, "realm1")
	pub.subscribe("com.example.t", "")
	sub.subscribe("com.example.t", "")

	pub.publish("com.example.t", core.PublishOptions{}, "excluded")
	ev := expect[*core.Event](sub)
	equal(t, "args", ev.Args, []any{"excluded"})
	pub.quiet(50 * time.Millisecond)

	pub.publish("com.example.t", core.PublishOptions{ExcludeMe: ptr(false), DiscloseMe: ptr(true)}, "included")
	for _, c := range []*client{pub, sub} {
		ev := expect[*core.Event](c)
		equal(t, "args", ev.Args, []any{"included"})
		equal(t, "publisher", ev.Details.Publisher, pub.id)
		equal(t, "publisher_authrole", ev.Details.PublisherAuthRole, "anonymous")
		if ev.Details.PublisherAuthID == "" {
			t.Error("no publisher_authid")
		}
	}
}

func TestBlackAndWhiteListing(t *testing.T) {
	r := newRouter(t, Options{})
	pub := join(t, r, "realm1")
	subs := []*client{join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")}
	for _, s := range subs {
		s.subscribe("com.example.t", "")
	}
	// Filters never combine into "nobody": each case says who gets it.
	for _, tc := range []struct {
		name string
		o    core.PublishOptions
		gets []bool
	}{
		{"exclude", core.PublishOptions{Exclude: []uint64{subs[0].id}}, []bool{false, true, true}},
		{"eligible", core.PublishOptions{Eligible: []uint64{subs[1].id}}, []bool{false, true, false}},
		{"eligible and exclude", core.PublishOptions{Eligible: []uint64{subs[1].id, subs[2].id}, Exclude: []uint64{subs[2].id}}, []bool{false, true, false}},
		{"exclude_authrole", core.PublishOptions{ExcludeAuthRole: []string{"anonymous"}}, []bool{false, false, false}},
		{"eligible_authrole", core.PublishOptions{EligibleAuthRole: []string{"anonymous"}}, []bool{true, true, true}},
		{"eligible_authid", core.PublishOptions{EligibleAuthID: []string{subs[2].authid(r)}}, []bool{false, false, true}},
		{"exclude_authid", core.PublishOptions{ExcludeAuthID: []string{subs[2].authid(r)}}, []bool{true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pub.publish("com.example.t", tc.o, tc.name)
			for i, s := range subs {
				if tc.gets[i] {
					ev := expect[*core.Event](s)
					equal(t, "args", ev.Args, []any{tc.name})
				}
			}
			for i, s := range subs {
				if !tc.gets[i] {
					s.quiet(30 * time.Millisecond)
				}
			}
		})
	}
}

// authid returns the authid the router gave c.
func (c *client) authid(r *Router) string {
	rl := r.Realm("realm1")
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.sessions[c.id].authid
}

func TestRetainedEvents(t *testing.T) {
	r := newRouter(t, Options{})
	pub := join(t, r, "realm1")
	pub.publish("com.example.r.one", core.PublishOptions{Retain: ptr(true)}, "first")
	pub.publish("com.example.r.one", core.PublishOptions{Retain: ptr(true), Acknowledge: ptr(true)}, "second")
	expect[*core.Published](pub)
	pub.publish("com.example.r.two", core.PublishOptions{Retain: ptr(true), Acknowledge: ptr(true)}, "other")
	expect[*core.Published](pub)

	late := join(t, r, "realm1")
	req := late.next()
	late.send(&core.Subscribe{Request: req, Topic: "com.example.r.one", Options: core.SubscribeOptions{GetRetained: ptr(true)}})
	expect[*core.Subscribed](late)
	ev := expect[*core.Event](late)
	equal(t, "args", ev.Args, []any{"second"})
	equal(t, "retained", ev.Details.Retained, ptr(true))

	// A pattern subscription gets every matching retained event.
	req = late.next()
	late.send(&core.Subscribe{Request: req, Topic: "com.example.r", Options: core.SubscribeOptions{Match: core.MatchPrefix, GetRetained: ptr(true)}})
	expect[*core.Subscribed](late)
	got := map[any]bool{}
	for range 2 {
		ev := expect[*core.Event](late)
		got[ev.Args[0]] = true
		if !*ev.Details.Retained || ev.Details.Topic == "" {
			t.Fatalf("retained pattern event without retained/topic: %s", describe(ev))
		}
	}
	equal(t, "retained events", got, map[any]bool{"second": true, "other": true})

	// Without get_retained, nothing.
	quiet := join(t, r, "realm1")
	quiet.subscribe("com.example.r.one", "")
	quiet.quiet(50 * time.Millisecond)
}

func TestPublishErrors(t *testing.T) {
	r := newRouter(t, Options{})
	c := join(t, r, "realm1")
	for _, topic := range []string{"com.Example.Upper", "wamp.session.on_join"} {
		req := c.publish(topic, core.PublishOptions{Acknowledge: ptr(true)})
		c.expectError(core.TypePublish, req, core.URIInvalidURI)
	}
	// Without acknowledge, nothing comes back.
	c.publish("com.Example.Upper", core.PublishOptions{})
	c.quiet(50 * time.Millisecond)
	req := c.next()
	c.send(&core.Subscribe{Request: req, Topic: "com..x", Options: core.SubscribeOptions{}})
	c.expectError(core.TypeSubscribe, req, core.URIInvalidURI)

	loose := newRouter(t, Options{LooseURIs: true})
	l := join(t, loose, "realm1")
	l.subscribe("com.Example.Upper", "")
	l.publish("com.Example.Upper", core.PublishOptions{Acknowledge: ptr(true), ExcludeMe: ptr(false)})
	expect[*core.Event](l) // the router fans out before it acknowledges
	expect[*core.Published](l)
}

// countingSerializer counts the messages it serializes.
type countingSerializer struct {
	core.Serializer
	n atomic.Int64
}

func (s *countingSerializer) Serialize(m core.Message) ([]byte, error) {
	s.n.Add(1)
	return s.Serializer.Serialize(m)
}

func TestEventSerializedOncePerSerializer(t *testing.T) {
	r := newRouter(t, Options{})
	js := &countingSerializer{Serializer: json.Serializer}
	mp := &countingSerializer{Serializer: msgpack.Serializer}
	const perSerializer = 50
	var subs []*client
	for i := range 2 * perSerializer {
		ser := core.Serializer(js)
		if i%2 == 1 {
			ser = mp
		}
		c := connect(t, r, ser)
		c.hello("realm1")
		c.subscribe("com.example.fan", "")
		subs = append(subs, c)
	}
	pub := join(t, r, "realm1")
	js.n.Store(0)
	mp.n.Store(0)
	pub.publish("com.example.fan", core.PublishOptions{}, []byte{0, 1, 2}, "x")
	for _, c := range subs {
		ev := expect[*core.Event](c)
		equal(t, "args", ev.Args, []any{[]byte{0, 1, 2}, "x"})
	}
	equal(t, "JSON encodings", js.n.Load(), int64(1))
	equal(t, "MsgPack encodings", mp.n.Load(), int64(1))
}
