// Command backend publishes the events of Autobahn's complex PubSub example
// (examples/*/wamp/pubsub/complex/backend.py) once a second: an event with
// no payload to com.myapp.heartbeat, and one with positional and keyword
// arguments to com.myapp.topic2:
//
//	[random 0..100, 23] {"c": "Hello", "d": {"counter": n, "foo": [1, 2, 3]}}
//
//	go run ./examples/wamp/pubsub/complex/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
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

// payload is the "d" keyword argument: wamp.Value turns a struct into the
// dictionary the serializers carry (its json tags name the keys).
type payload struct {
	Counter int   `json:"counter"`
	Foo     []int `json:"foo"`
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	interval := flag.Duration("interval", time.Second, "time between two rounds of events")
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
		fmt.Println("Joined; ready for frontend.")
		ticker := time.NewTicker(*interval)
		defer ticker.Stop()
		for counter := 0; ; counter++ {
			fmt.Println("publish: com.myapp.heartbeat")
			if _, err := s.Publish(ctx, "com.myapp.heartbeat", nil, nil, core.PublishOptions{}); err != nil {
				return err
			}
			fmt.Println("publish: com.myapp.topic2")
			args := []any{rand.IntN(101), 23}
			kwargs := map[string]any{"c": "Hello", "d": wamp.Value(payload{Counter: counter, Foo: []int{1, 2, 3}})}
			if _, err := s.Publish(ctx, "com.myapp.topic2", args, kwargs, core.PublishOptions{}); err != nil {
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
