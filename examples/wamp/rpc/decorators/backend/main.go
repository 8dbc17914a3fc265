// Command backend registers the methods of an object, as Autobahn's WAMP
// decorators example (examples/*/wamp/rpc/decorators/backend.py) does with
// @wamp.register and session.register(self): RegisterMethods registers
// every exported method under a prefix, its name in snake_case:
//
//	MathService.Add2 → com.mathservice.add2 (x + y)
//	MathService.Mul2 → com.mathservice.mul2 (x * y)
//	MathService.Div2 → com.mathservice.div2 (x / y, 0 when y is 0)
//
//	go run ./examples/wamp/rpc/decorators/backend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// MathService is the object whose methods are procedures. Every exported
// method becomes one, so helpers must stay unexported.
type MathService struct{}

// Add2 is com.mathservice.add2.
func (MathService) Add2(x, y int64) int64 { return x + y }

// Mul2 is com.mathservice.mul2.
func (MathService) Mul2(x, y int64) int64 { return x * y }

// Div2 is com.mathservice.div2.
func (MathService) Div2(x, y float64) float64 {
	if y == 0 {
		return 0
	}
	return x / y
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:8080/ws", "WAMP router URL (ws://, wss://, rs://, rss://)")
	realm := flag.String("realm", "realm1", "realm to join")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	runner := &wamp.Runner{
		URL:           *url,
		Realm:         *realm,
		AutoReconnect: true,
		Session: wamp.Config{OnLeave: func(_ *wamp.Session, reason, _ string) {
			fmt.Println("Left the realm:", reason)
		}},
	}
	err := runner.Run(ctx, func(ctx context.Context, s *wamp.Session) error {
		regs, err := s.RegisterMethods(ctx, MathService{}, "com.mathservice.", core.RegisterOptions{})
		if err != nil {
			return err
		}
		for _, r := range regs {
			fmt.Printf("Ok, registered procedure %s with registration ID %d\n", r.Procedure(), r.ID())
		}
		fmt.Println("Registered MathService; ready for frontend.")
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
}
