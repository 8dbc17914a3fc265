package serveconfig

import (
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
)

// pyTimeout bounds the Python process; it gives up by itself after 40 s.
const pyTimeout = 50 * time.Second

// runPython runs the batch in one process of interop/testdata/auth_peer.py
// against n, after starting its backend components: the dynamic
// authenticator (on the authenticator lane, in realm1, assigning role
// frontend), the dynamic authorizer of role app and the callee of
// com.example.add2 and com.example.dyn.* (both on the backend lane).
func runPython(t *testing.T, n *serveNode, b *peers.Batch) {
	t.Helper()
	b.RunPython(t, pyTimeout, "../testdata/auth_peer.py", map[string]any{
		"urls": n.urls, "ca": n.caPath, "keys": keys(),
		"tls_max":       map[string]string{laneTLS12: "1.2"},
		"backend":       []string{"authenticator", "authorizer", "callee"},
		"authenticator": map[string]string{"lane": laneAuthenticator, "realm": "realm1", "role": "frontend"},
	})
}

// TestPython: Autobahn|Python 22.7.1 (asyncio) against "autobahn serve
// --config": it joins with ticket, WAMP-CRA (plain and salted) and
// cryptosign — without channel binding, and over TLS 1.2 bound to the
// channel with tls-unique — as static principals of the configuration, and
// with ticket, WAMP-CRA and cryptosign through a dynamic authenticator
// written in Python; wrong secrets and unknown keys are refused with the
// ABORT reason Autobahn reports; roles frontend and device (static
// permissions) and app (a dynamic authorizer) allow calls and
// publications, and Autobahn sees wamp.error.not_authorized for the
// denied ones.
func TestPython(t *testing.T) {
	peers.RequirePythonAsyncio(t)
	t.Parallel()
	n := startServe(t)
	dyn := func(authid, authmethod string, extra any) map[string]any {
		return map[string]any{"realm": "realm1", "authid": authid, "authrole": "frontend",
			"authmethod": authmethod, "authprovider": "dynamic", "authextra": extra}
	}
	client01 := welcome("client01@example.com", "device", "cryptosign")
	tlsUnique := func(key string) map[string]any { return peers.Cryptosign(key, "channel_binding", "tls-unique") }
	joins := []peers.Join{
		{Name: "ticket", Lane: laneWS, Serializer: "json", Auth: peers.Ticket("client1", myTicket), Want: welcome("client1", "frontend", "ticket")},
		{Name: "wampcra", Lane: laneWS, Serializer: "msgpack", Auth: peers.WAMPCRA("client1", mySecret), Want: welcome("client1", "frontend", "wampcra")},
		{Name: "wampcra_salted", Lane: laneWS, Serializer: "cbor", Auth: peers.WAMPCRA("client2", mySecret), Want: welcome("client2", "frontend", "wampcra")},
		{Name: "cryptosign", Lane: laneWS, Serializer: "json", Auth: peers.Cryptosign("client01"), Want: client01},
		{Name: "cryptosign_tls", Lane: laneTLS, Serializer: "cbor", Auth: peers.Cryptosign("client01"), Want: client01},
		{Name: "cryptosign_tls_unique", Lane: laneTLS12, Serializer: "msgpack", Auth: tlsUnique("client01"), Want: client01},
		{Name: "cryptosign_tls_unique_second_key", Lane: laneTLS12, Serializer: "json", Auth: tlsUnique("client02b"),
			Want: welcome("client02@example.com", "device", "cryptosign")},
		{Name: "dynamic_ticket", Lane: laneDyn, Serializer: "json", Auth: peers.Ticket("dave", "dave-ticket"),
			Want: dyn("dave", "ticket", map[string]any{"source": "python-authenticator"})},
		// The authenticator answers joe with the role alone (a string),
		// as authentication/ticket/dynamic's does.
		{Name: "dynamic_ticket_bare_role", Lane: laneDyn, Serializer: "cbor", Auth: peers.Ticket("joe", "joe-ticket"), Want: dyn("joe", "ticket", nil)},
		{Name: "dynamic_wampcra", Lane: laneDyn, Serializer: "cbor", Auth: peers.WAMPCRA("erin", "erin-secret"), Want: dyn("erin", "wampcra", nil)},
		{Name: "dynamic_wampcra_salted", Lane: laneDyn, Serializer: "msgpack", Auth: peers.WAMPCRA("frank", "frank-secret"), Want: dyn("frank", "wampcra", nil)},
		{Name: "dynamic_cryptosign", Lane: laneDyn, Serializer: "json", Auth: peers.Cryptosign("grace"), Want: dyn("grace", "cryptosign", nil)},

		{Name: "ticket_wrong", Lane: laneWS, Serializer: "json", Auth: peers.Ticket("client1", "guess"), Reason: wrongCredentials},
		{Name: "ticket_unknown_authid", Lane: laneWS, Serializer: "json", Auth: peers.Ticket("mallory", myTicket), Reason: wrongCredentials},
		{Name: "wampcra_wrong", Lane: laneWS, Serializer: "json", Auth: peers.WAMPCRA("client1", "wrongpassword"), Reason: wrongCredentials},
		{Name: "wampcra_salted_wrong", Lane: laneWS, Serializer: "msgpack", Auth: peers.WAMPCRA("client2", "wrongpassword"), Reason: wrongCredentials},
		// client3 stores, with salt123/100/16, the key that secret123
		// derives ("DpHHRlQ6UNULJlP9J8WkPw==", wampcra/static's Makefile
		// checks it): the way Crossbar.io up to 23.1 read a salted
		// "secret". Since 25.12.1 (crossbar commit c1a78363, "fix wampcra
		// auth with salt"), Crossbar.io derives the key from "secret" when
		// salt, iterations and keylen are given, as the example's client2
		// with "${MYSECRET}" needs, and as "autobahn serve" does: a
		// config that stores the derived key refuses the password.
		{Name: "wampcra_salted_derived_key_stored", Lane: laneWS, Serializer: "json", Auth: peers.WAMPCRA("client3", mySecret), Reason: wrongCredentials},
		{Name: "cryptosign_unknown_key", Lane: laneWS, Serializer: "json", Auth: peers.Cryptosign("unknown"), Reason: core.URINotAuthorized},
		{Name: "cryptosign_tls_unknown_key", Lane: laneTLS12, Serializer: "cbor", Auth: tlsUnique("unknown"), Reason: core.URINotAuthorized},
		// A signature bound to another channel (a forwarded credential).
		{Name: "cryptosign_tls_unique_forged", Lane: laneTLS12, Serializer: "json",
			Auth: peers.Cryptosign("client01", "channel_binding", "tls-unique", "forge", "1"), Reason: wrongCredentials},
		// tls-unique is undefined on TLS 1.3 (which the TLS transport
		// offers) and without TLS.
		{Name: "cryptosign_tls_unique_tls13", Lane: laneTLS, Serializer: "json", Auth: tlsUnique("client01"),
			Reason: core.URIAuthenticationFailed, Message: "channel binding tls-unique is not available"},
		{Name: "cryptosign_tls_unique_plain", Lane: laneWS, Serializer: "json", Auth: tlsUnique("client01"),
			Reason: core.URIAuthenticationFailed, Message: "channel binding tls-unique is not available"},
		// The dynamic authenticator's ApplicationError is the ABORT.
		{Name: "dynamic_ticket_wrong", Lane: laneDyn, Serializer: "json", Auth: peers.Ticket("dave", "guess"),
			Reason: "com.example.invalid_ticket", Message: "wrong ticket for dave"},
		{Name: "dynamic_wampcra_wrong", Lane: laneDyn, Serializer: "json", Auth: peers.WAMPCRA("frank", "guess"), Reason: wrongCredentials},
		{Name: "dynamic_cryptosign_unknown_key", Lane: laneDyn, Serializer: "json", Auth: peers.Cryptosign("unknown"),
			Reason: "com.example.unknown_key", Message: "no principal with this public key"},
		// No authmethod: HELLO offers anonymous, which these paths do not admit.
		{Name: "anonymous_refused", Lane: laneWS, Serializer: "json", Reason: core.URINoAuthMethod},
		{Name: "anonymous_refused_tls", Lane: laneTLS, Serializer: "json", Reason: core.URINoAuthMethod},

		// A static cryptosign principal's "realm" is the realm its session
		// joins whatever HELLO asked for, as Crossbar.io's
		// PendingAuth._assign_principal has it: the client may name no
		// realm (cryptosign/static's clients' --realm, "let the router
		// auto-choose") or one this node does not have.
		{Name: "cryptosign_principal_realm_none_requested", Lane: laneWS, Serializer: "json", Auth: peers.Cryptosign("client01"),
			Params: map[string]any{"realm": nil}, Want: client01},
		{Name: "cryptosign_principal_realm_other_requested", Lane: laneTLS12, Serializer: "cbor", Auth: tlsUnique("client01"),
			Params: map[string]any{"realm": "devices"}, Want: client01},
		// A dynamic authenticator answers WAMP-CRA with a secret and a
		// salt but neither iterations nor keylen: as Crossbar.io's
		// PendingAuthWampCra._compute_challenge, the router takes the
		// secret for plain (salted needs all three), so the CHALLENGE has
		// no salt and the client signs with the secret itself.
		{Name: "dynamic_wampcra_salt_only", Lane: laneDyn, Serializer: "json", Auth: peers.WAMPCRA("gina", "gina-secret"),
			Want: dyn("gina", "wampcra", nil)},
	}
	actions := []actionsCase{
		{name: "frontend_ticket", lane: laneWS, serializer: "json", auth: peers.Ticket("client1", myTicket),
			welcome: welcome("client1", "frontend", "ticket"), actions: frontendActions("client1")},
		{name: "frontend_wampcra_salted", lane: laneWS, serializer: "cbor", auth: peers.WAMPCRA("client2", mySecret),
			welcome: welcome("client2", "frontend", "wampcra"), actions: frontendActions("client2")},
		// The role the dynamic authenticator assigns is the one authorized.
		{name: "frontend_dynamic_ticket", lane: laneDyn, serializer: "msgpack", auth: peers.Ticket("dave", "dave-ticket"),
			welcome: dyn("dave", "ticket", map[string]any{"source": "python-authenticator"}), actions: frontendActions("dave")},
		{name: "device_tls_unique", lane: laneTLS12, serializer: "cbor", auth: tlsUnique("client02a"),
			welcome: welcome("client02@example.com", "device", "cryptosign"), actions: deviceActions},
		{name: "device_ws", lane: laneWS, serializer: "msgpack", auth: peers.Cryptosign("client01"),
			welcome: client01, actions: deviceActions},
		// Role app: auth_peer.py's authorizer allows com.example.dyn.echo,
		// and com.example.dyn.who with the caller disclosed, publications to
		// com.example.dyn.topic, fails on com.example.dyn.broken, and denies
		// everything else.
		{name: "app_dynamic_authorizer", lane: laneWS, serializer: "json", auth: peers.Ticket("carol", "carol-ticket"),
			welcome: welcome("carol", "app", "ticket"), actions: []action{
				{k: "echo", op: "call", uri: "com.example.dyn.echo", args: []any{"hi"},
					want: ok(map[string]any{"echo": "hi", "caller": nil, "caller_authid": nil, "caller_authrole": nil})},
				{k: "who", op: "call", uri: "com.example.dyn.who", want: func(session uint64) any {
					return map[string]any{"ok": map[string]any{"caller": session, "caller_authid": "carol", "caller_authrole": "app"}}
				}},
				{k: "nope", op: "call", uri: "com.example.dyn.nope", want: denied},
				{k: "broken", op: "call", uri: "com.example.dyn.broken", want: refused(core.URIAuthorizationFailed)},
				{k: "publish", op: "publish", uri: "com.example.dyn.topic", args: []any{"x"}, want: ok(true)},
				{k: "register", op: "register", uri: "com.example.dyn.echo2", want: denied},
			}},
	}
	b := peers.NewBatch("python")
	joinScen := peers.AddJoins(b, joins)
	actScen := addActions(b, actions)
	runPython(t, n, b)
	for _, c := range joins {
		t.Run(c.Name, func(t *testing.T) { peers.CheckJoin(t, joinScen[c.Name], c) })
	}
	for _, c := range actions {
		t.Run(c.name, func(t *testing.T) { checkActions(t, actScen[c.name], c) })
	}
}
