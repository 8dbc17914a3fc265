package routerauth

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/peers"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// pyTimeout bounds one Python process; the script gives up by itself after
// 40 s (each scenario after 25 s).
const pyTimeout = 50 * time.Second

// wrongCredentials is the ABORT reason this router gives a wrong ticket, a
// wrong WAMP-CRA signature and a wrong cryptosign signature, as Autobahn
// reports it. Crossbar.io gives wamp.error.not_authorized there (the
// default reason of its Deny), and the WAMP spec names
// wamp.error.authentication_denied for a denied authentication (keeping
// authentication_failed for a technical failure).
const wrongCredentials = core.URIAuthenticationFailed

// requirePython skips (or, with AUTOBAHN_INTEROP=1, fails) the test when
// Autobahn|Python with PyNaCl and its asyncio support is missing.
func requirePython(t *testing.T) {
	t.Helper()
	testpeer.RequirePython(t, "nacl") // Autobahn with Twisted and the serializers
	asyncioProbe.once.Do(func() {
		// testpeer's probe selects Twisted, which then refuses asyncio.
		out, err := exec.Command(testpeer.Python, "-c", "import txaio; txaio.use_asyncio(); "+
			"import autobahn.asyncio.websocket, autobahn.asyncio.rawsocket, autobahn.wamp.cryptosign, nacl").CombinedOutput()
		if err != nil {
			asyncioProbe.problem = "Autobahn|Python on asyncio is not usable: " + err.Error() + "\n" + string(out)
		}
	})
	if asyncioProbe.problem != "" {
		testpeer.Unavailable(t, asyncioProbe.problem)
	}
}

var asyncioProbe struct {
	once    sync.Once
	problem string
}

