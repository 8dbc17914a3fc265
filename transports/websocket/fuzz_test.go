package websocket

import (
	"bufio"
	"bytes"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzFrameParser feeds arbitrary bytes to the read-side frame parser, in one
// piece and byte by byte. It must never panic, reach the same verdict and pass
// on the same bytes however they arrive, and pass on only data frames (what
// it passes on parses again unchanged).
func FuzzFrameParser(f *testing.F) {
	f.Add(frame(true, 0, 1, []byte("hello"), false), true, false, uint16(0))
	f.Add(frame(true, 0, 1, []byte("hello"), true), false, false, uint16(0))
	// A 200-byte frame, then the start of a 70000-byte one.
	f.Add(append(frame(false, 0, 2, make([]byte, 200), false), frame(true, 0, 0, make([]byte, 70000), false)[:40]...), true, false, uint16(1000))
	f.Add(append(append(frame(false, 0, 1, []byte("a"), false), frame(true, 0, 9, []byte("ping"), false)...), frame(true, 0, 0, []byte("b"), false)...), true, false, uint16(0))
	f.Add(frame(true, 0, 8, closePayload(1000, "bye"), false), true, true, uint16(0))
	f.Add(frame(true, 0, 8, append(closePayload(3000, ""), 0xff), false), true, true, uint16(0))
	f.Add(frame(true, 4, 2, []byte{1, 2, 3}, false), true, false, uint16(1))
	f.Add([]byte{0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, true, false, uint16(0))
	f.Add([]byte{0x89, 0x80 | 126, 0, 200}, true, true, uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, isServer, failByClose bool, limit uint16) {
		cfg := &config{isServer: isServer, failByDrop: !failByClose, maxFrame: int64(limit), maxMessage: 3 * int64(limit)}
		newParser := func() (*frameConn, *int) {
			fc := newFrameConn(nil, cfg)
			fc.compressed = limit%2 == 1
			controls := 0
			fc.onControl = func(op byte, payload []byte) {
				if op != 9 && op != 10 || len(payload) > 125 {
					t.Fatalf("control frame %d with %d bytes", op, len(payload))
				}
				controls++
			}
			return fc, &controls
		}

		whole, wholeControls := newParser()
		buf := append([]byte(nil), data...)
		n := whole.feed(buf)
		if n < 0 || n > len(data) {
			t.Fatalf("passed on %d of %d bytes", n, len(data))
		}
		wholeOut := buf[:n]

		split, splitControls := newParser()
		var splitOut []byte
		for i := range data {
			// As in Read: after a failure or close gorilla gets nothing more.
			stopped := split.failure != nil || split.closeSeen
			b := []byte{data[i]}
			if k := split.feed(b); !stopped {
				splitOut = append(splitOut, b[:k]...)
			}
		}
		if (whole.failure == nil) != (split.failure == nil) || whole.failure != nil && *whole.failure != *split.failure {
			t.Fatalf("failure differs: whole %v, split %v", whole.failure, split.failure)
		}
		if !bytes.Equal(wholeOut, splitOut) {
			t.Fatalf("passed on %x whole, %x split", wholeOut, splitOut)
		}
		if *wholeControls != *splitControls {
			t.Fatalf("%d control frames whole, %d split", *wholeControls, *splitControls)
		}
		if whole.closeSeen != split.closeSeen || whole.closeCode != split.closeCode || whole.closeReason != split.closeReason {
			t.Fatalf("close differs")
		}
		if whole.closeSeen && (!utf8.ValidString(whole.closeReason) || !(whole.closeCode == 1005 || validCloseCode(whole.closeCode))) {
			t.Fatalf("bad close accepted: %d %q", whole.closeCode, whole.closeReason)
		}
		// Only data frames were passed on: they parse again unchanged.
		again, againControls := newParser()
		out := append([]byte(nil), wholeOut...)
		if k := again.feed(out); again.failure != nil || *againControls != 0 || again.closeSeen || !bytes.Equal(out[:k], wholeOut) {
			t.Fatalf("passed-on bytes %x parse as %x (failure %v)", wholeOut, out[:k], again.failure)
		}
	})
}

// FuzzCheckResponse runs arbitrary opening handshake responses through the
// client's checks: no panics, and what passes is a proper 101 response.
func FuzzCheckResponse(f *testing.F) {
	ok := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(testKey) + "\r\n"
	f.Add(ok+"\r\n", true)
	f.Add(ok+"Sec-WebSocket-Protocol: wamp.2.json\r\nSec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n", true)
	f.Add(ok+"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n\r\n", true)
	f.Add("HTTP/1.1 403 go away\r\n\r\n", false)
	f.Fuzz(func(t *testing.T, raw string, offered bool) {
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(raw)), nil)
		if err != nil {
			return
		}
		proto, exts, compressed, err := checkResponse(resp, testKey, []string{"wamp.2.json", "wamp.2.cbor"}, offered)
		if err != nil {
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("error %v is not a HandshakeError", err)
			}
			return
		}
		if resp.StatusCode != 101 || (proto != "" && proto != "wamp.2.json" && proto != "wamp.2.cbor") || (compressed && (!offered || len(exts) != 1)) {
			t.Fatalf("accepted %q: %q %+v %v", raw, proto, exts, compressed)
		}
	})
}

