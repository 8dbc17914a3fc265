package wamp

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// scriptRouter is a router-side peer that answers with a function, to play
// routers that misbehave.
type scriptRouter struct {
	t      core.Transport
	answer func(t core.Transport, m core.Message)
}

func (r *scriptRouter) OnOpen(t core.Transport)  { r.t = t }
func (r *scriptRouter) OnClose(error)            {}
func (r *scriptRouter) OnMessage(m core.Message) { r.answer(r.t, m) }

func attachScript(t *testing.T, answer func(t core.Transport, m core.Message)) *Session {
	t.Helper()
	s := New(Config{Logger: quietLogger})
	r := &scriptRouter{answer: answer}
	tr, err := memory.Connect(func(core.Transport) core.TransportHandler { return r }, s, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Abort() })
	return s
}

func welcomeAll(t core.Transport, m core.Message) bool {
	if h, ok := m.(*core.Hello); ok {
		t.Send(context.Background(), &core.Welcome{Session: 1, Details: core.WelcomeDetails{Realm: h.Realm}})
		return true
	}
	return false
}

// TestWrongAnswerType: a router that answers SUBSCRIBE with a RESULT is a
// protocol violation; the request fails and the session stays usable.
func TestWrongAnswerType(t *testing.T) {
	s := attachScript(t, func(t core.Transport, m core.Message) {
		if welcomeAll(t, m) {
			return
		}
		if sub, ok := m.(*core.Subscribe); ok {
			t.Send(context.Background(), &core.Result{Request: sub.Request})
		}
	})
	ctx := testContext(t)
	if _, err := s.Join(ctx, "realm1", JoinOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := s.Subscribe(ctx, "com.example.t", func(context.Context, *Event) {}, core.SubscribeOptions{})
	if !errors.Is(err, core.ErrProtocolViolation) {
		t.Fatalf("subscribe answered by RESULT: %v", err)
	}
	done := make(chan bool, 1)
	go func() { done <- s.IsAttached() }()
	select {
	case attached := <-done:
		if attached {
			t.Fatal("still attached after a protocol violation")
		}
	case <-time.After(wait):
		t.Fatal("the session is locked")
	}
}

// TestRouterEndingSessionsAtOnceGetsBackoff: a router that says GOODBYE
// right after WELCOME gets the retry delays, not a tight loop.
func TestRouterEndingSessionsAtOnceGetsBackoff(t *testing.T) {
	var joins atomic.Int32
	r := newRouter(t)
	url := listen(t, r, "ws://127.0.0.1:0/ws")
	c := &Component{Transports: []Transport{{URL: url, InitialRetryDelay: 50 * time.Millisecond}}, Realm: "realm1",
		Session: Config{Logger: quietLogger},
		OnJoin: func(ctx context.Context, s *Session) error {
			joins.Add(1)
			return errors.New("this application fails at once")
		}}
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	c.Run(ctx)
	if n := joins.Load(); n < 2 || n > 8 {
		t.Fatalf("%d joins in 600 ms with 50 ms growing delays", n)
	}
}

// TestLeaveWhileReconnecting: Component.Leave ends Run also while it waits
// to retry.
func TestLeaveWhileReconnecting(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c := &Component{Transports: []Transport{{URL: "ws://" + addr + "/ws", InitialRetryDelay: time.Hour}}, Realm: "realm1",
		Session: Config{Logger: quietLogger}}
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	time.Sleep(100 * time.Millisecond)
	c.Leave(context.Background())
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run goes on after Leave")
	}
}

// TestWAMPCRALimits: a CHALLENGE asking for absurd key derivation is
// refused instead of burning CPU and memory.
func TestWAMPCRALimits(t *testing.T) {
	a := WAMPCRA("pw")
	for _, extra := range []map[string]any{
		{"challenge": "c", "salt": "s", "iterations": int64(1e9)},
		{"challenge": "c", "salt": "s", "keylen": int64(1e11)},
	} {
		_, err := a.Authenticate(context.Background(), &core.Challenge{AuthMethod: "wampcra", Extra: extra}, core.TransportDetails{})
		if err == nil || !strings.Contains(err.Error(), "at most") {
			t.Errorf("%v: %v", extra, err)
		}
	}
	if _, err := auth.DeriveKey("pw", "s", 10, auth.MaxKeyLen); err != nil {
		t.Fatalf("the largest key length: %v", err)
	}
}
