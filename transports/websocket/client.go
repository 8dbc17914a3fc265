package websocket

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/internal/netutil"
)

// DefaultUserAgent is sent in the User-Agent header unless
// Dialer.UserAgent says otherwise.
const DefaultUserAgent = "AutobahnGo"

// Dialer opens client connections (Autobahn's WebSocketClientFactory). The
// zero value dials with default options.
type Dialer struct {
	// Options are the protocol options.
	Options Options

	// Protocols are the subprotocols to announce, most preferred first.
	Protocols []string

	// Origin is sent as the Origin header, if set.
	Origin string

	// UserAgent is the User-Agent header; "" means DefaultUserAgent, "-"
	// means none.
	UserAgent string

	// Headers are extra HTTP headers for the opening handshake request
	// (cookies, authorization). Headers the Dialer sets itself (Host,
	// Upgrade, Connection, User-Agent, Origin and the Sec-WebSocket-*
	// headers) are rejected here; use the fields above.
	Headers http.Header

	// TLSConfig configures wss connections (server verification, client
	// certificates); nil uses Go's defaults. ServerName defaults to the
	// URL's host.
	TLSConfig *tls.Config

	// Proxy is an explicit proxy to connect through: http://host:port (HTTP
	// CONNECT, optionally with user:password for Basic authentication),
	// https:// (the same over TLS), socks5:// or socks5h:// (optionally with
	// user:password). Nil connects directly.
	Proxy *url.URL

	// NetDialContext dials the TCP connection (to the proxy, if any); nil
	// uses a net.Dialer.
	NetDialContext func(ctx context.Context, network, addr string) (net.Conn, error)

	// Logger receives failures and debug output; nil means slog.Default().
	Logger *slog.Logger
}

// Dial connects to the WebSocket server at rawURL (ws://host:port/path,
// wss://..., ws://unix:/path/to/socket) with default dialer settings and
// opts.
func Dial(ctx context.Context, rawURL string, h ClientHandler, opts Options) (*Conn, error) {
	d := &Dialer{Options: opts}
	return d.Dial(ctx, rawURL, h)
}

// Dial connects to the WebSocket server at rawURL and runs h over the
// connection: h.OnConnect with the server's response, then h.OnOpen, both
// before Dial returns; the connection's reader goroutine then calls
// OnMessage and, in the end, OnClose. ctx bounds the connection setup only,
// as does OpenHandshakeTimeout. If Dial returns an error, no handler method
// other than OnConnect has been called.
func (d *Dialer) Dial(ctx context.Context, rawURL string, h ClientHandler) (*Conn, error) {
	return d.dialWith(ctx, rawURL, h, nil)
}

// dialWith is Dial with d.Options already resolved as cfg (nil: resolve
// them), which the connection keeps: dialers that share one config spare
// every connection a copy of its own.
func (d *Dialer) dialWith(ctx context.Context, rawURL string, h ClientHandler, cfg *config) (*Conn, error) {
	c, err := d.dial(ctx, rawURL, h, cfg)
	if err != nil {
		return nil, fmt.Errorf("websocket: dial %s: %w", rawURL, err)
	}
	return c, nil
}

