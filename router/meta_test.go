package router

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

func TestSessionMetaAPI(t *testing.T) {
	r := newRouter(t, Options{})
	watcher := join(t, r, "realm1")
	watcher.subscribe("wamp.session.on_join", "")
	watcher.subscribe("wamp.session.on_leave", "")

	c := join(t, r, "realm1")
	ev := expect[*core.Event](watcher)
	d, _ := ev.Args[0].(map[string]any)
	equal(t, "on_join session", d["session"], c.id)
	equal(t, "on_join authrole", d["authrole"], "anonymous")
	equal(t, "on_join authmethod", d["authmethod"], "anonymous")

	req := watcher.call("wamp.session.count", core.CallOptions{})
	res := expect[*core.Result](watcher)
	equal(t, "count", []any{res.Request, res.Args}, []any{req, []any{int64(2)}})
	watcher.call("wamp.session.list", core.CallOptions{})
	res = expect[*core.Result](watcher)
	if l, _ := res.Args[0].([]any); len(l) != 2 {
		t.Fatalf("list %v", res.Args)
	}
	watcher.call("wamp.session.count", core.CallOptions{}, []any{"nobody"})
	equal(t, "count with a role filter", expect[*core.Result](watcher).Args, []any{int64(0)})
	watcher.call("wamp.session.get", core.CallOptions{}, c.id)
	got, _ := expect[*core.Result](watcher).Args[0].(map[string]any)
	equal(t, "get", got["session"], c.id)
	req = watcher.call("wamp.session.get", core.CallOptions{}, uint64(12345))
	watcher.expectError(core.TypeCall, req, URINoSuchSession)

	c.tr.Abort()
	ev = expect[*core.Event](watcher)
	equal(t, "on_leave", ev.Args[:1], []any{c.id})
	equal(t, "on_leave authrole", ev.Args[2], "anonymous")
}

func TestMetaProceduresAreAuthorized(t *testing.T) {
	roles, err := NewRoles(map[string][]Permission{"anonymous": {{URI: "com.", Match: core.MatchPrefix, Call: true}}})
	if err != nil {
		t.Fatal(err)
	}
	r := newRouter(t, Options{Authorizer: roles})
	c := join(t, r, "realm1")
	req := c.call("wamp.session.count", core.CallOptions{})
	c.expectError(core.TypeCall, req, core.URINotAuthorized)
}

