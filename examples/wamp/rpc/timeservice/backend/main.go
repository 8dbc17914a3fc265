// Command backend is the time service of Autobahn's WAMP examples
// (examples/*/wamp/rpc/timeservice/backend.py): it registers
// com.timeservice.now, which returns the current time in UTC as
// "2006-01-02T15:04:05Z" (Autobahn's "%Y-%m-%dT%H:%M:%SZ").
//
// It runs as an application runner (Autobahn's ApplicationRunner): it
// reconnects when the router goes away, and leaves the realm cleanly on
// SIGINT or SIGTERM.
//
//	go run ./examples/wamp/rpc/timeservice/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

// utcnow is the procedure: a plain Go function, registered with
// RegisterFunc (Autobahn registers a plain Python function the same way).
func utcnow() string {
	return time.Now().UTC().Format("2006-01-02T15:04:05Z")
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
		if _, err := s.RegisterFunc(ctx, "com.timeservice.now", utcnow, core.RegisterOptions{}); err != nil {
			return fmt.Errorf("register com.timeservice.now: %w", err)
		}
		fmt.Println("Registered com.timeservice.now; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
