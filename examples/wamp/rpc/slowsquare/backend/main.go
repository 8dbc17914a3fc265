// Command backend is the math service of Autobahn's WAMP examples
// (examples/*/wamp/rpc/slowsquare/backend.py): com.math.square(x) returns
// x*x at once, com.math.slowsquare(x, delay=1) returns it after delay
// seconds. Every invocation runs on its own goroutine, so a slow square
// never holds up a quick one.
//
//	go run ./examples/wamp/rpc/slowsquare/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

func square(x int64) int64 { return x * x }

// slowsquare takes an optional second argument, the delay in seconds
// (default 1), as Autobahn's slowsquare(x, delay=1): a variadic parameter
// makes a positional argument optional. The context ends when the caller
// cancels or the session leaves.
func slowsquare(ctx context.Context, x int64, delay ...float64) (int64, error) {
	d := 1.0
	if len(delay) > 0 {
		d = delay[0]
	}
	select {
	case <-time.After(time.Duration(d * float64(time.Second))):
		return x * x, nil
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

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
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		if _, err := s.RegisterFunc(ctx, "com.math.square", square, core.RegisterOptions{}); err != nil {
			return err
		}
		if _, err := s.RegisterFunc(ctx, "com.math.slowsquare", slowsquare, core.RegisterOptions{}); err != nil {
			return err
		}
		fmt.Println("Registered com.math.square and com.math.slowsquare; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
