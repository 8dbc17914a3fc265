// Command backend is an authenticated callee, after Autobahn's
// authentication examples: it joins with WAMP-CRA as "username" with the
// secret "p4ssw0rd" (examples/twisted/wamp/auth/backend.py; a salted
// secret works the same way, the router's CHALLENGE says so: try --authid
// salted --secret s33kr1t as in backend_salted.py), or with a ticket, and
// registers example.foo (examples/asyncio/wamp/component/backend.py), which
// counts down and returns 42.
//
// The router must know the user: Crossbar.io with a wampcra (or ticket)
// authenticator for the realm. The router of `autobahn serve` does not
// authenticate yet: give --secret "" to join it anonymously.
//
//	go run ./examples/wamp/auth/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
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

// foo is example.foo: it takes any arguments, prints them, counts down
// and returns 42.
func foo(countdown int) wamp.Handler {
	return func(ctx context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		args, kwargs := []any{}, map[string]any{}
		if inv.Args != nil {
			args = inv.Args
		}
		if inv.Kwargs != nil {
			kwargs = inv.Kwargs
		}
		a, _ := json.Marshal(args)
		kw, _ := json.Marshal(kwargs)
		fmt.Printf("foo(%s, %s)\n", a, kw)
		for x := countdown; x > 0; x-- {
			fmt.Printf("  returning in %d\n", x)
			select {
			case <-time.After(time.Second):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		fmt.Println("returning '42'")
		return &wamp.Result{Args: []any{42}}, nil
	}
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	authid := flag.String("authid", "username", "authentication ID")
	authrole := flag.String("authrole", "", "authentication role to ask for (empty: the router's choice)")
	secret := flag.String("secret", "p4ssw0rd", "WAMP-CRA secret (empty: no WAMP-CRA)")
	ticket := flag.String("ticket", "", "WAMP-Ticket ticket (used instead of WAMP-CRA when set)")
	countdown := flag.Int("countdown", 5, "seconds example.foo counts down before it returns")
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
	runner := &wamp.Runner{
		URL:           *url,
		Realm:         *realm,
		Join:          join,
		AutoReconnect: true,
		Session: wamp.Config{OnLeave: func(_ *wamp.Session, reason, _ string) {
			fmt.Println("Left the realm:", reason)
		}},
	}
	// A join that the router refuses (authentication_failed,
	// not_authorized, …) is fatal: Run returns it instead of retrying.
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		d := s.Details()
		fmt.Printf("session attached: authid=%s authrole=%s authmethod=%s\n", d.AuthID, d.AuthRole, d.AuthMethod)
		if _, err := s.Register(ctx, "example.foo", foo(*countdown), core.RegisterOptions{}); err != nil {
			return err
		}
		fmt.Println("Registered example.foo; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
