package router_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"
)

// dynamicRouter is a router configured as Crossbar.io's dynamic
// authentication and authorization examples are: an authenticator
// component in realm "auth", and a role of realm1 with a dynamic
// authorizer registered by a backend.
func dynamicRouter(t *testing.T, handshake time.Duration) *router.Router {
	t.Helper()
	all := []router.Permission{{URI: "", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}}
	return startRouter(t, router.Options{
		Realms: []string{"realm1", "auth"},
		Roles: map[string]map[string]router.Role{
			"auth": {"backend": {Permissions: all}},
			"realm1": {
				"backend":  {Permissions: all},
				"frontend": {Permissions: []router.Permission{{URI: "com.example.", Match: core.MatchPrefix, Call: true}}},
				"dyn":      {Authorizer: "com.example.authorize"},
			},
		},
		Auth: []router.AuthMethod{
			router.Anonymous{Role: "backend"},
			router.Dynamic{Method: "ticket", Procedure: "com.example.authenticate", Realm: "auth"},
			router.Dynamic{Method: "wampcra", Procedure: "com.example.authenticate", Realm: "auth"},
			router.Dynamic{Method: "cryptosign", Procedure: "com.example.authenticate", Realm: "auth"},
		},
		HandshakeTimeout: handshake,
	})
}

// component joins realm of r in process (anonymous: the role "backend").
func component(t *testing.T, r *router.Router, realm string) *wamp.Session {
	t.Helper()
	s, _, err := joinSession(t, r, realm, wamp.JoinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func register(t *testing.T, s *wamp.Session, proc string, h wamp.Handler) {
	t.Helper()
	if _, err := s.Register(context.Background(), proc, h, core.RegisterOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestDynamicAuthenticator(t *testing.T) {
	r := dynamicRouter(t, 0)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	authenticator := component(t, r, "auth")
	var mu sync.Mutex
	var seen []map[string]any
	register(t, authenticator, "com.example.authenticate", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		realm, _ := inv.Args[0].(string)
		authid, _ := inv.Args[1].(string)
		details, _ := inv.Args[2].(map[string]any)
		mu.Lock()
		seen = append(seen, details)
		mu.Unlock()
		if realm != "realm1" {
			return nil, core.NewApplicationError("com.example.no_such_realm", "realm "+realm)
		}
		switch details["authmethod"] {
		case "ticket":
			if authid == "joe" && details["ticket"] == "joe-ticket" {
				return &wamp.Result{Args: []any{"frontend"}}, nil
			}
			if authid == "nobody" {
				return &wamp.Result{Args: []any{map[string]any{"role": "no-such-role"}}}, nil
			}
			return nil, core.NewApplicationError("com.example.invalid_ticket", "wrong ticket for "+authid)
		case "wampcra":
			if authid == "saltless" { // a salt alone does not make a salted secret
				return &wamp.Result{Args: []any{map[string]any{"role": "frontend", "secret": "s3cret", "salt": "salt123"}}}, nil
			}
			return &wamp.Result{Args: []any{map[string]any{"role": "frontend", "secret": "s3cret",
				"salt": "salt123", "iterations": int64(100), "keylen": int64(32), "extra": map[string]any{"tier": "gold"}}}}, nil
		case "cryptosign":
			return &wamp.Result{Args: []any{map[string]any{"role": "dyn", "authid": "device7", "pubkey": auth.PublicKeyHex(key)}}}, nil
		}
		return nil, errors.New("unexpected authmethod")
	})

	d, err := joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("joe-ticket")}})
	if err != nil || d.AuthRole != "frontend" || d.AuthMethod != "ticket" || d.Welcome.AuthProvider != "dynamic" {
		t.Fatalf("ticket: %+v, %v", d, err)
	}
	mu.Lock()
	det := seen[len(seen)-1]
	mu.Unlock()
	tr, _ := det["transport"].(map[string]any)
	if det["ticket"] != "joe-ticket" || det["session"] != d.Session || tr == nil {
		t.Fatalf("details the authenticator got: %v (session %d)", det, d.Session)
	}

	_, err = joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("guess")}})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != "com.example.invalid_ticket" {
		t.Fatalf("wrong ticket: %v, want the authenticator's error", err)
	}
	_, err = joinWith(t, r, wamp.JoinOptions{AuthID: "nobody", Authenticators: []wamp.Authenticator{wamp.Ticket("x")}})
	if !errors.As(err, &ae) || ae.URI != core.URINoSuchRole {
		t.Fatalf("unknown role: %v, want no_such_role", err)
	}

	d, err = joinWith(t, r, wamp.JoinOptions{AuthID: "ann", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("s3cret")}})
	if err != nil || d.AuthRole != "frontend" || d.Welcome.AuthExtra["tier"] != "gold" {
		t.Fatalf("wampcra salted: %+v, %v", d, err)
	}
	if _, err = joinWith(t, r, wamp.JoinOptions{AuthID: "ann", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("wrong")}}); !errors.Is(err, core.ErrAuthenticationFailed) {
		t.Fatalf("wampcra wrong secret: %v", err)
	}
	plain := &seeChallenge{Authenticator: wamp.WAMPCRA("s3cret")}
	if d, err = joinWith(t, r, wamp.JoinOptions{AuthID: "saltless", Authenticators: []wamp.Authenticator{plain}}); err != nil || d.AuthRole != "frontend" {
		t.Fatalf("wampcra with a salt but no iterations or keylen: %+v, %v", d, err)
	}
	if _, salted := plain.extra["salt"]; salted {
		t.Fatalf("CHALLENGE %v: want a plain secret's (no salt)", plain.extra)
	}

	d, err = joinWith(t, r, wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(key, "")}})
	if err != nil || d.AuthID != "device7" || d.AuthRole != "dyn" {
		t.Fatalf("cryptosign: %+v, %v", d, err)
	}
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 1))
	if _, err = joinWith(t, r, wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(other, "")}}); !errors.Is(err, core.ErrNotAuthorized) {
		t.Fatalf("cryptosign with another key: %v", err)
	}
}

