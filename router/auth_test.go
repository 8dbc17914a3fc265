package router_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/wamp"
)

func authRouter(t *testing.T, methods ...router.AuthMethod) *router.Router {
	t.Helper()
	return startRouter(t, router.Options{Realms: []string{"realm1"}, Auth: methods})
}

// startRouter starts a router with opts (logging nowhere), closed when the
// test ends.
func startRouter(t testing.TB, opts router.Options) *router.Router {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := router.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

// joinWith joins realm1 of r in process with opts.
func joinWith(t *testing.T, r *router.Router, opts wamp.JoinOptions) (*wamp.SessionDetails, error) {
	t.Helper()
	_, d, err := joinSession(t, r, "realm1", opts)
	return d, err
}

// joinSession joins realm of r with a new in-process session, closed when
// the test ends.
func joinSession(t *testing.T, r *router.Router, realm string, opts wamp.JoinOptions) (*wamp.Session, *wamp.SessionDetails, error) {
	t.Helper()
	s := wamp.New(wamp.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if _, err := r.Connect(s); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := s.Join(ctx, realm, opts)
	return s, d, err
}

func TestRouterAuthentication(t *testing.T) {
	salted, err := auth.DeriveKey("s3cret", "salt123", 100, 32)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	other := ed25519.NewKeyFromSeed(append(make([]byte, 31), 9))
	r := authRouter(t,
		router.Ticket{Principals: map[string]router.Principal{"joe": {Role: "user", Secret: "ticket-joe"}}},
		router.WAMPCRA{Principals: map[string]router.Principal{
			"ann": {Role: "admin", Secret: "plain-secret"},
			"bob": {Role: "user", Secret: salted, Salt: "salt123", Iterations: 100, KeyLen: 32},
		}},
		router.Cryptosign{Principals: map[string]router.Principal{"device1": {Role: "device", PubKeys: []string{auth.PublicKeyHex(key)}}}},
	)
	for _, tc := range []struct {
		name     string
		opts     wamp.JoinOptions
		authid   string
		role     string
		method   string
		wantFail error
	}{
		{"ticket", wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("ticket-joe")}}, "joe", "user", "ticket", nil},
		{"ticket wrong", wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.Ticket("nope")}}, "", "", "", core.ErrAuthenticationFailed},
		{"ticket unknown authid", wamp.JoinOptions{AuthID: "eve", Authenticators: []wamp.Authenticator{wamp.Ticket("ticket-joe")}}, "", "", "", core.ErrAuthenticationFailed},
		{"wampcra", wamp.JoinOptions{AuthID: "ann", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("plain-secret")}}, "ann", "admin", "wampcra", nil},
		{"wampcra salted", wamp.JoinOptions{AuthID: "bob", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("s3cret")}}, "bob", "user", "wampcra", nil},
		{"wampcra wrong", wamp.JoinOptions{AuthID: "bob", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("guess")}}, "", "", "", core.ErrAuthenticationFailed},
		{"wampcra unknown", wamp.JoinOptions{AuthID: "eve", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("x")}}, "", "", "", core.ErrAuthenticationFailed},
		{"cryptosign", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(key, "")}}, "device1", "device", "cryptosign", nil},
		{"cryptosign unknown key", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(other, "")}}, "", "", "", core.ErrNotAuthorized},
		{"cryptosign binding without TLS", wamp.JoinOptions{Authenticators: []wamp.Authenticator{wamp.Cryptosign(key, core.ChannelBindingTLSUnique)}}, "", "", "", core.ErrAuthenticationFailed},
		{"anonymous not admitted", wamp.JoinOptions{}, "", "", "", core.ErrNoAuthMethod},
		{"client prefers the first it offers", wamp.JoinOptions{AuthID: "ann", Authenticators: []wamp.Authenticator{wamp.WAMPCRA("plain-secret"), wamp.Ticket("x")}}, "ann", "admin", "wampcra", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := joinWith(t, r, tc.opts)
			if tc.wantFail != nil {
				if !errors.Is(err, tc.wantFail) {
					t.Fatalf("join: %v, want %v", err, tc.wantFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.AuthID != tc.authid || d.AuthRole != tc.role || d.AuthMethod != tc.method || d.Welcome.AuthProvider != "static" {
				t.Fatalf("details %+v", d)
			}
		})
	}
}

