package router

import (
	"slices"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

func TestWelcomeAnnouncesExactlyTheFeatures(t *testing.T) {
	r := newRouter(t, Options{})
	c := connect(t, r, nil)
	c.send(&core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: allRoles}})
	w := expect[*core.Welcome](c)
	if w.Session < 1 || w.Session > maxID {
		t.Fatalf("session ID %d out of [1, 2^53]", w.Session)
	}
	d := w.Details
	equal(t, "realm", d.Realm, "realm1")
	equal(t, "authrole", d.AuthRole, "anonymous")
	equal(t, "authmethod", d.AuthMethod, "anonymous")
	if d.AuthID == "" {
		t.Fatal("no authid")
	}
	if len(d.Roles) != 2 {
		t.Fatalf("roles %v, want broker and dealer", d.Roles)
	}
	for role, want := range Features {
		var got []string
		for f, on := range d.Roles[role].Features {
			if on {
				got = append(got, f)
			}
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		equal(t, role+" features", got, want)
	}
}

func TestHelloRefused(t *testing.T) {
	r := newRouter(t, Options{})
	for _, tc := range []struct {
		name   string
		hello  *core.Hello
		reason string
	}{
		{"unknown realm", &core.Hello{Realm: "nosuch", Details: core.HelloDetails{Roles: allRoles}}, core.URINoSuchRealm},
		{"no realm", &core.Hello{Details: core.HelloDetails{Roles: allRoles}}, core.URINoSuchRealm},
		{"invalid realm", &core.Hello{Realm: "a b", Details: core.HelloDetails{Roles: allRoles}}, core.URIInvalidURI},
		{"no acceptable authmethod", &core.Hello{Realm: "realm1", Details: core.HelloDetails{Roles: allRoles, AuthMethods: []string{"ticket"}}}, core.URINoAuthMethod},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, r, nil)
			c.send(tc.hello)
			a := expect[*core.Abort](c)
			equal(t, "reason", a.Reason, tc.reason)
			if a.Details.Message == "" {
				t.Error("ABORT without a message")
			}
			c.closed()
		})
	}
}

func TestAutoCreateRealms(t *testing.T) {
	r := newRouter(t, Options{AutoCreateRealms: true})
	c := join(t, r, "com.example.fresh")
	if r.Realm("com.example.fresh") == nil || c.id == 0 {
		t.Fatal("realm not created")
	}
}

func TestGoodbyeThenRejoin(t *testing.T) {
	r := newRouter(t, Options{})
	c := join(t, r, "realm1")
	c.register("com.example.proc", core.RegisterOptions{})
	c.send(&core.Goodbye{Reason: core.URICloseNormal})
	g := expect[*core.Goodbye](c)
	equal(t, "reason", g.Reason, core.URICloseGoodbyeAndOut)
	equal(t, "sessions after GOODBYE", r.Realm("realm1").SessionCount(), 0)
	// The registration went with the session; the transport carries a new one.
	c.hello("realm1")
	c.register("com.example.proc", core.RegisterOptions{})
}

func TestCloseSaysGoodbyeToEverySession(t *testing.T) {
	r := newRouter(t, Options{})
	a, b := join(t, r, "realm1"), join(t, r, "realm1")
	done := make(chan error, 1)
	go func() { done <- r.Close(t.Context()) }()
	for _, c := range []*client{a, b} {
		g := expect[*core.Goodbye](c)
		equal(t, "reason", g.Reason, core.URICloseSystemShutdown)
		c.send(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(wait):
		t.Fatal("Close did not return")
	}
	a.closed()
	b.closed()
	// No new session once closed.
	if _, err := r.Connect(testpeer.NewRecorder()); err == nil {
		t.Fatal("Connect after Close succeeded")
	}
}
