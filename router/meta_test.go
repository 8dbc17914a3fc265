package router

import (
	"testing"

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
	equal(t, "registration.get", result("wamp.registration.get", regID),
		map[string]any{"id": regID, "uri": "com.example.add", "match": "exact", "invoke": "single"})
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
