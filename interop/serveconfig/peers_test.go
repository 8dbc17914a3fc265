package serveconfig

import (
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
)

// wrongCredentials is the ABORT reason "autobahn serve" gives a wrong
// ticket, WAMP-CRA signature or cryptosign signature, and an unknown
// ticket or WAMP-CRA authid (as interop/routerauth pins it for the
// embedded router). Crossbar.io refuses these with wamp.error.not_authorized
// (the default reason of its Deny).
const wrongCredentials = core.URIAuthenticationFailed

// welcome is the SessionDetails of a session of realm1 authenticated by a
// static principal of the configuration.
func welcome(authid, authrole, authmethod string) map[string]any {
	return map[string]any{"realm": "realm1", "authid": authid, "authrole": authrole,
		"authmethod": authmethod, "authprovider": "static"}
}

// action is one action of an "actions" scenario and its expected outcome:
// want(session) is the report for the session's ID, compared after
// peers.ErrorOf (an error as its URI only).
type action struct {
	k, op, uri string
	args       []any
	want       func(session uint64) any
}

func ok(v any) func(uint64) any { return func(uint64) any { return map[string]any{"ok": v} } }

func refused(uri string) func(uint64) any {
	return func(uint64) any { return map[string]any{"error": uri} }
}

var denied = refused(core.URINotAuthorized)

// add2 is what com.example.add2 (the backend callee) returns for a caller:
// the sum and the caller as disclosed to it (nil, nil, nil when not).
func add2(sum int, authid, authrole string) func(uint64) any {
	return func(session uint64) any {
		caller := map[string]any{"sum": sum, "caller": nil, "caller_authid": nil, "caller_authrole": nil}
		if authid != "" {
			caller["caller"], caller["caller_authid"], caller["caller_authrole"] = session, authid, authrole
		}
		return map[string]any{"ok": caller}
	}
}

// frontendActions are what role frontend may and may not do (the
// permissions of Crossbar.io's authentication examples): call
// com.example.add2 (its caller disclosed), publish below com.example. but
// not com.example.topic2, publish com.foobar.topic1 and nothing else of
// com.foobar, subscribe only to com.*.public, register nothing.
func frontendActions(authid string) []action {
	return []action{
		{k: "call_add2", op: "call", uri: "com.example.add2", args: []any{2, 3}, want: add2(5, authid, "frontend")},
		{k: "register_mul2", op: "register", uri: "com.example.mul2", want: denied},
		{k: "call_other", op: "call", uri: "com.example.other", want: denied},
		{k: "publish_topic1", op: "publish", uri: "com.example.topic1", args: []any{"hello"}, want: ok(true)},
		{k: "publish_foobar_topic1", op: "publish", uri: "com.foobar.topic1", args: []any{"hello"}, want: ok(true)},
		{k: "publish_topic2", op: "publish", uri: "com.example.topic2", args: []any{"hello"}, want: denied},
		{k: "publish_foobar_topic2", op: "publish", uri: "com.foobar.topic2", args: []any{"hello"}, want: denied},
		{k: "subscribe_topic1", op: "subscribe", uri: "com.example.topic1", want: denied},
		{k: "subscribe_public", op: "subscribe", uri: "com.acme.public", want: ok(true)},
	}
}

// deviceActions are role device's: call com.example.add2 (not
// disclosed), publish and subscribe below com.example.device., publish
// com.example.<any>.status, nothing else.
var deviceActions = []action{
	{k: "call_add2", op: "call", uri: "com.example.add2", args: []any{1, 2}, want: add2(3, "", "")},
	{k: "publish_device", op: "publish", uri: "com.example.device.temp", args: []any{21.5}, want: ok(true)},
	{k: "subscribe_device", op: "subscribe", uri: "com.example.device.temp", want: ok(true)},
	{k: "publish_status", op: "publish", uri: "com.example.dev1.status", args: []any{"up"}, want: ok(true)},
	{k: "subscribe_status", op: "subscribe", uri: "com.example.dev1.status", want: denied},
	{k: "publish_topic1", op: "publish", uri: "com.example.topic1", args: []any{"x"}, want: denied},
	{k: "register_device", op: "register", uri: "com.example.device.proc", want: denied},
}

// actionsCase is a session that joins and then does actions.
type actionsCase struct {
	name, lane, serializer string
	auth                   map[string]any
	welcome                map[string]any
	actions                []action
}

func addActions(b *peers.Batch, cases []actionsCase) map[string]*peers.Scenario {
	out := map[string]*peers.Scenario{}
	for _, c := range cases {
		var specs []map[string]any
		for _, a := range c.actions {
			spec := map[string]any{"k": a.k, "op": a.op, "uri": a.uri}
			if a.args != nil {
				spec["args"] = a.args
			}
			specs = append(specs, spec)
		}
		out[c.name] = b.Add(c.name, "actions", map[string]any{"lane": c.lane, "serializer": c.serializer,
			"auth": c.auth, "actions": specs})
	}
	return out
}

// checkActions asserts an actions case: the session joined as c.welcome
// says, and every action had its expected outcome.
func checkActions(t *testing.T, s *peers.Scenario, c actionsCase) {
	t.Helper()
	if !s.Ready(t) {
		return
	}
	w := s.Get(t, "welcome")
	for k, v := range c.welcome {
		peers.Equal(t, "SessionDetails."+k, peers.At(w, k), v)
	}
	id := peers.Uint(t, "SessionDetails.session", peers.At(w, "session"))
	for _, a := range c.actions {
		peers.Equal(t, a.op+" "+a.uri, peers.ErrorOf(s.Get(t, a.k)), a.want(id))
	}
}
