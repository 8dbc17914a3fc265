package websocket

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/autobahn-go/autobahn/internal/netutil"
)

// DefaultServerName is sent in the Server header unless Server.ServerName
// says otherwise.
const DefaultServerName = "AutobahnGo"

// Server accepts WebSocket connections (Autobahn's WebSocketServerFactory).
// It is an http.Handler, to mount in any net/http server, and can listen by
// itself (Serve, Listen, ListenAndServe).
//
// For every opening handshake it validates the request the way Autobahn does
// (answering with the same HTTP status codes and reasons), creates a handler
// with NewHandler and asks its OnConnect; once accepted, the connection runs
// on a goroutine of its own and ServeHTTP returns.
//
// A Server must not be copied or changed after first use.
type Server struct {
	// NewHandler creates the handler for a connection. It is required.
	NewHandler func() ServerHandler

	// Options are the protocol options.
	Options Options

	// Protocols are the subprotocols the server speaks. When OnConnect
	// accepts without naming a subprotocol, the first of the client's
	// protocols that is in this list is chosen (the client's preference, as
	// Autobahn's WAMP server does).
	Protocols []string

	// Headers are extra HTTP headers sent with every handshake response.
	Headers http.Header

	// ServerName is the Server header of handshake and status responses;
	// "" means DefaultServerName, "-" means none.
	ServerName string

	// Logger receives failures and debug output; nil means slog.Default().
	Logger *slog.Logger

	once    sync.Once
	cfg     *config
	cfgErr  error
	count   atomic.Int64
	connsMu sync.Mutex
	conns   map[*Conn]struct{}
}

// NewServer returns a Server with the given handler factory and options.
func NewServer(newHandler func() ServerHandler, opts Options) *Server {
	return &Server{NewHandler: newHandler, Options: opts}
}

func (s *Server) init() error {
	s.once.Do(func() {
		s.cfg, s.cfgErr = s.Options.resolve(true)
		if s.cfgErr == nil && s.NewHandler == nil {
			s.cfgErr = errors.New("websocket: Server.NewHandler is nil")
		}
		if s.Logger == nil {
			s.Logger = slog.Default()
		}
		s.conns = make(map[*Conn]struct{})
	})
	return s.cfgErr
}

// ConnectionCount is the number of open connections (Autobahn
// getConnectionCount).
func (s *Server) ConnectionCount() int { return int(s.count.Load()) }

func (s *Server) serverName() string {
	switch s.ServerName {
	case "":
		return DefaultServerName
	case "-":
		return ""
	}
	return s.ServerName
}

// denial is an HTTP error response for a failed opening handshake.
type denial struct {
	status int
	reason string
	header [][2]string
}

func deny(status int, format string, args ...any) *denial {
	return &denial{status: status, reason: fmt.Sprintf(format, args...)}
}

// ServeHTTP handles an opening handshake, or a plain GET with the status
// page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := s.init(); err != nil {
		s.writeDenial(w, deny(http.StatusInternalServerError, "%v", err))
		return
	}
	req, d := s.checkRequest(w, r)
	if d != nil {
		s.Logger.Debug("websocket: failing WebSocket opening handshake", "peer", peerFromRemoteAddr(r.RemoteAddr), "status", d.status, "reason", d.reason)
		s.writeDenial(w, d)
		return
	}
	if req == nil {
		return // status page served
	}
	if n := s.count.Add(1); s.cfg.maxConns > 0 && n > int64(s.cfg.maxConns) {
		s.count.Add(-1)
		s.writeDenial(w, deny(http.StatusServiceUnavailable, "maximum number of connections reached"))
		return
	}
	ok, d := s.accept(w, r, req)
	if !ok {
		s.count.Add(-1)
	}
	if d != nil {
		s.writeDenial(w, d)
	}
}

