// Command backend of Autobahn's retained-events example
// (examples/twisted/wamp/pubsub/retained/backend.py): it publishes one
// event to com.example.history and one to com.example.no_history_here,
// each retained by the broker (retain) and acknowledged, and stays joined.
// A subscriber that asks for the retained event (get_retained) receives
// the latest one at once, even after this program has gone.
//
//	go run ./examples/wamp/pubsub/retained/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

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
	yes := true
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		fmt.Println("session attached", s.ID())
		for _, topic := range []string{"com.example.history", "com.example.no_history_here"} {
			fmt.Printf("publishing '%s' as retained event\n", topic)
			id, err := s.Publish(ctx, topic, []any{fmt.Sprintf("some data, topic was '%s'", topic)}, nil,
				core.PublishOptions{Retain: &yes, Acknowledge: &yes})
			if err != nil {
				return err
			}
			fmt.Println("published:", id)
		}
		fmt.Println("Published the retained events; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
