// Command frontend consumes the progressive results of Autobahn's WAMP
// progressive-results example (examples/*/wamp/rpc/progress/frontend.py):
// it calls com.myapp.longop(3) with an OnProgress callback, which prints
// each progressive result before the call returns the final one.
//
//	go run ./examples/wamp/rpc/progress/frontend --url ws://127.0.0.1:8080/ws --realm realm1
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
		fmt.Fprintln(os.Stderr, "Error:", err)
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

	onProgress := func(p *wamp.Result) {
		if len(p.Args) > 0 {
			fmt.Println("Progress:", p.Args[0])
		}
	}
	n, err := wamp.CallAs[int64](ctx, s, "com.myapp.longop", []any{3}, nil, wamp.CallOptions{OnProgress: onProgress})
	if err != nil {
		return err
	}
	fmt.Println("Final:", n)
	return s.Leave(ctx, "", "")
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
