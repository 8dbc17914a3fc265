package rawsocket

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/registry"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url     string
		listen  bool
		want    Address
		wantErr string
	}{
		{url: "rs://localhost:8080", want: Address{"tcp", "localhost:8080", false, "localhost"}},
		{url: "rs://example.com", want: Address{"tcp", "example.com:80", false, "example.com"}},
		{url: "rss://example.com", want: Address{"tcp", "example.com:443", true, "example.com"}},
		{url: "RSS://example.com:9000/", want: Address{"tcp", "example.com:9000", true, "example.com"}},
		{url: "rs://[::1]:8080", want: Address{"tcp", "[::1]:8080", false, "::1"}},
		{url: "tcp://127.0.0.1:9000", want: Address{"tcp", "127.0.0.1:9000", false, "127.0.0.1"}},
		{url: "rs://unix:/tmp/router.sock", want: Address{"unix", "/tmp/router.sock", false, ""}},
		{url: "rss://unix:/tmp/router.sock", want: Address{"unix", "/tmp/router.sock", true, ""}},
		{url: "unix:///tmp/router.sock", want: Address{"unix", "/tmp/router.sock", false, ""}},
		{url: "unix:/tmp/router.sock", want: Address{"unix", "/tmp/router.sock", false, ""}},
		{url: "unix:router.sock", want: Address{"unix", "router.sock", false, ""}},
		{url: "rs://:8080", listen: true, want: Address{"tcp", ":8080", false, ""}},
		{url: "tcp://127.0.0.1:0", listen: true, want: Address{"tcp", "127.0.0.1:0", false, "127.0.0.1"}},
		{url: "rs://:8080", wantErr: "missing host"},
		{url: "rs://host:0", wantErr: "invalid port"},
		{url: "tcp://host", wantErr: "missing port"},
		{url: "rs://host:8080/ws", wantErr: "path"},
		{url: "rs://host:8080?serializer=cbor", wantErr: "query"},
		{url: "rs://host:8080#frag", wantErr: "fragment"},
		{url: "rs://user@host:8080", wantErr: "user information"},
		{url: "rs://unix:", wantErr: "missing Unix socket path"},
		{url: "unix://host/tmp/x.sock", wantErr: "no host"},
		{url: "unix:", wantErr: "missing Unix socket path"},
		{url: "ws://host:8080", wantErr: "not a RawSocket scheme"},
		{url: "tcp:host", wantErr: "want tcp://host:port"},
	}
	for _, tc := range tests {
		got, err := ParseURL(mustURL(t, tc.url), tc.listen)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseURL(%q): %+v, %v; want error containing %q", tc.url, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		cfg     map[string]any
		want    string
		check   func(Endpoint) bool
		wantErr string
	}{
		{cfg: map[string]any{"type": "tcp", "host": "example.com", "port": 8080}, want: "rs://example.com:8080"},
		{cfg: map[string]any{"type": "tcp", "host": "example.com", "port": float64(443), "tls": true}, want: "rss://example.com:443"},
		{cfg: map[string]any{"type": "tcp", "host": "::1", "port": int64(80), "version": 6, "tls": false}, want: "rs://[::1]:80"},
		{cfg: map[string]any{"type": "tcp", "host": "10.0.0.1", "port": 443, "tls": map[string]any{"hostname": "router.example", "trust_root": "/etc/ca.pem"}, "timeout": 3},
			want: "rss://10.0.0.1:443", check: func(e Endpoint) bool {
				return e.TLSServerName == "router.example" && e.TLSTrustRoot == "/etc/ca.pem" && e.Timeout == 3*time.Second
			}},
		{cfg: map[string]any{"type": "unix", "path": "/tmp/router.sock"}, want: "rs://unix:/tmp/router.sock", check: func(e Endpoint) bool { return e.Timeout == 10*time.Second }},
		{cfg: map[string]any{"type": "unix", "path": "rel/router.sock"}, want: "unix:rel/router.sock"},
		{cfg: map[string]any{"type": "tcp", "host": "h"}, wantErr: "port"},
		{cfg: map[string]any{"type": "tcp", "port": 80}, wantErr: "host"},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 70000}, wantErr: "port"},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 80, "path": "/x"}, wantErr: `"path" is not valid`},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 80, "tls": "yes"}, wantErr: "tls must be"},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 80, "tls": map[string]any{"ca": "x"}}, wantErr: `unknown key "ca" in tls`},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 80, "version": 5}, wantErr: "IP version"},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 80, "timeout": -1}, wantErr: "timeout"},
		{cfg: map[string]any{"type": "unix", "path": "/x", "port": 80}, wantErr: `"port" is not valid in a unix`},
		{cfg: map[string]any{"type": "unix"}, wantErr: "path"},
		{cfg: map[string]any{"type": "udp"}, wantErr: "invalid type"},
		{cfg: map[string]any{"host": "h", "port": 1}, wantErr: "invalid type"},
		{cfg: map[string]any{"type": "tcp", "host": "h", "port": 1, "backlog": 5}, wantErr: `unknown key "backlog"`},
	}
	for _, tc := range tests {
		ep, err := ParseEndpoint(tc.cfg)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseEndpoint(%v): %v; want error containing %q", tc.cfg, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEndpoint(%v): %v", tc.cfg, err)
			continue
		}
		if got := ep.URL.String(); got != tc.want {
			t.Errorf("ParseEndpoint(%v) URL %q, want %q", tc.cfg, got, tc.want)
		}
		if tc.check != nil && !tc.check(ep) {
			t.Errorf("ParseEndpoint(%v) = %+v", tc.cfg, ep)
		}
		// Every endpoint URL is one ParseURL accepts.
		if _, err := ParseURL(mustURL(t, ep.URL.String()), false); err != nil {
			t.Errorf("ParseURL(%q): %v", ep.URL, err)
		}
	}
}

func TestRegistered(t *testing.T) {
	for _, s := range schemes {
		f, err := registry.Default.Transport(s)
		if err != nil {
			t.Fatalf("scheme %s: %v", s, err)
		}
		if _, ok := f.(*Factory); !ok {
			t.Errorf("scheme %s: factory %T", s, f)
		}
	}
}
