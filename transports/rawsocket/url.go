package rawsocket

import (
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/internal/optmap"
)

// Address is where a RawSocket URL points: a network ("tcp" or "unix") and
// an address for net.Dial / net.Listen, and whether TLS runs on top.
type Address struct {
	Network string
	Address string
	TLS     bool
	// Host is the host name of a TCP address (for TLS server name checks).
	Host string
}

// schemes are the URL schemes this package registers.
var schemes = []string{"rs", "rss", "tcp", "unix"}

// ParseURL resolves a RawSocket URL (see the package documentation for the
// forms). listen allows an empty host (every interface); dialing needs one.
func ParseURL(u *url.URL, listen bool) (Address, error) {
	if u == nil {
		return Address{}, fmt.Errorf("rawsocket: nil URL")
	}
	if u.User != nil {
		return Address{}, fmt.Errorf("rawsocket: URL %q: user information is not supported", u.Redacted())
	}
	if u.RawQuery != "" || u.ForceQuery {
		return Address{}, fmt.Errorf("rawsocket: URL %q: query %q is not supported (options go in the transport configuration)", u.Redacted(), u.RawQuery)
	}
	if u.Fragment != "" {
		return Address{}, fmt.Errorf("rawsocket: URL %q: fragment %q is not supported", u.Redacted(), u.Fragment)
	}
	scheme := strings.ToLower(u.Scheme)
	switch scheme {
	case "rs", "rss":
		tlsOn := scheme == "rss"
		if strings.EqualFold(u.Host, "unix:") || strings.EqualFold(u.Host, "unix") {
			// rs://unix:/path.sock: Autobahn's form for Unix sockets.
			if u.Path == "" || u.Path == "/" {
				return Address{}, fmt.Errorf("rawsocket: URL %q: missing Unix socket path (rs://unix:/path.sock)", u.Redacted())
			}
			return Address{Network: "unix", Address: u.Path, TLS: tlsOn}, nil
		}
		port := "80"
		if tlsOn {
			port = "443"
		}
		return tcpAddress(u, port, tlsOn, listen)
	case "tcp":
		return tcpAddress(u, "", false, listen)
	case "unix":
		if u.Host != "" {
			return Address{}, fmt.Errorf("rawsocket: URL %q: a unix URL has no host (unix:///abs/path.sock or unix:rel/path.sock)", u.Redacted())
		}
		p := u.Path
		if u.Opaque != "" {
			p = u.Opaque
		}
		if p == "" {
			return Address{}, fmt.Errorf("rawsocket: URL %q: missing Unix socket path", u.Redacted())
		}
		return Address{Network: "unix", Address: p}, nil
	}
	return Address{}, fmt.Errorf("rawsocket: URL %q: scheme %q is not a RawSocket scheme (%s)", u.Redacted(), u.Scheme, strings.Join(schemes, ", "))
}

