// Command backend provides the long operation of Autobahn's WAMP
// progressive-results example (examples/*/wamp/rpc/progress/backend.py):
// com.myapp.longop(n) sends the progressive results 0 … n-1, one per
// interval, when the caller asked for them (receive_progress), and then
// returns n; for a caller that did not ask, it just takes n intervals.
//
//	go run ./examples/wamp/rpc/progress/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

// longop returns the procedure for one interval: a function that takes
// the *wamp.Invocation (Autobahn's details_arg) to see whether the caller
// wants progressive results, and to send them.
func longop(interval time.Duration) func(context.Context, *wamp.Invocation, int64) (int64, error) {
	return func(ctx context.Context, inv *wamp.Invocation, n int64) (int64, error) {
		wait := func(d time.Duration) error {
			select {
			case <-time.After(d):
				return nil
			case <-ctx.Done(): // the caller canceled, or the session left
				return ctx.Err()
			}
		}
		if p := inv.Details.ReceiveProgress; p != nil && *p {
			for i := range n {
				if err := inv.Progress(ctx, []any{i}, nil); err != nil {
					return 0, err
				}
				if err := wait(interval); err != nil {
					return 0, err
				}
			}
		} else if err := wait(time.Duration(n) * interval); err != nil {
			return 0, err
		}
		return n, nil
	}
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	interval := flag.Duration("interval", time.Second, "time between two progressive results")
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
		if _, err := s.RegisterFunc(ctx, "com.myapp.longop", longop(*interval), core.RegisterOptions{}); err != nil {
			return err
		}
		fmt.Println("Registered com.myapp.longop; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
