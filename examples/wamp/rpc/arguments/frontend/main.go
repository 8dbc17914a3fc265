// Command frontend calls the procedures of Autobahn's WAMP arguments
// example (examples/*/wamp/rpc/arguments/frontend.py) with positional and
// keyword arguments, and prints the results (lists and dictionaries as
// JSON).
//
//	go run ./examples/wamp/rpc/arguments/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"encoding/json"
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

	// call calls procedure and returns its first positional result (nil
	// when there is none), as Autobahn's call does.
	call := func(procedure string, args []any, kwargs map[string]any) (any, error) {
		res, err := s.Call(ctx, procedure, args, kwargs, wamp.CallOptions{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", procedure, err)
		}
		if len(res.Args) == 0 {
			return nil, nil
		}
		return res.Args[0], nil
	}
	steps := []struct {
		label     string
		procedure string
		args      []any
		kwargs    map[string]any
	}{
		{"Add2", "com.arguments.add2", []any{2, 3}, nil},
		{"Starred 1", "com.arguments.stars", nil, nil},
		{"Starred 2", "com.arguments.stars", nil, map[string]any{"nick": "Homer"}},
		{"Starred 3", "com.arguments.stars", nil, map[string]any{"stars": 5}},
		{"Starred 4", "com.arguments.stars", nil, map[string]any{"nick": "Homer", "stars": 5}},
		{"Orders 1", "com.arguments.orders", []any{"coffee"}, nil},
		{"Orders 2", "com.arguments.orders", []any{"coffee"}, map[string]any{"limit": 10}},
		{"Arglen 1", "com.arguments.arglen", nil, nil},
		{"Arglen 2", "com.arguments.arglen", []any{1, 2, 3}, nil},
		{"Arglen 3", "com.arguments.arglen", nil, map[string]any{"a": 1, "b": 2, "c": 3}},
		{"Arglen 4", "com.arguments.arglen", []any{1, 2, 3}, map[string]any{"a": 1, "b": 2, "c": 3}},
	}

	if _, err := call("com.arguments.ping", nil, nil); err != nil {
		return err
	}
	fmt.Println("Pinged!")
	for _, st := range steps {
		res, err := call(st.procedure, st.args, st.kwargs)
		if err != nil {
			return err
		}
		fmt.Printf("%s: %s\n", st.label, show(res))
	}
	return s.Leave(ctx, "", "")
}

// show prints strings as they are and anything else as JSON.
func show(v any) string {
	if s, ok := v.(string); ok {
		return s
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
