// Command backend provides com.myapp.square of Autobahn's WAMP options
// example (examples/*/wamp/rpc/options/backend.py): it squares a number,
// and tells the other sessions when someone asked for the square of a
// non-positive number by publishing it to com.myapp.square_on_nonpositive —
// for 0 to everyone except the caller, which needs to know who calls.
//
// Autobahn's handler gets the caller through details_arg; in Go a function
// that takes a *wamp.Invocation gets it in inv.Details.Caller. The
// registration asks the dealer to disclose every caller (disclose_caller,
// what Crossbar.io sets in its configuration), so that it works for
// callers that do not ask for disclosure themselves (Autobahn|Python
// 22.7.1 has no disclose_me).
//
//	go run ./examples/wamp/rpc/options/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

const topic = "com.myapp.square_on_nonpositive"

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
		square := func(ctx context.Context, inv *wamp.Invocation, val int64) (int64, error) {
			caller := inv.Details.Caller // 0: not disclosed
			if caller != 0 {
				fmt.Println("square called from:", caller)
			} else {
				fmt.Println("square called from: None")
			}
			var opts core.PublishOptions
			switch {
			case val < 0:
			case val == 0:
				if caller != 0 {
					opts.Exclude = []uint64{caller}
				}
			default:
				return val * val, nil
			}
			if _, err := s.Publish(ctx, topic, []any{val}, nil, opts); err != nil {
				return 0, err
			}
			return val * val, nil
		}
		disclose := true
		if _, err := s.RegisterFunc(ctx, "com.myapp.square", square, core.RegisterOptions{DiscloseCaller: &disclose}); err != nil {
			return err
		}
		fmt.Println("Registered com.myapp.square; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
