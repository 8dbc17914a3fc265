// Command frontend receives the events of Autobahn's PubSub options example
// (examples/*/wamp/pubsub/options/frontend.py) with their details (Autobahn's
// details_arg: here every wamp.Event carries them): the publication ID and,
// when disclosed, the publisher's session ID. It leaves after the sixth.
//
//	go run ./examples/wamp/pubsub/options/frontend --url ws://127.0.0.1:8080/ws --realm realm1
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

	received := 0
	done := make(chan struct{})
	onEvent := func(_ context.Context, ev *wamp.Event) {
		if len(ev.Args) == 0 || received > 5 {
			return
		}
		publisher := "None"
		if ev.Details.Publisher != 0 {
			publisher = fmt.Sprint(ev.Details.Publisher)
		}
		fmt.Printf("Got event, publication ID %d, publisher %s: %v\n", ev.Publication, publisher, ev.Args[0])
		received++
		if received > 5 {
			close(done)
		}
	}
	if _, err := s.Subscribe(ctx, "com.myapp.topic1", onEvent, core.SubscribeOptions{}); err != nil {
		return err
	}
	select {
	case <-done:
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
