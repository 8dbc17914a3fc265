// Command frontend of Autobahn's overview example
// (examples/*/wamp/overview/frontend.py): it listens on com.myapp.hello and
// calls com.myapp.add2(2, 3). Autobahn's frontend runs until interrupted;
// this one exits once it has the result and one event.
//
//	go run ./examples/wamp/overview/frontend --url ws://127.0.0.1:8080/ws --realm realm1
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

	// listen for the messages of the backend (of any session that
	// publishes to this topic)
	heard := make(chan struct{}, 1)
	onEvent := func(_ context.Context, ev *wamp.Event) {
		if len(ev.Args) > 0 {
			fmt.Println("Got event:", ev.Args[0])
		}
		select {
		case heard <- struct{}{}:
		default:
		}
	}
	if _, err := s.Subscribe(ctx, "com.myapp.hello", onEvent, core.SubscribeOptions{}); err != nil {
		return err
	}

	// call a remote procedure
	res, err := wamp.CallAs[int64](ctx, s, "com.myapp.add2", []any{2, 3}, nil, wamp.CallOptions{})
	if err != nil {
		return err
	}
	fmt.Println("Got result:", res)

	select {
	case <-heard:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.Done():
		return fmt.Errorf("the connection was lost")
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
