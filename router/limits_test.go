package router

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/memory"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

func TestMaxPendingCalls(t *testing.T) {
	r := newRouter(t, Options{MaxPendingCalls: 2})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.wait", core.RegisterOptions{})
	caller.call("com.example.wait", core.CallOptions{})
	caller.call("com.example.wait", core.CallOptions{})
	req := caller.call("com.example.wait", core.CallOptions{})
	caller.expectError(core.TypeCall, req, URITooManyPendingCalls)
	// Another session is not limited by this one's calls, and an answered
	// call frees its place.
	other := join(t, r, "realm1")
	other.call("com.example.wait", core.CallOptions{})
	for range 3 {
		callee.serve()
	}
	expect[*core.Result](caller)
	expect[*core.Result](caller)
	expect[*core.Result](other)
	caller.call("com.example.wait", core.CallOptions{})
	callee.serve()
	expect[*core.Result](caller)
}

func TestMaxRetainedTopics(t *testing.T) {
	var logs logBuffer
	r := newRouter(t, Options{MaxRetainedTopics: 1, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	pub, sub := join(t, r, "realm1"), join(t, r, "realm1")
	pub.publish("com.example.a", core.PublishOptions{Retain: ptr(true)}, "a1")
	pub.publish("com.example.a", core.PublishOptions{Retain: ptr(true)}, "a2") // replaces: allowed
	pub.publish("com.example.b", core.PublishOptions{Retain: ptr(true), Acknowledge: ptr(true)}, "b")
	expect[*core.Published](pub) // still published
	req := sub.next()
	sub.send(&core.Subscribe{Request: req, Topic: "com.example", Options: core.SubscribeOptions{Match: core.MatchPrefix, GetRetained: ptr(true)}})
	expect[*core.Subscribed](sub)
	ev := expect[*core.Event](sub)
	equal(t, "retained event", ev.Args, []any{"a2"})
	sub.quiet(30 * time.Millisecond)
	equal(t, "refused", r.Stats().RetainedRefused, uint64(1))
	if !strings.Contains(logs.String(), "retained") {
		t.Fatalf("refusal not logged: %q", logs.String())
	}
}

func TestMaxRealms(t *testing.T) {
	r := newRouter(t, Options{AutoCreateRealms: true, MaxRealms: 2})
	join(t, r, "realm2") // realm1 and realm2
	c := connect(t, r, nil)
	c.send(&core.Hello{Realm: "realm3", Details: core.HelloDetails{Roles: allRoles}})
	a := expect[*core.Abort](c)
	equal(t, "reason", a.Reason, core.URINoSuchRealm)
	join(t, r, "realm1")
}

// TestLongBlackAndWhiteLists: lists of thousands of entries filter as
// short ones do.
func TestLongBlackAndWhiteLists(t *testing.T) {
	r := newRouter(t, Options{})
	pub, a, b := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	a.subscribe("com.example.t", "")
	b.subscribe("com.example.t", "")
	eligible := make([]uint64, 0, 5001)
	for i := range uint64(5000) {
		if id := i + 1; id != a.id && id != b.id {
			eligible = append(eligible, id)
		}
	}
	eligible = append(eligible, a.id)
	pub.publish("com.example.t", core.PublishOptions{Eligible: eligible}, "to a")
	equal(t, "a's event", expect[*core.Event](a).Args, []any{"to a"})
	pub.publish("com.example.t", core.PublishOptions{Exclude: eligible}, "to b")
	equal(t, "b's event", expect[*core.Event](b).Args, []any{"to b"})
	a.quiet(20 * time.Millisecond)
}

func TestHandshakeTimeout(t *testing.T) {
	r := newRouter(t, Options{HandshakeTimeout: 50 * time.Millisecond})
	idle := connect(t, r, nil) // says nothing
	a := expect[*core.Abort](idle)
	equal(t, "reason", a.Reason, core.URITimeout)
	idle.closed()
	equal(t, "counted", r.Stats().HandshakeTimeouts, uint64(1))
	// A session that joins in time is not affected.
	c := join(t, r, "realm1")
	time.Sleep(100 * time.Millisecond)
	c.subscribe("com.example.t", "")
}

func TestMaxSessions(t *testing.T) {
	r := newRouter(t, Options{MaxSessions: 2})
	join(t, r, "realm1")
	join(t, r, "realm1")
	if _, err := memory.Connect(r.Accept, testpeer.NewRecorder(), memory.Options{}); err == nil {
		t.Fatal("a third connection was accepted")
	}
	equal(t, "refused", r.Stats().Refused, uint64(1))
}

func TestIdleAfterGoodbyeTimesOut(t *testing.T) {
	r := newRouter(t, Options{HandshakeTimeout: 100 * time.Millisecond})
	c := join(t, r, "realm1")
	time.Sleep(150 * time.Millisecond) // joined sessions have no handshake deadline
	c.send(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
	expect[*core.Goodbye](c)
	a := expect[*core.Abort](c) // no new HELLO in time
	equal(t, "reason", a.Reason, core.URITimeout)
	c.closed()
}

func TestKilledSessionThatDoesNotAnswerIsDropped(t *testing.T) {
	r := newRouter(t, Options{ShutdownTimeout: 100 * time.Millisecond})
	admin, mute := join(t, r, "realm1"), join(t, r, "realm1")
	admin.call("wamp.session.kill", core.CallOptions{}, mute.id)
	expect[*core.Result](admin)
	expect[*core.Goodbye](mute) // and never answers
	mute.closed()
	for deadline := time.Now().Add(wait); r.Stats().Sessions != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the killed session is still joined: %d sessions", r.Stats().Sessions)
		}
	}
}

func TestAuthenticationFloodIsThrottled(t *testing.T) {
	r := newRouter(t, Options{MaxAuthFailures: 3, Auth: []AuthMethod{Ticket{Principals: map[string]Principal{"joe": {Role: "user", Secret: "right"}}}}})
	url := serveWS(t, r)
	attempt := func(ticket string) string {
		t.Helper()
		p := &rawPeer{msgs: make(chan string, 4), closed: make(chan int, 1)}
		d := websocket.Dialer{Protocols: []string{"wamp.2.json"}}
		conn, err := d.Dial(t.Context(), url, p)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Abort()
		conn.SendMessage([]byte(`[1,"realm1",{"roles":{"caller":{}},"authmethods":["ticket"],"authid":"joe"}]`), false)
		m := <-p.msgs
		if strings.HasPrefix(m, "[4,") {
			conn.SendMessage([]byte(`[5,"`+ticket+`",{}]`), false)
			m = <-p.msgs
		}
		return m
	}
	if m := attempt("right"); !strings.HasPrefix(m, "[2,") {
		t.Fatalf("right ticket: %s", m)
	}
	for range 3 {
		if m := attempt("wrong"); !strings.Contains(m, core.URIAuthenticationFailed) {
			t.Fatalf("wrong ticket: %s", m)
		}
	}
	m := attempt("right")
	if !strings.Contains(m, "too many failed authentications") {
		t.Fatalf("after 3 failures: %s, want the throttle's ABORT", m)
	}
	equal(t, "throttled", r.Stats().AuthThrottled, uint64(1))
	// In-process sessions are not limited.
	c := connect(t, r, nil)
	c.send(&core.Hello{Realm: "realm1", Details: core.HelloDetails{AuthMethods: []string{"ticket"}, AuthID: "joe", Roles: allRoles}})
	expect[*core.Challenge](c)
}
