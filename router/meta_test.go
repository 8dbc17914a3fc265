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
