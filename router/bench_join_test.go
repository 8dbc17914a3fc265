package router_test

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/router"
	"github.com/autobahn-go/autobahn/transports/memory"
	"github.com/autobahn-go/autobahn/wamp"
)

// BenchmarkJoin measures what a join costs the router with each
// authentication method: an in-process connection, HELLO, the CHALLENGE
// and AUTHENTICATE of the method, WELCOME, and the connection's close; the
// client's own work (signing, deriving the salted key) counts too. Compare
// each method with anonymous, measured in the same run.
func BenchmarkJoin(b *testing.B) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	salted, err := auth.DeriveKey("s3cret", "salt", 1000, 32)
	if err != nil {
		b.Fatal(err)
	}
	principals := map[string]router.Principal{
		"joe": {Role: "user", Secret: "s3cret", PubKeys: []string{auth.PublicKeyHex(key)}},
		"ann": {Role: "user", Secret: salted, Salt: "salt", Iterations: 1000, KeyLen: 32},
	}
	r := startRouter(b, router.Options{Realms: []string{"realm1"}, Auth: []router.AuthMethod{
		router.Anonymous{}, router.Ticket{Principals: principals}, router.WAMPCRA{Principals: principals},
		router.Cryptosign{Principals: principals},
	}})
	for _, tc := range []struct {
		name, authid string
		a            wamp.Authenticator
	}{
		{"anonymous", "", nil},
		{"ticket", "joe", wamp.Ticket("s3cret")},
		{"wampcra", "joe", wamp.WAMPCRA("s3cret")},
		{"wampcra-salted-1000", "ann", wamp.WAMPCRA("s3cret")},
		{"cryptosign", "", wamp.Cryptosign(key, "")},
	} {
		b.Run(tc.name, func(b *testing.B) {
			hello := core.HelloDetails{AuthID: tc.authid, Roles: map[string]core.Role{core.RoleCaller: {}}}
			if tc.a != nil {
				hello.AuthMethods, hello.AuthExtra = []string{tc.a.AuthMethod()}, tc.a.AuthExtra()
			}
			ctx := context.Background()
			for b.Loop() {
				rec := testpeer.NewRecorder()
				tr, err := memory.Connect(r.Accept, rec, memory.Options{})
				if err != nil {
					b.Fatal(err)
				}
				tr.Send(ctx, &core.Hello{Realm: "realm1", Details: hello})
				m := rec.Next(b)
				if ch, ok := m.(*core.Challenge); ok {
					answer, err := tc.a.Authenticate(ctx, ch, tr.Details())
					if err != nil {
						b.Fatal(err)
					}
					tr.Send(ctx, answer)
					m = rec.Next(b)
				}
				if _, ok := m.(*core.Welcome); !ok {
					b.Fatalf("got %v, want WELCOME", m)
				}
				tr.Abort()
			}
		})
	}
}
