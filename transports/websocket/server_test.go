package websocket

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHandshakeAccept(t *testing.T) {
	s := &Server{Protocols: []string{"wamp.2.json", "wamp.2.cbor"}, Headers: http.Header{"X-Server": {"yes"}}}
	var rec *recorder
	s.NewHandler = func() ServerHandler {
		rec = newRecorder()
		rec.echo = true
		rec.connect = func(req *ConnectionRequest) (ConnectionAccept, error) {
			return ConnectionAccept{Headers: http.Header{"Set-Cookie": {"a=1"}}}, nil
		}
		return rec
	}
	url, _ := startServer(t, s)
	d := &Dialer{Protocols: []string{"wamp.2.cbor", "wamp.2.json"}, Origin: "http://example.com", Headers: http.Header{"X-Client": {"c"}}}
	c, crec := dialTest(t, d, url+"/ws/path?foo=23&foo=66&bar=2&empty=")
	req := recv(t, rec.requests, "request")
	sc := recv(t, rec.opened, "server open")
	recv(t, crec.opened, "client open")

	if req.Path != "/ws/path" || req.Version != 13 || req.Origin != "http://example.com" {
		t.Errorf("request path/version/origin = %q %d %q", req.Path, req.Version, req.Origin)
	}
	if !strings.HasPrefix(req.Peer, "tcp4:127.0.0.1:") {
		t.Errorf("peer = %q", req.Peer)
	}
	if req.Host != "127.0.0.1" {
		t.Errorf("host = %q", req.Host)
	}
	if got := req.Params["foo"]; !slices.Equal(got, []string{"23", "66"}) || req.Params.Get("bar") != "2" || req.Params.Has("empty") {
		t.Errorf("params = %v", req.Params)
	}
	if !slices.Equal(req.Protocols, []string{"wamp.2.cbor", "wamp.2.json"}) {
		t.Errorf("protocols = %v", req.Protocols)
	}
	if req.Headers.Get("X-Client") != "c" || req.Headers.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("headers = %v", req.Headers)
	}
	// Client preference among the server's protocols.
	if c.Subprotocol() != "wamp.2.cbor" || sc.Subprotocol() != "wamp.2.cbor" {
		t.Errorf("subprotocol client %q server %q", c.Subprotocol(), sc.Subprotocol())
	}
	resp := c.Response()
	if resp.Protocol != "wamp.2.cbor" || resp.Version != 13 || resp.Headers.Get("Set-Cookie") != "a=1" ||
		resp.Headers.Get("X-Server") != "yes" || resp.Headers.Get("Server") != DefaultServerName {
		t.Errorf("response = %+v", resp)
	}
	if c.Peer() != "tcp4:"+wsAddr(url) {
		t.Errorf("client peer = %q, want tcp4:%s", c.Peer(), wsAddr(url))
	}
	// The connections keep the handshake packed and make it again when
	// asked: equal, not the same.
	first := sc.Request()
	if !reflect.DeepEqual(first, req) || sc.Request() != first || sc.Headers().Get("X-Client") != "c" || c.Headers().Get("X-Server") != "yes" {
		t.Errorf("accessors do not return the handshake: %+v, want %+v", sc.Request(), req)
	}
	if !sc.IsServer() || c.IsServer() || sc.TLS() != nil {
		t.Error("IsServer/TLS wrong")
	}

	if err := c.SendMessage([]byte("hello"), false); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, crec.messages, "echo"); string(m.payload) != "hello" || m.isBinary {
		t.Errorf("echo = %+v", m)
	}
	if err := c.SendMessage([]byte{0, 1, 2}, true); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, crec.messages, "echo"); !m.isBinary || len(m.payload) != 3 {
		t.Errorf("echo = %+v", m)
	}
	if err := c.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ev := recv(t, crec.closed, "client close"); !ev.wasClean || ev.code != 1000 {
		t.Errorf("client OnClose = %+v", ev)
	}
	if ev := recv(t, rec.closed, "server close"); !ev.wasClean || ev.code != 1000 {
		t.Errorf("server OnClose = %+v", ev)
	}
	if err := c.SendMessage([]byte("late"), false); !errors.Is(err, ErrNotOpen) {
		t.Errorf("SendMessage after close = %v, want ErrNotOpen", err)
	}
}