func (d *Dialer) dial(ctx context.Context, rawURL string, h ClientHandler, cfg *config) (*Conn, error) {
	if cfg == nil {
		var err error
		if cfg, err = d.Options.resolve(false); err != nil {
			return nil, err
		}
	}
	if h == nil {
		return nil, errors.New("websocket: nil handler")
	}
	pu, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	if cfg.openTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.openTimeout)
		defer cancel()
	}

	nc, err := d.dialNet(ctx, pu)
	if err != nil {
		return nil, err
	}
	// Make a context cancelled during the handshake interrupt blocked I/O.
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	ok := false
	defer func() {
		stop()
		if !ok {
			nc.Close()
		}
	}()
	netutil.SetNoDelay(nc, cfg.noDelay)
	var tlsState *tls.ConnectionState
	if pu.Secure {
		tcfg := d.TLSConfig.Clone()
		if tcfg == nil {
			tcfg = &tls.Config{}
		}
		if tcfg.ServerName == "" && pu.UnixPath == "" {
			tcfg.ServerName = pu.Host
		}
		tcfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(nc, tcfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return nil, fmt.Errorf("TLS handshake: %w", err)
		}
		st := tc.ConnectionState()
		tlsState = &st
		nc = tc
	}

	// The opening handshake is done here, as Autobahn does it.
	key := newKey()
	version := 13
	if cfg.version >= 10 && cfg.version <= 12 {
		version = 8
	}
	request, err := d.request(pu, key, version, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(nc, request); err != nil {
		return nil, fmt.Errorf("sending the opening handshake: %w", err)
	}
	br := bufio.NewReaderSize(nc, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the opening handshake response: %w", err)
	}
	proto, extensions, compressed, err := checkResponse(resp, key, d.Protocols, cfg.offer)
	if err != nil {
		return nil, err
	}

	fc := newFrameConn(nc, cfg)
	fc.compressed = compressed
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		fc.setPending(b)
	}
	if !stop() {
		// ctx ended just now and has set a deadline in the past.
		return nil, ctx.Err()
	}

	c := newConn(fc, proto, cfg, h, log)
	c.peer = peerOf(nc, pu)
	c.version = version
	c.tls = tlsState
	connResp := &ConnectionResponse{
		Peer:       c.peer,
		Headers:    resp.Header,
		Version:    version,
		Protocol:   proto,
		Extensions: extensions,
		TLS:        tlsState,
	}
	c.head = packHandshake(resp.Header)
	if err := h.OnConnect(connResp); err != nil {
		// Autobahn fails the connection with code 1000 and the error.
		if !cfg.failByDrop {
			c.sendCloseFrame(CloseNormal, err.Error(), false)
			fc.drain()
		}
		fc.Close()
		return nil, err
	}
	ok = true
	h.OnOpen(c)
	go c.run(false)
	return c, nil
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// request builds the opening handshake request as Autobahn's client does.
func (d *Dialer) request(pu *ParsedURL, key string, version int, cfg *config) (string, error) {
	var b strings.Builder
	line := func(name, value string) error {
		if strings.ContainsAny(name, "\r\n:") || strings.ContainsAny(value, "\r\n") {
			return fmt.Errorf("invalid header %q: %q", name, value)
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
		return nil
	}
	resource := pu.Resource
	host := "localhost"
	if pu.UnixPath == "" {
		host = net.JoinHostPort(pu.Host, strconv.Itoa(pu.Port))
	} else {
		resource = "/"
	}
	b.WriteString("GET " + resource + " HTTP/1.1\r\n")
	if ua := d.userAgent(); ua != "" {
		if err := line("User-Agent", ua); err != nil {
			return "", err
		}
	}
	line("Host", host)
	line("Upgrade", "WebSocket")
	line("Connection", "Upgrade")
	line("Pragma", "no-cache")
	line("Cache-Control", "no-cache")
	for name, values := range d.Headers {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Upgrade", "Connection", "Sec-Websocket-Key", "Sec-Websocket-Version",
			"Sec-Websocket-Extensions", "Sec-Websocket-Protocol", "Origin", "Sec-Websocket-Origin", "User-Agent":
			return "", fmt.Errorf("header %s is set by the Dialer, not in Headers", name)
		}
		for _, v := range values {
			if err := line(name, v); err != nil {
				return "", err
			}
		}
	}
	line("Sec-WebSocket-Key", key)
	if d.Origin != "" {
		name := "Origin"
		if version == 8 {
			name = "Sec-WebSocket-Origin"
		}
		if err := line(name, d.Origin); err != nil {
			return "", err
		}
	}
	if len(d.Protocols) > 0 {
		if err := line("Sec-WebSocket-Protocol", strings.Join(d.Protocols, ",")); err != nil {
			return "", err
		}
	}
	if len(cfg.offers) > 0 {
		offers := make([]string, len(cfg.offers))
		for i, o := range cfg.offers {
			offers[i] = o.String()
		}
		line("Sec-WebSocket-Extensions", strings.Join(offers, ", "))
	}
	line("Sec-WebSocket-Version", strconv.Itoa(version))
	b.WriteString("\r\n")
	return b.String(), nil
}

