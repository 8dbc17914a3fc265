// Command component is the WAMP application component of Autobahn's
// README ("Show me some code!"), which does all four things WAMP offers:
//
//  1. subscribe to a topic (com.myapp.hello) to receive events,
//  2. publish an event ("Hello, world!" to com.myapp.hello),
//  3. register a procedure for remote calling (com.myapp.add2: x + y),
//  4. call a remote procedure (com.myapp.add2(2, 3)).
//
// It is a wamp.Component (Autobahn's Component): the subscription and the
// registration are declared once and made again on every session after a
// reconnection, and Main runs once joined; the component ends when Main
// returns.
//
// A publisher does not receive its own events by default (exclude_me), so
// Autobahn's component only hears the events of others; this one
// publishes with ExcludeMe false to hear its own, and exits once it has
// the event and the result. (Do not run it beside overview/backend, which
// registers com.myapp.add2 too.)
//
//	go run ./examples/wamp/overview/component --url ws://127.0.0.1:8080/ws --realm realm1
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
	c := &wamp.Component{
		Transports: []wamp.Transport{{URL: url}},
		Realm:      realm,
	}

	// 1. subscribe to a topic so we receive events
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
	if err := c.Subscribe(ctx, "com.myapp.hello", onEvent, core.SubscribeOptions{}); err != nil {
		return err
	}

	// 3. register a procedure for remote calling
	add2, err := wamp.Func(func(x, y int64) int64 { return x + y })
	if err != nil {
		return err
	}
	if err := c.Register(ctx, "com.myapp.add2", add2, core.RegisterOptions{}); err != nil {
		return err
	}

	c.Main = func(ctx context.Context, s *wamp.Session) error {
		// 2. publish an event to a topic (to ourselves too)
		no := false
		if _, err := s.Publish(ctx, "com.myapp.hello", []any{"Hello, world!"}, nil, core.PublishOptions{ExcludeMe: &no}); err != nil {
			return err
		}

		// 4. call a remote procedure
		res, err := wamp.CallAs[int64](ctx, s, "com.myapp.add2", []any{2, 3}, nil, wamp.CallOptions{})
		if err != nil {
			return err
		}
		fmt.Println("Got result:", res)

		select {
		case <-heard:
			return nil
		case <-time.After(10 * time.Second):
			return fmt.Errorf("our own event did not come back")
		case <-ctx.Done():
			return nil
		}
	}
	return c.Run(ctx)
}