func FuzzValidUTF8Prefix(f *testing.F) {
	for _, s := range []string{"", "abc", "κόσμε", "\xce", "\xf4\x90", "\xed\xa0\x80", "a\xf0\x9f\x98", "\xf0\x9f\x98\x80", "\xc0\xaf", "\xef\xbf\xbd"} {
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		n, ok := validUTF8Prefix(b)
		if n < 0 || n > len(b) || !utf8.Valid(b[:n]) {
			t.Fatalf("prefix %d of %q not valid", n, b)
		}
		if ok {
			if len(b)-n > 3 || utf8.FullRune(b[n:]) && n < len(b) {
				t.Fatalf("ok with tail %q", b[n:])
			}
			if utf8.Valid(b) != (n == len(b)) {
				t.Fatalf("Valid %v but n=%d of %d", utf8.Valid(b), n, len(b))
			}
		} else if utf8.Valid(b) {
			t.Fatalf("valid %q reported invalid at %d", b, n)
		}
		// Incremental use, as readMessage does, agrees with utf8.Valid.
		size := int(step%7) + 1
		checked, bad := 0, false
		for end := 0; end < len(b) && !bad; {
			end = min(end+size, len(b))
			k, ok := validUTF8Prefix(b[checked:end])
			checked += k
			bad = !ok
		}
		if valid := !bad && checked == len(b); valid != utf8.Valid(b) {
			t.Fatalf("incremental verdict %v for %q", valid, b)
		}
	})
}

func FuzzParseOrigin(f *testing.F) {
	for _, s := range []string{"null", "http://example.com", "https://A.example.com:8443/x", "file:///x", "http://[::1]:80", "http://", "chrome-extension://abc", "%", "http://x:99999"} {
		f.Add(s)
	}
	cfg, _ := (&Options{AllowedOrigins: []string{"https://*.example.com:*", "http://localhost:80"}}).resolve(true)
	f.Fuzz(func(t *testing.T, origin string) {
		norm, invalid := parseOrigin(origin)
		if invalid != "" {
			if norm != "" {
				t.Fatalf("parseOrigin(%q) = %q and %q", origin, norm, invalid)
			}
			return
		}
		if norm != originNull && !strings.Contains(norm, "://") {
			t.Fatalf("parseOrigin(%q) = %q", origin, norm)
		}
		cfg.originAllowed(norm)
	})
}

func FuzzForwardedPeer(f *testing.F) {
	f.Add("1.1.1.1, 2.2.2.2", 1)
	f.Add(",,", 5)
	f.Fuzz(func(t *testing.T, header string, n int) {
		n = n % 10
		peer := forwardedPeer(header, n)
		if n <= 0 || header == "" {
			if peer != "" {
				t.Fatalf("peer %q without trust", peer)
			}
			return
		}
		found := false
		for _, p := range strings.Split(header, ",") {
			found = found || strings.TrimSpace(p) == peer
		}
		if !found {
			t.Fatalf("peer %q not in %q", peer, header)
		}
	})
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"ws://localhost", "wss://h:1/p?q=1&q=2", "ws://unix:/tmp/s", "ws://[::1]:9000/x%20y", "http://x", "ws://h#f", "ws://h:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseURL(s)
		if err != nil {
			return
		}
		if p.Host == "unix" {
			return
		}
		if p.Port < 1 || p.Port > 65535 || !strings.HasPrefix(p.Resource, "/") {
			t.Fatalf("ParseURL(%q) = %+v", s, p)
		}
		u, err := CreateURL(p.Host, p.Port, p.Secure, p.Path, p.Params)
		if err != nil {
			t.Fatalf("CreateURL from %+v: %v", p, err)
		}
		q, err := ParseURL(u)
		if err != nil {
			// Hosts url.Parse accepts but that do not survive a round trip
			// (e.g. with a zone) are not our concern.
			if net.ParseIP(p.Host) == nil && !strings.ContainsAny(p.Host, "%[]") {
				t.Fatalf("ParseURL(CreateURL) of %q (%q): %v", s, u, err)
			}
			return
		}
		if q.Host != p.Host || q.Port != p.Port || q.Secure != p.Secure || q.Path != p.Path {
			t.Fatalf("round trip %q -> %q: %+v vs %+v", s, u, p, q)
		}
	})
}

func FuzzExtensions(f *testing.F) {
	for _, s := range []string{"permessage-deflate; client_max_window_bits", `a; b="c", d`, ";;=,=", "permessage-deflate; server_max_window_bits=10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, e := range parseExtensions(header) {
			if e.Name != strings.ToLower(e.Name) {
				t.Fatalf("name %q not lower case", e.Name)
			}
			if off, err := parseDeflateOffer(e.Params); err == nil {
				if off.RequestMaxWindowBits != 0 && (off.RequestMaxWindowBits < 9 || off.RequestMaxWindowBits > 15) {
					t.Fatalf("window bits %d", off.RequestMaxWindowBits)
				}
			}
			checkDeflateResponse(e.Params)
			_ = e.String()
		}
	})
}
