// Command frontend of Autobahn's retained-events example
// (examples/twisted/wamp/pubsub/retained/frontend.py): it subscribes to
// com.example.no_history_here and com.example.history asking for their
// retained events (get_retained), prints them as they arrive, and exits
// once it has both (or after --wait).
//
// Autobahn's frontend then reads the event history of com.example.history
// with the WAMP meta API (wamp.subscription.get_events, a Crossbar.io
// feature configured per topic); this one tries it too and says so when
// the router does not provide it.
//
//	go run ./examples/wamp/pubsub/retained/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"encoding/json"
	"errors"
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

var topics = []string{"com.example.no_history_here", "com.example.history"}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	wait := flag.Duration("wait", 10*time.Second, "how long to wait for the retained events")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *realm, *wait); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, realm string, wait time.Duration) error {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{})
	if err != nil {
		return err
	}
	defer closeSession(s)
	d, err := s.Join(ctx, realm, wamp.JoinOptions{})
	if err != nil {
		return err
	}
	fmt.Println("session attached", d.Session)

	got := make(chan string, 2*len(topics))
	gotEvent := func(_ context.Context, ev *wamp.Event) {
		retained := ev.Details.Retained != nil && *ev.Details.Retained
		fmt.Printf("got_event(): topic=%s retained=%t args=%s, kwargs=%s\n", ev.Topic, retained, show(ev.Args), show(ev.Kwargs))
		got <- ev.Topic
	}
	yes := true
	var last *wamp.Subscription
	for _, topic := range topics {
		fmt.Printf("subscribing to '%s'\n", topic)
		last, err = s.Subscribe(ctx, topic, gotEvent, core.SubscribeOptions{GetRetained: &yes})
		if err != nil {
			return err
		}
		fmt.Printf("id=%d\n", last.ID())
	}

	timeout := time.After(wait)
	for seen := map[string]bool{}; len(seen) < len(topics); {
		select {
		case topic := <-got:
			seen[topic] = true
		case <-timeout:
			return fmt.Errorf("no retained events on %v after %v", topics, wait)
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	res, err := s.Call(ctx, "wamp.subscription.get_events", []any{last.ID()}, nil, wamp.CallOptions{})
	var ae *core.ApplicationError
	switch {
	case err == nil:
		fmt.Println("Using the WAMP Meta API:")
		fmt.Printf("wamp.subscription.get_events %d: %s\n", last.ID(), show(res.Args))
	case errors.As(err, &ae):
		fmt.Printf("The WAMP Meta API is not available here: %s\n", ae.URI)
	default:
		return err
	}
	return s.Leave(ctx, "", "")
}

// show prints strings as they are and anything else as JSON (an absent
// list as [], an absent dictionary as {}).
func show(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if v == nil {
			return "[]"
		}
	case map[string]any:
		if v == nil {
			return "{}"
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
