package wamp

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/serializers/msgpack"
)

func TestJoinLeaveRejoin(t *testing.T) {
	r := newRouter(t)
	var left atomic.Value
	var connected atomic.Bool
	s := attach(t, r, Config{OnLeave: func(_ *Session, reason, _ string) { left.Store(reason) },
		OnConnect: func(s *Session) { connected.Store(s.IsConnected()) }})
	if !connected.Load() {
		t.Fatal("OnConnect not called with a connected session")
	}
	ctx := testContext(t)
	// The router closes the connection after its ABORT.
	if _, err := attach(t, r, Config{}).Join(ctx, "nosuch", JoinOptions{}); !errors.Is(err, core.ErrNoSuchRealm) {
		t.Fatalf("join of an unknown realm: %v, want wamp.error.no_such_realm", err)
	}
	d, err := s.Join(ctx, "realm1", JoinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Session == 0 || d.Realm != "realm1" || d.AuthRole != "anonymous" || !d.RouterHas(core.RoleBroker, "event_retention") {
		t.Fatalf("details: %+v", d)
	}
	if !s.IsAttached() || s.ID() != d.Session {
		t.Fatal("not attached after Join")
	}
	if err := s.Leave(ctx, "", ""); err != nil {
		t.Fatal(err)
	}
	if s.IsAttached() || left.Load() != core.URICloseNormal {
		t.Fatalf("after Leave: attached %v, OnLeave reason %v", s.IsAttached(), left.Load())
	}
	if _, err := s.Call(ctx, "com.example.x", nil, nil, CallOptions{}); !errors.Is(err, core.ErrSessionNotReady) {
		t.Fatalf("call after leave: %v", err)
	}
	d2, err := s.Join(ctx, "realm1", JoinOptions{})
	if err != nil || d2.Session == d.Session {
		t.Fatalf("rejoin: %v, session %d (was %d)", err, d2.Session, d.Session)
	}
}

func TestCallAndRegister(t *testing.T) {
	r := newRouter(t)
	var userErrors atomic.Int32
	callee := joined(t, r, Config{OnUserError: func(*Session, error) { userErrors.Add(1) }})
	caller := joined(t, r, Config{})
	ctx := testContext(t)
	_, err := callee.Register(ctx, "com.example.add", func(_ context.Context, inv *Invocation) (*Result, error) {
		a, _ := inv.Args[0].(int64)
		b, _ := inv.Args[1].(int64)
		return &Result{Args: []any{a + b}, Kwargs: map[string]any{"caller": inv.Details.Caller}}, nil
	}, core.RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := caller.Call(ctx, "com.example.add", []any{int64(2), int64(3)}, nil, CallOptions{DiscloseMe: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Args[0] != int64(5) || res.Kwargs["caller"] != caller.ID() {
		t.Fatalf("result %+v", res)
	}

	// Errors: an application error as it is, a plain error and a panic as
	// wamp.error.runtime_error (and OnUserError); the callee carries on.
	mustRegister(t, callee, "com.example.fail", func(_ context.Context, inv *Invocation) (*Result, error) {
		switch inv.Args[0] {
		case "app":
			return nil, &core.ApplicationError{URI: "com.example.error.overdrawn", Args: []any{"no money"}, Kwargs: map[string]any{"balance": int64(-1)}}
		case "plain":
			return nil, errors.New("disk full")
		}
		panic("handler bug")
	})
	var ae *core.ApplicationError
	_, err = caller.Call(ctx, "com.example.fail", []any{"app"}, nil, CallOptions{})
	if !errors.As(err, &ae) || ae.URI != "com.example.error.overdrawn" || ae.Kwargs["balance"] != int64(-1) {
		t.Fatalf("application error: %v", err)
	}
	for _, kind := range []string{"plain", "panic"} {
		_, err = caller.Call(ctx, "com.example.fail", []any{kind}, nil, CallOptions{})
		if !errors.As(err, &ae) || ae.URI != URIRuntimeError {
			t.Fatalf("%s error: %v", kind, err)
		}
	}
	if userErrors.Load() != 2 {
		t.Fatalf("OnUserError called %d times, want 2", userErrors.Load())
	}
	if _, err := caller.Call(ctx, "com.example.add", []any{int64(1), int64(1)}, nil, CallOptions{}); err != nil {
		t.Fatalf("callee after a panic: %v", err)
	}
	if _, err := caller.Call(ctx, "com.example.nothing", nil, nil, CallOptions{}); !errors.Is(err, core.ErrNoSuchProcedure) {
		t.Fatalf("call to nothing: %v", err)
	}
}

func mustRegister(t *testing.T, s *Session, proc string, h Handler) *Registration {
	t.Helper()
	reg, err := s.Register(testContext(t), proc, h, core.RegisterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestProgressiveResultsAndInput(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	mustRegister(t, callee, "com.example.count", func(ctx context.Context, inv *Invocation) (*Result, error) {
		for i := range int64(3) {
			if err := inv.Progress(ctx, []any{i}, nil); err != nil {
				return nil, err
			}
		}
		return &Result{Args: []any{"done"}}, nil
	})
	var got []any
	res, err := caller.Call(ctx, "com.example.count", nil, nil, CallOptions{OnProgress: func(r *Result) { got = append(got, r.Args[0]) }})
	if err != nil || res.Args[0] != "done" {
		t.Fatalf("final result %v, %v", res, err)
	}
	if len(got) != 3 || got[0] != int64(0) || got[2] != int64(2) {
		t.Fatalf("progressive results %v", got)
	}
	// Without OnProgress the handler's progress is not sent.
	if res, err := caller.Call(ctx, "com.example.count", nil, nil, CallOptions{}); err != nil || res.Args[0] != "done" {
		t.Fatalf("plain call: %v, %v", res, err)
	}
}

func TestCancelInterruptsTheHandler(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	started, interrupted := make(chan struct{}), make(chan error, 1)
	mustRegister(t, callee, "com.example.slow", func(ctx context.Context, _ *Invocation) (*Result, error) {
		close(started)
		<-ctx.Done()
		interrupted <- context.Cause(ctx)
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(testContext(t))
	go func() { <-started; cancel() }()
	_, err := caller.Call(ctx, "com.example.slow", nil, nil, CallOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled call: %v", err)
	}
	select {
	case cause := <-interrupted:
		if !errors.Is(cause, core.ErrCanceled) {
			t.Fatalf("handler's cause %v, want wamp.error.canceled", cause)
		}
	case <-time.After(wait):
		t.Fatal("handler not interrupted")
	}
}

func TestCallTimeout(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	mustRegister(t, callee, "com.example.never", func(ctx context.Context, _ *Invocation) (*Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	start := time.Now()
	_, err := caller.Call(testContext(t), "com.example.never", nil, nil, CallOptions{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, core.ErrTimeout) {
		t.Fatalf("timed-out call: %v", err)
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 2*time.Second {
		t.Fatalf("timeout after %v", d)
	}
}

func TestPubSub(t *testing.T) {
	r := newRouter(t)
	pub, sub := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	const n = 2000
	got := make(chan *Event, n)
	h, err := sub.Subscribe(ctx, "com.example.topic", func(_ context.Context, ev *Event) { got <- ev }, core.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range int64(n) {
		if _, err := pub.Publish(ctx, "com.example.topic", []any{i}, nil, core.PublishOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	pubID, err := pub.Publish(ctx, "com.example.topic", []any{int64(n)}, nil, core.PublishOptions{Acknowledge: ptr(true), DiscloseMe: ptr(true)})
	if err != nil || pubID == 0 {
		t.Fatalf("acknowledged publish: %d, %v", pubID, err)
	}
	for i := range int64(n + 1) {
		select {
		case ev := <-got:
			if ev.Args[0] != i || ev.Topic != "com.example.topic" {
				t.Fatalf("event %d: %+v", i, ev)
			}
			if i == n && (ev.Publication != pubID || ev.Details.Publisher != pub.ID()) {
				t.Fatalf("last event: publication %d (want %d), publisher %d", ev.Publication, pubID, ev.Details.Publisher)
			}
		case <-time.After(wait):
			t.Fatalf("got %d events of %d", i, n+1)
		}
	}
	if err := h.Unsubscribe(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Publish(ctx, "com.example.topic", []any{"late"}, nil, core.PublishOptions{Acknowledge: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-got:
		t.Fatalf("event after unsubscribe: %+v", ev)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := pub.Publish(ctx, "wamp.session.x", nil, nil, core.PublishOptions{Acknowledge: ptr(true)}); !errors.Is(err, core.ErrInvalidURI) {
		t.Fatalf("publish to wamp.*: %v", err)
	}
}

func TestPatternSubscriptionAndRetained(t *testing.T) {
	r := newRouter(t)
	pub, sub := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	if _, err := pub.Publish(ctx, "com.example.a.temp", []any{21.5}, nil, core.PublishOptions{Retain: ptr(true), Acknowledge: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	got := make(chan *Event, 4)
	if _, err := sub.Subscribe(ctx, "com.example..temp", func(_ context.Context, ev *Event) { got <- ev },
		core.SubscribeOptions{Match: core.MatchWildcard, GetRetained: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	ev := <-got
	if ev.Topic != "com.example.a.temp" || !isTrue(ev.Details.Retained) || ev.Args[0] != 21.5 {
		t.Fatalf("retained event %+v", ev)
	}
}

func TestRouterShutdownEndsTheSession(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	reasons := make(chan string, 1)
	caller.cfg.OnLeave = func(_ *Session, reason, _ string) { reasons <- reason }
	mustRegister(t, callee, "com.example.hang", func(ctx context.Context, _ *Invocation) (*Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	errc := make(chan error, 1)
	go func() {
		_, err := caller.Call(testContext(t), "com.example.hang", nil, nil, CallOptions{})
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	go r.Close(context.Background())
	if reason := <-reasons; reason != core.URICloseSystemShutdown {
		t.Fatalf("OnLeave reason %q", reason)
	}
	if err := <-errc; err == nil {
		t.Fatal("pending call succeeded after the router shut down")
	}
}

// TestOverTheNetwork: the same session over WebSocket/JSON and
// RawSocket/MsgPack, calling and publishing across them.
func TestOverTheNetwork(t *testing.T) {
	r := newRouter(t)
	ws := dialJoined(t, listen(t, r, "ws://127.0.0.1:0/ws"), json.Serializer)
	rs := dialJoined(t, listen(t, r, "rs://127.0.0.1:0"), msgpack.Serializer)
	ctx := testContext(t)
	mustRegister(t, rs, "com.example.echo", func(_ context.Context, inv *Invocation) (*Result, error) {
		return &Result{Args: inv.Args, Kwargs: inv.Kwargs}, nil
	})
	res, err := ws.Call(ctx, "com.example.echo", []any{[]byte{0, 1, 255}, "x"}, map[string]any{"k": int64(7)}, CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := res.Args[0].([]byte); !ok || len(b) != 3 || b[2] != 255 || res.Kwargs["k"] != int64(7) {
		t.Fatalf("echo %#v", res)
	}
	got := make(chan *Event, 1)
	if _, err := ws.Subscribe(ctx, "com.example.t", func(_ context.Context, ev *Event) { got <- ev }, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Publish(ctx, "com.example.t", []any{"hi"}, nil, core.PublishOptions{Acknowledge: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	if ev := <-got; ev.Args[0] != "hi" {
		t.Fatalf("event %+v", ev)
	}
}

func TestProgressiveCallInvocations(t *testing.T) {
	r := newRouter(t)
	callee, caller := joined(t, r, Config{}), joined(t, r, Config{})
	ctx := testContext(t)
	mustRegister(t, callee, "com.example.upload", func(ctx context.Context, inv *Invocation) (*Result, error) {
		total := inv.Args[0].(string)
		for inv.MoreInput() {
			in, err := inv.Next(ctx)
			if err != nil {
				return nil, err
			}
			total += in.Args[0].(string)
			if !in.More {
				break
			}
		}
		return &Result{Args: []any{total}}, nil
	})
	pc, err := caller.CallProgressive(ctx, "com.example.upload", []any{"a"}, nil, CallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, chunk := range []string{"b", "c"} {
		if err := pc.Send(ctx, []any{chunk}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, err := pc.Finish(ctx, []any{"d"}, nil)
	if err != nil || res.Args[0] != "abcd" {
		t.Fatalf("progressive call: %v, %v", res, err)
	}
	if err := pc.Send(ctx, []any{"e"}, nil); err == nil {
		t.Fatal("Send after Finish accepted")
	}
}

// TestBlockedEventHandler: a handler that blocks fills its queue; the
// session then waits EventQueueWait per event, drops and counts it, and
// works again once the handler returns.
func TestBlockedEventHandler(t *testing.T) {
	r := newRouter(t)
	pub := joined(t, r, Config{})
	sub := joined(t, r, Config{EventQueue: 2, EventQueueWait: 50 * time.Millisecond})
	ctx := testContext(t)
	release := make(chan struct{})
	got := make(chan any, 100)
	if _, err := sub.Subscribe(ctx, "com.example.t", func(_ context.Context, ev *Event) {
		<-release
		got <- ev.Args[0]
	}, core.SubscribeOptions{}); err != nil {
		t.Fatal(err)
	}
	for i := range int64(6) {
		pub.Publish(ctx, "com.example.t", []any{i}, nil, core.PublishOptions{})
	}
	deadline := time.Now().Add(wait)
	for sub.DroppedEvents() < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := sub.DroppedEvents(); n != 3 {
		t.Fatalf("dropped %d events, want 3 (1 running + 2 queued of 6)", n)
	}
	close(release)
	for _, want := range []int64{0, 1, 2} {
		if v := <-got; v != want {
			t.Fatalf("event %v, want %d", v, want)
		}
	}
	if _, err := sub.Call(ctx, "com.example.nothing", nil, nil, CallOptions{}); !errors.Is(err, core.ErrNoSuchProcedure) {
		t.Fatalf("session after the drops: %v", err)
	}
}