// runPython runs the batch in one Python process against n, after starting
// the backend components.
func runPython(t *testing.T, n *testNode, b *peers.Batch, backend ...string) {
	t.Helper()
	arg, err := json.Marshal(map[string]any{"urls": n.urls, "ca": n.caPath, "keys": keys(),
		"backend": backend, "scenarios": b.Specs()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pyTimeout)
	defer cancel()
	b.Run(t, exec.CommandContext(ctx, testpeer.Python, "testdata/py_peers.py", string(arg)))
}

func ticket(authid, secret string) map[string]any {
	return map[string]any{"method": "ticket", "authid": authid, "secret": secret}
}

func wampcra(authid, secret string) map[string]any {
	return map[string]any{"method": "wampcra", "authid": authid, "secret": secret}
}

// cryptosign authenticates with the key of KEYS[key]; extra adds authid,
// channel_binding or forge.
func cryptosign(key string, extra ...string) map[string]any {
	m := map[string]any{"method": "cryptosign", "key": key}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// joinCase is a session that joins (want: fields of its WELCOME) or is
// refused (reason, and message when set).
type joinCase struct {
	name, lane, serializer string
	auth                   map[string]any
	want                   map[string]any
	reason, message        string
	metaGet                bool
}

func addJoins(b *peers.Batch, cases []joinCase) map[string]*peers.Scenario {
	out := map[string]*peers.Scenario{}
	for _, c := range cases {
		out[c.name] = b.Add(c.name, "join", map[string]any{"lane": c.lane, "serializer": c.serializer,
			"auth": c.auth, "meta_get": c.metaGet})
	}
	return out
}

// checkJoin asserts a join case's outcome; it returns the session ID of a
// session that joined (0 otherwise).
func checkJoin(t *testing.T, s *peers.Scenario, c joinCase) uint64 {
	t.Helper()
	if !s.Ready(t) {
		return 0
	}
	if c.reason != "" {
		if s.Has("welcome") {
			t.Fatalf("joined, want refused with %s: %s", c.reason, peers.Compact(s.Get(t, "welcome")))
		}
		refused := s.Get(t, "refused")
		peers.Equal(t, "ABORT reason", peers.At(refused, "reason"), c.reason)
		if c.message != "" {
			if msg, _ := peers.At(refused, "message").(string); !strings.Contains(msg, c.message) {
				t.Errorf("ABORT message %q, want it to contain %q", msg, c.message)
			}
		}
		return 0
	}
	if s.Has("refused") {
		t.Fatalf("refused: %s, want a session", peers.Compact(s.Get(t, "refused")))
	}
	w := s.Get(t, "welcome")
	for k, v := range c.want {
		peers.Equal(t, "SessionDetails."+k, peers.At(w, k), v)
	}
	id := peers.Uint(t, "SessionDetails.session", peers.At(w, "session"))
	if id == 0 || id > 1<<53 {
		t.Errorf("session ID %d is not a WAMP ID", id)
	}
	return id
}

func welcome(authid, authrole, authmethod string) map[string]any {
	return map[string]any{"realm": realmApp, "authid": authid, "authrole": authrole,
		"authmethod": authmethod, "authprovider": "static"}
}

// TestPythonAuthentication: Autobahn|Python joins with ticket, WAMP-CRA
// (plain and salted) and cryptosign — over WebSocket and RawSocket, plain
// and TLS, cryptosign also bound to the TLS channel (tls-unique) — and is
// refused with wrong or unknown credentials.
//
// tls-exporter is not covered: Autobahn|Python 22.7.1 supports tls-unique
// only (its cryptosign asserts the channel binding type), and Python's ssl
// module exports no keying material.
func TestPythonAuthentication(t *testing.T) {
	requirePython(t)
	t.Parallel()
	n := startNode(t)
	cases := []joinCase{
		{name: "ticket_ws", lane: "ws", serializer: "json", auth: ticket("alice", "alice-ticket"), want: welcome("alice", "user", "ticket")},
		{name: "ticket_rs", lane: "rs", serializer: "msgpack", auth: ticket("alice", "alice-ticket"), want: welcome("alice", "user", "ticket")},
		{name: "ticket_wss", lane: "wss", serializer: "cbor", auth: ticket("alice", "alice-ticket"), want: welcome("alice", "user", "ticket")},
		{name: "wampcra_ws", lane: "ws", serializer: "cbor", auth: wampcra("ann", "ann-secret"), want: welcome("ann", "user", "wampcra")},
		{name: "wampcra_salted_rs", lane: "rs", serializer: "json", auth: wampcra("bob", bobSecret), want: welcome("bob", "user", "wampcra")},
		{name: "wampcra_salted_rss", lane: "rss", serializer: "msgpack", auth: wampcra("bob", bobSecret), want: welcome("bob", "user", "wampcra")},
		{name: "cryptosign_ws", lane: "ws", serializer: "msgpack", auth: cryptosign("device1"), want: welcome("device1", "device", "cryptosign")},
		{name: "cryptosign_authid_rs", lane: "rs", serializer: "cbor", auth: cryptosign("device1", "authid", "device1"), want: welcome("device1", "device", "cryptosign")},
		{name: "cryptosign_wss_unbound", lane: "wss", serializer: "cbor", auth: cryptosign("device1"), want: welcome("device1", "device", "cryptosign")},
		{name: "cryptosign_tls_unique_wss", lane: "wss", serializer: "json", auth: cryptosign("device1", "channel_binding", "tls-unique"), want: welcome("device1", "device", "cryptosign")},
		{name: "cryptosign_tls_unique_rss", lane: "rss", serializer: "msgpack", auth: cryptosign("device1", "channel_binding", "tls-unique"), want: welcome("device1", "device", "cryptosign")},

		{name: "ticket_wrong", lane: "ws", serializer: "json", auth: ticket("alice", "guess"), reason: wrongCredentials},
		{name: "ticket_unknown_authid", lane: "rs", serializer: "json", auth: ticket("mallory", "alice-ticket"), reason: wrongCredentials},
		{name: "wampcra_wrong", lane: "ws", serializer: "json", auth: wampcra("ann", "guess"), reason: wrongCredentials},
		{name: "wampcra_salted_wrong", lane: "rs", serializer: "cbor", auth: wampcra("bob", "guess"), reason: wrongCredentials},
		{name: "wampcra_unknown_authid", lane: "ws", serializer: "msgpack", auth: wampcra("mallory", "ann-secret"), reason: wrongCredentials},
		{name: "cryptosign_unknown_key", lane: "ws", serializer: "json", auth: cryptosign("unknown"), reason: core.URINotAuthorized},
		// A signature for another channel (a forwarded credential).
		{name: "cryptosign_tls_unique_forged", lane: "wss", serializer: "json", auth: cryptosign("device1", "channel_binding", "tls-unique", "forge", "1"), reason: wrongCredentials},
		// tls-unique is undefined on TLS 1.3 and without TLS.
		{name: "cryptosign_tls_unique_tls13", lane: "wss13", serializer: "json", auth: cryptosign("device1", "channel_binding", "tls-unique"),
			reason: core.URIAuthenticationFailed, message: "channel binding tls-unique is not available"},
		{name: "cryptosign_tls_unique_plain", lane: "ws", serializer: "json", auth: cryptosign("device1", "channel_binding", "tls-unique"),
			reason: core.URIAuthenticationFailed, message: "channel binding tls-unique is not available"},
		// No authmethod: HELLO offers anonymous, which these lanes do not admit.
		{name: "anonymous_refused", lane: "ws", serializer: "json", reason: core.URINoAuthMethod},
	}
	b := peers.NewBatch("python")
	scen := addJoins(b, cases)
	runPython(t, n, b)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkJoin(t, scen[c.name], c) })
	}
}