// checkRequest validates r as Autobahn's processHandshake does, in the same
// order and with the same reasons. It returns nil, nil after serving the
// status page.
func (s *Server) checkRequest(w http.ResponseWriter, r *http.Request) (*ConnectionRequest, *denial) {
	cfg := s.cfg
	peer := peerFromRemoteAddr(r.RemoteAddr)
	if fwd := forwardedPeer(strings.Join(r.Header.Values("X-Forwarded-For"), ", "), cfg.trustXFF); fwd != "" {
		peer = fwd
	}
	if r.Method != http.MethodGet {
		return nil, deny(http.StatusMethodNotAllowed, "HTTP method \"%s\" not allowed", r.Method)
	}
	if r.ProtoMajor != 1 || r.ProtoMinor != 1 {
		return nil, deny(http.StatusHTTPVersionNotSupported, "Unsupported HTTP version \"%s\"", r.Proto)
	}
	if _, frag, ok := strings.Cut(r.RequestURI, "#"); ok && frag != "" {
		return nil, deny(http.StatusBadRequest, "HTTP requested resource contains a fragment identifier \"%s\"", frag)
	}
	if r.Host == "" {
		return nil, deny(http.StatusBadRequest, "HTTP Host header missing in opening handshake request")
	}
	_, port, hasPort := splitHost(r.Host)
	if hasPort {
		if _, err := strconv.Atoi(port); err != nil {
			return nil, deny(http.StatusBadRequest, "invalid port \"%s\" in HTTP Host header \"%s\"", port, r.Host)
		}
	}
	params := parseParams(r.URL.RawQuery)

	h := r.Header
	if len(h["Upgrade"]) == 0 {
		if !cfg.webStatus {
			return nil, deny(http.StatusUpgradeRequired, "HTTP Upgrade header missing")
		}
		if d := s.serveStatus(w, params); d != nil {
			return nil, d
		}
		return nil, nil
	}
	if !hasToken(h["Upgrade"], "websocket") {
		return nil, deny(http.StatusBadRequest, "HTTP Upgrade headers do not include \"websocket\" value (case-insensitive): \"%s\"", strings.Join(h["Upgrade"], ", "))
	}
	if len(h["Connection"]) == 0 {
		return nil, deny(http.StatusBadRequest, "HTTP Connection header missing")
	}
	if !hasToken(h["Connection"], "upgrade") {
		return nil, deny(http.StatusBadRequest, "HTTP Connection headers do not include \"upgrade\" value (case-insensitive): \"%s\"", strings.Join(h["Connection"], ", "))
	}

	vh := h["Sec-Websocket-Version"]
	if len(vh) == 0 {
		return nil, deny(http.StatusBadRequest, "WebSocket connection denied - Hixie76 protocol not supported.")
	}
	if len(vh) > 1 {
		return nil, deny(http.StatusBadRequest, "HTTP Sec-WebSocket-Version header appears more than once in opening handshake request")
	}
	version, err := strconv.Atoi(strings.TrimSpace(vh[0]))
	if err != nil {
		return nil, deny(http.StatusBadRequest, "could not parse HTTP Sec-WebSocket-Version header \"%s\" in opening handshake request", vh[0])
	}
	if !slices.Contains(cfg.versions, version) {
		d := deny(http.StatusBadRequest, "WebSocket version %d not supported (supported versions: %s)", version, cfg.versionHeader)
		d.header = [][2]string{{"Sec-WebSocket-Version", cfg.versionHeader}}
		return nil, d
	}

	_, dup := splitProtocols(h["Sec-Websocket-Protocol"])
	if dup != "" {
		return nil, deny(http.StatusBadRequest, "duplicate protocol \"%s\" specified in HTTP Sec-WebSocket-Protocol header", dup)
	}

	originKey := "Origin"
	if version < 13 {
		originKey = "Sec-Websocket-Origin"
	}
	var origin string
	if oh := h[originKey]; len(oh) > 0 {
		if len(oh) > 1 {
			return nil, deny(http.StatusBadRequest, "HTTP Origin header appears more than once in opening handshake request")
		}
		origin = strings.TrimSpace(oh[0])
		norm, invalid := parseOrigin(origin)
		if invalid != "" {
			return nil, deny(http.StatusBadRequest, "HTTP Origin header invalid: %s", invalid)
		}
		if !cfg.originAllowed(norm) {
			return nil, deny(http.StatusBadRequest, "WebSocket connection denied: origin '%s' not allowed", origin)
		}
	}

	kh := h["Sec-Websocket-Key"]
	if len(kh) == 0 {
		return nil, deny(http.StatusBadRequest, "HTTP Sec-WebSocket-Key header missing")
	}
	if len(kh) > 1 {
		return nil, deny(http.StatusBadRequest, "HTTP Sec-WebSocket-Key header appears more than once in opening handshake request")
	}
	if reason := checkKey(strings.TrimSpace(kh[0])); reason != "" {
		return nil, deny(http.StatusBadRequest, "%s", reason)
	}

	if len(h["Sec-Websocket-Extensions"]) > 1 {
		return nil, deny(http.StatusBadRequest, "HTTP Sec-WebSocket-Extensions header appears more than once in opening handshake request")
	}

	return newConnectionRequest(h, peer, r.Host, r.URL.Path, r.URL.RawQuery, r.RemoteAddr, version, r.TLS), nil
}

