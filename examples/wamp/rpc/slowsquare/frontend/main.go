// Command frontend uses the math service of Autobahn's WAMP examples
// (examples/*/wamp/rpc/slowsquare/frontend.py): it calls
// com.math.slowsquare(3, 2) and com.math.square(3) at the same time and
// prints each result as it arrives: the quick square comes first.
//
//	go run ./examples/wamp/rpc/slowsquare/frontend --url ws://127.0.0.1:8080/ws --realm realm1
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
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
	delay := flag.Float64("delay", 2, "the delay in seconds asked of com.math.slowsquare")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *url, *realm, *delay); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url, realm string, delay float64) error {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{}, wamp.Config{})
	if err != nil {
		return err
	}
	defer closeSession(s)
	if _, err := s.Join(ctx, realm, wamp.JoinOptions{}); err != nil {
		return err
	}

	// Call blocks, so each call gets a goroutine: both are in flight at
	// once, as Autobahn's two Deferreds are.
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	call := func(label, procedure string, args ...any) {
		defer wg.Done()
		started := time.Now()
		res, err := wamp.CallAs[int64](ctx, s, procedure, args, nil, wamp.CallOptions{})
		if err != nil {
			errs <- fmt.Errorf("%s: %w", procedure, err)
			return
		}
		fmt.Printf("%s: %d in %.1f ms\n", label, res, float64(time.Since(started).Microseconds())/1000)
	}
	wg.Add(2)
	go call("Slow Square", "com.math.slowsquare", 3, delay)
	go call("Quick Square", "com.math.square", 3)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Println("All finished.")
	return s.Leave(ctx, "", "")
}

// closeSession closes the session (leaving the realm if it is still
// joined), bounded in time.
func closeSession(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