// TestVersion8Client: a Hybi-10 client (Autobahn spec version 10..12) sends
// Sec-WebSocket-Version 8 and Sec-WebSocket-Origin.
func TestVersion8Client(t *testing.T) {
	s := &Server{Options: Options{AllowedOrigins: []string{"http://ok.example:80"}}}
	var rec *recorder
	s.NewHandler = func() ServerHandler { rec = newRecorder(); rec.echo = true; return rec }
	url, _ := startServer(t, s)
	c, crec := dialTest(t, &Dialer{Origin: "http://ok.example", Options: Options{Version: 10}}, url)
	req := recv(t, rec.requests, "request")
	if req.Version != 8 || req.Origin != "http://ok.example" || req.Headers.Get("Sec-WebSocket-Origin") != "http://ok.example" || c.Version() != 8 {
		t.Errorf("version %d origin %q, client version %d", req.Version, req.Origin, c.Version())
	}
	c.SendMessage([]byte("hybi"), false)
	if m := recv(t, crec.messages, "echo"); string(m.payload) != "hybi" {
		t.Errorf("echo %q", m.payload)
	}
	_, err := (&Dialer{Origin: "http://bad.example", Options: Options{Version: 10}, Logger: quietLog}).Dial(context.Background(), url, clientRecorder{newRecorder()})
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != 400 {
		t.Errorf("bad origin: %v", err)
	}
}

func TestSubprotocolSelection(t *testing.T) {
	tests := []struct {
		name      string
		server    []string
		choose    string
		client    []string
		want      string
		wantError int
	}{
		{"none", nil, "", nil, "", 0},
		{"handler chooses", nil, "b", []string{"a", "b"}, "b", 0},
		{"server list, client order", []string{"b", "a"}, "", []string{"a", "b"}, "a", 0},
		{"no overlap", []string{"x"}, "", []string{"a"}, "", 0},
		{"handler chooses unknown", nil, "z", []string{"a"}, "", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{Protocols: tt.server}
			s.NewHandler = func() ServerHandler {
				r := newRecorder()
				r.connect = func(*ConnectionRequest) (ConnectionAccept, error) {
					return ConnectionAccept{Subprotocol: tt.choose}, nil
				}
				return r
			}
			url, _ := startServer(t, s)
			rec := newRecorder()
			c, err := (&Dialer{Protocols: tt.client, Logger: quietLog}).Dial(context.Background(), url, clientRecorder{rec})
			if tt.wantError != 0 {
				var he *HandshakeError
				if !errors.As(err, &he) || he.StatusCode != tt.wantError {
					t.Fatalf("Dial error = %v, want status %d", err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer c.Abort()
			if c.Subprotocol() != tt.want {
				t.Errorf("subprotocol = %q, want %q", c.Subprotocol(), tt.want)
			}
		})
	}
}

func TestHandshakeDeny(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
		reason string
	}{
		{"forbidden", Deny(http.StatusForbidden, "you shall not pass"), 403, "you shall not pass"},
		{"not found", Deny(http.StatusNotFound, "no such realm"), 404, "no such realm"},
		{"unavailable", Deny(http.StatusServiceUnavailable, "later"), 503, "later"},
		{"plain error", errors.New("boom"), 500, "Internal server error: boom"},
		{"reason with newline", Deny(400, "a\r\nb"), 400, "a  b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{}
			var rec *recorder
			s.NewHandler = func() ServerHandler {
				rec = newRecorder()
				rec.connect = func(*ConnectionRequest) (ConnectionAccept, error) { return ConnectionAccept{}, tt.err }
				return rec
			}
			url, _ := startServer(t, s)
			crec := newRecorder()
			_, err := (&Dialer{Logger: quietLog}).Dial(context.Background(), url, clientRecorder{crec})
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("Dial error = %v, want a HandshakeError", err)
			}
			if he.StatusCode != tt.status || he.Reason != tt.reason {
				t.Errorf("got %d %q, want %d %q", he.StatusCode, he.Reason, tt.status, tt.reason)
			}
			if !strings.Contains(err.Error(), "WebSocket connection upgrade failed [") {
				t.Errorf("error text %q", err)
			}
			select {
			case <-crec.opened:
				t.Error("OnOpen called on a denied connection")
			default:
			}
			if s.ConnectionCount() != 0 {
				t.Errorf("ConnectionCount = %d after deny", s.ConnectionCount())
			}
		})
	}
}

