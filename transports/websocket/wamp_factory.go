package websocket

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

func init() {
	f := &WAMPFactory{}
	for _, s := range f.Schemes() {
		registry.RegisterTransport(s, f)
	}
}

// Schemes are the URL schemes the factory serves: ws, wss.
func (f *WAMPFactory) Schemes() []string { return []string{"ws", "wss"} }

// WAMPFactory dials and listens for WAMP over WebSocket at ws:// and wss://
// URLs. The zero value is ready to use; importing this package registers
// one with the default registry for both schemes.
//
// URLs: ws://host[:port][/path] (port 80 when omitted), wss://... (TLS, port
// 443), and ws://unix:/path/to/socket for a Unix domain socket (the URL's
// path is then the socket, and the HTTP path is "/"). A client sends the
// URL's path and query in its request line. A listener serves the URL's
// path ("" or "/" serve every path; other paths get 404); the host may be
// empty (ws://:8080/ws) to listen on every interface, and port 0 picks a
// free port.
type WAMPFactory struct {
	// Registry supplies the serializers when the configuration names none,
	// and negotiates. Nil means registry.Default.
	Registry *registry.Registry
}

var _ core.TransportFactory = (*WAMPFactory)(nil)

func (f *WAMPFactory) registry() *registry.Registry {
	if f != nil && f.Registry != nil {
		return f.Registry
	}
	return registry.Default
}

// Dial connects to the WAMP-over-WebSocket server at u and runs h over the
// new transport; h.OnOpen has run when Dial returns. The client offers the
// wamp.2.* subprotocols of cfg.Serializers in their order (default: every
// registered serializer, cbor.batched first) and uses the one the server
// picks. cfg.TLS configures wss (nil: Go's defaults), cfg.Proxy is an
// http(s):// or socks5:// proxy, cfg.Headers are added to the request, and
// cfg.Options are [WAMPOptions], [Options] or a map of Autobahn option names
// (default: [WAMPClientOptions]). ctx bounds the connection setup only. The
// returned transport is a [*WAMPTransport].
func (f *WAMPFactory) Dial(ctx context.Context, u *url.URL, cfg core.TransportConfig, h core.TransportHandler) (core.Transport, error) {
	if u == nil {
		return nil, errors.New("websocket: WAMP dial: nil URL")
	}
	if h == nil {
		return nil, fmt.Errorf("websocket: WAMP dial %s: nil transport handler", u.Redacted())
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, fmt.Errorf("websocket: WAMP dial %s: URL scheme %q is not ws or wss", u.Redacted(), u.Scheme)
	}
	wc, err := wampConfigFrom(cfg.Options, false)
	if err != nil {
		return nil, fmt.Errorf("websocket: WAMP dial %s: %w", u.Redacted(), err)
	}
	sers, err := wampSerializers(cfg.Serializers, f.registry())
	if err != nil {
		return nil, fmt.Errorf("websocket: WAMP dial %s: %w", u.Redacted(), err)
	}
	d := &Dialer{
		Options:   wc.ws,
		Protocols: registry.Subprotocols(sers),
		Headers:   cfg.Headers,
		TLSConfig: cfg.TLS,
		Proxy:     cfg.Proxy,
		Logger:    wc.log,
	}
	wh := &wampHandler{cfg: wc, cli: &wampClient{offered: sers, th: h}}
	if _, err := d.dialWith(ctx, u.String(), wampClientHandler{wh}, wc.cfg); err != nil {
		return nil, err
	}
	return wh.t, nil
}

