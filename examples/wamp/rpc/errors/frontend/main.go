// Command frontend catches the errors of Autobahn's WAMP errors example
// (examples/*/wamp/rpc/errors/frontend.py): a failed call returns a
// *core.ApplicationError (errors.As gives its URI and payload), or the Go
// error type that wamp.DefineError maps to its URI.
//
//	go run ./examples/wamp/rpc/errors/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
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

// AppError1 is the error com.myapp.error1 maps to (Autobahn's
// @wamp.error("com.myapp.error1") class AppError1). Its payload is one
// positional argument, the difference, which the *core.ApplicationError in
// the same chain holds.
type AppError1 struct{}

func (*AppError1) Error() string { return "com.myapp.error1" }

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
	errs := &wamp.Errors{}
	if err := wamp.DefineError[*AppError1](errs, "com.myapp.error1"); err != nil {
		return err
	}
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{Errors: errs})
	if err != nil {
		return err
	}
	defer closeSession(s)
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		return err
	}

	// report prints a result, or the application error a call failed
	// with; any other failure (a lost connection) ends the program.
	report := func(res *wamp.Result, err error) error {
		var ae *core.ApplicationError
		switch {
		case err == nil:
			var v any
			if len(res.Args) > 0 {
				v = res.Args[0]
			}
			fmt.Println("Result:", show(v))
		case errors.As(err, &ae):
			fmt.Printf("Error: %s %s %s\n", ae.URI, show(ae.Args), show(ae.Kwargs))
		default:
			return err
		}
		return nil
	}

	// standard errors: wamp.error.runtime_error
	for _, x := range []int{2, 0, -2} {
		if err := report(s.Call(ctx, "com.myapp.sqrt", []any{x}, nil, wamp.CallOptions{})); err != nil {
			return err
		}
	}
	// application errors, with positional or keyword payloads
	for _, name := range []string{"foo", "a", strings.Repeat("*", 11), "Hello"} {
		if err := report(s.Call(ctx, "com.myapp.checkname", []any{name}, nil, wamp.CallOptions{})); err != nil {
			return err
		}
	}
	// a defined error
	_, err = s.Call(ctx, "com.myapp.compare", []any{3, 17}, nil, wamp.CallOptions{})
	var e1 *AppError1
	var ae *core.ApplicationError
	if !errors.As(err, &e1) || !errors.As(err, &ae) || len(ae.Args) == 0 {
		return fmt.Errorf("com.myapp.compare: %v, want com.myapp.error1 with the difference", err)
	}
	fmt.Printf("Compare Error: %v\n", ae.Args[0])
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
