// Command custom-serializer shows a serializer added from outside the
// serializers of this module: package bson beside it implements BSON
// against core.ObjectSerializer, and its blank import (here a named one, to
// name it in the client's configuration) is all it takes for the router and
// the client to speak it.
//
// The program serves a router on a WebSocket and a RawSocket listener
// (ephemeral loopback ports unless --ws / --rawsocket say otherwise), both
// accepting every registered serializer, then joins two sessions that offer
// only BSON: a callee over WebSocket (subprotocol wamp.2.bson) that registers
// a procedure and subscribes to a topic, and a caller over RawSocket
// (serializer id 15) that calls the procedure and publishes to the topic
// with values that show what the BSON mapping carries: an integer above
// int64 (a decimal128), bytes, a float, a nested map. It prints what
// happens and exits 0.
//
//	go run ./examples/custom-serializer
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/examples/custom-serializer/bson"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"

	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

func main() {
	ws := flag.String("ws", "127.0.0.1:0", "address of the router's WebSocket listener")
	rs := flag.String("rawsocket", "127.0.0.1:0", "address of the router's RawSocket listener")
	realm := flag.String("realm", "realm1", "realm to serve and join")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout, *ws, *rs, *realm); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}

// printer writes lines from the router's goroutines and the program's one
// at a time.
type printer struct {
	mu  sync.Mutex
	out io.Writer
}

func (p *printer) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.out, format+"\n", args...)
}

// quiet logs only warnings and errors, so that the output is what the
// program prints.
var quiet = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

func run(ctx context.Context, out io.Writer, wsAddr, rsAddr, realm string) error {
	p := &printer{out: out}
	r, err := router.New(router.Options{Realms: []string{realm}, Logger: quiet})
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Close(closeCtx)
	}()
	// Say which serializer each connection negotiated, then hand it to the
	// router.
	accept := func(t core.Transport) core.TransportHandler {
		d := t.Details()
		p.printf("router: %s connection speaks %s (subprotocol %s, RawSocket id %d)", d.Framing, d.Serializer.Name(), d.Serializer.Subprotocol(), d.Serializer.RawSocketID())
		return r.Accept(t)
	}
	// An empty TransportConfig accepts every registered serializer: json,
	// cbor, … when imported, and bson through its package's init.
	wsl, err := registry.Listen(ctx, "ws://"+wsAddr+"/ws", core.TransportConfig{}, accept)
	if err != nil {
		return err
	}
	defer wsl.Close()
	rsl, err := registry.Listen(ctx, "rs://"+rsAddr, core.TransportConfig{}, accept)
	if err != nil {
		return err
	}
	defer rsl.Close()
	wsURL, rsURL := "ws://"+wsl.Addr().String()+"/ws", "rs://"+rsl.Addr().String()
	p.printf("router: serving realm %s at %s and %s", realm, wsURL, rsURL)

	callee, err := join(ctx, p, wsURL, realm)
	if err != nil {
		return err
	}
	defer leave(callee)
	caller, err := join(ctx, p, rsURL, realm)
	if err != nil {
		return err
	}
	defer leave(caller)

	// The procedure answers with the Go types its arguments arrived as,
	// and the arguments themselves.
	_, err = callee.Register(ctx, "com.example.describe", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		types := make([]any, len(inv.Args))
		for i, a := range inv.Args {
			types[i] = fmt.Sprintf("%T", a)
		}
		return &wamp.Result{Args: inv.Args, Kwargs: map[string]any{"types": types}}, nil
	}, core.RegisterOptions{})
	if err != nil {
		return err
	}
	events := make(chan *wamp.Event, 1)
	_, err = callee.Subscribe(ctx, "com.example.news", func(_ context.Context, ev *wamp.Event) {
		events <- ev
	}, core.SubscribeOptions{})
	if err != nil {
		return err
	}
	p.printf("callee: registered com.example.describe, subscribed to com.example.news")

	args := []any{uint64(math.MaxUint64), []byte("\x00\x01bson"), 2.5, "text", map[string]any{"nested": []any{int64(-1), nil, true}}}
	res, err := caller.Call(ctx, "com.example.describe", args, nil, wamp.CallOptions{})
	if err != nil {
		return err
	}
	p.printf("caller: com.example.describe%v returned %v, types %v", args, res.Args, res.Kwargs["types"])

	pub, err := caller.Publish(ctx, "com.example.news", []any{"hello over BSON", []byte{0xbe, 0xef}}, map[string]any{"seq": int64(1)},
		core.PublishOptions{Acknowledge: wamp.Ptr(true)})
	if err != nil {
		return err
	}
	p.printf("caller: published to com.example.news (publication %d)", pub)
	select {
	case ev := <-events:
		p.printf("callee: event on com.example.news: args %v kwargs %v", ev.Args, ev.Kwargs)
	case <-ctx.Done():
		return errors.New("no event arrived: " + ctx.Err().Error())
	}
	p.printf("done")
	return nil
}

// join dials url offering only BSON and joins realm.
func join(ctx context.Context, p *printer, url, realm string) (*wamp.Session, error) {
	s, err := wamp.Dial(ctx, url, core.TransportConfig{Serializers: []core.Serializer{bson.Serializer}}, wamp.Config{Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	d, err := s.Join(ctx, realm, wamp.JoinOptions{})
	if err != nil {
		s.Close(context.Background())
		return nil, fmt.Errorf("join %s at %s: %w", realm, url, err)
	}
	p.printf("client: joined %s over %s as session %d", d.Realm, url, d.Session)
	return s, nil
}

// leave says GOODBYE and closes the session, bounded in time.
func leave(s *wamp.Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Leave(ctx, "wamp.close.normal", "")
	s.Close(ctx)
}
