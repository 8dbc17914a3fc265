package wamp

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/router"
)

// startRouter serves a new router with realm1 on ws://addr/ws; stop closes
// it (GOODBYE system_shutdown to every session) and its listener.
func startRouter(t *testing.T, addr string) (url string, stop func()) {
	t.Helper()
	r, err := router.New(router.Options{Realms: []string{"realm1"}, Logger: quietLogger})
	if err != nil {
		t.Fatal(err)
	}
	l, err := registry.Listen(testContext(t), "ws://"+addr+"/ws", core.TransportConfig{}, r.Accept)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		l.Close()
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	}
	t.Cleanup(stop)
	return "ws://" + l.Addr().String() + "/ws", stop
}

// TestComponentReconnects: the router stops and starts again; the component
// reconnects with its backoff, its registration and subscription come back,
// and OnJoin runs again.
func TestComponentReconnects(t *testing.T) {
	url, stop := startRouter(t, "127.0.0.1:0")
	addr := url[len("ws://") : len(url)-len("/ws")]
	var joins atomic.Int32
	events := make(chan any, 10)
	c := &Component{
		Transports: []Transport{{URL: url, InitialRetryDelay: 20 * time.Millisecond, MaxRetryDelay: 200 * time.Millisecond}},
		Realm:      "realm1",
		Session:    Config{Logger: quietLogger},
		OnJoin:     func(context.Context, *Session) error { joins.Add(1); return nil },
	}
	ctx, cancel := context.WithCancel(testContext(t))
	if err := c.Register(ctx, "com.example.ping", func(context.Context, *Invocation) (*Result, error) {
		return &Result{Args: []any{"pong"}}, nil
	}, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(ctx, "com.example.news", func(_ context.Context, ev *Event) { events <- ev.Args[0] }, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()

	check := func(round string) {
		t.Helper()
		peer := dialJoinedRetry(t, url)
		defer closeSession(peer)
		res, err := peer.Call(testContext(t), "com.example.ping", nil, nil, CallOptions{})
		if err != nil || res.Args[0] != "pong" {
			t.Fatalf("%s: call: %v, %v", round, res, err)
		}
		if _, err := peer.Publish(testContext(t), "com.example.news", []any{round}, nil, core.PublishOptions{Acknowledge: ptr(true)}); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-events:
			if got != round {
				t.Fatalf("%s: event %v", round, got)
			}
		case <-time.After(wait):
			t.Fatalf("%s: no event", round)
		}
	}
	check("first")
	stop()
	time.Sleep(100 * time.Millisecond) // a few failed attempts
	startRouter(t, addr)
	check("second")
	if n := joins.Load(); n != 2 {
		t.Fatalf("OnJoin ran %d times, want 2", n)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

// dialJoinedRetry joins realm1 at url, retrying until the component has
// registered (the procedure answers) or the wait ends.
func dialJoinedRetry(t *testing.T, url string) *Session {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		s, err := Dial(testContext(t), url, core.TransportConfig{}, Config{Logger: quietLogger})
		if err == nil {
			if _, err = s.Join(testContext(t), "realm1", JoinOptions{}); err == nil {
				if _, err = s.Call(testContext(t), "com.example.ping", nil, nil, CallOptions{}); err == nil {
					return s
				}
			}
			closeSession(s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the component's procedure never came: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestComponentGivesUp(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there
	c := &Component{
		Transports: []Transport{{URL: "ws://" + addr + "/ws", MaxRetries: 2, InitialRetryDelay: time.Millisecond}},
		Realm:      "realm1",
		Session:    Config{Logger: quietLogger},
	}
	start := time.Now()
	err = c.Run(testContext(t))
	if !errors.Is(err, ErrNoTransport) {
		t.Fatalf("Run: %v, want ErrNoTransport", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatalf("took %v", time.Since(start))
	}

	// A join the router refuses for good is fatal at once.
	url, _ := startRouter(t, "127.0.0.1:0")
	c = &Component{Transports: []Transport{{URL: url}}, Realm: "nosuch", Session: Config{Logger: quietLogger}}
	if err := c.Run(testContext(t)); !errors.Is(err, core.ErrNoSuchRealm) || !errors.Is(err, ErrNoTransport) {
		t.Fatalf("Run against a missing realm: %v", err)
	}
}

func TestComponentMainEndsIt(t *testing.T) {
	url, _ := startRouter(t, "127.0.0.1:0")
	want := errors.New("main is done")
	c := &Component{Transports: []Transport{{URL: url}}, Realm: "realm1", Session: Config{Logger: quietLogger},
		Main: func(ctx context.Context, s *Session) error {
			if !s.IsAttached() {
				return errors.New("not joined")
			}
			return want
		}}
	if err := c.Run(testContext(t)); !errors.Is(err, want) {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunnerWithoutReconnect(t *testing.T) {
	url, stop := startRouter(t, "127.0.0.1:0")
	joinedOnce := make(chan *Session, 1)
	r := &Runner{URL: url, Realm: "realm1", Session: Config{Logger: quietLogger, Extra: map[string]any{"k": "v"}}}
	done := make(chan error, 1)
	go func() {
		done <- r.Run(testContext(t), func(_ context.Context, s *Session) error {
			joinedOnce <- s
			return nil
		})
	}()
	s := <-joinedOnce
	if s.Extra()["k"] != "v" {
		t.Fatalf("extra %v", s.Extra())
	}
	stop() // the router goes: without AutoReconnect, Run ends
	select {
	case err := <-done:
		if !errors.Is(err, ErrNoTransport) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}

	url, _ = startRouter(t, "127.0.0.1:0")
	r = &Runner{URL: url, Realm: "realm1", AutoReconnect: true, Session: Config{Logger: quietLogger}}
	go func() {
		done <- r.Run(context.Background(), func(context.Context, *Session) error { joinedOnce <- nil; return nil })
	}()
	<-joinedOnce
	r.Stop()
	if err := <-done; err != nil {
		t.Fatalf("Run after Stop: %v", err)
	}
}

// TestApplicationLeaveEndsComponent: the application's own Leave ends a
// Component and a Runner (no reconnection), and OnJoin's context ends with
// its session.
func TestApplicationLeaveEndsComponent(t *testing.T) {
	url, _ := startRouter(t, "127.0.0.1:0")
	c := &Component{Transports: []Transport{{URL: url}}, Realm: "realm1", Session: Config{Logger: quietLogger},
		OnJoin: func(ctx context.Context, s *Session) error { return s.Leave(ctx, "", "done") }}
	if err := c.Run(testContext(t)); err != nil {
		t.Fatalf("Component after the application left: %v", err)
	}
	r := &Runner{URL: url, Realm: "realm1", Session: Config{Logger: quietLogger}}
	if err := r.Run(testContext(t), func(ctx context.Context, s *Session) error { return s.Leave(ctx, "", "") }); err != nil {
		t.Fatalf("Runner after the application left: %v", err)
	}

	// A long OnJoin sees its context end when the router goes away.
	url, stop := startRouter(t, "127.0.0.1:0")
	ended := make(chan error, 1)
	c = &Component{Transports: []Transport{{URL: url, MaxRetries: -1}}, Realm: "realm1", Session: Config{Logger: quietLogger},
		OnJoin: func(ctx context.Context, s *Session) error {
			go stop()
			<-ctx.Done()
			ended <- ctx.Err()
			return nil
		}}
	done := make(chan error, 1)
	go func() { done <- c.Run(testContext(t)) }()
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("OnJoin's context: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("OnJoin's context did not end with the session")
	}
	if err := <-done; !errors.Is(err, ErrNoTransport) {
		t.Fatalf("Run: %v", err)
	}
}