// TestHandshakeValidation sends raw requests and checks Autobahn's status
// codes and reasons.
func TestHandshakeValidation(t *testing.T) {
	url, _ := startServer(t, &Server{Options: Options{AllowedOrigins: []string{"https://*.example.com:443"}, DenyNullOrigin: true}})
	addr := wsAddr(url)
	base := map[string]string{
		"Host":                  addr,
		"Upgrade":               "websocket",
		"Connection":            "Upgrade",
		"Sec-WebSocket-Key":     testKey,
		"Sec-WebSocket-Version": "13",
	}
	tests := []struct {
		name       string
		line       string
		set        map[string]string // "" value deletes
		status     int
		reason     string
		wantHeader [2]string
	}{
		{"ok", "", nil, 101, "Switching Protocols", [2]string{}},
		{"post", "POST / HTTP/1.1", nil, 405, `HTTP method "POST" not allowed`, [2]string{}},
		{"http 1.0", "GET / HTTP/1.0", nil, 505, `Unsupported HTTP version "HTTP/1.0"`, [2]string{}},
		{"bad host port", "", map[string]string{"Host": "127.0.0.1:xx"}, 400, `invalid port "xx" in HTTP Host header "127.0.0.1:xx"`, [2]string{}},
		{"no websocket upgrade", "", map[string]string{"Upgrade": "h2c"}, 400, `HTTP Upgrade headers do not include "websocket" value (case-insensitive): "h2c"`, [2]string{}},
		{"no connection", "", map[string]string{"Connection": ""}, 400, "HTTP Connection header missing", [2]string{}},
		{"connection without upgrade", "", map[string]string{"Connection": "keep-alive"}, 400, `HTTP Connection headers do not include "upgrade" value (case-insensitive): "keep-alive"`, [2]string{}},
		{"hixie", "", map[string]string{"Sec-WebSocket-Version": ""}, 400, "WebSocket connection denied - Hixie76 protocol not supported.", [2]string{}},
		{"bad version", "", map[string]string{"Sec-WebSocket-Version": "x"}, 400, `could not parse HTTP Sec-WebSocket-Version header "x" in opening handshake request`, [2]string{}},
		{"unsupported version", "", map[string]string{"Sec-WebSocket-Version": "7"}, 400, "WebSocket version 7 not supported (supported versions: 13,8)", [2]string{"Sec-WebSocket-Version", "13,8"}},
		{"version 8", "", map[string]string{"Sec-WebSocket-Version": "8", "Sec-WebSocket-Origin": "https://a.example.com"}, 101, "Switching Protocols", [2]string{}},
		{"version 8 origin denied", "", map[string]string{"Sec-WebSocket-Version": "8", "Sec-WebSocket-Origin": "https://evil.com"}, 400, "WebSocket connection denied: origin 'https://evil.com' not allowed", [2]string{}},
		{"duplicate protocol", "", map[string]string{"Sec-WebSocket-Protocol": "a, b, a"}, 400, `duplicate protocol "a" specified in HTTP Sec-WebSocket-Protocol header`, [2]string{}},
		{"origin allowed", "", map[string]string{"Origin": "https://www.example.com"}, 101, "Switching Protocols", [2]string{}},
		{"origin denied", "", map[string]string{"Origin": "http://www.example.com"}, 400, "WebSocket connection denied: origin 'http://www.example.com' not allowed", [2]string{}},
		{"origin null denied", "", map[string]string{"Origin": "null"}, 400, "WebSocket connection denied: origin 'null' not allowed", [2]string{}},
		{"origin invalid", "", map[string]string{"Origin": "http://"}, 400, "HTTP Origin header invalid: No host part in Origin 'http://'", [2]string{}},
		{"no key", "", map[string]string{"Sec-WebSocket-Key": ""}, 400, "HTTP Sec-WebSocket-Key header missing", [2]string{}},
		{"short key", "", map[string]string{"Sec-WebSocket-Key": "abc"}, 400, `bad Sec-WebSocket-Key (length must be 24 ASCII chars) "abc"`, [2]string{}},
		{"key without padding", "", map[string]string{"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQab"}, 400, `bad Sec-WebSocket-Key (invalid base64 encoding) "dGhlIHNhbXBsZSBub25jZQab"`, [2]string{}},
		{"key bad char", "", map[string]string{"Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25j!Q=="}, 400, `bad character "!" in Sec-WebSocket-Key (invalid base64 encoding) "dGhlIHNhbXBsZSBub25j!Q=="`, [2]string{}},
		{"bad deflate offer", "", map[string]string{"Sec-WebSocket-Extensions": "permessage-deflate; server_max_window_bits=99"}, 400, "illegal extension parameter value '99' for parameter 'server_max_window_bits' of extension 'permessage-deflate'", [2]string{}},
		{"unknown extension ignored", "", map[string]string{"Sec-WebSocket-Extensions": "x-foo; bar"}, 101, "Switching Protocols", [2]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line := tt.line
			if line == "" {
				line = "GET / HTTP/1.1"
			}
			h := map[string]string{}
			for k, v := range base {
				h[k] = v
			}
			for k, v := range tt.set {
				h[k] = v
			}
			lines := []string{line}
			for k, v := range h {
				if v != "" {
					lines = append(lines, k+": "+v)
				}
			}
			_, resp := rawRequest(t, addr, lines...)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %s, want %d %s", resp.Status, tt.status, tt.reason)
			}
			if got := strings.TrimSpace(strings.TrimPrefix(resp.Status, resp.Status[:3])); got != tt.reason {
				t.Errorf("reason = %q, want %q", got, tt.reason)
			}
			if tt.wantHeader[0] != "" && resp.Header.Get(tt.wantHeader[0]) != tt.wantHeader[1] {
				t.Errorf("header %s = %q, want %q", tt.wantHeader[0], resp.Header.Get(tt.wantHeader[0]), tt.wantHeader[1])
			}
		})
	}
}

