package router

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// serve answers one INVOCATION of c with YIELD of args, returning it.
func (c *client) serve(args ...any) *core.Invocation {
	c.t.Helper()
	inv := expect[*core.Invocation](c)
	c.send(&core.Yield{Request: inv.Request, Args: args})
	return inv
}

func TestCallAndResult(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	reg := callee.register("com.example.add", core.RegisterOptions{})
	req := caller.call("com.example.add", core.CallOptions{}, int64(2), int64(3))
	inv := expect[*core.Invocation](callee)
	equal(t, "registration", inv.Registration, reg)
	equal(t, "args", inv.Args, []any{int64(2), int64(3)})
	if inv.Details.Caller != 0 || inv.Details.Procedure != "" {
		t.Fatalf("caller or procedure disclosed: %s", describe(inv))
	}
	callee.send(&core.Yield{Request: inv.Request, Args: []any{int64(5)}, Kwargs: map[string]any{"k": "v"}})
	res := expect[*core.Result](caller)
	equal(t, "request", res.Request, req)
	equal(t, "args", res.Args, []any{int64(5)})
	equal(t, "kwargs", res.Kwargs, map[string]any{"k": "v"})

	// A callee's ERROR reaches the caller.
	req = caller.call("com.example.add", core.CallOptions{})
	inv = expect[*core.Invocation](callee)
	callee.send(&core.Error{RequestType: core.TypeInvocation, Request: inv.Request, Error: "com.example.error.bad", Args: []any{"why"}})
	e := caller.expectError(core.TypeCall, req, "com.example.error.bad")
	equal(t, "error args", e.Args, []any{"why"})

	req = caller.call("com.example.nothing", core.CallOptions{})
	caller.expectError(core.TypeCall, req, core.URINoSuchProcedure)
}

func TestRegistrationPrecedence(t *testing.T) {
	r := newRouter(t, Options{})
	exact, prefix, longer, wild := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	exact.register("com.example.a.b", core.RegisterOptions{})
	prefix.register("com.example", core.RegisterOptions{Match: core.MatchPrefix})
	longer.register("com.example.a", core.RegisterOptions{Match: core.MatchPrefix})
	wild.register("com..a.", core.RegisterOptions{Match: core.MatchWildcard})
	caller := join(t, r, "realm1")
	for _, tc := range []struct {
		proc string
		c    *client
	}{
		{"com.example.a.b", exact},
		{"com.example.a.c", longer},
		{"com.example.x", prefix},
		{"com.other.a.z", wild},
	} {
		req := caller.call(tc.proc, core.CallOptions{})
		inv := tc.c.serve(tc.proc)
		if tc.c != exact {
			equal(t, "details.procedure", inv.Details.Procedure, tc.proc)
		}
		res := expect[*core.Result](caller)
		equal(t, "result of "+tc.proc, res.Request, req)
	}
	// Among wildcards, the one that fixes the longest leading part wins.
	wild2 := join(t, r, "realm1")
	wild2.register("com.other..z", core.RegisterOptions{Match: core.MatchWildcard})
	caller.call("com.other.a.z", core.CallOptions{})
	wild2.serve()
	expect[*core.Result](caller)
}

