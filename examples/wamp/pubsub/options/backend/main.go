// Command backend publishes with the options of Autobahn's PubSub options
// example (examples/*/wamp/pubsub/options/backend.py): once a second a
// counter to com.myapp.topic1, acknowledged (Publish returns the
// publication ID) and not excluding itself (exclude_me=False), so that its
// own subscription to the topic receives it too. It also discloses itself
// to the subscribers (disclose_me, which Crossbar.io may set in its
// configuration instead).
//
//	go run ./examples/wamp/pubsub/options/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
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
	interval := flag.Duration("interval", time.Second, "time between two events")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	runner := &wamp.Runner{
		URL:           *url,
		Realm:         *realm,
		AutoReconnect: true,
		Session: wamp.Config{OnLeave: func(_ *wamp.Session, reason, _ string) {
			fmt.Println("Left the realm:", reason)
		}},
	}
	yes, no := true, false
	opts := core.PublishOptions{Acknowledge: &yes, ExcludeMe: &no, DiscloseMe: &yes}
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		onEvent := func(_ context.Context, ev *wamp.Event) {
			if len(ev.Args) > 0 {
				fmt.Println("Got event:", ev.Args[0])
			}
		}
		if _, err := s.Subscribe(ctx, "com.myapp.topic1", onEvent, core.SubscribeOptions{}); err != nil {
			return err
		}
		fmt.Println("Subscribed to com.myapp.topic1; ready for frontend.")
		ticker := time.NewTicker(*interval)
		defer ticker.Stop()
		for counter := 0; ; counter++ {
			id, err := s.Publish(ctx, "com.myapp.topic1", []any{counter}, nil, opts)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			fmt.Println("Event published with publication ID", id)
			select {
			case <-ticker.C:
			case <-ctx.Done():
				return nil
			case <-s.Done():
				return nil
			}
		}
	})
	if err != nil {
		log.Fatal(err)
	}
}
