package node

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router/status"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// defaultReadHeaderTimeout bounds the reading of a request's header when
// no WebSocket route sets a longer open_handshake_timeout: Autobahn's
// default open handshake timeout.
const defaultReadHeaderTimeout = 5 * time.Second

// webMux routes HTTP requests as Crossbar.io's web transport does: by the
// first component of the path ("/ws/x" goes to the route "ws"), and to the
// root route "/" when no route has that name.
type webMux struct {
	routes map[string]http.Handler
	web    WebOptions
	logger *slog.Logger
}

func (m *webMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil {
		if c, ok := r.Context().Value(tlsStateKey{}).(*tls.Conn); ok {
			st := c.ConnectionState()
			r.TLS = &st
		}
	}
	if m.web.AccessLog {
		m.logger.Info("web: request", "method", r.Method, "path", r.URL.Path, "peer", r.RemoteAddr, "user_agent", r.UserAgent())
	}
	if m.web.HSTS && r.TLS != nil {
		w.Header().Set("Strict-Transport-Security", fmt.Sprintf("max-age=%d", int64(m.web.HSTSMaxAge/time.Second)))
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	h, ok := m.routes[first]
	if !ok || first == "" {
		h, ok = m.routes["/"]
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	h.ServeHTTP(w, r)
}

// handler builds the HTTP handler of a listener's routes; nil when it has
// none.
func (n *Node) handler(s *server) (http.Handler, error) {
	l := s.cfg
	if len(l.Routes) == 0 {
		return nil, nil
	}
	m := &webMux{routes: make(map[string]http.Handler, len(l.Routes)), web: l.Web, logger: n.logger}
	for _, r := range l.Routes {
		prefix := "/" + r.Name
		if r.Name == "/" {
			prefix = ""
		}
		switch {
		case r.Static != nil:
			m.routes[r.Name] = newStaticHandler(r.Static, prefix)
		case r.NodeInfo:
			m.routes[r.Name] = status.NewHandler(n.Router, status.Options{})
		case r.WebSocket != nil:
			o := r.WebSocket.Options
			o.Logger = n.logger
			cfg := core.TransportConfig{Serializers: r.WebSocket.Serializers, Options: o}
			ws, err := websocket.NewWAMPHandler(nil, cfg, n.Router.Acceptor(r.WebSocket.Auth...))
			if err != nil {
				return nil, fmt.Errorf("path %s: %w", r.Name, err)
			}
			s.wamp = append(s.wamp, ws)
			m.routes[r.Name] = ws
		}
	}
	return m, nil
}

// tlsStateKey carries the *tls.Conn of a universal transport's connection
// to the handler: the connection net/http serves is then a wrapper that
// replays the byte that was peeked, so http.Request.TLS is not set.
type tlsStateKey struct{}

// httpServer is the HTTP server of a listener.
func (n *Node) httpServer(l *Listener, h http.Handler) *http.Server {
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout(l),
		IdleTimeout:       l.Web.ClientTimeout,
		ErrorLog:          slog.NewLogLogger(n.logger.Handler(), slog.LevelDebug),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			if pc, ok := c.(*peekedTLSConn); ok {
				return context.WithValue(ctx, tlsStateKey{}, pc.tls)
			}
			return ctx
		},
	}
	if h == nil {
		hs.Handler = http.NotFoundHandler()
	}
	return hs
}

// readHeaderTimeout is the longest open handshake timeout of the
// listener's WebSocket routes (a mounted WebSocket server leaves reading
// the request to net/http), at least the default; 0 when one has none.
func readHeaderTimeout(l *Listener) time.Duration {
	d := defaultReadHeaderTimeout
	for _, r := range l.Routes {
		if r.WebSocket == nil {
			continue
		}
		switch t := r.WebSocket.Options.WebSocket.OpenHandshakeTimeout; {
		case t < 0:
			return 0
		case t > d:
			d = t
		}
	}
	return d
}
