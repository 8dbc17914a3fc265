package router

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

func TestCallDurationBuckets(t *testing.T) {
	const base = callDurationBase
	for _, tc := range []struct {
		d    time.Duration
		want int
	}{
		{-time.Second, 0}, {0, 0}, {1, 0}, {base, 0},
		{base + 1, 1}, {2 * base, 1}, {2*base + 1, 2}, {4 * base, 2}, {4*base + 1, 3},
		{time.Millisecond, 6}, // 16 µs << 6 = 1.024 ms
		{base << 20, 20}, {base<<20 + 1, 21}, {time.Hour, 21},
	} {
		var h durationHistogram
		h.observe(tc.d)
		got := h.load()
		var want CallDurations
		want.Counts[tc.want] = 1
		want.Sum = max(tc.d, 0)
		if got != want {
			t.Errorf("observe(%v): bucket counts %v, sum %v; want bucket %d", tc.d, got.Counts, got.Sum, tc.want)
		}
		if b := got.Bounds(); tc.want < len(b) && tc.d > b[tc.want] || tc.want > 0 && tc.d <= b[tc.want-1] {
			t.Errorf("observe(%v): bucket %d does not hold it (bounds %v)", tc.d, tc.want, b)
		}
	}
	b := CallDurations{}.Bounds()
	if len(b) != callDurationBuckets || b[0] != 16*time.Microsecond || b[len(b)-1] != 16*time.Microsecond<<20 {
		t.Fatalf("bounds %v", b)
	}
}