// seeChallenge keeps the CHALLENGE's extra that its Authenticator answers.
type seeChallenge struct {
	wamp.Authenticator
	extra map[string]any
}

func (s *seeChallenge) Authenticate(ctx context.Context, c *core.Challenge, t core.TransportDetails) (*core.Authenticate, error) {
	s.extra = c.Extra
	return s.Authenticator.Authenticate(ctx, c, t)
}

func TestDynamicAuthenticatorMissingOrSlow(t *testing.T) {
	r := dynamicRouter(t, 500*time.Millisecond)
	start := time.Now()
	_, err := joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("x")}})
	var ae *core.ApplicationError
	if !errors.As(err, &ae) || ae.URI != core.URINoSuchProcedure {
		t.Fatalf("no authenticator registered: %v", err)
	}
	authenticator := component(t, r, "auth")
	register(t, authenticator, "com.example.authenticate", func(ctx context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	_, err = joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("x")}})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("hanging authenticator: %v after %v", err, time.Since(start))
	}
}

func TestDynamicAuthorizer(t *testing.T) {
	r := dynamicRouter(t, 0)
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	authenticator := component(t, r, "auth")
	register(t, authenticator, "com.example.authenticate", func(context.Context, *wamp.Invocation) (*wamp.Result, error) {
		return &wamp.Result{Args: []any{map[string]any{"role": "dyn", "authid": "device7", "pubkey": auth.PublicKeyHex(key)}}}, nil
	})
	backend := component(t, r, "realm1")
	var asked atomic.Int32
	var lastOptions atomic.Value
	register(t, backend, "com.example.authorize", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		asked.Add(1)
		session, _ := inv.Args[0].(map[string]any)
		uri, _ := inv.Args[1].(string)
		action, _ := inv.Args[2].(string)
		lastOptions.Store(inv.Args[3])
		if session["authid"] != "device7" || session["authrole"] != "dyn" {
			return nil, core.NewApplicationError("com.example.unexpected", session)
		}
		switch {
		case uri == "com.example.bad":
			return &wamp.Result{Args: []any{map[string]any{"allow": true, "bogus": true}}}, nil
		case strings.HasPrefix(uri, "com.example.open") && action == "call":
			return &wamp.Result{Args: []any{map[string]any{"allow": true, "disclose": true, "cache": true}}}, nil
		case strings.HasPrefix(uri, "com.example.open"):
			return &wamp.Result{Args: []any{true}}, nil
		}
		return &wamp.Result{Args: []any{false}}, nil
	})
	var caller atomic.Value
	register(t, backend, "com.example.open.echo", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		caller.Store(inv.Details.CallerAuthID)
		return &wamp.Result{Args: inv.Args}, nil
	})

	s, _, err := joinSession(t, r, "realm1", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(key, "")}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 3 {
		res, err := s.Call(ctx, "com.example.open.echo", []any{"hi"}, nil, wamp.CallOptions{})
		if err != nil || res.Args[0] != "hi" {
			t.Fatalf("allowed call: %v, %v", res, err)
		}
	}
	if caller.Load() != "device7" {
		t.Fatalf("authorizer's disclose: callee saw caller %v", caller.Load())
	}
	if n := asked.Load(); n != 1 {
		t.Fatalf("authorizer asked %d times for a cached decision, want 1", n)
	}
	if _, err := s.Call(ctx, "com.example.secret", nil, nil, wamp.CallOptions{}); !errors.Is(err, core.ErrNotAuthorized) {
		t.Fatalf("denied call: %v", err)
	}
	if _, err := s.Subscribe(ctx, "com.example.open.news", func(context.Context, *wamp.Event) {}, core.SubscribeOptions{Match: core.MatchPrefix}); err != nil {
		t.Fatalf("allowed subscribe: %v", err)
	}
	if o, _ := lastOptions.Load().(map[string]any); o["match"] != "prefix" {
		t.Fatalf("authorizer got options %v, want the SUBSCRIBE's", o)
	}
	var ae *core.ApplicationError
	if _, err := s.Call(ctx, "com.example.bad", nil, nil, wamp.CallOptions{}); !errors.As(err, &ae) || ae.URI != core.URIAuthorizationFailed {
		t.Fatalf("authorizer answering garbage: %v, want authorization_failed", err)
	}
}

