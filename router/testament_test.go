package router

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

func TestTestamentsArePublishedWhenTheSessionGoes(t *testing.T) {
	r := newRouter(t, Options{})
	watcher, a := join(t, r, "realm1"), join(t, r, "realm1")
	watcher.subscribe("com.example.gone", "")

	a.send(&core.Call{Request: a.next(), Procedure: "wamp.session.add_testament",
		Args: []any{"com.example.gone", []any{"a left"}, map[string]any{"why": "lost"}}})
	pub := expect[*core.Result](a).Args[0]
	a.send(&core.Call{Request: a.next(), Procedure: "wamp.session.add_testament",
		Args: []any{"com.example.gone", []any{"flushed"}}, Kwargs: map[string]any{"scope": "detached"}})
	expect[*core.Result](a)
	a.send(&core.Call{Request: a.next(), Procedure: "wamp.session.flush_testaments", Kwargs: map[string]any{"scope": "detached"}})
	equal(t, "flushed", expect[*core.Result](a).Args, []any{int64(1)})
	req := a.call("wamp.session.add_testament", core.CallOptions{}, "com.example.gone", []any{}, map[string]any{}, map[string]any{}, "forever")
	a.expectError(core.TypeCall, req, URITestamentError)
	req = a.call("wamp.session.add_testament", core.CallOptions{}, "wamp.session.on_leave")
	a.expectError(core.TypeCall, req, core.URIInvalidURI)
	watcher.quiet(30 * time.Millisecond)

	a.tr.Abort() // the connection is lost: no GOODBYE
	ev := expect[*core.Event](watcher)
	equal(t, "testament", []any{ev.Publication, ev.Args, ev.Kwargs}, []any{pub, []any{"a left"}, map[string]any{"why": "lost"}})
	watcher.quiet(30 * time.Millisecond)
}

func TestTestamentsAreAuthorizedAndBounded(t *testing.T) {
	roles, err := NewRoles(map[string][]Permission{"anonymous": {
		{URI: "wamp.session.", Match: core.MatchPrefix, Call: true},
		{URI: "com.example.ok", Publish: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, Options{Authorizer: roles})
	a := join(t, r, "realm1")
	req := a.call("wamp.session.add_testament", core.CallOptions{}, "com.example.secret")
	a.expectError(core.TypeCall, req, core.URINotAuthorized)
	for range MaxTestaments {
		a.call("wamp.session.add_testament", core.CallOptions{}, "com.example.ok")
		expect[*core.Result](a)
	}
	req = a.call("wamp.session.add_testament", core.CallOptions{}, "com.example.ok")
	a.expectError(core.TypeCall, req, URITestamentError)
}

func TestEventHistory(t *testing.T) {
	r := newRouter(t, Options{EventHistory: map[string][]EventHistory{"realm1": {
		{URI: "com.example.counter", Limit: 3},
		{URI: "com.example.", Match: core.MatchPrefix},
	}}})
	pub, c := join(t, r, "realm1"), join(t, r, "realm1")
	for i := range 5 {
		pub.publish("com.example.counter", core.PublishOptions{Acknowledge: ptr(true)}, int64(i))
		expect[*core.Published](pub) // handled before c asks
	}

	// The history's subscription exists without subscribers; lookup finds it.
	c.call("wamp.subscription.lookup", core.CallOptions{}, "com.example.counter")
	id := expect[*core.Result](c).Args[0]
	c.call("wamp.subscription.get_events", core.CallOptions{}, id)
	events := expect[*core.Result](c).Args[0].([]any)
	var got []any
	for _, e := range events {
		ev := e.(map[string]any)
		got = append(got, ev["args"].([]any)[0])
		equal(t, "event fields", []any{ev["topic"], ev["session_id"], ev["realm"]}, []any{"com.example.counter", pub.id, "realm1"})
	}
	equal(t, "newest first, limit 3", got, []any{int64(4), int64(3), int64(2)})

	c.send(&core.Call{Request: c.next(), Procedure: "wamp.subscription.get_events", Args: []any{id}, Kwargs: map[string]any{"limit": int64(2), "reverse": true}})
	events = expect[*core.Result](c).Args[0].([]any)
	equal(t, "limit 2 reversed", []any{events[0].(map[string]any)["args"], events[1].(map[string]any)["args"]}, []any{[]any{int64(3)}, []any{int64(4)}})

	// Subscribing and leaving does not delete a subscription with history.
	sid := c.subscribe("com.example.counter", "")
	equal(t, "same subscription", sid, id)
	c.send(&core.Unsubscribe{Request: c.next(), Subscription: sid})
	expect[*core.Unsubscribed](c)
	c.call("wamp.subscription.get_events", core.CallOptions{}, id)
	equal(t, "kept after unsubscribe", len(expect[*core.Result](c).Args[0].([]any)), 3)

	// Errors: no history, no such subscription, unsupported keyword.
	other := c.subscribe("com.nothing", "")
	req := c.call("wamp.subscription.get_events", core.CallOptions{}, other)
	c.expectError(core.TypeCall, req, URIHistoryUnavailable)
	req = c.call("wamp.subscription.get_events", core.CallOptions{}, uint64(1))
	c.expectError(core.TypeCall, req, core.URINoSuchSubscription)
	c.send(&core.Call{Request: c.next(), Procedure: "wamp.subscription.get_events", Args: []any{id}, Kwargs: map[string]any{"from_time": "2026-01-01"}})
	c.expectError(core.TypeCall, c.req, core.URIInvalidArgument)

	if _, err := New(Options{Realms: []string{"r"}, EventHistory: map[string][]EventHistory{"r": {{URI: "bad uri"}}}}); err == nil {
		t.Fatal("invalid event history URI accepted")
	}
}
