package node

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/cbor"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// fixtureDir is a directory for the test configurations: the web
// directory of testdata and a fresh TLS certificate for 127.0.0.1
// (server.key, server.crt).
func fixtureDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	page, err := os.ReadFile(filepath.Join("testdata", "web", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "web"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "web", "index.html"), page)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "server.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write(t, filepath.Join(dir, "server.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8}))
	return dir
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// clientTLS trusts the certificate of fixtureDir.
func clientTLS(t *testing.T, dir string) *tls.Config {
	t.Helper()
	pemData, err := os.ReadFile(filepath.Join(dir, "server.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemData)
	return &tls.Config{RootCAs: pool}
}

// loadFull parses testdata/full.json with the files of dir.
func loadFull(t *testing.T, dir string) *Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "full.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := parseIn(dir, string(data))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// startNode starts cfg, stopped when the test ends.
func startNode(t *testing.T, cfg *Config) *Node {
	t.Helper()
	cfg.Router.Logger = quiet
	n, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		n.Close(ctx)
	})
	return n
}

// join dials url and joins realm, closed when the test ends.
func join(t *testing.T, url string, tc core.TransportConfig, realm string, opts wamp.JoinOptions) (*wamp.Session, *wamp.SessionDetails, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := wamp.Dial(ctx, url, tc, wamp.Config{Logger: quiet})
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	d, err := s.Join(ctx, realm, opts)
	return s, d, err
}

func mustJoin(t *testing.T, url string, tc core.TransportConfig, realm string, opts wamp.JoinOptions) (*wamp.Session, *wamp.SessionDetails) {
	t.Helper()
	s, d, err := join(t, url, tc, realm, opts)
	if err != nil {
		t.Fatalf("join %s at %s: %v", realm, url, err)
	}
	return s, d
}

func register(t *testing.T, s *wamp.Session, proc string, h wamp.Handler) {
	t.Helper()
	if _, err := s.Register(context.Background(), proc, h, core.RegisterOptions{}); err != nil {
		t.Fatalf("register %s: %v", proc, err)
	}
}

// urls are the services of the running full configuration.
type urls struct {
	static, wss, rs, uniRS, uniStatic, uniInfo, uniWS, unix string
}

func serviceURLs(t *testing.T, n *Node) urls {
	t.Helper()
	b := n.Listeners()
	var got []string
	for _, l := range b {
		for _, s := range l.Services {
			got = append(got, s.Kind+" "+s.URL)
		}
	}
	if len(got) != 8 {
		t.Fatalf("services: %q", got)
	}
	u := func(i int) string { _, url, _ := strings.Cut(got[i], " "); return url }
	for i, kind := range []string{"static", "websocket", "rawsocket", "rawsocket", "static", "nodeinfo", "websocket", "rawsocket"} {
		if !strings.HasPrefix(got[i], kind+" ") {
			t.Fatalf("service %d is %q, want a %s service", i, got[i], kind)
		}
	}
	return urls{static: u(0), wss: u(1), rs: u(2), uniRS: u(3), uniStatic: u(4), uniInfo: u(5), uniWS: u(6), unix: u(7)}
}

