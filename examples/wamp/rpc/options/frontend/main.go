// Command frontend calls com.myapp.square of Autobahn's WAMP options
// example (examples/*/wamp/rpc/options/frontend.py) for 2, 0 and -2,
// disclosing itself to the callee (CallOptions.DiscloseMe), and listens on
// com.myapp.square_on_nonpositive: it hears about -2, and not about 0,
// which the backend publishes to everyone but its caller.
//
//	go run ./examples/wamp/rpc/options/frontend --url ws://127.0.0.1:8080/ws --realm realm1
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

	heard := make(chan any, 10)
	onEvent := func(_ context.Context, ev *wamp.Event) {
		if len(ev.Args) > 0 {
			fmt.Println("Someone requested to square non-positive:", ev.Args[0])
			heard <- ev.Args[0]
		}
	}
	if _, err := s.Subscribe(ctx, "com.myapp.square_on_nonpositive", onEvent, core.SubscribeOptions{}); err != nil {
		return err
	}
	for _, val := range []int64{2, 0, -2} {
		res, err := wamp.CallAs[int64](ctx, s, "com.myapp.square", []any{val}, nil, wamp.CallOptions{DiscloseMe: true})
		if err != nil {
			return err
		}
		fmt.Printf("Squared %d = %d\n", val, res)
	}

	// The event about -2 was published before the result came back, and
	// its handler runs on its own goroutine: wait for it (a little).
	select {
	case <-heard:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("no event about -2")
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
