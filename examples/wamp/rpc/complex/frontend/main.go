// Command frontend calls the procedures of Autobahn's WAMP complex-result
// example (examples/*/wamp/rpc/complex/frontend.py) and reads their keyword
// and positional results.
//
//	go run ./examples/wamp/rpc/complex/frontend --url ws://127.0.0.1:8080/ws --realm realm1
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

// complexNumber receives the keyword results of com.myapp.add_complex.
type complexNumber struct {
	C  int64 `json:"c"`
	CI int64 `json:"ci"`
}

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

	// A result with keyword results only converts to a struct.
	c, err := wamp.CallAs[complexNumber](ctx, s, "com.myapp.add_complex", []any{2, 3, 4, 5}, nil, wamp.CallOptions{})
	if err != nil {
		return err
	}
	fmt.Printf("Result: %d + %di\n", c.C, c.CI)

	// Several positional results: read them from the Result.
	res, err := s.Call(ctx, "com.myapp.split_name", []any{"Homer Simpson"}, nil, wamp.CallOptions{})
	if err != nil {
		return err
	}
	if len(res.Args) != 2 {
		return fmt.Errorf("com.myapp.split_name: %d results, want 2", len(res.Args))
	}
	fmt.Printf("Forname: %v, Surname: %v\n", res.Args[0], res.Args[1])
	return s.Leave(ctx, "", "")
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