// waitStats waits until the router's counters satisfy ok: the counters of
// the answer that a client got are bumped just after it was queued.
func waitStats(t *testing.T, r *Router, what string, ok func(Stats) bool) Stats {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		st := r.Stats()
		if ok(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %v: %+v", what, wait, st)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStatsCountMessagesCallsAndAuthFailures(t *testing.T) {
	r := newRouter(t, Options{Realms: []string{"realm2", "realm1"}, Auth: []AuthMethod{Anonymous{},
		Ticket{Principals: map[string]Principal{"alice": {Role: "user", Secret: "right"}}}}})
	callee := joinAs(t, r, "realm1", basicCallee)
	callee.register("com.example.add", core.RegisterOptions{})
	caller := join(t, r, "realm1")
	req := caller.call("com.example.add", core.CallOptions{}, int64(1), int64(2))
	inv := expect[*core.Invocation](callee)
	st := waitStats(t, r, "one call in flight", func(st Stats) bool { return st.Sent[core.TypeInvocation] == 1 })
	equal(t, "calls in flight", st.CallsInFlight, int64(1))
	equal(t, "calls answered", st.CallDurations.Count(), uint64(0))

	callee.send(&core.Yield{Request: inv.Request, Args: []any{int64(3)}})
	if res := expect[*core.Result](caller); res.Request != req {
		t.Fatalf("RESULT for %d, want %d", res.Request, req)
	}
	st = waitStats(t, r, "the call answered", func(st Stats) bool { return st.CallDurations.Count() == 1 })
	equal(t, "calls in flight", st.CallsInFlight, int64(0))
	equal(t, "calls", st.Calls, uint64(1))
	if st.CallDurations.Sum <= 0 {
		t.Fatalf("call duration sum %v", st.CallDurations.Sum)
	}

	// A wrong ticket: HELLO, CHALLENGE, AUTHENTICATE, ABORT.
	intruder := connect(t, r, nil)
	intruder.send(&core.Hello{Realm: "realm1", Details: core.HelloDetails{AuthMethods: []string{"ticket"}, AuthID: "alice", Roles: allRoles}})
	expect[*core.Challenge](intruder)
	intruder.send(&core.Authenticate{Signature: "wrong"})
	if a := expect[*core.Abort](intruder); a.Reason != core.URIAuthenticationFailed {
		t.Fatalf("ABORT %s", a.Reason)
	}
	st = waitStats(t, r, "the ABORT counted", func(st Stats) bool { return st.Sent[core.TypeAbort] == 1 })
	equal(t, "auth failures", st.AuthFailures, uint64(1))

	var wantIn, wantOut MessageCounts
	wantIn[core.TypeHello], wantIn[core.TypeRegister], wantIn[core.TypeCall], wantIn[core.TypeYield], wantIn[core.TypeAuthenticate] = 3, 1, 1, 1, 1
	wantOut[core.TypeWelcome], wantOut[core.TypeRegistered], wantOut[core.TypeInvocation], wantOut[core.TypeResult] = 2, 1, 1, 1
	wantOut[core.TypeChallenge], wantOut[core.TypeAbort] = 1, 1
	equal(t, "received", st.Received, wantIn)
	equal(t, "sent", st.Sent, wantOut)
	equal(t, "received in all", st.Received.Total(), uint64(7))

	var names []string
	for _, rl := range r.Realms() {
		names = append(names, rl.Name())
	}
	equal(t, "realms", names, []string{"realm1", "realm2"})
}

func TestSnapshot(t *testing.T) {
	r := newRouter(t, Options{})
	callee := join(t, r, "realm1")
	reg := callee.register("com.example.", core.RegisterOptions{Match: core.MatchPrefix, Invoke: core.InvokeRoundRobin})
	other := join(t, r, "realm1")
	other.register("com.example.", core.RegisterOptions{Match: core.MatchPrefix, Invoke: core.InvokeRoundRobin})
	sub := other.subscribe("com.example.news", "")

	snap := r.Snapshot()
	if len(snap.Realms) != 1 || snap.Realms[0].Name != "realm1" {
		t.Fatalf("realms %+v", snap.Realms)
	}
	rl := snap.Realms[0]
	for _, c := range []*time.Time{&rl.Registrations[0].Created, &rl.Subscriptions[0].Created} {
		if time.Since(*c) > time.Minute {
			t.Fatalf("created %v", *c)
		}
		*c = time.Time{}
	}
	equal(t, "registrations", rl.Registrations, []RegistrationSnapshot{{ID: reg, URI: "com.example.", Match: "prefix", Invoke: "roundrobin", Callees: 2}})
	equal(t, "subscriptions", rl.Subscriptions, []SubscriptionSnapshot{{ID: sub, URI: "com.example.news", Match: "exact", Subscribers: 1}})
	if len(rl.Sessions) != 2 || rl.Sessions[0].ID > rl.Sessions[1].ID {
		t.Fatalf("sessions %+v", rl.Sessions)
	}
	for _, s := range rl.Sessions {
		if (s.ID != callee.id && s.ID != other.id) || s.AuthRole != "anonymous" || s.AuthMethod != "anonymous" || s.AuthID == "" || s.Peer == "" {
			t.Fatalf("session %+v", s)
		}
	}

	// The meta API reads the same tables.
	callee.call("wamp.registration.list", core.CallOptions{})
	got, _ := expect[*core.Result](callee).Args[0].(map[string]any)
	equal(t, "wamp.registration.list", got, map[string]any{"exact": []any{}, "prefix": []any{reg}, "wildcard": []any{}})
}

// BenchmarkCallBookkeeping measures what the counters add to one call
// through the router: four messages counted (CALL and YIELD in, INVOCATION
// and RESULT out), the in-flight gauge up and down, and the duration
// observed (two clock reads) — on one goroutine, and on all CPUs at once
// (the counters are shared by every session of the router).
func BenchmarkCallBookkeeping(b *testing.B) {
	call := func(c *routerCounters) {
		c.received.add(core.TypeCall)
		start := time.Now()
		c.sent.add(core.TypeInvocation)
		c.callsInFlight.Add(1)
		c.received.add(core.TypeYield)
		c.sent.add(core.TypeResult)
		c.callsInFlight.Add(-1)
		c.callDurations.observe(time.Since(start))
	}
	b.Run("serial", func(b *testing.B) {
		var c routerCounters
		for b.Loop() {
			call(&c)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var c routerCounters
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				call(&c)
			}
		})
	})
}
