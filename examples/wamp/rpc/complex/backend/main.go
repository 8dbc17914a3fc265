// Command backend provides the procedures of Autobahn's WAMP complex-result
// example (examples/*/wamp/rpc/complex/backend.py):
//
//	com.myapp.add_complex(a, ai, b, bi) → keyword results {c: a+b, ci: ai+bi}
//	com.myapp.split_name(fullname)      → two positional results [forename, surname]
//
// Autobahn returns a CallResult for both; in Go a function returns a
// *wamp.Result for keyword results, and several values for several
// positional results.
//
//	go run ./examples/wamp/rpc/complex/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func addComplex(a, ai, b, bi int64) *wamp.Result {
	return &wamp.Result{Kwargs: map[string]any{"c": a + b, "ci": ai + bi}}
}

func splitName(fullname string) (string, string, error) {
	parts := strings.Fields(fullname)
	if len(parts) != 2 {
		return "", "", fmt.Errorf("%q is not a forename and a surname", fullname)
	}
	return parts[0], parts[1], nil
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
		if _, err := s.RegisterFunc(ctx, "com.myapp.add_complex", addComplex, core.RegisterOptions{}); err != nil {
			return err
		}
		if _, err := s.RegisterFunc(ctx, "com.myapp.split_name", splitName, core.RegisterOptions{}); err != nil {
			return err
		}
		fmt.Println("Registered com.myapp.add_complex and com.myapp.split_name; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