// checkResponse validates a server's opening handshake response as
// Autobahn's client does, with its texts, and what this package needs on top
// for permessage-deflate: the server must not take over its compression
// context (every message is inflated on its own, see inflate) and must not
// limit the client's window (compress/flate deflates with 15 bits).
func checkResponse(resp *http.Response, key string, protocols []string, offered bool) (proto string, exts []Extension, compressed bool, err error) {
	fail := func(format string, args ...any) (string, []Extension, bool, error) {
		return "", nil, false, &HandshakeError{StatusCode: resp.StatusCode, Reason: fmt.Sprintf(format, args...), Header: resp.Header}
	}
	if resp.Proto != "HTTP/1.1" {
		return fail("Unsupported HTTP version \"%s\"", resp.Proto)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
		return "", nil, false, &HandshakeError{StatusCode: resp.StatusCode, Reason: reason, Header: resp.Header}
	}
	h := resp.Header
	if len(h["Upgrade"]) == 0 {
		return fail("HTTP Upgrade header missing")
	}
	if u := strings.Join(h["Upgrade"], ", "); !strings.EqualFold(strings.TrimSpace(u), "websocket") {
		return fail("HTTP Upgrade header different from \"websocket\" (case-insensitive): \"%s\"", u)
	}
	if len(h["Connection"]) == 0 {
		return fail("HTTP Connection header missing")
	}
	if !hasToken(h["Connection"], "upgrade") {
		return fail("HTTP Connection header does not include \"upgrade\" value (case-insensitive): \"%s\"", strings.Join(h["Connection"], ", "))
	}
	switch acc := h["Sec-Websocket-Accept"]; {
	case len(acc) == 0:
		return fail("HTTP Sec-WebSocket-Accept header missing in opening handshake reply")
	case len(acc) > 1:
		return fail("HTTP Sec-WebSocket-Accept header appears more than once in opening handshake reply")
	case strings.TrimSpace(acc[0]) != acceptKey(key):
		return fail("HTTP Sec-WebSocket-Accept bogus value : expected %s / got %s", acceptKey(key), strings.TrimSpace(acc[0]))
	}
	if vs := h["Sec-Websocket-Extensions"]; len(vs) > 0 {
		if len(vs) > 1 {
			return fail("HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake reply")
		}
		exts = parseExtensions(vs[0])
		for _, ext := range exts {
			if ext.Name != "permessage-deflate" {
				return fail("server wants to use extension \"%s\" we did not request, have not implemented or did not enable", ext.Name)
			}
			if compressed {
				return fail("multiple occurrence of a permessage-compress extension")
			}
			if err := checkDeflateResponse(ext.Params); err != nil {
				return fail("%v", err)
			}
			if !offered {
				return fail("WebSocket permessage-compress extension response from server denied by client")
			}
			serverNoContext := false
			for _, p := range ext.Params {
				switch {
				case p.Name == "server_no_context_takeover":
					serverNoContext = true
				case p.Name == "client_max_window_bits" && p.Value != "15":
					return fail("permessage-deflate response sets client_max_window_bits=%s; this implementation compresses with 15 only", p.Value)
				}
			}
			if !serverNoContext {
				return fail("permessage-deflate response without server_no_context_takeover; this implementation cannot decompress with context takeover")
			}
			compressed = true
		}
	}
	switch vs := h["Sec-Websocket-Protocol"]; {
	case len(vs) > 1:
		return fail("HTTP Sec-WebSocket-Protocol header appears more than once in opening handshake reply")
	case len(vs) == 1:
		proto = strings.TrimSpace(vs[0])
		if proto != "" && !slices.Contains(protocols, proto) {
			return fail("subprotocol selected by server \"%s\" not in subprotocol list requested by client \"%v\"", proto, protocols)
		}
	}
	return proto, exts, compressed, nil
}

