// Command frontend calls the procedures of Autobahn's WAMP decorators
// example (examples/*/wamp/rpc/decorators/frontend.py):
// com.mathservice.add2, mul2 and div2, each with 2 and 3.
//
//	go run ./examples/wamp/rpc/decorators/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
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
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *realm); err != nil {
		fmt.Fprintln(os.Stderr, "Something went wrong:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, realm string) error {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{})
	if err != nil {
		return err
	}
	defer closeSession(s)
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		return err
	}

	for _, proc := range []string{"com.mathservice.add2", "com.mathservice.mul2", "com.mathservice.div2"} {
		// float64 takes integer results as well as div2's fraction.
		res, err := wamp.CallAs[float64](ctx, s, proc, []any{2, 3}, nil, wamp.CallOptions{})
		if err != nil {
			return err
		}
		fmt.Printf("%s: %v\n", proc, res)
	}
	return s.Leave(ctx, "", "")
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
