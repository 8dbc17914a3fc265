package websocket

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParsedURL is a WebSocket URL taken apart (the tuple of Autobahn's
// autobahn.websocket.util.parse_url).
type ParsedURL struct {
	// Secure is true for wss.
	Secure bool
	// Host is the host name or IP address, lower-cased, without brackets;
	// "unix" for Unix domain sockets.
	Host string
	// Port is the TCP port, 80 or 443 if the URL has none; 0 for Unix
	// domain sockets.
	Port int
	// UnixPath is the socket path of ws://unix:/path/to/socket URLs.
	UnixPath string
	// Resource is the path with the query, as sent in the request line:
	// "/ws?a=1".
	Resource string
	// Path is the unescaped path, "/" if the URL has none.
	Path string
	// Params are the query parameters (blank values left out, as Python's
	// parse_qs does).
	Params url.Values
}

// ParseURL parses a WebSocket URL like Autobahn's parse_url: the scheme must
// be ws or wss, the host is required, a fragment is not allowed, the port
// must be in 1..65535. "ws://unix:/tmp/file.sock" names a Unix domain socket.
func ParseURL(rawURL string) (*ParsedURL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("invalid WebSocket URL %q: %w", rawURL, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, fmt.Errorf("invalid WebSocket URL %q: protocol scheme '%s' is not for WebSocket", rawURL, u.Scheme)
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return nil, fmt.Errorf("invalid WebSocket URL %q: missing hostname", rawURL)
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return nil, fmt.Errorf("invalid WebSocket URL %q: invalid host %q", rawURL, host)
	}
	if u.Fragment != "" {
		return nil, fmt.Errorf("invalid WebSocket URL %q: non-empty fragment '%s'", rawURL, u.Fragment)
	}
	p := &ParsedURL{Secure: u.Scheme == "wss", Host: host, Path: "/", Resource: "/", Params: url.Values{}}
	ppath := u.EscapedPath()
	if ppath != "" {
		p.Path = u.Path
		p.Resource = ppath
	}
	if u.RawQuery != "" {
		p.Resource += "?" + u.RawQuery
		p.Params = parseParams(u.RawQuery)
	}
	if host == "unix" {
		// ws://unix:/tmp/file.sock: the socket path is the URL's path.
		if u.Path == "" {
			return nil, fmt.Errorf("invalid WebSocket URL %q: missing Unix socket path", rawURL)
		}
		p.UnixPath = u.Path
		return p, nil
	}
	p.Port = 80
	if p.Secure {
		p.Port = 443
	}
	if ps := u.Port(); ps != "" {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("invalid WebSocket URL %q: invalid port %s", rawURL, ps)
		}
		p.Port = n
	}
	return p, nil
}

// CreateURL builds a WebSocket URL like Autobahn's create_url: port 0 means
// the default (80 for ws, 443 for wss) and the port is always written out;
// path is escaped as Python's urllib.parse.quote does and starts with "/";
// params
// become the query, sorted by key. Unlike Autobahn, IPv6 addresses get
// brackets, and Unix socket URLs are not built (write "ws://unix:/path").
func CreateURL(host string, port int, secure bool, path string, params url.Values) (string, error) {
	if host == "" {
		return "", errors.New("create WebSocket URL: empty host")
	}
	if port < 0 || port > 65535 {
		return "", fmt.Errorf("create WebSocket URL for %s: invalid port %d", host, port)
	}
	scheme, defPort := "ws", 80
	if secure {
		scheme, defPort = "wss", 443
	}
	if port == 0 {
		port = defPort
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	b.WriteString(net.JoinHostPort(host, strconv.Itoa(port)))
	if !strings.HasPrefix(path, "/") {
		b.WriteByte('/')
	}
	b.WriteString(quotePath(path))
	if len(params) > 0 {
		b.WriteByte('?')
		b.WriteString(params.Encode())
	}
	return b.String(), nil
}

// quotePath escapes like Python's urllib.parse.quote(path): everything but
// letters, digits, "_.-~" and "/" is percent-encoded.
func quotePath(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