// accept runs OnConnect and upgrades the connection. It reports whether a
// connection was established, or the denial to answer with.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, req *ConnectionRequest) (bool, *denial) {
	cfg := s.cfg
	handler := s.NewHandler()
	acc, err := handler.OnConnect(req)
	if err != nil {
		var cd *ConnectionDeny
		if errors.As(err, &cd) {
			return false, deny(cd.Code, "%s", cd.Reason)
		}
		s.Logger.Warn("websocket: unexpected error in OnConnect", "peer", req.Peer, "err", err)
		return false, deny(http.StatusInternalServerError, "Internal server error: %v", err)
	}
	proto := acc.Subprotocol
	if proto == "" {
		for _, p := range req.Protocols {
			if slices.Contains(s.Protocols, p) {
				proto = p
				break
			}
		}
	} else if !slices.Contains(req.Protocols, proto) {
		return false, deny(http.StatusInternalServerError, "Internal server error: protocol accepted must be from the list client sent or None")
	}

	// permessage-deflate offers.
	var offers []DeflateOffer
	for _, ext := range req.Extensions {
		if ext.Name != "permessage-deflate" {
			continue
		}
		off, err := parseDeflateOffer(ext.Params)
		if err != nil {
			return false, deny(http.StatusBadRequest, "%v", err)
		}
		offers = append(offers, off)
	}
	compress, extLine := false, ""
	if len(offers) > 0 && cfg.accept != nil {
		if chosen := cfg.accept(offers); chosen != nil {
			compress = chosen.servable()
			if !compress {
				s.Logger.Debug("websocket: cannot serve the accepted permessage-deflate offer", "peer", req.Peer, "offer", chosen.String())
			}
			if compress && chosen.RequestMaxWindowBits == 15 {
				// RFC 7692 7.1.2.1: accepting server_max_window_bits means
				// answering with it; gorilla's response does not.
				extLine = strings.Replace(gorillaExtLine, "\r\n", "; server_max_window_bits=15\r\n", 1)
			}
		}
	}

	header := http.Header{}
	if name := s.serverName(); name != "" {
		header["Server"] = []string{name}
	}
	for k, vs := range s.Headers {
		header[http.CanonicalHeaderKey(k)] = append(header[http.CanonicalHeaderKey(k)], vs...)
	}
	for k, vs := range acc.Headers {
		header[http.CanonicalHeaderKey(k)] = append(header[http.CanonicalHeaderKey(k)], vs...)
	}
	delete(header, "Sec-Websocket-Extensions")
	delete(header, "Sec-Websocket-Protocol")
	if proto != "" {
		header["Sec-Websocket-Protocol"] = []string{proto}
	}

	// The connection keeps the request packed (head.go), taken before the
	// version is changed for gorilla below.
	head := packRequest(r)

	// gorilla writes the 101 response; this package reads and writes the
	// frames (newConn), so the gorilla connection it returns is not used.
	// It knows version 13 only; version 8 frames the same way. With a
	// buffer pool and the hijacked read buffer, it allocates no buffers.
	r.Header["Sec-Websocket-Version"] = []string{"13"}
	upgrader := websocket.Upgrader{
		WriteBufferSize:   cfg.writeBuf,
		WriteBufferPool:   handshakeOnly,
		EnableCompression: compress,
		CheckOrigin:       func(*http.Request) bool { return true },
		Error: func(w http.ResponseWriter, _ *http.Request, status int, reason error) {
			s.writeDenial(w, deny(status, "%v", reason))
		},
	}
	if cfg.openTimeout > 0 {
		upgrader.HandshakeTimeout = cfg.openTimeout
	}
	hw := &hijackWriter{ResponseWriter: w, cfg: cfg, extLine: extLine}
	if _, err := upgrader.Upgrade(hw, r, header); err != nil {
		s.Logger.Debug("websocket: upgrade failed", "peer", req.Peer, "err", err)
		return false, nil
	}
	fc := hw.fc
	fc.compressed = compress
	netutil.SetNoDelay(fc.Conn, cfg.noDelay)

	c := newConn(fc, proto, cfg, handler, s.Logger)
	c.peer = req.Peer
	c.version = req.Version
	c.head = head
	c.tls = req.TLS
	s.connsMu.Lock()
	s.conns[c] = struct{}{}
	s.connsMu.Unlock()
	c.srv = s // finish calls forget (a field rather than a closure: 24 bytes less per connection)
	go c.run(true)
	return true, nil
}