func TestWebStatus(t *testing.T) {
	url, _ := startServer(t, &Server{})
	httpURL := "http" + strings.TrimPrefix(url, "ws")
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := noRedirect.Get(httpURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(body), "WebSocket endpoint") {
		t.Errorf("status page: %s %q", resp.Status, body)
	}
	if resp.Header.Get("Server") != DefaultServerName {
		t.Errorf("Server header %q", resp.Header.Get("Server"))
	}

	resp, err = noRedirect.Get(httpURL + "/?redirect=https%3A%2F%2Fcrossbar.io%2F")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://crossbar.io/" {
		t.Errorf("redirect: %s Location %q", resp.Status, resp.Header.Get("Location"))
	}

	resp, err = noRedirect.Get(httpURL + "/?redirect=https%3A%2F%2Fcrossbar.io%2F&after=3")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `content="3;URL='https://crossbar.io/'"`) {
		t.Errorf("delayed redirect: %s %q", resp.Status, body)
	}

	url2, _ := startServer(t, &Server{Options: Options{DisableWebStatus: true}})
	resp, err = http.Get("http" + strings.TrimPrefix(url2, "ws") + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUpgradeRequired || resp.Status != "426 HTTP Upgrade header missing" {
		t.Errorf("webStatus off: %s", resp.Status)
	}
}

func TestMaxConnections(t *testing.T) {
	s := &Server{Options: Options{MaxConnections: 2}}
	url, _ := startServer(t, s)
	d := &Dialer{}
	c1, _ := dialTest(t, d, url)
	dialTest(t, d, url)
	rec := newRecorder()
	_, err := d.Dial(context.Background(), url, clientRecorder{rec})
	var he *HandshakeError
	if !errors.As(err, &he) || he.StatusCode != 503 || he.Reason != "maximum number of connections reached" {
		t.Fatalf("third Dial = %v, want 503", err)
	}
	if n := s.ConnectionCount(); n != 2 {
		t.Errorf("ConnectionCount = %d", n)
	}
	c1.Close(context.Background())
	// Room again once the first is gone (the server counts it down when its
	// side has finished).
	for i := 0; ; i++ {
		c, err := d.Dial(context.Background(), url, clientRecorder{newRecorder()})
		if err == nil {
			defer c.Abort()
			break
		}
		if i == 100 {
			t.Fatalf("Dial after close: %v", err)
		}
	}
	s.CloseAll(context.Background())
}

func TestXForwardedForPeer(t *testing.T) {
	tests := []struct {
		trust int
		xff   []string
		want  string
	}{
		{0, []string{"1.1.1.1"}, "tcp4:127.0.0.1:"},
		{1, nil, "tcp4:127.0.0.1:"},
		{1, []string{"1.1.1.1, 2.2.2.2, 3.3.3.3"}, "3.3.3.3"},
		{2, []string{"1.1.1.1, 2.2.2.2, 3.3.3.3"}, "2.2.2.2"},
		{5, []string{"1.1.1.1 ,2.2.2.2"}, "1.1.1.1"},
		{2, []string{"1.1.1.1", "2.2.2.2"}, "1.1.1.1"},
	}
	for _, tt := range tests {
		s := &Server{Options: Options{TrustXForwardedFor: tt.trust}}
		var rec *recorder
		s.NewHandler = func() ServerHandler { rec = newRecorder(); return rec }
		url, _ := startServer(t, s)
		h := http.Header{}
		for _, v := range tt.xff {
			h.Add("X-Forwarded-For", v)
		}
		c, _ := dialTest(t, &Dialer{Headers: h}, url)
		req := recv(t, rec.requests, "request")
		sc := recv(t, rec.opened, "open")
		if !strings.HasPrefix(req.Peer, tt.want) || sc.Peer() != req.Peer {
			t.Errorf("trust %d, X-Forwarded-For %q: peer %q (conn %q), want %q", tt.trust, tt.xff, req.Peer, sc.Peer(), tt.want)
		}
		c.Abort()
	}
}

