// Command frontend is the authenticated component of Autobahn's Component
// example (examples/asyncio/wamp/component/frontend.py): a wamp.Component
// that authenticates with WAMP-CRA as "bob" (secret "p4ssw0rd", role
// "dynamic_authed"), or with a ticket, calls example.foo and exits.
//
// Autobahn's frontend also checks the router's authorization (registering
// com.foo.private must fail); that needs Crossbar.io's dynamic authorizer
// and is left out here.
//
// The router must know the user: Crossbar.io with a wampcra (or ticket)
// authenticator for the realm. The router of `autobahn serve` does not
// authenticate yet: give --secret "" to join it anonymously.
//
//	go run ./examples/wamp/auth/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

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
	authid := flag.String("authid", "bob", "authentication ID")
	authrole := flag.String("authrole", "dynamic_authed", "authentication role to ask for")
	secret := flag.String("secret", "p4ssw0rd", "WAMP-CRA secret (empty: no WAMP-CRA)")
	ticket := flag.String("ticket", "", "WAMP-Ticket ticket (used instead of WAMP-CRA when set)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	join := wamp.JoinOptions{AuthID: *authid, AuthRole: *authrole}
	switch {
	case *ticket != "":
		join.Authenticators = []wamp.Authenticator{wamp.Ticket(*ticket)}
	case *secret != "":
		join.Authenticators = []wamp.Authenticator{wamp.WAMPCRA(*secret)}
	default:
		join = wamp.JoinOptions{} // anonymous
	}
	c := &wamp.Component{
		Transports: []wamp.Transport{{URL: *url}},
		Realm:      *realm,
		Join:       join,
		Main: func(ctx context.Context, s *wamp.Session) error {
			d := s.Details()
			fmt.Printf("Client session=%d authid=%s authrole=%s authmethod=%s\n", d.Session, d.AuthID, d.AuthRole, d.AuthMethod)
			fmt.Println("calling 'example.foo'")
			res, err := s.Call(ctx, "example.foo", nil, nil, wamp.CallOptions{})
			if err != nil {
				return err
			}
			var v any
			if len(res.Args) > 0 {
				v = res.Args[0]
			}
			fmt.Printf("example.foo() = %v\n", v)
			fmt.Println("done")
			return nil
		},
	}
	// A refused authentication is fatal for the component: Run returns it
	// (matching wamp.ErrNoTransport and core.ErrAuthenticationFailed or
	// core.ErrNotAuthorized) instead of retrying.
	if err := c.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