// forget drops c, which has finished, from the open connections.
func (s *Server) forget(c *Conn) {
	s.count.Add(-1)
	s.connsMu.Lock()
	delete(s.conns, c)
	s.connsMu.Unlock()
}

// hijackWriter hands gorilla a frameConn instead of the hijacked network
// connection, for writing the 101 response (see frameConn.extLine). Bytes the
// HTTP server had already read past the request (a client that sent frames
// without waiting for the response) are moved into the frameConn, the first
// bytes it parses, so gorilla sees an empty buffer.
type hijackWriter struct {
	http.ResponseWriter
	cfg     *config
	extLine string
	fc      *frameConn
}

func (h *hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	nc, brw, err := http.NewResponseController(h.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	fc := newFrameConn(nc, h.cfg)
	fc.extLine = h.extLine
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		fc.setPending(b)
		brw.Reader.Discard(n)
	}
	h.fc = fc
	return fc, brw, nil
}

// handshakeOnly is the write buffer pool of the gorilla connections that
// only write a 101 response: they never take a buffer from it, and with a
// pool they allocate none up front.
var handshakeOnly = &sync.Pool{}

// writeDenial answers a failed handshake like Autobahn: the reason is the
// reason phrase of the status line (and here also the body). Where the
// connection cannot be hijacked it falls back to http.Error.
func (s *Server) writeDenial(w http.ResponseWriter, d *denial) {
	reason := sanitizeReason(d.reason)
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		for _, kv := range d.header {
			w.Header().Set(kv[0], kv[1])
		}
		if name := s.serverName(); name != "" {
			w.Header().Set("Server", name)
		}
		http.Error(w, reason, d.status)
		return
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", d.status, reason)
	if name := s.serverName(); name != "" {
		fmt.Fprintf(&b, "Server: %s\r\n", sanitizeReason(name))
	}
	for _, kv := range d.header {
		fmt.Fprintf(&b, "%s: %s\r\n", kv[0], kv[1])
	}
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n", len(reason)+1, reason)
	conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	brw.Writer.WriteString(b.String())
	brw.Writer.Flush()
}

// sanitizeReason keeps a reason phrase on one line.
func sanitizeReason(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// serveStatus answers a plain GET: a 303 redirect to ?redirect=URL, or the
// status page (redirecting after ?after=N seconds if given).
func (s *Server) serveStatus(w http.ResponseWriter, params map[string][]string) *denial {
	if name := s.serverName(); name != "" {
		w.Header().Set("Server", name)
	}
	redirect := ""
	if vs := params["redirect"]; len(vs) > 0 {
		redirect = vs[0]
		if strings.ContainsAny(redirect, "\r\n") {
			return deny(http.StatusBadRequest, "invalid redirect URL")
		}
		vs := params["after"]
		if len(vs) == 0 {
			w.Header().Set("Location", redirect)
			w.WriteHeader(http.StatusSeeOther)
			return nil
		}
		after, err := strconv.Atoi(vs[0])
		if err != nil || after < 0 {
			return deny(http.StatusBadRequest, "invalid redirect delay \"%s\"", vs[0])
		}
		redirect = fmt.Sprintf(`<meta http-equiv="refresh" content="%d;URL='%s'">`, after, html.EscapeString(redirect))
	}
	page := fmt.Sprintf(statusPage, redirect, html.EscapeString(s.serverName()))
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	io.WriteString(w, page)
	return nil
}

const statusPage = `<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    %s
    <title>WebSocket endpoint</title>
  </head>
  <body>
    <h1>%s</h1>
    <p>This is a <b>WebSocket endpoint</b>, not a web server.</p>
    <p>Talk to it with the <a href="https://www.rfc-editor.org/rfc/rfc6455">WebSocket protocol</a>.</p>
  </body>
</html>
`

// Serve accepts connections on ln until ctx is done or ln fails; it then
// stops accepting and returns (nil after ctx is done). Established WebSocket
// connections are not affected; see CloseAll.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.init(); err != nil {
		return err
	}
	hs := s.httpServer()
	stop := context.AfterFunc(ctx, func() { hs.Close() })
	defer stop()
	err := hs.Serve(ln)
	if ctx.Err() != nil && errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("websocket: serve %s: %w", ln.Addr(), err)
}

