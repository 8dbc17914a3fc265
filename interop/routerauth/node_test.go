package routerauth

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/router.", "autobahn/transports/"))
}

// The router of every test is configured like a Crossbar.io node whose
// config.json has these realms and transports:
//
//	realms:
//	  realm1  roles backend (everything), user (call / subscribe / publish
//	          com.example.*, callers disclosed; nothing on com.example.secret.*),
//	          device (publish / subscribe com.example.device.*),
//	          dynamic (authorizer com.example.authorize)
//	  auth    roles backend (everything): the dynamic authenticator's realm
//	  meta    roles monitor, worker (everything); event-history
//	          com.example.meta.history (limit 3)
//	transports (lanes):
//	  ws, rs      WebSocket /ws and RawSocket: static ticket, wampcra, cryptosign
//	  wss, rss    the same over TLS 1.2 (tls-unique channel binding)
//	  wss13       the same over TLS 1.3 only (no tls-unique)
//	  backend     WebSocket, anonymous as role backend (the components)
//	  dynamic     WebSocket: ticket, wampcra and cryptosign by the dynamic
//	              authenticator com.example.authenticate of realm auth
const (
	realmApp  = "realm1"
	realmAuth = "auth"
	realmMeta = "meta"
)

// Static principals.
var (
	// seedDevice1 is the Ed25519 seed of the static cryptosign principal
	// device1; seedGrace is the key the dynamic authenticator knows;
	// seedUnknown is a key nobody knows.
	seedDevice1 = seed(3)
	seedGrace   = seed(5)
	seedUnknown = seed(7)
)

func seed(step byte) []byte {
	b := make([]byte, ed25519.SeedSize)
	for i := range b {
		b[i] = byte(i)*step + 1
	}
	return b
}

func pubHex(seed []byte) string {
	return auth.PublicKeyHex(ed25519.NewKeyFromSeed(seed))
}

// Salted WAMP-CRA principal bob, stored as Crossbar.io's static config
// stores it: the derived key with its salt and parameters.
const (
	bobSecret     = "bob-secret"
	bobSalt       = "bob-salt"
	bobIterations = 100
	bobKeyLen     = 32
)

func everything() []router.Permission {
	return []router.Permission{{URI: "", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}}
}

// testNode is the router of one test and the URLs of its lanes.
type testNode struct {
	r      *router.Router
	urls   map[string]string // lane → URL
	caPath string            // the test certificate in PEM, to trust
	logs   *testpeer.LockedBuffer
}

// startNode starts the router for t, listening on loopback ports; it is
// closed when t ends, and its log is printed if t failed.
func startNode(t *testing.T) *testNode {
	t.Helper()
	bobKey, err := auth.DeriveKey(bobSecret, bobSalt, bobIterations, bobKeyLen)
	if err != nil {
		t.Fatal(err)
	}
	ticket := router.Ticket{Principals: map[string]router.Principal{
		"alice": {Role: "user", Secret: "alice-ticket"},
		"carol": {Role: "dynamic", Secret: "carol-ticket"},
		"m1":    {Role: "monitor", Secret: "m1-ticket"},
		"m2":    {Role: "worker", Secret: "m2-ticket"},
		"m3":    {Role: "worker", Secret: "m3-ticket"},
	}}
	wampcra := router.WAMPCRA{Principals: map[string]router.Principal{
		"ann": {Role: "user", Secret: "ann-secret"},
		"bob": {Role: "user", Secret: bobKey, Salt: bobSalt, Iterations: bobIterations, KeyLen: bobKeyLen},
	}}
	cryptosign := router.Cryptosign{Principals: map[string]router.Principal{
		"device1": {Role: "device", PubKeys: []string{pubHex(seedDevice1)}},
	}}
	static := []router.AuthMethod{ticket, wampcra, cryptosign}
	dynamic := []router.AuthMethod{
		router.Dynamic{Method: "ticket", Procedure: "com.example.authenticate", Realm: realmAuth},
		router.Dynamic{Method: "wampcra", Procedure: "com.example.authenticate", Realm: realmAuth},
		router.Dynamic{Method: "cryptosign", Procedure: "com.example.authenticate", Realm: realmAuth},
	}

	logs := &testpeer.LockedBuffer{}
	r, err := router.New(router.Options{
		Realms: []string{realmApp, realmAuth, realmMeta},
		Roles: map[string]map[string]router.Role{
			realmApp: {
				"backend": {Permissions: everything()},
				"user": {Permissions: []router.Permission{
					{URI: "com.example.", Match: core.MatchPrefix, Call: true, Subscribe: true, Publish: true, DiscloseCaller: true},
					{URI: "com.example.secret.", Match: core.MatchPrefix},
				}},
				"device":  {Permissions: []router.Permission{{URI: "com.example.device.", Match: core.MatchPrefix, Publish: true, Subscribe: true}}},
				"dynamic": {Authorizer: "com.example.authorize"},
			},
			realmAuth: {"backend": {Permissions: everything()}},
			realmMeta: {"monitor": {Permissions: everything()}, "worker": {Permissions: everything()}},
		},
		EventHistory: map[string][]router.EventHistory{
			realmMeta: {{URI: "com.example.meta.history", Limit: 3}},
		},
		HandshakeTimeout: 15 * time.Second,
		Logger:           slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{r: r, urls: map[string]string{}, logs: logs}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := r.Close(ctx); err != nil {
			t.Errorf("closing the router: %v", err)
		}
		if t.Failed() {
			t.Logf("router log:\n%s", logs.String())
		}
	})

	cert := testpeer.NewCert(t)
	n.caPath = cert.WritePEM(t)
	tls12 := cert.ServerConfig()
	tls12.MaxVersion = tls.VersionTLS12
	tls13 := cert.ServerConfig()
	tls13.MinVersion = tls.VersionTLS13
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, l := range []struct {
		lane, url string
		tls       *tls.Config
		methods   []router.AuthMethod
	}{
		{"ws", "ws://127.0.0.1:0/ws", nil, static},
		{"rs", "rs://127.0.0.1:0", nil, static},
		{"wss", "wss://127.0.0.1:0/ws", tls12, static},
		{"rss", "rss://127.0.0.1:0", tls12, static},
		{"wss13", "wss://127.0.0.1:0/ws", tls13, static},
		{"backend", "ws://127.0.0.1:0/ws", nil, []router.AuthMethod{router.Anonymous{Role: "backend"}}},
		{"dynamic", "ws://127.0.0.1:0/ws", nil, dynamic},
	} {
		ln, err := registry.Listen(ctx, l.url, core.TransportConfig{TLS: l.tls}, r.Acceptor(l.methods...))
		if err != nil {
			t.Fatalf("listen %s: %v", l.lane, err)
		}
		t.Cleanup(func() { ln.Close() })
		scheme, rest, _ := strings.Cut(l.url, "://")
		_, path, _ := strings.Cut(rest, "/")
		u := scheme + "://" + ln.Addr().String()
		if path != "" {
			u += "/" + path
		}
		n.urls[l.lane] = u
	}
	return n
}

// keys are the cryptosign seeds the peers use, in hex.
func keys() map[string]string {
	return map[string]string{
		"device1": hex.EncodeToString(seedDevice1),
		"grace":   hex.EncodeToString(seedGrace),
		"unknown": hex.EncodeToString(seedUnknown),
	}
}
