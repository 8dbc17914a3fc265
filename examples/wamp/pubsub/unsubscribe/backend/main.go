// Command backend publishes a counter to com.myapp.topic1 once a second,
// for Autobahn's PubSub unsubscribe example
// (examples/*/wamp/pubsub/unsubscribe/backend.py).
//
//	go run ./examples/wamp/pubsub/unsubscribe/backend --url ws://127.0.0.1:8080/ws --realm realm1
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
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		fmt.Println("Joined; publishing to com.myapp.topic1; ready for frontend.")
		ticker := time.NewTicker(*interval)
		defer ticker.Stop()
		for counter := 0; ; counter++ {
			if _, err := s.Publish(ctx, "com.myapp.topic1", []any{counter}, nil, core.PublishOptions{}); err != nil {
				return err
			}
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