// TestPythonDynamicAuthentication: a dynamic authenticator written in
// Python (com.example.authenticate in realm auth, shaped like Crossbar.io's
// examples) admits and refuses Autobahn|Python sessions for ticket, WAMP-CRA
// (plain and salted: it returns the secret, the router derives the key as
// Crossbar.io does) and cryptosign; its ApplicationError's URI and message
// are the ABORT's. The authenticator sees the session ID the session gets,
// and the session meta API reports the session as WELCOME did.
func TestPythonDynamicAuthentication(t *testing.T) {
	requirePython(t)
	t.Parallel()
	n := startNode(t)
	dyn := func(authid, authrole, authmethod string, extra any) map[string]any {
		return map[string]any{"realm": realmApp, "authid": authid, "authrole": authrole,
			"authmethod": authmethod, "authprovider": "dynamic", "authextra": extra}
	}
	cases := []joinCase{
		{name: "ticket", lane: "dynamic", serializer: "json", auth: ticket("dave", "dave-ticket"), metaGet: true,
			want: dyn("dave", "user", "ticket", map[string]any{"source": "python-authenticator"})},
		{name: "ticket_wrong", lane: "dynamic", serializer: "msgpack", auth: ticket("dave", "guess"),
			reason: "com.example.invalid_ticket", message: "wrong ticket for dave"},
		{name: "ticket_unknown", lane: "dynamic", serializer: "json", auth: ticket("zed", "dave-ticket"),
			reason: "com.example.no_such_user", message: "no user zed"},
		{name: "wampcra", lane: "dynamic", serializer: "cbor", auth: wampcra("erin", "erin-secret"), metaGet: true,
			want: dyn("erin", "user", "wampcra", nil)},
		{name: "wampcra_salted", lane: "dynamic", serializer: "json", auth: wampcra("frank", "frank-secret"), metaGet: true,
			want: dyn("frank", "user", "wampcra", nil)},
		{name: "wampcra_wrong", lane: "dynamic", serializer: "json", auth: wampcra("erin", "guess"), reason: wrongCredentials},
		{name: "wampcra_salted_wrong", lane: "dynamic", serializer: "json", auth: wampcra("frank", "guess"), reason: wrongCredentials},
		{name: "wampcra_unknown", lane: "dynamic", serializer: "json", auth: wampcra("zed", "x"),
			reason: "com.example.no_such_user", message: "no user zed"},
		{name: "cryptosign", lane: "dynamic", serializer: "msgpack", auth: cryptosign("grace"), metaGet: true,
			want: dyn("grace", "user", "cryptosign", nil)},
		{name: "cryptosign_unknown_key", lane: "dynamic", serializer: "json", auth: cryptosign("unknown"),
			reason: "com.example.unknown_key", message: "no principal with this public key"},
	}
	b := peers.NewBatch("python")
	scen := addJoins(b, cases)
	runPython(t, n, b, "authenticator", "meta_realm1")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := scen[c.name]
			id := checkJoin(t, s, c)
			if id == 0 || !c.metaGet {
				return
			}
			t.Run("authenticator_args", func(t *testing.T) {
				// What the Python authenticator was called with, as
				// Crossbar.io calls it: (realm, authid, details).
				saw, _ := s.Get(t, "authenticator_saw").([]any)
				if len(saw) != 1 {
					t.Fatalf("the authenticator was called %d times for the session, want once: %s", len(saw), peers.Compact(saw))
				}
				call := saw[0]
				peers.Equal(t, "authenticator realm", peers.At(call, "realm"), realmApp)
				peers.Equal(t, "authenticator details.authmethod", peers.At(call, "details", "authmethod"), c.auth["method"])
				peers.Equal(t, "authenticator details.transport.channel_type", peers.At(call, "details", "transport", "channel_type"), "tcp")
				peers.Equal(t, "authenticator details.transport.channel_framing", peers.At(call, "details", "transport", "channel_framing"), "websocket")
				if c.auth["method"] == "ticket" {
					peers.Equal(t, "authenticator details.ticket", peers.At(call, "details", "ticket"), c.auth["secret"])
				}
				if c.auth["method"] == "cryptosign" {
					peers.Equal(t, "authenticator details.authextra.pubkey", peers.At(call, "details", "authextra", "pubkey"), pubHex(seedGrace))
				}
				// A HELLO without authid (the cryptosign case) reaches a
				// Crossbar.io authenticator as authid None
				// (details.authid of the HELLO, passed unchanged).
				peers.Equal(t, "authenticator authid", peers.At(call, "authid"), c.auth["authid"])
				peers.Equal(t, "authenticator details.authid", peers.At(call, "details", "authid"), c.auth["authid"])
			})
			t.Run("session_get", func(t *testing.T) {
				// wamp.session.get from a backend session of the realm
				// reports the session as WELCOME did; authprovider is "the
				// provider that performed the authentication" (WAMP spec),
				// "dynamic" as in Crossbar.io.
				meta := s.Get(t, "meta")
				if e := peers.At(meta, "error"); e != nil {
					t.Fatalf("wamp.session.get: %s", peers.Compact(meta))
				}
				peers.Equal(t, "wamp.session.get session", peers.At(meta, "ok", "session"), id)
				for _, k := range []string{"realm", "authid", "authrole", "authmethod", "authprovider"} {
					peers.Equal(t, "wamp.session.get "+k, peers.At(meta, "ok", k), c.want[k])
				}
			})
		})
	}
}