func (s *Server) httpServer() *http.Server {
	hs := &http.Server{
		Handler:  s,
		ErrorLog: slog.NewLogLogger(s.Logger.Handler(), slog.LevelDebug),
	}
	if s.cfg.openTimeout > 0 {
		hs.ReadHeaderTimeout = s.cfg.openTimeout
	}
	return hs
}

// ListenAndServe listens on the TCP address addr and serves until ctx is
// done.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("websocket: listen %s: %w", addr, err)
	}
	return s.Serve(ctx, ln)
}

// ListenAndServe runs a WebSocket server on the TCP address addr until ctx
// is done: the shortest way to serve.
func ListenAndServe(ctx context.Context, addr string, newHandler func() ServerHandler, opts Options) error {
	return NewServer(newHandler, opts).ListenAndServe(ctx, addr)
}

// Listener is a listening Server, as returned by Listen.
type Listener struct {
	ln   net.Listener
	hs   *http.Server
	done chan struct{}
}

// Addr is the address the listener accepts connections on.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close stops accepting connections; established WebSocket connections are
// not affected.
func (l *Listener) Close() error {
	err := l.hs.Close()
	<-l.done
	return err
}

// Listen starts serving on network ("tcp", "tcp4", "tcp6", "unix") and
// address, with TLS if tlsConfig is not nil, and returns at once. It stops
// when ctx is done or Close is called.
func (s *Server) Listen(ctx context.Context, network, address string, tlsConfig *tls.Config) (*Listener, error) {
	if err := s.init(); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, network, address)
	if err != nil {
		return nil, fmt.Errorf("websocket: listen %s %s: %w", network, address, err)
	}
	if tlsConfig != nil {
		cfg := tlsConfig.Clone()
		cfg.NextProtos = []string{"http/1.1"}
		ln = tls.NewListener(ln, cfg)
	}
	l := &Listener{ln: ln, hs: s.httpServer(), done: make(chan struct{})}
	stop := context.AfterFunc(ctx, func() { l.hs.Close() })
	go func() {
		defer close(l.done)
		defer stop()
		l.hs.Serve(ln)
	}()
	return l, nil
}

// CloseAll starts the closing handshake with code 1001 (going away) on every
// open connection, including those whose opening handshake is under way,
// and waits until they are gone or ctx is done, when it drops the rest. Stop
// accepting connections first (Listener.Close, or the ctx of Serve), or new
// ones keep it waiting.
func (s *Server) CloseAll(ctx context.Context) error {
	if err := s.init(); err != nil {
		return err
	}
	for {
		s.connsMu.Lock()
		conns := make([]*Conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.connsMu.Unlock()
		if len(conns) == 0 && s.count.Load() == 0 {
			return nil
		}
		for _, c := range conns {
			c.sendCloseFrame(CloseGoingAway, "going away", false)
		}
		for _, c := range conns {
			done := c.Done()
			select {
			case <-done:
			case <-ctx.Done():
				c.Abort()
				<-done
			}
		}
		if len(conns) == 0 {
			// Handshakes under way: wait for them to register.
			select {
			case <-time.After(5 * time.Millisecond):
			case <-ctx.Done():
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}
