package node

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"
)

// TestUniversalTLS serves RawSocket, WebSocket and files on one TLS port:
// Cryptosign with channel binding (tls-exporter) must work over both WAMP
// transports, which needs the TLS state of a connection whose first byte
// was read to tell them apart.
func TestUniversalTLS(t *testing.T) {
	dir := fixtureDir(t)
	cryptosign := `"auth": {"cryptosign": {"type": "static", "principals": {"device1": {"role": "device",
		"authorized_keys": ["79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664"]}}}}`
	doc := worker(`{"name": "realm1", "roles": [{"name": "device", "allow-by-default": true}]}`,
		`{"type": "universal",
		  "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0, "tls": {"key": "server.key", "certificate": "server.crt"}},
		  "rawsocket": {`+cryptosign+`},
		  "websocket": {"ws": {`+cryptosign+`}},
		  "web": {"paths": {"/": {"type": "static", "directory": "web", "options": {"default_file": "index.html"}}}}}`)
	cfg, err := parseIn(dir, doc)
	if err != nil {
		t.Fatal(err)
	}
	n := startNode(t, cfg)
	svc := n.Listeners()[0].Services
	equal(t, "kinds", []string{svc[0].Kind, svc[1].Kind, svc[2].Kind}, []string{"rawsocket", "static", "websocket"})
	secure := core.TransportConfig{TLS: clientTLS(t, dir)}
	for _, url := range []string{svc[0].URL, svc[2].URL} {
		if !strings.HasPrefix(url, "rss://") && !strings.HasPrefix(url, "wss://") {
			t.Fatalf("URL %s is not a TLS one", url)
		}
		_, d := mustJoin(t, url, secure, "realm1", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(deviceKey(), core.ChannelBindingTLSExporter)}})
		equal(t, url, d.AuthID, "device1")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: secure.TLS}}
	body, _ := get(t, client, svc[1].URL+"some/app/route", http.StatusOK)
	if !strings.Contains(body, "static web service") {
		t.Fatalf("default_file: %q", body)
	}
}

func TestStaticHandler(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "docs"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "docs", "a.min.js"), []byte("var a;"))
	write(t, filepath.Join(dir, "logo.svg"), []byte("<svg/>"))
	for _, tc := range []struct {
		name   string
		svc    StaticService
		prefix string
		path   string
		status int
		header [2]string
	}{
		{"file below a prefix", StaticService{CacheTimeout: -1}, "/static", "/static/logo.svg", 200, [2]string{"Content-Type", "image/svg+xml"}},
		{"longest MIME extension", StaticService{CacheTimeout: -1, MIMETypes: map[string]string{".js": "text/plain", ".min.js": "application/x-min"}}, "", "/docs/a.min.js", 200, [2]string{"Content-Type", "application/x-min"}},
		{"no listing", StaticService{CacheTimeout: -1}, "", "/docs/", 404, [2]string{}},
		{"listing", StaticService{CacheTimeout: -1, Listing: true}, "", "/docs/", 200, [2]string{}},
		{"cache headers", StaticService{CacheTimeout: defaultCacheTimeout}, "", "/logo.svg", 200, [2]string{"Cache-Control", "max-age=43200, public"}},
		{"no cache headers", StaticService{CacheTimeout: -1}, "", "/logo.svg", 200, [2]string{"Cache-Control", ""}},
		{"missing", StaticService{CacheTimeout: -1}, "", "/nope.txt", 404, [2]string{}},
		{"traversal", StaticService{CacheTimeout: -1}, "", "/../../etc/passwd", 404, [2]string{}},
		{"fallback", StaticService{CacheTimeout: -1, DefaultFile: "logo.svg"}, "", "/app/route", 200, [2]string{"Content-Type", "image/svg+xml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := tc.svc
			svc.Directory = dir
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "http://x"+tc.prefix+"/", nil)
			req.URL.Path = tc.path
			newStaticHandler(&svc, tc.prefix).ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d", rec.Code, tc.status)
			}
			if tc.header[0] != "" && rec.Header().Get(tc.header[0]) != tc.header[1] {
				t.Fatalf("%s: %q, want %q", tc.header[0], rec.Header().Get(tc.header[0]), tc.header[1])
			}
		})
	}
	rec := httptest.NewRecorder()
	newStaticHandler(&StaticService{Directory: dir}, "").ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/logo.svg", nil))
	equal(t, "POST", rec.Code, http.StatusMethodNotAllowed)
}

// TestListenFailure checks that a listener that cannot listen stops the
// start, names its transport, and leaves nothing listening.
func TestListenFailure(t *testing.T) {
	dir := fixtureDir(t)
	first := startNode(t, mustParse(t, dir, worker(realm1, ws(""))))
	busy := first.Listeners()[0].Addr.String()
	_, port, _ := strings.Cut(busy, ":")
	doc := worker(realm1, `{"type": "rawsocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": 0}},
		{"type": "rawsocket", "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": `+port+`}}`)
	_, err := Start(t.Context(), mustParse(t, dir, doc))
	if err == nil || !strings.HasPrefix(err.Error(), "config: workers[0].transports[1].endpoint: ") || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("start: %v", err)
	}
}

func mustParse(t *testing.T, dir, doc string) *Config {
	t.Helper()
	cfg, err := parseIn(dir, doc)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Router.Logger = quiet
	return cfg
}
