package wamp_test

import (
	"context"
	"fmt"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"
)

// A callee and a caller joined to an embedded router, in process. Over the
// network, wamp.Dial(ctx, "ws://127.0.0.1:8080/ws", core.TransportConfig{},
// wamp.Config{}) gives the same Session.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, _ := router.New(router.Options{Realms: []string{"realm1"}})
	defer r.Close(ctx)

	join := func() *wamp.Session {
		s := wamp.New(wamp.Config{})
		if _, err := r.Connect(s); err != nil {
			panic(err)
		}
		if _, err := s.Join(ctx, "realm1", wamp.JoinOptions{}); err != nil {
			panic(err)
		}
		return s
	}
	callee, caller := join(), join()
	defer callee.Close(ctx)
	defer caller.Close(ctx)

	_, err := callee.Register(ctx, "com.example.add2", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		a, _ := inv.Args[0].(int64)
		b, _ := inv.Args[1].(int64)
		return &wamp.Result{Args: []any{a + b}}, nil
	}, core.RegisterOptions{})
	if err != nil {
		panic(err)
	}
	res, err := caller.Call(ctx, "com.example.add2", []any{int64(2), int64(3)}, nil, wamp.CallOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Println("2 + 3 =", res.Args[0])
	// Output: 2 + 3 = 5
}