func TestOriginMatching(t *testing.T) {
	tests := []struct {
		patterns []string
		null     bool
		origin   string
		want     bool
	}{
		{nil, true, "http://anything.at.all:1234", true},
		{[]string{"*"}, true, "null", true},
		{[]string{"*"}, false, "null", false},
		{[]string{"*"}, false, "file:///home/x.html", false},
		{[]string{"http://example.com:80"}, true, "http://example.com", true},
		{[]string{"http://example.com:80"}, true, "http://EXAMPLE.com:80", true},
		{[]string{"http://example.com"}, true, "http://example.com", false},
		{[]string{"https://*.example.com:443"}, true, "https://a.b.example.com", true},
		{[]string{"https://*.example.com:443"}, true, "https://example.com", false},
		{[]string{"https://*.example.com:*"}, true, "https://a.example.com:8443", true},
		{[]string{"*.example.com*"}, true, "https://a.example.com.evil.org", true},
		{[]string{"*example.com:443"}, true, "https://good.example.com.evil.org", false},
		{[]string{"http://a.b:80"}, true, "http://aXb:80", false},
		{[]string{"chrome-extension://abc"}, true, "chrome-extension://abc", true},
		{[]string{"http://[::1]:80"}, true, "http://[::1]", false},
		{[]string{"http://::1:80"}, true, "http://[::1]", true},
		{[]string{"http://localhost:8080"}, true, "http://localhost:8080/path?q", true},
	}
	for _, tt := range tests {
		opts := Options{AllowedOrigins: tt.patterns, DenyNullOrigin: !tt.null}
		cfg, err := opts.resolve(true)
		if err != nil {
			t.Fatal(err)
		}
		norm, invalid := parseOrigin(tt.origin)
		if invalid != "" {
			t.Errorf("parseOrigin(%q): %s", tt.origin, invalid)
			continue
		}
		if got := cfg.originAllowed(norm); got != tt.want {
			t.Errorf("patterns %q, null %v, origin %q (%q): allowed %v, want %v", tt.patterns, tt.null, tt.origin, norm, got, tt.want)
		}
	}
	for _, bad := range []string{"http://", "noscheme", "http://x:99999", "http://x:abc", "%zz"} {
		if norm, invalid := parseOrigin(bad); invalid == "" {
			t.Errorf("parseOrigin(%q) = %q, want an error", bad, norm)
		}
	}
}

func TestForwardedPeer(t *testing.T) {
	tests := []struct {
		header string
		n      int
		want   string
	}{
		{"", 1, ""},
		{"a", 0, ""},
		{"a", 1, "a"},
		{"a, b, c", 1, "c"},
		{"a, b, c", 3, "a"},
		{"a, b, c", 9, "a"},
		{"a,,c", 2, ""},
		{" a ,b", 2, "a"},
	}
	for _, tt := range tests {
		if got := forwardedPeer(tt.header, tt.n); got != tt.want {
			t.Errorf("forwardedPeer(%q, %d) = %q, want %q", tt.header, tt.n, got, tt.want)
		}
	}
}

// TestPipelinedFrames: a client that sends its first frame together with
// the handshake request (gorilla alone refuses that).
func TestPipelinedFrames(t *testing.T) {
	url, handlers := startServer(t, &Server{})
	conn, err := net.Dial("tcp", wsAddr(url))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET / HTTP/1.1\r\nHost: " + wsAddr(url) + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + testKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := conn.Write(append([]byte(req), frame(true, 0, 1, []byte("early"), false)...)); err != nil {
		t.Fatal(err)
	}
	rc := &rawClient{t: t, conn: conn, br: bufio.NewReader(conn)}
	if resp, err := http.ReadResponse(rc.br, nil); err != nil || resp.StatusCode != 101 {
		t.Fatalf("handshake: %v %v", resp, err)
	}
	rec := recv(t, handlers, "handler")
	if m := recv(t, rec.messages, "message"); string(m.payload) != "early" {
		t.Errorf("message %q", m.payload)
	}
	if f, err := rc.readFrame(); err != nil || string(f.payload) != "early" {
		t.Errorf("echo %q %v", f.payload, err)
	}
}