func (d *Dialer) userAgent() string {
	switch d.UserAgent {
	case "":
		return DefaultUserAgent
	case "-":
		return ""
	}
	return d.UserAgent
}

func peerOf(nc net.Conn, pu *ParsedURL) string {
	if pu.UnixPath != "" {
		return "unix:" + pu.UnixPath
	}
	return PeerString(nc.RemoteAddr())
}

// dialNet opens the network connection to the server, through the proxy if
// one is set.
func (d *Dialer) dialNet(ctx context.Context, pu *ParsedURL) (net.Conn, error) {
	dial := d.NetDialContext
	if dial == nil {
		var nd net.Dialer
		dial = nd.DialContext
	}
	if pu.UnixPath != "" {
		return dial(ctx, "unix", pu.UnixPath)
	}
	target := net.JoinHostPort(pu.Host, strconv.Itoa(pu.Port))
	if d.Proxy == nil {
		return dial(ctx, "tcp", target)
	}
	p := d.Proxy
	switch p.Scheme {
	case "http", "https":
		return dialHTTPProxy(ctx, dial, p, target)
	case "socks5", "socks5h":
		return dialSOCKS5(ctx, dial, p, pu.Host, pu.Port)
	}
	return nil, fmt.Errorf("proxy %s: unsupported scheme %q (want http, https, socks5 or socks5h)", p.Redacted(), p.Scheme)
}

func proxyAddr(p *url.URL, defaultPort string) string {
	if p.Port() != "" {
		return p.Host
	}
	return net.JoinHostPort(p.Hostname(), defaultPort)
}

// withDeadline makes blocking I/O on c give up when ctx is done.
func withDeadline(ctx context.Context, c net.Conn) (stop func()) {
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	cancel := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) })
	return func() {
		cancel()
		c.SetDeadline(time.Time{})
	}
}

// dialHTTPProxy opens a tunnel with HTTP CONNECT.
func dialHTTPProxy(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), p *url.URL, target string) (net.Conn, error) {
	defPort := "80"
	if p.Scheme == "https" {
		defPort = "443"
	}
	conn, err := dial(ctx, "tcp", proxyAddr(p, defPort))
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", p.Redacted(), err)
	}
	if p.Scheme == "https" {
		tc := tls.Client(conn, &tls.Config{ServerName: p.Hostname()})
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("proxy %s: TLS handshake: %w", p.Redacted(), err)
		}
		conn = tc
	}
	stop := withDeadline(ctx, conn)
	defer stop()
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: http.Header{},
	}
	if u := p.User; u != nil {
		pw, _ := u.Password()
		req.Header.Set("Proxy-Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw)))
	}
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: CONNECT %s: %w", p.Redacted(), target, err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, req)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: CONNECT %s: %w", p.Redacted(), target, err)
	}
	if resp.StatusCode != http.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: CONNECT %s: %s", p.Redacted(), target, resp.Status)
	}
	if n := br.Buffered(); n > 0 {
		b, _ := br.Peek(n)
		return &prefixConn{Conn: conn, prefix: append([]byte(nil), b...)}, nil
	}
	return conn, nil
}