func TestSharedRegistrations(t *testing.T) {
	r := newRouter(t, Options{})
	caller := join(t, r, "realm1")
	callees := func(policy string) []*client {
		cs := []*client{join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")}
		for _, c := range cs {
			c.register("com.example."+policy, core.RegisterOptions{Invoke: policy})
		}
		return cs
	}
	// which returns the index of the callee that got the invocation.
	which := func(cs []*client) int {
		t.Helper()
		for {
			for i, c := range cs {
				select {
				case m := <-c.rec.Msgs:
					inv := m.(*core.Invocation)
					c.send(&core.Yield{Request: inv.Request})
					expect[*core.Result](caller)
					return i
				default:
				}
			}
			time.Sleep(time.Millisecond)
		}
	}
	for _, tc := range []struct {
		policy string
		want   []int
	}{
		{core.InvokeFirst, []int{0, 0, 0}},
		{core.InvokeLast, []int{2, 2, 2}},
		{core.InvokeRoundRobin, []int{0, 1, 2, 0, 1}},
	} {
		cs := callees(tc.policy)
		var got []int
		for range tc.want {
			caller.call("com.example."+tc.policy, core.CallOptions{})
			got = append(got, which(cs))
		}
		equal(t, tc.policy, got, tc.want)
	}
	cs := callees(core.InvokeRandom)
	seen := map[int]bool{}
	for range 60 {
		caller.call("com.example.random", core.CallOptions{})
		seen[which(cs)] = true
	}
	if len(seen) != 3 {
		t.Fatalf("random used callees %v of 3", seen)
	}

	// Clashes.
	other := join(t, r, "realm1")
	req := other.next()
	other.send(&core.Register{Request: req, Procedure: "com.example.roundrobin", Options: core.RegisterOptions{Invoke: core.InvokeRandom}})
	other.expectError(core.TypeRegister, req, core.URIProcedureAlreadyExists)
	single := join(t, r, "realm1")
	single.register("com.example.single", core.RegisterOptions{})
	req = other.next()
	other.send(&core.Register{Request: req, Procedure: "com.example.single", Options: core.RegisterOptions{}})
	other.expectError(core.TypeRegister, req, core.URIProcedureAlreadyExists)

	// force_reregister takes the registration over, and revokes it.
	regID := other.register("com.example.single", core.RegisterOptions{ForceReregister: ptr(true)})
	rev := expect[*core.Unregistered](single)
	equal(t, "revocation", rev.Details.Registration, regID)
	caller.call("com.example.single", core.CallOptions{})
	other.serve()
	expect[*core.Result](caller)
}

func TestConcurrencyLimit(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.slow", core.RegisterOptions{Concurrency: 2})
	caller.call("com.example.slow", core.CallOptions{})
	caller.call("com.example.slow", core.CallOptions{})
	third := caller.call("com.example.slow", core.CallOptions{})
	caller.expectError(core.TypeCall, third, URIMaxConcurrencyReached)
	callee.serve()
	expect[*core.Result](caller)
	caller.call("com.example.slow", core.CallOptions{})
	expect[*core.Invocation](callee)
	expect[*core.Invocation](callee)
}

func TestProgressiveResultsAndInvocations(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.stream", core.RegisterOptions{})
	req := caller.call("com.example.stream", core.CallOptions{ReceiveProgress: ptr(true), Progress: ptr(true)}, "in1")
	inv := expect[*core.Invocation](callee)
	equal(t, "receive_progress", inv.Details.ReceiveProgress, ptr(true))
	equal(t, "progress", inv.Details.Progress, ptr(true))
	caller.send(&core.Call{Request: req, Procedure: "com.example.stream", Options: core.CallOptions{Progress: ptr(true)}, Args: []any{"in2"}})
	caller.send(&core.Call{Request: req, Procedure: "com.example.stream", Args: []any{"in3"}})
	for _, want := range []string{"in2", "in3"} {
		more := expect[*core.Invocation](callee)
		equal(t, "same invocation", more.Request, inv.Request)
		equal(t, "args", more.Args, []any{want})
		equal(t, "progress", more.Details.Progress != nil, want == "in2")
	}
	for i := range 3 {
		callee.send(&core.Yield{Request: inv.Request, Options: core.YieldOptions{Progress: ptr(true)}, Args: []any{int64(i)}})
	}
	callee.send(&core.Yield{Request: inv.Request, Args: []any{"done"}})
	for i := range 3 {
		res := expect[*core.Result](caller)
		equal(t, "progress", res.Details.Progress, ptr(true))
		equal(t, "args", res.Args, []any{int64(i)})
	}
	final := expect[*core.Result](caller)
	equal(t, "final", final.Details.Progress, (*bool)(nil))
	// The request ID is free again; a second CALL with it while pending
	// (and not progressive) is a protocol violation.
	req2 := caller.call("com.example.stream", core.CallOptions{})
	expect[*core.Invocation](callee)
	caller.send(&core.Call{Request: req2, Procedure: "com.example.stream"})
	a := expect[*core.Abort](caller)
	equal(t, "reason", a.Reason, core.URIProtocolViolation)
	// The aborted caller's pending call is interrupted, and the realm's
	// dealer goes on working for everyone else.
	expect[*core.Interrupt](callee)
	other := join(t, r, "realm1")
	other.call("com.example.stream", core.CallOptions{})
	callee.serve("still here")
	equal(t, "other caller's result", expect[*core.Result](other).Args, []any{"still here"})
}

func TestCallTimeout(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.never", core.RegisterOptions{})
	start := time.Now()
	req := caller.call("com.example.never", core.CallOptions{Timeout: ptr(int64(100))})
	inv := expect[*core.Invocation](callee)
	if inv.Details.Timeout != nil {
		t.Fatal("timeout forwarded without forward_timeout")
	}
	caller.expectError(core.TypeCall, req, core.URITimeout)
	if d := time.Since(start); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("timeout after %v, want about 100ms", d)
	}
	intr := expect[*core.Interrupt](callee)
	equal(t, "interrupt", intr.Request, inv.Request)
	equal(t, "mode", intr.Options.Mode, core.CancelKillNoWait)
	equal(t, "reason", intr.Options.Reason, core.URITimeout)
	callee.send(&core.Yield{Request: inv.Request}) // too late: dropped
	caller.quiet(50 * time.Millisecond)

	// forward_timeout: the callee gets the timeout and the dealer sets no timer.
	fw := join(t, r, "realm1")
	fw.register("com.example.fw", core.RegisterOptions{ForwardTimeout: ptr(true)})
	req = caller.call("com.example.fw", core.CallOptions{Timeout: ptr(int64(50))})
	inv = expect[*core.Invocation](fw)
	equal(t, "forwarded timeout", inv.Details.Timeout, ptr(int64(50)))
	caller.quiet(150 * time.Millisecond)
	fw.send(&core.Yield{Request: inv.Request})
	equal(t, "result", expect[*core.Result](caller).Request, req)
}