// Listen serves WAMP over WebSocket at u until the listener is closed, and
// hands every established transport (a [*WAMPTransport]) to accept. The
// server accepts the serializers of cfg.Serializers (default: every
// registered one); cfg.Options are [WAMPOptions], [Options] or a map of
// Autobahn option names (default: Autobahn's WebSocket server defaults);
// cfg.Headers are added to every handshake response. A wss URL needs
// cfg.TLS with a certificate. ctx bounds setting up the listener only. The
// returned listener is a [*WAMPListener].
func (f *WAMPFactory) Listen(ctx context.Context, u *url.URL, cfg core.TransportConfig, accept core.Acceptor) (core.Listener, error) {
	if u == nil {
		return nil, errors.New("websocket: WAMP listen: nil URL")
	}
	la, err := parseListenURL(u)
	if err != nil {
		return nil, fmt.Errorf("websocket: WAMP listen %s: %w", u.Redacted(), err)
	}
	tlsConfig := cfg.TLS
	if !la.secure {
		tlsConfig = nil
	} else if tlsConfig == nil || (len(tlsConfig.Certificates) == 0 && tlsConfig.GetCertificate == nil && tlsConfig.GetConfigForClient == nil) {
		return nil, fmt.Errorf("websocket: WAMP listen %s: wss needs a certificate in the transport configuration's TLS", u.Redacted())
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("websocket: WAMP listen %s: %w", u.Redacted(), err)
	}
	s, err := newWAMPServer(cfg, accept, f.registry(), la.path)
	if err != nil {
		return nil, fmt.Errorf("websocket: WAMP listen %s: %w", u.Redacted(), err)
	}
	// The listener lives until closed, not until ctx ends.
	l, err := s.ws.Listen(context.WithoutCancel(ctx), la.network, la.address, tlsConfig)
	if err != nil {
		return nil, err
	}
	return &WAMPListener{l: l, srv: s, secure: la.secure, path: la.path}, nil
}

// listenAddr is a listening URL taken apart.
type listenAddr struct {
	secure           bool
	network, address string
	path             string // "" serves every path
}

func parseListenURL(u *url.URL) (*listenAddr, error) {
	la := &listenAddr{secure: u.Scheme == "wss", network: "tcp"}
	switch {
	case u.Scheme != "ws" && u.Scheme != "wss":
		return nil, fmt.Errorf("URL scheme %q is not ws or wss", u.Scheme)
	case u.Opaque != "":
		return nil, errors.New("URL is opaque (want ws://host:port/path)")
	case u.User != nil:
		return nil, errors.New("user information is not allowed in a listening URL")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("query %q is not allowed in a listening URL", u.RawQuery)
	case u.Fragment != "":
		return nil, fmt.Errorf("fragment %q is not allowed in a WebSocket URL", u.Fragment)
	}
	if strings.EqualFold(u.Host, "unix:") || strings.EqualFold(u.Host, "unix") {
		if u.Path == "" {
			return nil, errors.New("missing Unix socket path (want ws://unix:/path/to/socket)")
		}
		la.network, la.address = "unix", u.Path
		return la, nil
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return nil, errors.New("empty port")
		}
		port = "80"
		if la.secure {
			port = "443"
		}
	} else if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return nil, fmt.Errorf("invalid port %q", port)
	}
	la.address = net.JoinHostPort(host, port)
	if u.Path != "" && u.Path != "/" {
		la.path = u.Path
	}
	return la, nil
}

// WAMPListener is a listening WAMP-over-WebSocket server; it implements
// [core.Listener].
type WAMPListener struct {
	l      *Listener
	srv    *WAMPServer
	secure bool
	path   string
}

var _ core.Listener = (*WAMPListener)(nil)

// Addr is the address the listener accepts connections on.
func (l *WAMPListener) Addr() net.Addr { return l.l.Addr() }

// URL is a ws:// or wss:// URL for the listener's address and path, for
// clients on this machine ("ws://127.0.0.1:8080/ws"; a listener on every
// interface gives the loopback address; a Unix socket gives
// ws://unix:/path).
func (l *WAMPListener) URL() string {
	scheme := "ws"
	if l.secure {
		scheme = "wss"
	}
	path := l.path
	if path == "" {
		path = "/"
	}
	switch a := l.Addr().(type) {
	case *net.TCPAddr:
		ip := a.IP
		if ip == nil || ip.IsUnspecified() {
			ip = net.IPv4(127, 0, 0, 1)
			if a.IP != nil && a.IP.To4() == nil {
				ip = net.IPv6loopback
			}
		}
		return (&url.URL{Scheme: scheme, Host: net.JoinHostPort(ip.String(), strconv.Itoa(a.Port)), Path: path}).String()
	case *net.UnixAddr:
		return scheme + "://unix:" + a.Name
	}
	return scheme + "://" + l.Addr().String() + path
}

// Server returns the WAMPServer behind the listener, e.g. for CloseAll.
func (l *WAMPListener) Server() *WAMPServer { return l.srv }

// Close stops accepting connections; established transports are not
// affected (see WAMPServer.CloseAll).
func (l *WAMPListener) Close() error {
	if err := l.l.Close(); err != nil {
		return fmt.Errorf("websocket: close WAMP listener %s: %w", l.Addr(), err)
	}
	return nil
}