// prefixConn serves bytes read ahead before reading from Conn.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (c *prefixConn) Read(p []byte) (int, error) {
	if len(c.prefix) > 0 {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// dialSOCKS5 opens a tunnel through a SOCKS5 proxy (RFC 1928, with RFC 1929
// username/password authentication). Host names are resolved by the proxy.
func dialSOCKS5(ctx context.Context, dial func(context.Context, string, string) (net.Conn, error), p *url.URL, host string, port int) (net.Conn, error) {
	conn, err := dial(ctx, "tcp", proxyAddr(p, "1080"))
	if err != nil {
		return nil, fmt.Errorf("proxy %s: %w", p.Redacted(), err)
	}
	if err := socks5Connect(ctx, conn, p, host, port); err != nil {
		conn.Close()
		return nil, fmt.Errorf("proxy %s: %w", p.Redacted(), err)
	}
	return conn, nil
}

func socks5Connect(ctx context.Context, conn net.Conn, p *url.URL, host string, port int) error {
	stop := withDeadline(ctx, conn)
	defer stop()
	methods := []byte{0x00}
	if p.User != nil {
		methods = []byte{0x00, 0x02}
	}
	if _, err := conn.Write(append([]byte{5, byte(len(methods))}, methods...)); err != nil {
		return fmt.Errorf("SOCKS5 greeting: %w", err)
	}
	var resp [2]byte
	if _, err := io.ReadFull(conn, resp[:]); err != nil {
		return fmt.Errorf("SOCKS5 greeting: %w", err)
	}
	if resp[0] != 5 {
		return fmt.Errorf("SOCKS5 greeting: server speaks version %d", resp[0])
	}
	switch resp[1] {
	case 0x00:
	case 0x02:
		if p.User == nil {
			return errors.New("SOCKS5: server wants a username and password")
		}
		user := p.User.Username()
		pw, _ := p.User.Password()
		if len(user) > 255 || len(pw) > 255 {
			return errors.New("SOCKS5: username or password longer than 255 bytes")
		}
		msg := append([]byte{1, byte(len(user))}, user...)
		msg = append(append(msg, byte(len(pw))), pw...)
		if _, err := conn.Write(msg); err != nil {
			return fmt.Errorf("SOCKS5 authentication: %w", err)
		}
		if _, err := io.ReadFull(conn, resp[:]); err != nil {
			return fmt.Errorf("SOCKS5 authentication: %w", err)
		}
		if resp[1] != 0 {
			return errors.New("SOCKS5 authentication failed")
		}
	default:
		return errors.New("SOCKS5: no acceptable authentication method")
	}

	req := []byte{5, 1, 0}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4() {
			req = append(req, 1)
		} else {
			req = append(req, 4)
		}
		req = append(req, ip.AsSlice()...)
	} else {
		if len(host) > 255 {
			return fmt.Errorf("SOCKS5: host name %q too long", host)
		}
		req = append(append(req, 3, byte(len(host))), host...)
	}
	req = binary.BigEndian.AppendUint16(req, uint16(port))
	if _, err := conn.Write(req); err != nil {
		return fmt.Errorf("SOCKS5 CONNECT: %w", err)
	}
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return fmt.Errorf("SOCKS5 CONNECT: %w", err)
	}
	if head[1] != 0 {
		return fmt.Errorf("SOCKS5 CONNECT %s:%d: %s", host, port, socks5Reply(head[1]))
	}
	var skip int
	switch head[3] {
	case 1:
		skip = 4
	case 4:
		skip = 16
	case 3:
		var l [1]byte
		if _, err := io.ReadFull(conn, l[:]); err != nil {
			return fmt.Errorf("SOCKS5 CONNECT: %w", err)
		}
		skip = int(l[0])
	default:
		return fmt.Errorf("SOCKS5 CONNECT: bad address type %d", head[3])
	}
	if _, err := io.ReadFull(conn, make([]byte, skip+2)); err != nil {
		return fmt.Errorf("SOCKS5 CONNECT: %w", err)
	}
	return nil
}

func socks5Reply(code byte) string {
	replies := []string{1: "general failure", "connection not allowed by ruleset", "network unreachable",
		"host unreachable", "connection refused", "TTL expired", "command not supported", "address type not supported"}
	if int(code) < len(replies) && replies[code] != "" {
		return replies[code]
	}
	return "reply code " + strconv.Itoa(int(code))
}
