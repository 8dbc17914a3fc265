// Command backend provides the procedures of Autobahn's WAMP arguments
// example (examples/*/wamp/rpc/arguments/backend.py), each taking its
// arguments in another way:
//
//	com.arguments.ping()                          no arguments, no result
//	com.arguments.add2(a, b)                      two positional arguments
//	com.arguments.stars(nick="somebody", stars=0) keyword arguments with defaults
//	com.arguments.orders(product, limit=5)        positional and keyword arguments
//	com.arguments.arglen(*args, **kwargs)         anything: [len(args), len(kwargs)]
//
// The first four are plain Go functions (RegisterFunc converts the
// arguments to the parameters, and keyword arguments to a last struct
// parameter); arglen is a raw wamp.Handler that sees the invocation as it
// came.
//
//	go run ./examples/wamp/rpc/arguments/backend --url ws://127.0.0.1:8080/ws --realm realm1
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

func ping() {}

func add2(a, b int64) int64 { return a + b }

// starsArgs are the keyword arguments of stars; a key that is absent leaves
// its field nil, so that the defaults apply.
type starsArgs struct {
	Nick  *string `json:"nick"`
	Stars *int64  `json:"stars"`
}

func stars(kw starsArgs) string {
	nick, n := "somebody", int64(0)
	if kw.Nick != nil {
		nick = *kw.Nick
	}
	if kw.Stars != nil {
		n = *kw.Stars
	}
	return fmt.Sprintf("%s starred %dx", nick, n)
}

type ordersArgs struct {
	Limit *int `json:"limit"`
}

// orders returns one list (a single positional result, as Autobahn
// returns a Python list).
func orders(product string, kw ordersArgs) []string {
	limit := 5
	if kw.Limit != nil {
		limit = max(0, min(*kw.Limit, 50))
	}
	all := make([]string, 50)
	for i := range all {
		all[i] = fmt.Sprintf("Product %d", i)
	}
	return all[:limit]
}

// arglen takes whatever comes: a raw handler reads the invocation itself.
func arglen(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
	return &wamp.Result{Args: []any{[]any{int64(len(inv.Args)), int64(len(inv.Kwargs))}}}, nil
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
		for proc, fn := range map[string]any{
			"com.arguments.ping":   ping,
			"com.arguments.add2":   add2,
			"com.arguments.stars":  stars,
			"com.arguments.orders": orders,
		} {
			if _, err := s.RegisterFunc(ctx, proc, fn, core.RegisterOptions{}); err != nil {
				return fmt.Errorf("register %s: %w", proc, err)
			}
		}
		if _, err := s.Register(ctx, "com.arguments.arglen", arglen, core.RegisterOptions{}); err != nil {
			return fmt.Errorf("register com.arguments.arglen: %w", err)
		}
		fmt.Println("Registered methods; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
