package websocket

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// The cases of Autobahn's test_websocket_url.py, plus error cases.
func TestCreateURL(t *testing.T) {
	tests := []struct {
		host   string
		port   int
		secure bool
		path   string
		params url.Values
		want   string
	}{
		{"localhost", 0, false, "", nil, "ws://localhost:80/"},
		{"localhost", 8090, false, "", nil, "ws://localhost:8090/"},
		{"localhost", 0, false, "ws", nil, "ws://localhost:80/ws"},
		{"localhost", 0, false, "/ws", nil, "ws://localhost:80/ws"},
		{"localhost", 0, false, "/ws/foobar", nil, "ws://localhost:80/ws/foobar"},
		{"localhost", 0, true, "", nil, "wss://localhost:443/"},
		{"localhost", 443, true, "", nil, "wss://localhost:443/"},
		{"localhost", 80, true, "", nil, "wss://localhost:80/"},
		{"localhost", 9090, true, "ws", url.Values{"foo": {"bar"}}, "wss://localhost:9090/ws?foo=bar"},
		{"localhost", 9090, true, "ws", url.Values{"moo": {"23"}, "foo": {"bar"}}, "wss://localhost:9090/ws?foo=bar&moo=23"},
		{"127.0.0.1", 0, false, "ws", nil, "ws://127.0.0.1:80/ws"},
		{"62.146.25.34", 0, false, "ws", nil, "ws://62.146.25.34:80/ws"},
		{"subsub1.sub1.something.com", 0, false, "ws", nil, "ws://subsub1.sub1.something.com:80/ws"},
		// Autobahn writes ws://::1:80/ws, which is not a valid URL.
		{"::1", 0, false, "ws", nil, "ws://[::1]:80/ws"},
		{"localhost", 0, false, "/a b/ü?#", url.Values{"q": {"a b&c"}}, "ws://localhost:80/a%20b/%C3%BC%3F%23?q=a+b%26c"},
	}
	for _, tt := range tests {
		got, err := CreateURL(tt.host, tt.port, tt.secure, tt.path, tt.params)
		if err != nil || got != tt.want {
			t.Errorf("CreateURL(%q, %d, %v, %q, %v) = %q, %v; want %q", tt.host, tt.port, tt.secure, tt.path, tt.params, got, err, tt.want)
		}
		if err == nil {
			if _, err := ParseURL(got); err != nil {
				t.Errorf("ParseURL(CreateURL(...)) = %v", err)
			}
		}
	}
	for _, bad := range []struct {
		host string
		port int
	}{{"", 0}, {"localhost", -1}, {"localhost", 65536}} {
		if got, err := CreateURL(bad.host, bad.port, false, "", nil); err == nil {
			t.Errorf("CreateURL(%q, %d) = %q, want an error", bad.host, bad.port, got)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		url  string
		want ParsedURL
	}{
		{"ws://localhost", ParsedURL{false, "localhost", 80, "", "/", "/", url.Values{}}},
		{"ws://localhost:80", ParsedURL{false, "localhost", 80, "", "/", "/", url.Values{}}},
		{"wss://localhost", ParsedURL{true, "localhost", 443, "", "/", "/", url.Values{}}},
		{"wss://localhost:443", ParsedURL{true, "localhost", 443, "", "/", "/", url.Values{}}},
		{"wss://localhost/ws", ParsedURL{true, "localhost", 443, "", "/ws", "/ws", url.Values{}}},
		{"wss://localhost/ws?foo=bar", ParsedURL{true, "localhost", 443, "", "/ws?foo=bar", "/ws", url.Values{"foo": {"bar"}}}},
		{"wss://localhost/ws?foo=bar&moo=23", ParsedURL{true, "localhost", 443, "", "/ws?foo=bar&moo=23", "/ws", url.Values{"foo": {"bar"}, "moo": {"23"}}}},
		{"wss://localhost/ws?foo=bar&moo=23&moo=44", ParsedURL{true, "localhost", 443, "", "/ws?foo=bar&moo=23&moo=44", "/ws", url.Values{"foo": {"bar"}, "moo": {"23", "44"}}}},
		{"ws://LocalHost:9000/a%20b?x=&y=1", ParsedURL{false, "localhost", 9000, "", "/a%20b?x=&y=1", "/a b", url.Values{"y": {"1"}}}},
		{"ws://[::1]:9000/", ParsedURL{false, "::1", 9000, "", "/", "/", url.Values{}}},
		{"ws://unix:/tmp/file.sock", ParsedURL{false, "unix", 0, "/tmp/file.sock", "/tmp/file.sock", "/tmp/file.sock", url.Values{}}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.url)
		if err != nil {
			t.Errorf("ParseURL(%q): %v", tt.url, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tt.url, *got, tt.want)
		}
	}
	errors := []struct{ url, err string }{
		{"http://localhost", "protocol scheme 'http' is not for WebSocket"},
		{"https://localhost", "protocol scheme 'https' is not for WebSocket"},
		{"http://localhost:80", "is not for WebSocket"},
		{"ws://localhost#frag1", "non-empty fragment 'frag1'"},
		{"wss://", "missing hostname"},
		{"ws://", "missing hostname"},
		{"ws://localhost:0", "invalid port 0"},
		{"ws://localhost:65536", "invalid port 65536"},
		{"ws://unix:", "missing Unix socket path"},
		{"ws://local host/", "invalid WebSocket URL"},
		{"", "is not for WebSocket"},
		{"ws://::", "invalid host"},
	}
	for _, tt := range errors {
		_, err := ParseURL(tt.url)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseURL(%q) error = %v, want %q", tt.url, err, tt.err)
		}
	}
}
