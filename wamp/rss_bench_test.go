package wamp

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// routerURLEnv names, for the child processes of
// BenchmarkIdleClientSessionRSS, the URL of the router that the benchmark
// runs in the parent.
const routerURLEnv = "AUTOBAHN_BENCH_ROUTER_URL_"

// The client children: each "open" dials and joins one Session.
func init() {
	for _, scheme := range []string{"ws", "rs"} {
		testpeer.RSSChild("client-"+scheme, testpeer.RSSServer{Open: func(accept core.Acceptor) (core.Transport, error) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Dial(ctx, os.Getenv(routerURLEnv+scheme), core.TransportConfig{Serializers: []core.Serializer{json.Serializer}}, Config{Logger: quietLogger})
			if err != nil {
				return nil, err
			}
			if _, err := s.Join(ctx, "realm1", JoinOptions{}); err != nil {
				return nil, err
			}
			accept(s.t).OnOpen(s.t) // counts the session as opened
			return s.t, nil
		}})
	}
}

// BenchmarkIdleClientSessionRSS reports what an idle joined client Session
// costs its process, over 2,000 sessions joined to a router in the
// benchmark's process, over WebSocket and RawSocket with JSON: rss-B/conn
// is the growth of the client process's RSS (the target is 10 KiB). It
// runs once whatever -benchtime.
func BenchmarkIdleClientSessionRSS(b *testing.B) {
	if err := testpeer.RaiseFileLimit(2*testpeer.IdleConns + 100); err != nil {
		b.Skip(err)
	}
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Logger: quietLogger})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close(context.Background())
	for _, tc := range []struct{ name, scheme, listen string }{
		{"websocket", "ws", "ws://127.0.0.1:0/ws"},
		{"rawsocket", "rs", "rs://127.0.0.1:0"},
	} {
		l, err := registry.Listen(context.Background(), tc.listen, core.TransportConfig{}, r.Accept)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		url := tc.scheme + "://" + l.Addr().String()
		if tc.scheme == "ws" {
			url += "/ws"
		}
		os.Setenv(routerURLEnv+tc.scheme, url)
		b.Run(tc.name, func(b *testing.B) { testpeer.BenchIdleRSS(b, "client-"+tc.scheme, nil) })
	}
}
