package wamp

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// authRouter is a router-side test peer that challenges HELLO with method
// and checks AUTHENTICATE with check (nil: WELCOME).
type authRouter struct {
	t      core.Transport
	method string
	extra  map[string]any
	hello  chan *core.Hello
	check  func(h *core.Hello, a *core.Authenticate) error
	last   *core.Hello
}

func (r *authRouter) OnOpen(t core.Transport) { r.t = t }
func (r *authRouter) OnClose(error)           {}
func (r *authRouter) OnMessage(m core.Message) {
	ctx := context.Background()
	switch m := m.(type) {
	case *core.Hello:
		r.last = m
		r.hello <- m
		r.t.Send(ctx, &core.Challenge{AuthMethod: r.method, Extra: r.extra})
	case *core.Authenticate:
		if err := r.check(r.last, m); err != nil {
			r.t.Send(ctx, &core.Abort{Reason: core.URIAuthenticationFailed, Details: core.AbortDetails{Message: err.Error()}})
			return
		}
		r.t.Send(ctx, &core.Welcome{Session: 7, Details: core.WelcomeDetails{Realm: r.last.Realm, AuthID: r.last.Details.AuthID, AuthMethod: r.method}})
	}
}

func joinAgainst(t *testing.T, r *authRouter, opts JoinOptions, cfg Config) (*SessionDetails, error) {
	t.Helper()
	r.hello = make(chan *core.Hello, 1)
	cfg.Logger = quietLogger
	s := New(cfg)
	tr, err := memory.Connect(func(core.Transport) core.TransportHandler { return r }, s, memory.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Abort() })
	return s.Join(testContext(t), "realm1", opts)
}

func TestClientAuthentication(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	challenge := strings.Repeat("5a", 32)
	for _, tc := range []struct {
		name    string
		auth    Authenticator
		method  string
		extra   map[string]any
		check   func(h *core.Hello, a *core.Authenticate) error
		wantErr bool
	}{
		{"ticket", Ticket("s3cret"), "ticket", nil, func(_ *core.Hello, a *core.Authenticate) error {
			if a.Signature != "s3cret" {
				return errors.New("wrong ticket")
			}
			return nil
		}, false},
		{"wampcra salted", WAMPCRA("pw"), "wampcra",
			map[string]any{"challenge": `{"nonce": "n"}`, "salt": "salt", "iterations": int64(10), "keylen": int64(32)},
			func(_ *core.Hello, a *core.Authenticate) error {
				k, _ := auth.DeriveKey("pw", "salt", 10, 32)
				if a.Signature != auth.SignWAMPCRA(k, `{"nonce": "n"}`) {
					return errors.New("wrong signature")
				}
				return nil
			}, false},
		{"wampcra wrong secret", WAMPCRA("nope"), "wampcra", map[string]any{"challenge": "c"},
			func(_ *core.Hello, a *core.Authenticate) error {
				if a.Signature != auth.SignWAMPCRA("pw", "c") {
					return errors.New("wrong signature")
				}
				return nil
			}, true},
		{"cryptosign", Cryptosign(key, ""), "cryptosign", map[string]any{"challenge": challenge},
			func(h *core.Hello, a *core.Authenticate) error {
				if h.Details.AuthExtra["pubkey"] != auth.PublicKeyHex(key) {
					return errors.New("no pubkey in HELLO")
				}
				return auth.VerifyCryptosign(key.Public().(ed25519.PublicKey), challenge, nil, a.Signature)
			}, false},
		{"totp", TOTP("JBSWY3DPEHPK3PXP"), "totp", nil, func(_ *core.Hello, a *core.Authenticate) error {
			if !auth.CheckTOTP("JBSWY3DPEHPK3PXP", a.Signature, time.Now()) {
				return errors.New("wrong code")
			}
			return nil
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &authRouter{method: tc.method, extra: tc.extra, check: tc.check}
			d, err := joinAgainst(t, r, JoinOptions{AuthID: "joe", Authenticators: []Authenticator{tc.auth}}, Config{})
			h := <-r.hello
			if len(h.Details.AuthMethods) != 1 || h.Details.AuthMethods[0] != tc.method || h.Details.AuthID != "joe" {
				t.Fatalf("HELLO %+v", h.Details)
			}
			if tc.wantErr {
				if !errors.Is(err, core.ErrAuthenticationFailed) {
					t.Fatalf("join: %v, want authentication_failed", err)
				}
				return
			}
			if err != nil || d.AuthMethod != tc.method {
				t.Fatalf("join: %v, %+v", err, d)
			}
		})
	}

	// A method no authenticator has, and no OnChallenge: the join fails
	// with a message that says so.
	r := &authRouter{method: "scram", check: func(*core.Hello, *core.Authenticate) error { return nil }}
	if _, err := joinAgainst(t, r, JoinOptions{Authenticators: []Authenticator{Ticket("x")}}, Config{}); err == nil || !strings.Contains(err.Error(), "scram") {
		t.Fatalf("unanswerable challenge: %v", err)
	}
	// OnChallenge answers what no authenticator does.
	r = &authRouter{method: "custom", check: func(_ *core.Hello, a *core.Authenticate) error {
		if a.Signature != "custom answer" {
			return errors.New("bad")
		}
		return nil
	}}
	if _, err := joinAgainst(t, r, JoinOptions{AuthMethods: []string{"custom"}}, Config{OnChallenge: func(context.Context, *Session, *core.Challenge) (*core.Authenticate, error) {
		return &core.Authenticate{Signature: "custom answer"}, nil
	}}); err != nil {
		t.Fatalf("OnChallenge: %v", err)
	}
}

func TestCryptosignChannelBinding(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	challenge := strings.Repeat("01", 32)
	a := Cryptosign(key, core.ChannelBindingTLSUnique)
	if a.AuthExtra()["channel_binding"] != "tls-unique" {
		t.Fatalf("authextra %v", a.AuthExtra())
	}
	c := &core.Challenge{AuthMethod: "cryptosign", Extra: map[string]any{"challenge": challenge}}
	if _, err := a.Authenticate(context.Background(), c, core.TransportDetails{}); err == nil {
		t.Fatal("tls-unique binding without TLS accepted")
	}
	d := core.TransportDetails{TLS: &tls.ConnectionState{Version: tls.VersionTLS12, TLSUnique: []byte("finished msg")}}
	ans, err := a.Authenticate(context.Background(), c, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.VerifyCryptosign(key.Public().(ed25519.PublicKey), challenge, d.ChannelID(core.ChannelBindingTLSUnique), ans.Signature); err != nil {
		t.Fatalf("bound signature: %v", err)
	}
}
