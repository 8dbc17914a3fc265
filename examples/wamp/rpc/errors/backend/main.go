// Command backend raises the errors of Autobahn's WAMP errors example
// (examples/*/wamp/rpc/errors/backend.py):
//
//	com.myapp.sqrt(x)        a plain Go error (x = 0, x < 0) reaches the caller
//	                         as wamp.error.runtime_error with the message
//	com.myapp.checkname(name) *core.ApplicationError values reach the caller as
//	                         they are: com.myapp.error.reserved,
//	                         com.myapp.error.mixed_case (positional payload),
//	                         com.myapp.error.invalid_length (keyword payload)
//	com.myapp.compare(a, b)  returns *AppError1, mapped to com.myapp.error1 with
//	                         wamp.DefineError (Autobahn's @wamp.error and
//	                         session.define)
//
//	go run ./examples/wamp/rpc/errors/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// AppError1 is Autobahn's AppError1, defined for com.myapp.error1: the
// difference b - a that made compare fail.
//
// A defined error travels as its message (the first positional argument)
// and its exported fields (keyword arguments). Autobahn builds the
// exception of a defined URI from the payload (AppError1(*args,
// **kwargs)), and its AppError1 takes no keyword arguments: so this type
// keeps the difference in an unexported field, and its message is the
// difference, as str(AppError1(14)) is "14" in Python.
type AppError1 struct {
	diff int64
}

func (e *AppError1) Error() string { return strconv.FormatInt(e.diff, 10) }

func sqrt(x float64) (float64, error) {
	switch {
	case x == 0:
		return 0, errors.New("don't ask foolish questions;)")
	case x < 0:
		return 0, errors.New("math domain error") // what Python's math.sqrt raises
	}
	return math.Sqrt(x), nil
}

func checkname(name string) error {
	if name == "foo" || name == "bar" {
		return core.NewApplicationError("com.myapp.error.reserved")
	}
	if strings.ToLower(name) != strings.ToUpper(name) {
		// positional arguments in the error
		return core.NewApplicationError("com.myapp.error.mixed_case", strings.ToLower(name), strings.ToUpper(name))
	}
	if n := len([]rune(name)); n < 3 || n > 10 {
		// keyword arguments in the error
		return &core.ApplicationError{URI: "com.myapp.error.invalid_length", Kwargs: map[string]any{"min": 3, "max": 10}}
	}
	return nil
}

func compare(a, b int64) error {
	if a < b {
		return &AppError1{diff: b - a}
	}
	return nil
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	errs := &wamp.Errors{}
	if err := wamp.DefineError[*AppError1](errs, "com.myapp.error1"); err != nil {
		log.Fatal(err)
	}
	runner := &wamp.Runner{
		URL:           *url,
		Realm:         *realm,
		AutoReconnect: true,
		Session: wamp.Config{
			Errors: errs,
			OnLeave: func(_ *wamp.Session, reason, _ string) {
				fmt.Println("Left the realm:", reason)
			},
			// A handler's plain error goes to the caller as
			// wamp.error.runtime_error, and here.
			OnUserError: func(_ *wamp.Session, err error) {
				fmt.Println("Procedure failed:", err)
			},
		},
	}
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		for proc, fn := range map[string]any{
			"com.myapp.sqrt":      sqrt,
			"com.myapp.checkname": checkname,
			"com.myapp.compare":   compare,
		} {
			if _, err := s.RegisterFunc(ctx, proc, fn, core.RegisterOptions{}); err != nil {
				return fmt.Errorf("register %s: %w", proc, err)
			}
		}
		fmt.Println("Registered com.myapp.sqrt, com.myapp.checkname and com.myapp.compare; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
