package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/router/metrics"
	"github.com/autobahn-go/autobahn/router/status"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// The HTTP side of "autobahn serve". The WebSocket listener is an
// http.Server of this command (rather than the ws:// listener of the
// transport registry) so that it can serve pages beside WAMP:
//
//	/ws                WAMP over WebSocket; a plain GET shows the WebSocket
//	                   server's status page, as before
//	--status-path      the router's status page (default /status; "" none)
//	--metrics-path     Prometheus metrics (default none)
//	any other path     a plain GET shows the WebSocket server's status page,
//	                   a WebSocket handshake gets 404 (as before)
//
// --metrics ADDR serves /metrics on a listener of its own, for a scraper
// that should not reach the WebSocket port (or the other way round).

// wsPath is where WAMP over WebSocket is served.
const wsPath = "/ws"

// webConfig is what the WebSocket listener serves besides WAMP.
type webConfig struct {
	statusPath, metricsPath string
}

// check rejects paths that are not plain absolute paths (http.ServeMux
// would read "GET /x" or "/{id}" as patterns) or that clash.
func (c webConfig) check() error {
	seen := map[string]string{wsPath: "WAMP"}
	for _, p := range []struct{ flag, path string }{{"--status-path", c.statusPath}, {"--metrics-path", c.metricsPath}} {
		if p.path == "" {
			continue
		}
		if !strings.HasPrefix(p.path, "/") || strings.ContainsAny(p.path, " \t{}") {
			return fmt.Errorf("%s %q: want an absolute URL path such as /status, or \"\" for none", p.flag, p.path)
		}
		if other, ok := seen[p.path]; ok {
			return fmt.Errorf("%s %q: that path already serves %s", p.flag, p.path, other)
		}
		seen[p.path] = p.flag
	}
	return nil
}

// pattern is the ServeMux pattern for exactly path ("/" alone would match
// every path).
func pattern(path string) string {
	if path == "/" {
		return "/{$}"
	}
	return path
}

// webHandler is the WebSocket listener's handler: WAMP at /ws and the
// pages of c.
func webHandler(r *router.Router, wamp http.Handler, metricsHandler http.Handler, c webConfig) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(wsPath, wamp)
	if c.statusPath != "" {
		mux.Handle(pattern(c.statusPath), status.NewHandler(r, status.Options{}))
	}
	if c.metricsPath != "" {
		mux.Handle(pattern(c.metricsPath), metricsHandler)
	}
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Upgrade") != "" {
			http.Error(w, fmt.Sprintf("no WAMP endpoint at path %q (it is at %s)", req.URL.Path, wsPath), http.StatusNotFound)
			return
		}
		wamp.ServeHTTP(w, req) // the WebSocket server's status page
	}))
	return mux
}

// webServer is one HTTP listener of the command.
type webServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// listenHTTP serves h on the TCP address addr until close. Its
// ReadHeaderTimeout is the WebSocket opening handshake timeout; there is no
// WriteTimeout, which would outlive the handshake on hijacked WebSocket
// connections.
func listenHTTP(ctx context.Context, addr string, h http.Handler, logger *slog.Logger) (*webServer, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &webServer{ln: ln, done: make(chan struct{}), srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: websocket.DefaultOpenHandshakeTimeout,
		IdleTimeout:       time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("autobahn serve: HTTP listener failed", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return s, nil
}

// Close stops accepting connections and closes idle HTTP ones; WebSocket
// connections (hijacked) stay until the router says GOODBYE.
func (s *webServer) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Addr implements core.Listener's Addr, for hostPortOf.
func (s *webServer) Addr() net.Addr { return s.ln.Addr() }

// listenWeb starts the WebSocket listener: WAMP at /ws and the pages of c.
func listenWeb(ctx context.Context, addr string, r *router.Router, metricsHandler http.Handler, c webConfig, logger *slog.Logger) (*webServer, error) {
	wamp, err := websocket.NewWAMPHandler(nil, core.TransportConfig{Options: websocket.WAMPOptions{Logger: logger}}, r.Accept)
	if err != nil {
		return nil, err
	}
	return listenHTTP(ctx, addr, webHandler(r, wamp, metricsHandler, c), logger)
}

// listenMetrics starts the --metrics listener: /metrics only.
func listenMetrics(ctx context.Context, addr string, metricsHandler http.Handler, logger *slog.Logger) (*webServer, error) {
	mux := http.NewServeMux()
	mux.Handle("/metrics", metricsHandler)
	return listenHTTP(ctx, addr, mux, logger)
}

// newMetricsHandler is the one /metrics handler of both listeners (one
// registry), or nil when neither serves metrics.
func newMetricsHandler(r *router.Router, addr, path string) http.Handler {
	if addr == "" && path == "" {
		return nil
	}
	return metrics.Handler(r)
}