// TestServeFull runs testdata/full.json — a web transport on TLS with a
// static root and a WebSocket path (dynamic ticket, static WAMP-CRA and
// Cryptosign authentication), a RawSocket transport for the backend, a
// universal transport and a RawSocket transport on a Unix socket — and
// joins every one with the module's client.
func TestServeFull(t *testing.T) {
	dir := fixtureDir(t)
	n := startNode(t, loadFull(t, dir))
	u := serviceURLs(t, n)
	secure := core.TransportConfig{TLS: clientTLS(t, dir)}
	startBackends(t, u)

	t.Run("ticket via dynamic authenticator over wss", func(t *testing.T) {
		s, d := mustJoin(t, u.wss, secure, "realm1", wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("secret123")}})
		equal(t, "identity", []string{d.AuthID, d.AuthRole, d.AuthMethod, d.Welcome.AuthProvider}, []string{"joe", "frontend", "ticket", "dynamic"})
		res, err := s.Call(context.Background(), "com.example.add2", []any{2, 3}, nil, wamp.CallOptions{})
		if err != nil || len(res.Args) != 1 || res.Args[0] != int64(5) {
			t.Fatalf("add2: %v %v", res, err)
		}
		_, err = s.Publish(context.Background(), "com.example.topic2", nil, nil, core.PublishOptions{Acknowledge: ptr(true)})
		if !errors.Is(err, core.ErrNotAuthorized) {
			t.Fatalf("publish to a denied topic: %v, want not_authorized", err)
		}
		noop := func(context.Context, *wamp.Invocation) (*wamp.Result, error) { return &wamp.Result{}, nil }
		if _, err := s.Register(context.Background(), "com.example.add2", noop, core.RegisterOptions{}); !errors.Is(err, core.ErrNotAuthorized) {
			t.Fatalf("frontend registers: %v, want not_authorized", err)
		}
	})
	t.Run("ticket refused by the authenticator", func(t *testing.T) {
		_, _, err := join(t, u.wss, secure, "realm1", wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("wrong")}})
		if err == nil || !strings.Contains(err.Error(), "com.example.invalid_ticket") {
			t.Fatalf("join: %v, want com.example.invalid_ticket", err)
		}
	})
	t.Run("wampcra static", func(t *testing.T) {
		for _, c := range [][2]string{{"client1", "client1-secret"}, {"client2", "salted-secret-of-client2"}} {
			_, d := mustJoin(t, u.wss, secure, "realm1", wamp.JoinOptions{AuthID: c[0], Authenticators: []wamp.Authenticator{wamp.WAMPCRA(c[1])}})
			equal(t, c[0], []string{d.AuthID, d.AuthRole, d.AuthMethod}, []string{c[0], "frontend", "wampcra"})
		}
		_, _, err := join(t, u.wss, secure, "realm1", wamp.JoinOptions{AuthID: "client2", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("guess")}})
		if !errors.Is(err, core.ErrAuthenticationFailed) {
			t.Fatalf("wrong secret: %v", err)
		}
	})
	t.Run("cryptosign with the principal's realm and a dynamic authorizer", func(t *testing.T) {
		s, d := mustJoin(t, u.wss, secure, "realm1", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(deviceKey(), core.ChannelBindingTLSExporter)}})
		equal(t, "identity", []string{d.Realm, d.AuthID, d.AuthRole}, []string{"realm2", "device1@example.com", "device"})
		if _, err := s.Call(context.Background(), "com.example.ping", nil, nil, wamp.CallOptions{}); err != nil {
			t.Fatalf("allowed call: %v", err)
		}
		_, err := s.Call(context.Background(), "com.example.secret", nil, nil, wamp.CallOptions{})
		if !errors.Is(err, core.ErrNotAuthorized) {
			t.Fatalf("call denied by the authorizer: %v, want not_authorized", err)
		}
	})
	t.Run("static files over https", func(t *testing.T) {
		client := &http.Client{Transport: &http.Transport{TLSClientConfig: secure.TLS}}
		body, resp := get(t, client, u.static+"index.html", http.StatusOK)
		if !strings.Contains(body, "static web service") {
			t.Fatalf("index.html: %q", body)
		}
		equal(t, "headers", []string{resp.Header.Get("Strict-Transport-Security"), resp.Header.Get("Cache-Control")}, []string{"max-age=600", "max-age=60, public"})
		get(t, client, u.static+"missing.html", http.StatusNotFound)
	})
	t.Run("universal transport: RawSocket, WebSocket and HTTP on one port", func(t *testing.T) {
		joe := wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("joe-ticket")}}
		for _, url := range []string{u.uniRS, u.uniWS} {
			_, d := mustJoin(t, url, core.TransportConfig{Serializers: []core.Serializer{msgpack.Serializer}}, "realm1", joe)
			equal(t, url, d.AuthRole, "frontend")
		}
		body, _ := get(t, http.DefaultClient, u.uniStatic+"index.html", http.StatusOK)
		if !strings.Contains(body, "static web service") {
			t.Fatalf("index.html: %q", body)
		}
		// The nodeinfo path is the router's status page; its JSON lists
		// the sessions of this test's realms.
		body, _ = get(t, http.DefaultClient, u.uniInfo+"?format=json", http.StatusOK)
		if !strings.Contains(body, `"name": "realm1"`) || !strings.Contains(body, `"authid": "joe"`) {
			t.Fatalf("nodeinfo status JSON: %s", body)
		}
		_, _, err := join(t, u.uniRS, core.TransportConfig{Serializers: []core.Serializer{cbor.Serializer}}, "realm1", joe)
		if err == nil {
			t.Fatal("a CBOR RawSocket client joined a transport configured for msgpack only")
		}
	})
	t.Run("event history of the realm store", func(t *testing.T) {
		s, _ := mustJoin(t, u.unix, core.TransportConfig{}, "realm1", wamp.JoinOptions{})
		for i := range 3 {
			if _, err := s.Publish(context.Background(), "com.example.history", []any{i}, nil, core.PublishOptions{Acknowledge: ptr(true)}); err != nil {
				t.Fatal(err)
			}
		}
		res, err := s.Call(context.Background(), "wamp.subscription.lookup", []any{"com.example.history"}, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		res, err = s.Call(context.Background(), "wamp.subscription.get_events", res.Args, nil, wamp.CallOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if events, _ := res.Args[0].([]any); len(events) != 3 {
			t.Fatalf("get_events: %v", res.Args)
		}
	})
}

// startBackends joins the components of the full configuration: the
// authenticator and a callee in realm1 over RawSocket (anonymous, role
// backend), and the authorizer and callees of realm2 over the Unix socket
// (anonymous, assigned realm2 and authid local-backend).
func startBackends(t *testing.T, u urls) {
	backend, d := mustJoin(t, u.rs, core.TransportConfig{}, "realm1", wamp.JoinOptions{})
	equal(t, "backend", d.AuthRole, "backend")
	register(t, backend, "com.example.authenticate", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		details, _ := inv.Args[2].(map[string]any)
		if details["ticket"] != "secret123" {
			return nil, core.NewApplicationError("com.example.invalid_ticket", "wrong ticket")
		}
		return &wamp.Result{Args: []any{map[string]any{"role": "frontend"}}}, nil
	})
	register(t, backend, "com.example.add2", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		a, _ := inv.Args[0].(int64)
		b, _ := inv.Args[1].(int64)
		return &wamp.Result{Args: []any{a + b}}, nil
	})
	local, d := mustJoin(t, u.unix, core.TransportConfig{}, "realm1", wamp.JoinOptions{})
	equal(t, "unix backend", []string{d.Realm, d.AuthID, d.AuthRole}, []string{"realm2", "local-backend", "backend"})
	register(t, local, "com.example.authorize", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		return &wamp.Result{Args: []any{inv.Args[1] != "com.example.secret"}}, nil
	})
	ok := func(context.Context, *wamp.Invocation) (*wamp.Result, error) { return &wamp.Result{}, nil }
	register(t, local, "com.example.ping", ok)
	register(t, local, "com.example.secret", ok)
}

// deviceKey is the key of device1@example.com in testdata/full.json.
func deviceKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i + 1)
	}
	return ed25519.NewKeyFromSeed(seed)
}

func get(t *testing.T, c *http.Client, url string, status int) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != status {
		t.Fatalf("GET %s: %s, want %d", url, resp.Status, status)
	}
	return string(b), resp
}

func ptr[T any](v T) *T { return &v }