func tcpAddress(u *url.URL, defaultPort string, tlsOn, listen bool) (Address, error) {
	if u.Opaque != "" {
		return Address{}, fmt.Errorf("rawsocket: URL %q: want %s://host:port", u.Redacted(), u.Scheme)
	}
	if u.Path != "" && u.Path != "/" {
		return Address{}, fmt.Errorf("rawsocket: URL %q: path %q is not supported", u.Redacted(), u.Path)
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		if defaultPort == "" {
			return Address{}, fmt.Errorf("rawsocket: URL %q: missing port", u.Redacted())
		}
		port = defaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 || (n == 0 && !listen) {
		return Address{}, fmt.Errorf("rawsocket: URL %q: invalid port %q", u.Redacted(), port)
	}
	if host == "" && !listen {
		return Address{}, fmt.Errorf("rawsocket: URL %q: missing host", u.Redacted())
	}
	return Address{Network: "tcp", Address: net.JoinHostPort(host, port), TLS: tlsOn, Host: host}, nil
}

// Endpoint is an Autobahn component "endpoint" configuration resolved to a
// RawSocket URL.
type Endpoint struct {
	// URL is rs://host:port, rss://host:port (TLS) or rs://unix:/path
	// (unix:relative/path for a relative socket path).
	URL *url.URL
	// Timeout is the connect timeout ("timeout", seconds; default 10 s, as in
	// Autobahn). Apply it to the context passed to Dial.
	Timeout time.Duration
	// TLSServerName is "tls": {"hostname": …}: the name to verify the server
	// certificate against, when it differs from the host.
	TLSServerName string
	// TLSTrustRoot is "tls": {"trust_root": …}: the file name of a PEM
	// certificate to trust instead of the system roots.
	TLSTrustRoot string
}

// ParseEndpoint resolves an Autobahn component "endpoint" configuration:
//
//	{"type": "tcp", "host": "example.com", "port": 8080}          → rs://example.com:8080
//	{"type": "tcp", "host": "example.com", "port": 443, "tls": true} → rss://example.com:443
//	{"type": "unix", "path": "/tmp/router.sock"}                   → rs://unix:/tmp/router.sock
//
// Keys, checked like Autobahn does: type (required), host and port (tcp,
// required), path (unix, required), tls (tcp: true/false or
// {"hostname", "trust_root"}), timeout (seconds), version (4 or 6).
func ParseEndpoint(cfg map[string]any) (Endpoint, error) {
	known := []string{"type", "host", "port", "path", "tls", "timeout", "version"}
	for k := range cfg {
		if !slices.Contains(known, k) {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: unknown key %q (known: %s)", k, strings.Join(known, ", "))
		}
	}
	ep := Endpoint{Timeout: 10 * time.Second}
	if v, ok := cfg["timeout"]; ok {
		d, err := optmap.Seconds(v)
		if err != nil || d <= 0 || d > math.MaxInt32*time.Second {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: invalid timeout %v (seconds > 0)", v)
		}
		ep.Timeout = d
	}
	if v, ok := cfg["version"]; ok {
		n, err := optmap.Int(v)
		if err != nil || (n != 4 && n != 6) {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: invalid IP version %v (4 or 6)", v)
		}
	}
	typ, _ := cfg["type"].(string)
	switch typ {
	case "tcp":
		host, ok := cfg["host"].(string)
		if !ok || host == "" {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: tcp endpoint needs a string \"host\" (got %v)", cfg["host"])
		}
		port, err := optmap.Int(cfg["port"])
		if err != nil || port < 1 || port > 65535 {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: tcp endpoint needs a \"port\" in 1..65535 (got %v)", cfg["port"])
		}
		if _, ok := cfg["path"]; ok {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: \"path\" is not valid in a tcp endpoint")
		}
		scheme := "rs"
		switch tlsCfg := cfg["tls"].(type) {
		case nil, bool:
			if tlsCfg == true {
				scheme = "rss"
			}
		case map[string]any:
			scheme = "rss"
			for k, v := range tlsCfg {
				s, ok := v.(string)
				switch {
				case !ok:
					return Endpoint{}, fmt.Errorf("rawsocket: endpoint: tls %q must be a string (got %T)", k, v)
				case k == "hostname":
					ep.TLSServerName = s
				case k == "trust_root":
					ep.TLSTrustRoot = s
				default:
					return Endpoint{}, fmt.Errorf("rawsocket: endpoint: unknown key %q in tls (known: hostname, trust_root)", k)
				}
			}
		default:
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: tls must be a boolean or a map (got %T)", tlsCfg)
		}
		ep.URL = &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, strconv.Itoa(port))}
	case "unix":
		path, ok := cfg["path"].(string)
		if !ok || path == "" {
			return Endpoint{}, fmt.Errorf("rawsocket: endpoint: unix endpoint needs a string \"path\" (got %v)", cfg["path"])
		}
		for _, k := range []string{"host", "port", "tls"} {
			if _, ok := cfg[k]; ok {
				return Endpoint{}, fmt.Errorf("rawsocket: endpoint: %q is not valid in a unix endpoint", k)
			}
		}
		if strings.HasPrefix(path, "/") {
			ep.URL = &url.URL{Scheme: "rs", Host: "unix:", Path: path}
		} else {
			ep.URL = &url.URL{Scheme: "unix", Opaque: path}
		}
	default:
		return Endpoint{}, fmt.Errorf("rawsocket: endpoint: invalid type %v (tcp or unix)", cfg["type"])
	}
	return ep, nil
}
