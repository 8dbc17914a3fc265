package websocket

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/autobahn-go/autobahn/internal/netutil"
)

// This file holds the parsing of the opening handshake that this package
// does itself (gorilla/websocket does the rest): origins, X-Forwarded-For,
// token lists, the Sec-WebSocket-Key, peers.

// originNull is what parseOrigin returns for the "null" origin.
const originNull = "null"

// parseOrigin normalises an Origin header to "scheme://host:port" the way
// Autobahn does (_url_to_origin): scheme and host lower-cased, IPv6 hosts
// without brackets, port 80/443 made explicit for http/https. For schemes
// without a default port and no port given, the result is "scheme://host".
// "null" and file: origins give "null". If origin is invalid, it returns the
// reason in Autobahn's words instead.
func parseOrigin(origin string) (norm string, invalid string) {
	if strings.EqualFold(origin, "null") {
		return originNull, ""
	}
	u, err := url.Parse(origin)
	if err != nil {
		return "", fmt.Sprintf("cannot parse Origin '%s': %v", origin, err)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "file" {
		return originNull, ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "", fmt.Sprintf("No host part in Origin '%s'", origin)
	}
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		default:
			return scheme + "://" + host, ""
		}
	} else {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return "", fmt.Sprintf("Port out of range 0-65535 or not a number in Origin '%s'", origin)
		}
		port = strconv.Itoa(n)
	}
	return scheme + "://" + host + ":" + port, ""
}

// originAllowed tells whether the Origin header value is allowed by cfg.
func (cfg *config) originAllowed(normalised string) bool {
	if normalised == originNull {
		return cfg.allowNull
	}
	for _, p := range cfg.origins {
		if p.MatchString(normalised) {
			return true
		}
	}
	return false
}

// forwardedPeer applies X-Forwarded-For with n trusted proxies (Autobahn
// trustXForwardedFor): of the comma-separated entries, keep the last n; the
// peer is the first of those. It returns "" if there is nothing to use.
func forwardedPeer(header string, n int) string {
	if n <= 0 || header == "" {
		return ""
	}
	parts := strings.Split(header, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if len(parts) > n {
		parts = parts[len(parts)-n:]
	}
	return parts[0]
}

// hasToken tells whether the comma-separated header values contain token
// (ASCII case-insensitive).
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

const base64Chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"

// checkKey validates a Sec-WebSocket-Key with Autobahn's rules and texts: 24
// characters of base64 for 16 bytes.
func checkKey(key string) string {
	switch {
	case len(key) != 24:
		return fmt.Sprintf("bad Sec-WebSocket-Key (length must be 24 ASCII chars) \"%s\"", key)
	case key[22:] != "==":
		return fmt.Sprintf("bad Sec-WebSocket-Key (invalid base64 encoding) \"%s\"", key)
	}
	for _, c := range []byte(key[:22]) {
		if strings.IndexByte(base64Chars, c) < 0 {
			return fmt.Sprintf("bad character \"%c\" in Sec-WebSocket-Key (invalid base64 encoding) \"%s\"", c, key)
		}
	}
	return ""
}

// splitProtocols splits Sec-WebSocket-Protocol values; it returns the first
// duplicate, if any.
func splitProtocols(values []string) (protocols []string, dup string) {
	seen := make(map[string]bool)
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			if seen[p] {
				return nil, p
			}
			seen[p] = true
			protocols = append(protocols, p)
		}
	}
	return protocols, ""
}

// parseParams parses a query string like Python's parse_qs: blank values
// are left out, undecodable pairs are skipped.
func parseParams(query string) url.Values {
	res := url.Values{}
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil || v == "" {
			continue
		}
		res[k] = append(res[k], v)
	}
	return res
}

// splitHost splits a Host header like Autobahn: the port is whatever follows
// the last colon, unless the host ends with "]" (an IPv6 literal).
func splitHost(host string) (name, port string, hasPort bool) {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		return host[:i], strings.TrimSpace(host[i+1:]), true
	}
	return host, "", false
}

// PeerString formats a network address as an Autobahn peer descriptor:
// "tcp4:127.0.0.1:52914", "tcp6:::1:52914", "unix:/tmp/server.sock" (or
// "unix" for unnamed sockets), "unknown" for anything else.
func PeerString(addr net.Addr) string { return netutil.PeerString(addr) }

// peerFromRemoteAddr formats net/http's Request.RemoteAddr as a peer.
func peerFromRemoteAddr(remote string) string {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return netutil.PeerFromAddrPort(ap)
	}
	if remote == "" || remote == "@" {
		return "unix"
	}
	return "unknown"
}