func TestCancelModes(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.c", core.RegisterOptions{})

	// killnowait (default): INTERRUPT and an immediate ERROR.
	req := caller.call("com.example.c", core.CallOptions{})
	inv := expect[*core.Invocation](callee)
	caller.send(&core.Cancel{Request: req})
	caller.expectError(core.TypeCall, req, core.URICanceled)
	intr := expect[*core.Interrupt](callee)
	equal(t, "interrupt", []any{intr.Request, intr.Options.Mode}, []any{inv.Request, core.CancelKillNoWait})

	// kill: INTERRUPT, and the callee's answer goes to the caller.
	req = caller.call("com.example.c", core.CallOptions{})
	inv = expect[*core.Invocation](callee)
	caller.send(&core.Cancel{Request: req, Options: core.CancelOptions{Mode: core.CancelKill}})
	intr = expect[*core.Interrupt](callee)
	equal(t, "mode", intr.Options.Mode, core.CancelKill)
	caller.quiet(30 * time.Millisecond)
	callee.send(&core.Error{RequestType: core.TypeInvocation, Request: inv.Request, Error: core.URICanceled, Args: []any{"stopped"}})
	e := caller.expectError(core.TypeCall, req, core.URICanceled)
	equal(t, "callee's args", e.Args, []any{"stopped"})

	// skip: no INTERRUPT, ERROR at once, the callee's late answer dropped.
	req = caller.call("com.example.c", core.CallOptions{})
	inv = expect[*core.Invocation](callee)
	caller.send(&core.Cancel{Request: req, Options: core.CancelOptions{Mode: core.CancelSkip}})
	caller.expectError(core.TypeCall, req, core.URICanceled)
	callee.quiet(30 * time.Millisecond)
	callee.send(&core.Yield{Request: inv.Request})
	caller.quiet(30 * time.Millisecond)
}

func TestCallerIdentification(t *testing.T) {
	r := newRouter(t, Options{})
	callee, discloser, caller := join(t, r, "realm1"), join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.who", core.RegisterOptions{})
	discloser.register("com.example.who2", core.RegisterOptions{DiscloseCaller: ptr(true)})
	caller.call("com.example.who", core.CallOptions{DiscloseMe: ptr(true)})
	inv := callee.serve()
	equal(t, "caller", inv.Details.Caller, caller.id)
	equal(t, "caller_authrole", inv.Details.CallerAuthRole, "anonymous")
	expect[*core.Result](caller)
	caller.call("com.example.who2", core.CallOptions{})
	inv = discloser.serve()
	equal(t, "caller (disclose_caller)", inv.Details.Caller, caller.id)
}

