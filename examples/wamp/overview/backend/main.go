// Command backend of Autobahn's overview example
// (examples/*/wamp/overview/backend.py): it registers com.myapp.add2
// (x + y) and publishes "Hello, world!" to com.myapp.hello once a second.
//
//	go run ./examples/wamp/overview/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

func add2(x, y int64) int64 { return x + y }

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
		// a remote procedure: any WAMP client of any language, joined to the
		// same realm of the same router, can now call it
		reg, err := s.RegisterFunc(ctx, "com.myapp.add2", add2, core.RegisterOptions{})
		if err != nil {
			return err
		}
		fmt.Printf("registered 'com.myapp.add2' with id %d; ready for frontend.\n", reg.ID())

		// publish an event every second
		ticker := time.NewTicker(*interval)
		defer ticker.Stop()
		for {
			if _, err := s.Publish(ctx, "com.myapp.hello", []any{"Hello, world!"}, nil, core.PublishOptions{}); err != nil {
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