// notAuthorized is what Autobahn|Python makes of the router's ERROR for a
// denied action: an ApplicationError with this URI.
var notAuthorized = map[string]any{"error": core.URINotAuthorized}

// errorOf keeps the URI of an attempt's report ({"ok": …} stays as is).
func errorOf(v any) any {
	if e := peers.At(v, "error"); e != nil {
		return map[string]any{"error": e}
	}
	return v
}

// TestPythonAuthorization: static roles (user, device) and a dynamic
// authorizer written in Python (role dynamic) allow and deny Autobahn|Python
// sessions' calls, registrations, subscriptions and publications; Autobahn
// sees wamp.error.not_authorized for denials and
// wamp.error.authorization_failed when the authorizer fails. A permission
// with disclose_caller, and an authorizer answering disclose, make the
// Python callee see the caller.
func TestPythonAuthorization(t *testing.T) {
	requirePython(t)
	t.Parallel()
	n := startNode(t)
	b := peers.NewBatch("python")
	userWS := b.Add("user_ws", "static_user", map[string]any{"lane": "ws", "serializer": "json", "auth": ticket("alice", "alice-ticket")})
	userRS := b.Add("user_rs", "static_user", map[string]any{"lane": "rs", "serializer": "cbor", "auth": wampcra("ann", "ann-secret")})
	device := b.Add("device", "static_device", map[string]any{"lane": "rs", "serializer": "msgpack", "auth": cryptosign("device1")})
	dynamic := b.Add("dynamic", "dynamic_authz", map[string]any{"lane": "ws", "serializer": "json", "auth": ticket("carol", "carol-ticket")})
	runPython(t, n, b, "authorizer", "callee")

	for _, u := range []struct {
		name, authid string
		s            *peers.Scenario
	}{{"user_ws", "alice", userWS}, {"user_rs", "ann", userRS}} {
		t.Run(u.name, func(t *testing.T) {
			s := u.s
			if !s.Ready(t) {
				return
			}
			id := peers.Uint(t, "session", s.Get(t, "session"))
			s.Eq(t, "call", map[string]any{"ok": map[string]any{"sum": 5, "caller": id, "caller_authid": u.authid, "caller_authrole": "user"}})
			peers.Equal(t, "register com.example.mine2", errorOf(s.Get(t, "register")), notAuthorized)
			peers.Equal(t, "call com.example.secret.thing", errorOf(s.Get(t, "call_secret")), notAuthorized)
			peers.Equal(t, "call org.other.proc", errorOf(s.Get(t, "call_outside")), notAuthorized)
			s.Eq(t, "subscribe", map[string]any{"ok": true})
			s.Eq(t, "publish", map[string]any{"ok": true})
			peers.Equal(t, "publish org.other.topic", errorOf(s.Get(t, "publish_outside")), notAuthorized)
		})
	}
	t.Run("device", func(t *testing.T) {
		s := device
		if !s.Ready(t) {
			return
		}
		peers.Equal(t, "authid", peers.At(s.Get(t, "welcome"), "authid"), "device1")
		s.Eq(t, "publish", map[string]any{"ok": true})
		s.Eq(t, "subscribe", map[string]any{"ok": true})
		peers.Equal(t, "call com.example.add2", errorOf(s.Get(t, "call")), notAuthorized)
		peers.Equal(t, "register com.example.device.proc", errorOf(s.Get(t, "register")), notAuthorized)
	})
	t.Run("dynamic_authorizer", func(t *testing.T) {
		s := dynamic
		if !s.Ready(t) {
			return
		}
		id := peers.Uint(t, "session", s.Get(t, "session"))
		// Allowed without disclosure, then with it (the decision cached).
		s.Eq(t, "echo", map[string]any{"ok": map[string]any{"echo": "hi", "caller": nil, "caller_authid": nil, "caller_authrole": nil}})
		who := map[string]any{"ok": map[string]any{"caller": id, "caller_authid": "carol", "caller_authrole": "dynamic"}}
		s.Eq(t, "who1", who)
		s.Eq(t, "who2", who)
		peers.Equal(t, "call com.example.dyn.nope", errorOf(s.Get(t, "nope")), notAuthorized)
		peers.Equal(t, "register com.example.dyn.echo2", errorOf(s.Get(t, "register")), notAuthorized)
		peers.Equal(t, "call com.example.dyn.broken", errorOf(s.Get(t, "broken")), map[string]any{"error": core.URIAuthorizationFailed})
		s.Eq(t, "subscribe", map[string]any{"ok": true})
		s.Eq(t, "publish", map[string]any{"ok": true})

		// What the authorizer was asked, in order: every action once,
		// com.example.dyn.who only once (its decision is cached), with the
		// session's identity and the options Autobahn sent.
		saw, _ := s.Get(t, "authorizer_saw").([]any)
		var asked []any
		for _, e := range saw {
			asked = append(asked, map[string]any{"action": peers.At(e, "action"), "uri": peers.At(e, "uri"), "options": peers.At(e, "options")})
			sess := peers.At(e, "session")
			peers.Equal(t, "authorizer session.session", peers.At(sess, "session"), id)
			for k, v := range map[string]any{"authid": "carol", "authrole": "dynamic", "authmethod": "ticket", "authprovider": "static"} {
				peers.Equal(t, "authorizer session."+k, peers.At(sess, k), v)
			}
		}
		ask := func(action, uri string, options map[string]any) map[string]any {
			return map[string]any{"action": action, "uri": "com.example.dyn." + uri, "options": options}
		}
		none := map[string]any{}
		peers.Equal(t, "the authorizer's calls", asked, []any{
			ask("call", "echo", none), ask("call", "who", none), ask("call", "nope", none),
			ask("register", "echo2", none), ask("call", "broken", none),
			ask("subscribe", "topic", none), ask("publish", "topic", map[string]any{"acknowledge": true}),
		})
	})
}

