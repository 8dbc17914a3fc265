package peers

import (
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// The authentication peers interop/testdata/auth_peer.py (Autobahn|Python
// on asyncio) and interop/testdata/auth_peer.js (AutobahnJS) take the
// credentials of a session as an "auth" spec; these build them.

// Ticket is the auth spec of a WAMP-Ticket client.
func Ticket(authid, secret string) map[string]any {
	return map[string]any{"method": "ticket", "authid": authid, "secret": secret}
}

// WAMPCRA is the auth spec of a WAMP-CRA client; the peer derives the key
// from secret when the challenge carries a salt.
func WAMPCRA(authid, secret string) map[string]any {
	return map[string]any{"method": "wampcra", "authid": authid, "secret": secret}
}

// Cryptosign is the auth spec of a WAMP-Cryptosign client signing with the
// peer's key named key (the "keys" of its argument: name → seed in hex);
// extra adds pairs of parameters: "authid", "channel_binding"
// ("tls-unique"), "forge" (sign for another channel).
func Cryptosign(key string, extra ...string) map[string]any {
	m := map[string]any{"method": "cryptosign", "key": key}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

// Join is a scenario of kind "join" of the authentication peers: a session
// that joins (Want: fields of its SessionDetails) or is refused (Reason,
// and Message when set: a part of the ABORT's message).
type Join struct {
	Name, Lane, Serializer string
	Auth                   map[string]any
	Want                   map[string]any
	Reason, Message        string
	// MetaGet makes auth_peer.py also report wamp.session.get of the
	// session, called by its backend component meta_realm1.
	MetaGet bool
	// Params are more parameters of the scenario, such as "realm" (the
	// realm HELLO asks for: realm1 when absent, none when nil).
	Params map[string]any
}

// AddJoins adds the join scenarios to b, under their names.
func AddJoins(b *Batch, cases []Join) map[string]*Scenario {
	out := map[string]*Scenario{}
	for _, c := range cases {
		params := map[string]any{"lane": c.Lane, "serializer": c.Serializer, "auth": c.Auth, "meta_get": c.MetaGet}
		for k, v := range c.Params {
			params[k] = v
		}
		out[c.Name] = b.Add(c.Name, "join", params)
	}
	return out
}

// CheckJoin asserts the outcome of the join scenario s of c; it returns
// the session ID of a session that joined (0 otherwise).
func CheckJoin(t *testing.T, s *Scenario, c Join) uint64 {
	t.Helper()
	if !s.Ready(t) {
		return 0
	}
	if c.Reason != "" {
		if s.Has("welcome") {
			t.Fatalf("joined, want refused with %s: %s", c.Reason, Compact(s.Get(t, "welcome")))
		}
		refused := s.Get(t, "refused")
		Equal(t, "ABORT reason", At(refused, "reason"), c.Reason)
		if c.Message != "" {
			if msg, _ := At(refused, "message").(string); !strings.Contains(msg, c.Message) {
				t.Errorf("ABORT message %q, want it to contain %q", msg, c.Message)
			}
		}
		return 0
	}
	if s.Has("refused") {
		t.Fatalf("refused: %s, want a session", Compact(s.Get(t, "refused")))
	}
	w := s.Get(t, "welcome")
	for k, v := range c.Want {
		Equal(t, "SessionDetails."+k, At(w, k), v)
	}
	id := Uint(t, "SessionDetails.session", At(w, "session"))
	if id == 0 || id > 1<<53 {
		t.Errorf("session ID %d is not a WAMP ID", id)
	}
	return id
}

// ErrorOf keeps only the URI of an attempt's report ({"error": URI, "args":
// …}); {"ok": …} stays as it is.
func ErrorOf(v any) any {
	if e := At(v, "error"); e != nil {
		return map[string]any{"error": e}
	}
	return v
}

var asyncioProbe struct {
	once    sync.Once
	problem string
}

// RequirePythonAsyncio skips the test (or, with AUTOBAHN_INTEROP=1, fails
// it) when Autobahn|Python with PyNaCl and its asyncio transports is
// missing: auth_peer.py runs on asyncio, whose tls-unique channel binding
// is RFC 5929's (and Go's).
func RequirePythonAsyncio(t testing.TB) {
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