func TestCalleeLostAndCallerLost(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.p", core.RegisterOptions{})
	req := caller.call("com.example.p", core.CallOptions{})
	expect[*core.Invocation](callee)
	callee.tr.Abort()
	e := caller.expectError(core.TypeCall, req, core.URICanceled)
	equal(t, "message", e.Args, []any{CalleeLostMessage})
	req = caller.call("com.example.p", core.CallOptions{})
	caller.expectError(core.TypeCall, req, core.URINoSuchProcedure)

	callee2, caller2 := join(t, r, "realm1"), join(t, r, "realm1")
	callee2.register("com.example.p", core.RegisterOptions{})
	caller2.call("com.example.p", core.CallOptions{})
	inv := expect[*core.Invocation](callee2)
	caller2.tr.Abort()
	intr := expect[*core.Interrupt](callee2)
	equal(t, "interrupt", intr.Request, inv.Request)
	equal(t, "reason", intr.Options.Reason, core.URICanceled)
}

func TestRegisterErrors(t *testing.T) {
	r := newRouter(t, Options{})
	c := join(t, r, "realm1")
	for _, p := range []string{"wamp.session.get", "com.Upper"} {
		req := c.next()
		c.send(&core.Register{Request: req, Procedure: p})
		c.expectError(core.TypeRegister, req, core.URIInvalidURI)
	}
	// Options that the wire decoders refuse, from an in-process peer.
	for _, o := range []core.RegisterOptions{{Invoke: "sometimes"}, {Concurrency: -1}} {
		req := c.next()
		c.send(&core.Register{Request: req, Procedure: "com.example.bad", Options: o})
		c.expectError(core.TypeRegister, req, core.URIInvalidArgument)
	}
	req := c.next()
	c.send(&core.Unregister{Request: req, Registration: 12345})
	c.expectError(core.TypeUnregister, req, core.URINoSuchRegistration)
	id := c.register("com.example.x", core.RegisterOptions{})
	req = c.next()
	c.send(&core.Unregister{Request: req, Registration: id})
	equal(t, "UNREGISTERED", expect[*core.Unregistered](c).Request, req)
}

// TestWildcardPrecedence: the WAMP spec's example of pattern-based
// registrations; among wildcards, the longest run of matched components
// before each wildcard wins. Prefixes match strings, as Crossbar.io matches
// them and as the spec's own prefix subscription example has it
// (com.myapp.topic.emergency matches com.myapp.topic.emergency-low), so
// a1.b2.c33.d4.e5 goes to the prefix a1.b2.c3, unlike in the spec's
// registration example; the last part of the test shows that wildcard
// case without the prefixes.
func TestWildcardPrecedence(t *testing.T) {
	r := newRouter(t, Options{})
	patterns := []struct{ uri, match string }{
		{"a1.b2.c3.d4.e55", core.MatchExact},
		{"a1.b2.c3", core.MatchPrefix},
		{"a1.b2.c3.d4", core.MatchPrefix},
		{"a1.b2..d4.e5", core.MatchWildcard},
		{"a1.b2.c33..e5", core.MatchWildcard},
		{"a1.b2..d4.e5..g7", core.MatchWildcard},
		{"a1.b2..d4..f6.g7", core.MatchWildcard},
	}
	callees := make([]*client, len(patterns))
	for i, p := range patterns {
		callees[i] = join(t, r, "realm1")
		callees[i].register(p.uri, core.RegisterOptions{Match: p.match})
	}
	caller := join(t, r, "realm1")
	for _, tc := range []struct {
		uri  string
		want int
	}{
		{"a1.b2.c3.d4.e55", 0},
		{"a1.b2.c3.d98.e74", 1},
		{"a1.b2.c3.d4.e325", 2},
		{"a1.b2.c55.d4.e5", 3},
		{"a1.b2.c33.d4.e5", 1},
		{"a1.b2.c88.d4.e5.f6.g7", 5},
	} {
		caller.call(tc.uri, core.CallOptions{})
		inv := callees[tc.want].serve()
		if tc.want > 0 {
			equal(t, "procedure", inv.Details.Procedure, tc.uri)
		}
		expect[*core.Result](caller)
	}
	req := caller.call("a2.b2.c2.d2.e2", core.CallOptions{})
	caller.expectError(core.TypeCall, req, core.URINoSuchProcedure)

	r2 := newRouter(t, Options{})
	wild4, wild5, caller2 := join(t, r2, "realm1"), join(t, r2, "realm1"), join(t, r2, "realm1")
	wild4.register("a1.b2..d4.e5", core.RegisterOptions{Match: core.MatchWildcard})
	wild5.register("a1.b2.c33..e5", core.RegisterOptions{Match: core.MatchWildcard})
	caller2.call("a1.b2.c33.d4.e5", core.CallOptions{})
	wild5.serve()
	expect[*core.Result](caller2)
}