func TestRouterCall(t *testing.T) {
	r := dynamicRouter(t, 0)
	backend := component(t, r, "realm1")
	register(t, backend, "com.example.add", func(_ context.Context, inv *wamp.Invocation) (*wamp.Result, error) {
		a, _ := inv.Args[0].(int64)
		b, _ := inv.Args[1].(int64)
		return &wamp.Result{Args: []any{a + b}}, nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := r.Call(ctx, "realm1", "com.example.add", []any{int64(2), int64(3)}, nil)
	if err != nil || res.Args[0] != int64(5) {
		t.Fatalf("Router.Call: %v, %v", res, err)
	}
	res, err = r.Call(ctx, "realm1", "wamp.session.count", nil, nil)
	if err != nil || res.Args[0] != int64(1) {
		t.Fatalf("wamp.session.count from the service session: %v, %v (the service session must not count)", res, err)
	}
	if _, err := r.Call(ctx, "nope", "com.example.add", nil, nil); !errors.Is(err, core.ErrNoSuchRealm) {
		t.Fatalf("unknown realm: %v", err)
	}
	short, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	register(t, backend, "com.example.slow", func(ctx context.Context, _ *wamp.Invocation) (*wamp.Result, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	if _, err := r.Call(short, "realm1", "com.example.slow", nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow callee: %v", err)
	}
}
