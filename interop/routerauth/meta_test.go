package routerauth

import (
	"regexp"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/router"
)

// isoTime is the form of the "created" timestamps of the meta API
// (Crossbar.io's: UTC with milliseconds).
var isoTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// withoutCreated checks the "created" timestamp of a registration's or
// subscription's details and returns the details without it.
func withoutCreated(t *testing.T, what string, v any) any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Errorf("%s: %s is not a dict", what, peers.Compact(v))
		return v
	}
	out := map[string]any{}
	for k, x := range m {
		out[k] = x
	}
	if c, _ := out["created"].(string); !isoTime.MatchString(c) {
		t.Errorf("%s: created %q, want an ISO 8601 UTC time with milliseconds", what, c)
	}
	delete(out, "created")
	return out
}

// TestPythonMetaAPI: Autobahn|Python sessions use the session,
// registration and subscription meta APIs of a realm (meta, where only this
// test's sessions are): monitor m1 (A) watches the meta events while
// worker m2 (B, RawSocket) registers, subscribes, publishes to a topic with
// event history, leaves a testament and loses its connection, and worker m3
// (C) is killed. Every ID the meta API returns must be the one the sessions
// themselves got.
func TestPythonMetaAPI(t *testing.T) {
	peers.RequirePythonAsyncio(t)
	t.Parallel()
	n := startNode(t)
	b := peers.NewBatch("python")
	s := b.Add("meta", "meta", nil)
	runPython(t, n, b)
	if !s.Ready(t) {
		return
	}
	ids := s.Get(t, "ids")
	A := peers.Uint(t, "A", peers.At(ids, "a"))
	B := peers.Uint(t, "B", peers.At(ids, "b"))

	t.Run("session", func(t *testing.T) {
		details := func(what string, d any) {
			t.Helper()
			peer, _ := peers.At(d, "transport", "peer").(string)
			if !strings.HasPrefix(peer, "tcp4:127.0.0.1:") {
				t.Errorf("%s: transport.peer %q, want tcp4:127.0.0.1:<port>", what, peer)
			}
			for k, v := range map[string]any{"session": B, "realm": realmMeta, "authid": "m2", "authrole": "worker",
				"authmethod": "ticket", "authprovider": "static"} {
				peers.Equal(t, what+"."+k, peers.At(d, k), v)
			}
		}
		details("on_join", peers.At(s.Get(t, "on_join"), 0))
		s.Eq(t, "count", 2)
		s.Eq(t, "count_worker", 1)
		list := []uint64{A, B}
		if B < A {
			list = []uint64{B, A}
		}
		s.Eq(t, "list", list)
		s.Eq(t, "list_monitor", []uint64{A})
		details("wamp.session.get", s.Get(t, "get"))
		peers.Equal(t, "wamp.session.get(1)", peers.ErrorOf(s.Get(t, "get_unknown")), map[string]any{"error": router.URINoSuchSession})
	})

	t.Run("registration", func(t *testing.T) {
		regs := s.Get(t, "regs")
		R := peers.Uint(t, "registration", peers.At(regs, "exact"))
		P := peers.Uint(t, "prefix registration", peers.At(regs, "prefix"))
		s.Eq(t, "reg_lookup", R)
		s.Eq(t, "reg_lookup_prefix", P)
		s.Eq(t, "reg_lookup_none", nil)
		s.Eq(t, "reg_match", R)
		s.Eq(t, "reg_match_prefix", P)
		s.Eq(t, "reg_list", map[string]any{"exact": []uint64{R}, "prefix": []uint64{P}, "wildcard": []uint64{}})
		rDetails := map[string]any{"id": R, "uri": "com.example.meta.proc", "match": "exact", "invoke": "single"}
		pDetails := map[string]any{"id": P, "uri": "com.example.meta.", "match": "prefix", "invoke": "single"}
		peers.Equal(t, "wamp.registration.get", withoutCreated(t, "wamp.registration.get", s.Get(t, "reg_get")), rDetails)
		s.Eq(t, "reg_callees", []uint64{B})
		s.Eq(t, "reg_count_callees", 1)
		peers.Equal(t, "wamp.registration.get(1)", peers.ErrorOf(s.Get(t, "reg_get_unknown")), map[string]any{"error": core.URINoSuchRegistration})
		s.Eq(t, "reg_lookup_after", nil)

		events, _ := s.Get(t, "reg_events").([]any)
		for _, e := range events {
			if peers.At(e, "topic") == "wamp.registration.on_create" {
				args := peers.At(e, "args").([]any)
				args[1] = withoutCreated(t, "on_create", args[1])
			}
		}
		ev := func(topic string, arg any) map[string]any {
			return map[string]any{"topic": "wamp.registration." + topic, "args": []any{B, arg}}
		}
		peers.Equal(t, "registration meta events", events, []any{
			ev("on_create", rDetails), ev("on_register", R), ev("on_create", pDetails), ev("on_register", P),
			ev("on_unregister", R), ev("on_delete", R), ev("on_unregister", P), ev("on_delete", P),
		})
	})

	t.Run("subscription", func(t *testing.T) {
		S := peers.Uint(t, "subscription", s.Get(t, "sub"))
		s.Eq(t, "sub_lookup", S)
		s.Eq(t, "sub_subscribers", []uint64{B})
		s.Eq(t, "sub_count_subscribers", 1)
		sDetails := map[string]any{"id": S, "uri": "com.example.meta.topic", "match": "exact"}
		peers.Equal(t, "wamp.subscription.get", withoutCreated(t, "wamp.subscription.get", s.Get(t, "sub_get")), sDetails)
		exact, _ := peers.At(s.Get(t, "sub_list"), "exact").([]any)
		found := false
		for _, x := range exact {
			found = found || peers.Uint(t, "wamp.subscription.list", x) == S
		}
		if !found {
			t.Errorf("wamp.subscription.list %s lacks %d among exact", peers.Compact(s.Get(t, "sub_list")), S)
		}
		events, _ := s.Get(t, "sub_events").([]any)
		if len(events) > 0 {
			args, _ := peers.At(events[0], "args").([]any)
			if len(args) == 2 {
				args[1] = withoutCreated(t, "on_create", args[1])
			}
		}
		ev := func(topic string, arg any) map[string]any {
			return map[string]any{"topic": "wamp.subscription." + topic, "args": []any{B, arg}}
		}
		peers.Equal(t, "subscription meta events", events, []any{
			ev("on_create", sDetails), ev("on_subscribe", S), ev("on_unsubscribe", S), ev("on_delete", S),
		})
	})

	t.Run("event_history", func(t *testing.T) {
		h := s.Get(t, "history")
		if peers.At(h, "sub") == nil {
			t.Fatalf("wamp.subscription.lookup found no subscription keeping the history of com.example.meta.history")
		}
		pubs, _ := peers.At(h, "pubs").([]any)
		if len(pubs) != 5 {
			t.Fatalf("publications %s, want 5", peers.Compact(pubs))
		}
		want := func(limit int) []any {
			var out []any
			for i := 4; i > 4-limit; i-- {
				out = append(out, map[string]any{"realm": realmMeta, "topic": "com.example.meta.history",
					"publication": pubs[i], "session_id": B, "authid": "m2", "authrole": "worker",
					"args": []any{i}, "kwargs": map[string]any{"n": i}})
			}
			return out
		}
		strip := func(what string, v any) any {
			events, _ := v.([]any)
			var last uint64
			for i, e := range events {
				m, _ := e.(map[string]any)
				ns := peers.Uint(t, what+" time_ns", m["time_ns"])
				if ns == 0 || i > 0 && ns > last {
					t.Errorf("%s: time_ns %d after %d: want newest first", what, ns, last)
				}
				last = ns
				delete(m, "time_ns")
			}
			return v
		}
		peers.Equal(t, "get_events (newest first, limit 3)", strip("get_events", peers.At(h, "events")), want(3))
		peers.Equal(t, "get_events(sub, 2)", strip("get_events", peers.At(h, "limited")), want(2))
		peers.Equal(t, "get_events of a subscription without history", peers.ErrorOf(s.Get(t, "history_unavailable")),
			map[string]any{"error": router.URIHistoryUnavailable})
	})

	t.Run("testament", func(t *testing.T) {
		if pub := peers.Uint(t, "add_testament", s.Get(t, "testament")); pub == 0 {
			t.Errorf("add_testament returned publication 0")
		}
		s.Eq(t, "testament_event", []any{[]any{"com.example.meta.testament", []any{"gone", B}, map[string]any{"why": "lost"}}})
		s.Eq(t, "on_leave", []any{B, "m2", "worker"})
	})

	t.Run("kill", func(t *testing.T) {
		C := peers.At(s.Get(t, "killed"), "id")
		s.Eq(t, "kill", map[string]any{"ok": nil})
		s.Eq(t, "killed", map[string]any{"id": C, "reason": "com.example.meta.kicked", "message": "bye"})
		peers.Equal(t, "wamp.session.kill of the caller itself", peers.ErrorOf(s.Get(t, "kill_self")), map[string]any{"error": router.URINoSuchSession})
		s.Eq(t, "list_end", []uint64{A})
	})
}
