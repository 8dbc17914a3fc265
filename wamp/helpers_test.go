package wamp

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func TestMain(m *testing.M) {
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/wamp.", "autobahn/router.", "autobahn/transports/"))
}

// wait bounds every wait of the tests.
const wait = 10 * time.Second

var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// newRouter returns an embedded router with realm1, closed after the test.
func newRouter(t testing.TB) *router.Router {
	t.Helper()
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

// attach connects a session to r in process (no join).
func attach(t testing.TB, r *router.Router, cfg Config) *Session {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quietLogger
	}
	s := New(cfg)
	if _, err := r.Connect(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSession(s) })
	return s
}

// joined returns a session of r joined to realm1.
func joined(t testing.TB, r *router.Router, cfg Config) *Session {
	t.Helper()
	s := attach(t, r, cfg)
	if _, err := s.Join(testContext(t), "realm1", JoinOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func closeSession(s *Session) {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	s.Close(ctx)
	select {
	case <-s.Done():
	case <-ctx.Done():
	}
}

// listen serves r on url (port 0) and returns the URL to dial.
func listen(t testing.TB, r *router.Router, url string) string {
	t.Helper()
	l, err := registry.Listen(testContext(t), url, core.TransportConfig{}, r.Accept)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	scheme, path := "rs://", ""
	if url[:2] == "ws" {
		scheme, path = "ws://", "/ws"
	}
	return scheme + l.Addr().String() + path
}

// dialJoined dials url with serializer ser and joins realm1.
func dialJoined(t testing.TB, url string, ser core.Serializer) *Session {
	t.Helper()
	s, err := Dial(testContext(t), url, core.TransportConfig{Serializers: []core.Serializer{ser}}, Config{Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSession(s) })
	if _, err := s.Join(testContext(t), "realm1", JoinOptions{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func ptr[T any](v T) *T { return &v }