// TestPythonTwistedChannelBinding pins a known incompatibility: Autobahn's
// Twisted transport_channel_id (22.7.1, the one Crossbar.io uses) hashes
// the server's TLS Finished message where RFC 5929's tls-unique — Go's,
// and Autobahn's on asyncio — is the client's (see interop/channelbinding
// and core.TransportDetails.ChannelID). A Twisted client's cryptosign
// signature bound with tls-unique therefore does not verify on this
// router: it is refused, while the same client without channel binding
// joins. When this test fails because the bound join succeeds, Autobahn (or
// the router) changed: make it expect the session.
func TestPythonTwistedChannelBinding(t *testing.T) {
	testpeer.RequirePython(t, "nacl", "OpenSSL", "autobahn.twisted.websocket")
	t.Parallel()
	n := startNode(t)
	b := peers.NewBatch("python (Twisted)")
	unbound := b.Add("unbound", "twisted_join", map[string]any{"channel_binding": nil})
	bound := b.Add("tls_unique", "twisted_join", map[string]any{"channel_binding": "tls-unique"})
	arg, err := json.Marshal(map[string]any{"url": n.urls["wss"], "ca": n.caPath, "key": keys()["device1"], "scenarios": b.Specs()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), pyTimeout)
	defer cancel()
	b.Run(t, exec.CommandContext(ctx, testpeer.Python, "testdata/py_twisted_cb.py", string(arg)))
	t.Run("unbound", func(t *testing.T) {
		if unbound.Ready(t) {
			unbound.Eq(t, "welcome", map[string]any{"authid": "device1", "authrole": "device", "authmethod": "cryptosign"})
		}
	})
	t.Run("tls_unique", func(t *testing.T) {
		if bound.Ready(t) {
			bound.Eq(t, "refused", map[string]any{"reason": wrongCredentials, "message": "authentication failed: wrong or unknown credentials"})
		}
	})
}