// TestProgressiveInputAfterCallEnded: chunks of a progressive call
// invocation that arrive after the call ended (here canceled) go nowhere,
// and do not start a new call; the request ID is free once the last chunk
// came.
func TestProgressiveInputAfterCallEnded(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := join(t, r, "realm1"), join(t, r, "realm1")
	callee.register("com.example.upload", core.RegisterOptions{})
	req := caller.call("com.example.upload", core.CallOptions{Progress: ptr(true)}, "chunk1")
	inv := expect[*core.Invocation](callee)
	caller.send(&core.Cancel{Request: req})
	caller.expectError(core.TypeCall, req, core.URICanceled)
	equal(t, "interrupt", expect[*core.Interrupt](callee).Request, inv.Request)
	caller.send(&core.Call{Request: req, Procedure: "com.example.upload", Options: core.CallOptions{Progress: ptr(true)}, Args: []any{"chunk2"}})
	caller.send(&core.Call{Request: req, Procedure: "com.example.upload", Args: []any{"last"}})
	callee.quiet(50 * time.Millisecond)
	caller.quiet(10 * time.Millisecond)

	caller.send(&core.Call{Request: req, Procedure: "com.example.upload", Args: []any{"new call"}})
	again := callee.serve("ok")
	equal(t, "new call args", again.Args, []any{"new call"})
	equal(t, "result", expect[*core.Result](caller).Request, req)
}

// TestProgressiveInvocationsNeedTheCalleesFeature: a progressive call to a
// callee that does not announce progressive_call_invocations fails with
// wamp.error.feature_not_supported.
func TestProgressiveInvocationsNeedTheCalleesFeature(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := joinAs(t, r, "realm1", basicCallee), join(t, r, "realm1")
	callee.register("com.example.p", core.RegisterOptions{})
	req := caller.call("com.example.p", core.CallOptions{Progress: ptr(true)}, 1)
	caller.expectError(core.TypeCall, req, core.URIFeatureNotSupported)
	callee.quiet(20 * time.Millisecond)
}

// TestTimeoutAtCalleeWithoutCanceling: a callee that cannot take an
// INTERRUPT keeps running a timed-out call, so the call still counts
// against its concurrency until it answers (and the answer is dropped).
func TestTimeoutAtCalleeWithoutCanceling(t *testing.T) {
	r := newRouter(t, Options{})
	callee, caller := joinAs(t, r, "realm1", basicCallee), join(t, r, "realm1")
	callee.register("com.example.one", core.RegisterOptions{Concurrency: 1})
	req := caller.call("com.example.one", core.CallOptions{Timeout: ptr(int64(20))})
	inv := expect[*core.Invocation](callee)
	caller.expectError(core.TypeCall, req, core.URITimeout)
	req = caller.call("com.example.one", core.CallOptions{})
	caller.expectError(core.TypeCall, req, URIMaxConcurrencyReached)
	callee.send(&core.Yield{Request: inv.Request})
	caller.quiet(30 * time.Millisecond)
	caller.call("com.example.one", core.CallOptions{})
	callee.serve()
	expect[*core.Result](caller)
}

func TestCancelWithUnknownModeIsAViolation(t *testing.T) {
	r := newRouter(t, Options{})
	c := join(t, r, "realm1")
	c.send(&core.Cancel{Request: 1, Options: core.CancelOptions{Mode: "later"}})
	equal(t, "reason", expect[*core.Abort](c).Reason, core.URIProtocolViolation)
}