func TestSessionKill(t *testing.T) {
	r := newRouter(t, Options{})
	admin, a, b := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	admin.call("wamp.session.kill", core.CallOptions{}, a.id)
	if m, ok := admin.recv().(*core.Result); !ok {
		t.Fatalf("kill: %s", describe(m))
	}
	g := expect[*core.Goodbye](a)
	equal(t, "reason", g.Reason, core.URICloseKilled)
	a.send(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
	a.closed()

	admin.send(&core.Call{Request: admin.next(), Procedure: "wamp.session.kill_all", Kwargs: map[string]any{"reason": "com.example.maintenance", "message": "back soon"}})
	res := expect[*core.Result](admin)
	equal(t, "killed", res.Args, []any{[]any{b.id}})
	g = expect[*core.Goodbye](b)
	equal(t, "reason and message", []any{g.Reason, g.Details.Message}, []any{"com.example.maintenance", "back soon"})
	req := admin.call("wamp.session.kill", core.CallOptions{}, admin.id)
	admin.expectError(core.TypeCall, req, URINoSuchSession)
}

func TestRegistrationAndSubscriptionMeta(t *testing.T) {
	r := newRouter(t, Options{})
	callee, sub, c := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	regID := callee.register("com.example.add", core.RegisterOptions{})
	wildID := callee.register("com..get", core.RegisterOptions{Match: core.MatchWildcard})
	subID := sub.subscribe("com.example", core.MatchPrefix)

	result := func(proc string, args ...any) any {
		t.Helper()
		c.call(proc, core.CallOptions{}, args...)
		res := expect[*core.Result](c)
		return res.Args[0]
	}
	equal(t, "registration.list", result("wamp.registration.list"),
		map[string]any{"exact": []any{regID}, "prefix": []any{}, "wildcard": []any{wildID}})
	equal(t, "registration.lookup", result("wamp.registration.lookup", "com..get", map[string]any{"match": "wildcard"}), wildID)
	equal(t, "registration.lookup missing", result("wamp.registration.lookup", "com.nothing"), nil)
	equal(t, "registration.match", result("wamp.registration.match", "com.x.get"), wildID)
	got := result("wamp.registration.get", regID).(map[string]any)
	if _, err := time.Parse(time.RFC3339, got["created"].(string)); err != nil {
		t.Fatalf("registration.get created: %v", err)
	}
	delete(got, "created")
	equal(t, "registration.get", got, map[string]any{"id": regID, "uri": "com.example.add", "match": "exact", "invoke": "single"})
	equal(t, "list_callees", result("wamp.registration.list_callees", regID), []any{callee.id})
	equal(t, "count_callees", result("wamp.registration.count_callees", regID), int64(1))
	equal(t, "subscription.list", result("wamp.subscription.list"),
		map[string]any{"exact": []any{}, "prefix": []any{subID}, "wildcard": []any{}})
	equal(t, "subscription.match", result("wamp.subscription.match", "com.example.news"), []any{subID})
	equal(t, "list_subscribers", result("wamp.subscription.list_subscribers", subID), []any{sub.id})
	equal(t, "count_subscribers", result("wamp.subscription.count_subscribers", subID), int64(1))
	req := c.call("wamp.registration.get", core.CallOptions{}, uint64(1))
	c.expectError(core.TypeCall, req, core.URINoSuchRegistration)
	req = c.call("wamp.subscription.count_subscribers", core.CallOptions{}, uint64(1))
	c.expectError(core.TypeCall, req, core.URINoSuchSubscription)
}

func TestRegistrationAndSubscriptionMetaEvents(t *testing.T) {
	r := newRouter(t, Options{})
	watcher, a, b := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	metaSubs := map[uint64]string{}
	for _, topic := range []string{"wamp.subscription.on_create", "wamp.subscription.on_subscribe",
		"wamp.subscription.on_unsubscribe", "wamp.subscription.on_delete", "wamp.registration.on_create",
		"wamp.registration.on_register", "wamp.registration.on_unregister", "wamp.registration.on_delete"} {
		metaSubs[watcher.subscribe(topic, "")] = topic
	}
	next := func(want string, args ...any) map[string]any {
		t.Helper()
		ev := expect[*core.Event](watcher)
		equal(t, "meta topic", metaSubs[ev.Subscription], want)
		equal(t, want+" args", ev.Args[:len(args)], args)
		if len(ev.Args) > len(args) {
			d, _ := ev.Args[len(args)].(map[string]any)
			return d
		}
		return nil
	}
	subID := a.subscribe("com.example.news", "")
	d := next("wamp.subscription.on_create", a.id)
	equal(t, "on_create details", []any{d["id"], d["uri"], d["match"]}, []any{subID, "com.example.news", "exact"})
	next("wamp.subscription.on_subscribe", a.id, subID)
	b.subscribe("com.example.news", "")
	next("wamp.subscription.on_subscribe", b.id, subID)
	a.send(&core.Unsubscribe{Request: a.next(), Subscription: subID})
	expect[*core.Unsubscribed](a)
	next("wamp.subscription.on_unsubscribe", a.id, subID)

	regID := a.register("com.example.add", core.RegisterOptions{})
	d = next("wamp.registration.on_create", a.id)
	equal(t, "on_create details", []any{d["id"], d["uri"], d["invoke"]}, []any{regID, "com.example.add", "single"})
	next("wamp.registration.on_register", a.id, regID)

	// remove_callee revokes: the callee (its HELLO announces
	// registration_revocation) is told, with the default reason.
	watcher.call("wamp.registration.remove_callee", core.CallOptions{}, regID, a.id)
	next("wamp.registration.on_unregister", a.id, regID)
	next("wamp.registration.on_delete", a.id, regID)
	expect[*core.Result](watcher)
	u := expect[*core.Unregistered](a)
	equal(t, "revocation", []any{u.Details.Registration, u.Details.Reason}, []any{regID, core.URICanceled})
	req := a.call("com.example.add", core.CallOptions{})
	a.expectError(core.TypeCall, req, core.URINoSuchProcedure)
	req = watcher.call("wamp.registration.remove_callee", core.CallOptions{}, regID, a.id)
	watcher.expectError(core.TypeCall, req, core.URINoSuchRegistration)

	// A session that leaves loses its subscriptions: unsubscribe, delete.
	b.send(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
	expect[*core.Goodbye](b)
	next("wamp.subscription.on_unsubscribe", b.id, subID)
	next("wamp.subscription.on_delete", b.id, subID)
}

func TestRemoveSubscriberRevokes(t *testing.T) {
	r := newRouter(t, Options{})
	admin := join(t, r, "realm1")
	sub := joinAs(t, r, "realm1", map[string]core.Role{core.RoleSubscriber: {Features: map[string]bool{"subscription_revocation": true}}})
	subID := sub.subscribe("com.example.news", "")
	admin.call("wamp.subscription.remove_subscriber", core.CallOptions{}, subID, sub.id, "com.example.banned")
	expect[*core.Result](admin)
	u := expect[*core.Unsubscribed](sub)
	equal(t, "revocation", []any{u.Request, u.Details.Subscription, u.Details.Reason}, []any{uint64(0), subID, "com.example.banned"})
	admin.publish("com.example.news", core.PublishOptions{}, "x")
	sub.quiet(50 * time.Millisecond)
	req := admin.call("wamp.subscription.remove_subscriber", core.CallOptions{}, subID, uint64(12345))
	admin.expectError(core.TypeCall, req, URINoSuchSession)
}