func TestAnonymousWithRole(t *testing.T) {
	r := authRouter(t, router.Anonymous{Role: "public"}, router.Ticket{})
	d, err := joinWith(t, r, wamp.JoinOptions{})
	if err != nil || d.AuthRole != "public" || d.AuthMethod != "anonymous" {
		t.Fatalf("anonymous: %+v, %v", d, err)
	}
}

func TestTOTPAndReplay(t *testing.T) {
	secret := auth.NewTOTPSecret(10)
	r := authRouter(t, &router.TOTP{Principals: map[string]router.Principal{"joe": {Role: "user", Secret: secret}}})
	d, err := joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.TOTP(secret)}})
	if err != nil || d.AuthRole != "user" || d.AuthMethod != "totp" {
		t.Fatalf("totp: %+v, %v", d, err)
	}
	// The same code again (same 30 s step) is a replay.
	if _, err := joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.TOTP(secret)}}); !errors.Is(err, core.ErrAuthenticationFailed) {
		t.Fatalf("replayed code: %v", err)
	}
	if _, err := joinWith(t, r, wamp.JoinOptions{AuthID: "joe", Authenticators: []wamp.Authenticator{wamp.TOTP(auth.NewTOTPSecret(10))}}); !errors.Is(err, core.ErrAuthenticationFailed) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestMutualCryptosign(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	routerKey := ed25519.NewKeyFromSeed(append(make([]byte, 31), 7))
	impostor := ed25519.NewKeyFromSeed(append(make([]byte, 31), 8))
	principals := map[string]router.Principal{"device1": {Role: "device", PubKeys: []string{auth.PublicKeyHex(key)}}}
	r := authRouter(t, router.Cryptosign{Principals: principals, RouterKey: routerKey})
	trusting := wamp.CryptosignMutual(key, "", routerKey.Public().(ed25519.PublicKey))
	if d, err := joinWith(t, r, wamp.JoinOptions{Authenticators: []wamp.Authenticator{trusting}}); err != nil || d.AuthID != "device1" {
		t.Fatalf("mutual: %+v, %v", d, err)
	}
	// A router with another key is not trusted; one with no key does not
	// answer the client's challenge.
	for _, other := range []*router.Router{
		authRouter(t, router.Cryptosign{Principals: principals, RouterKey: impostor}),
		authRouter(t, router.Cryptosign{Principals: principals}),
	} {
		if _, err := joinWith(t, other, wamp.JoinOptions{Authenticators: []wamp.Authenticator{trusting}}); err == nil || !strings.Contains(err.Error(), "router") {
			t.Fatalf("untrusted router: %v", err)
		}
	}
}

// assignRealm admits anonymous sessions to a realm of its own choosing, as
// Crossbar.io's cryptosign principals with a "realm" do.
type assignRealm struct {
	router.Anonymous
	realm string
}

func (a assignRealm) Hello(ctx context.Context, q *router.AuthRequest) (*router.Identity, *core.Challenge, any, error) {
	id, c, st, err := a.Anonymous.Hello(ctx, q)
	if id != nil {
		id.Realm = a.realm
	}
	return id, c, st, err
}

// The realm is checked after authentication: the authenticator may assign
// one whatever HELLO asked for, even none or one the router lacks.
func TestAuthenticatorAssignsRealm(t *testing.T) {
	r := startRouter(t, router.Options{Realms: []string{"realm1", "devices"}, Auth: []router.AuthMethod{assignRealm{realm: "devices"}}})
	for _, asked := range []string{"", "realm1", "no.such.realm"} {
		if _, d, err := joinSession(t, r, asked, wamp.JoinOptions{}); err != nil || d.Realm != "devices" {
			t.Fatalf("HELLO asking for %q: %+v, %v; want realm devices", asked, d, err)
		}
	}
	plain := authRouter(t, router.Anonymous{})
	for asked, want := range map[string]string{"": "names no realm", "no.such.realm": `no realm "no.such.realm"`} {
		_, _, err := joinSession(t, plain, asked, wamp.JoinOptions{})
		if !errors.Is(err, core.ErrNoSuchRealm) || !strings.Contains(err.Error(), want) {
			t.Fatalf("HELLO asking for %q: %v; want no_such_realm saying %q", asked, err, want)
		}
	}
}
