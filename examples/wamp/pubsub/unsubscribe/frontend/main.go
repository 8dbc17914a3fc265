// Command frontend of Autobahn's PubSub unsubscribe example
// (examples/*/wamp/pubsub/unsubscribe/frontend.py): it subscribes to
// com.myapp.topic1, unsubscribes after six events, waits five seconds,
// subscribes again for six more events, and leaves.
//
//	go run ./examples/wamp/pubsub/unsubscribe/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
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
	pause := flag.Duration("pause", 5*time.Second, "how long to stay unsubscribed")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *realm, *pause); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, realm string, pause time.Duration) error {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{})
	if err != nil {
		return err
	}
	defer closeSession(s)
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		return err
	}

	for run := 1; run <= 2; run++ {
		// Six events, then this run is over; events that are already on
		// their way before the unsubscription are ignored.
		received := 0
		done := make(chan struct{})
		var once sync.Once
		onEvent := func(_ context.Context, ev *wamp.Event) {
			if len(ev.Args) == 0 || received > 5 {
				return
			}
			fmt.Println("Got event:", ev.Args[0])
			received++
			if received > 5 {
				once.Do(func() { close(done) })
			}
		}
		sub, err := s.Subscribe(ctx, "com.myapp.topic1", onEvent, core.SubscribeOptions{})
		if err != nil {
			return err
		}
		fmt.Println("Subscribed with subscription ID", sub.ID())
		select {
		case <-done:
		case <-ctx.Done():
			return ctx.Err()
		case <-s.Done():
			return fmt.Errorf("the connection was lost")
		}
		if run == 2 {
			break
		}
		if err := sub.Unsubscribe(ctx); err != nil {
			return err
		}
		fmt.Printf("Unsubscribed .. continue in %v ..\n", pause)
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return ctx.Err()
		}
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
