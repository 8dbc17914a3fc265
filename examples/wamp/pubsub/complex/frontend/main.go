// Command frontend receives the events of Autobahn's complex PubSub example
// (examples/*/wamp/pubsub/complex/frontend.py) for five seconds: heartbeats
// with no payload (it prints their publication IDs) and events with
// positional and keyword arguments on com.myapp.topic2 (dictionaries
// printed as JSON).
//
//	go run ./examples/wamp/pubsub/complex/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	duration := flag.Duration("duration", 5*time.Second, "how long to listen")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *realm, *duration); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, realm string, duration time.Duration) error {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{})
	if err != nil {
		return err
	}
	defer closeSession(s)
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		return err
	}

	onHeartbeat := func(_ context.Context, ev *wamp.Event) {
		fmt.Printf("Got heartbeat (publication ID %d)\n", ev.Publication)
	}
	if _, err := s.Subscribe(ctx, "com.myapp.heartbeat", onHeartbeat, core.SubscribeOptions{}); err != nil {
		return err
	}
	onTopic2 := func(_ context.Context, ev *wamp.Event) {
		var a, b any
		if len(ev.Args) >= 2 {
			a, b = ev.Args[0], ev.Args[1]
		}
		fmt.Printf("Got event: %v %v %s %s\n", show(a), show(b), show(ev.Kwargs["c"]), show(ev.Kwargs["d"]))
	}
	if _, err := s.Subscribe(ctx, "com.myapp.topic2", onTopic2, core.SubscribeOptions{}); err != nil {
		return err
	}

	select {
	case <-time.After(duration):
	case <-ctx.Done():
		return ctx.Err()
	case <-s.Done():
		return fmt.Errorf("the connection was lost")
	}
	return s.Leave(ctx, "", "")
}

// show prints strings as they are and anything else as JSON.
func show(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
