// Package loopback starts an embedded router on a loopback WebSocket port and
// joins Go sessions to it with JSON, as the cryptobox tests, interop tests
// and benchmarks need: real sockets and real serialization, so that the
// router sees only what a deployed router would. Only tests import it.
package loopback

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// Realm is the realm of the router.
const Realm = "realm1"

// wait bounds each step: listening, joining, closing.
const wait = 10 * time.Second

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Router serves a router with Realm on ws://127.0.0.1:0/ws until the test
// ends, its traffic recorded in tr when tr is not nil, and returns the URL.
func Router(tb testing.TB, tr *testpeer.Traffic) string {
	tb.Helper()
	r, err := router.New(router.Options{Realms: []string{Realm}, Logger: quiet})
	if err != nil {
		tb.Fatal(err)
	}
	accept := r.Accept
	if tr != nil {
		accept = tr.Wrap(accept)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	l, err := registry.Listen(ctx, "ws://127.0.0.1:0/ws", core.TransportConfig{}, accept)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
		l.Close()
	})
	return "ws://" + l.Addr().String() + "/ws"
}

// Join dials url with JSON and joins Realm with cfg (its Logger discards
// when unset); the session is closed when the test ends.
func Join(tb testing.TB, url string, cfg wamp.Config) *wamp.Session {
	tb.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s, err := wamp.Dial(ctx, url, core.TransportConfig{Serializers: []core.Serializer{json.Serializer}}, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		s.Close(ctx)
	})
	if _, err := s.Join(ctx, Realm, wamp.JoinOptions{}); err != nil {
		tb.Fatal(err)
	}
	return s
}
