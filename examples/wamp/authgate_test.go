package examples_test

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/auth"
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/router"
)

// The router has no authentication yet, so the tests of the authenticated
// examples join through authGate: a listener's acceptor that plays the
// router's part of WAMP-CRA (plain and salted secrets, Crossbar.io's
// challenge format) and WAMP-Ticket, and once a client has authenticated,
// joins it to the embedded router over an in-process session and relays
// every message both ways, with the authid, authrole and authmethod of the
// authentication in WELCOME. Replace it with the router's own
// authentication when that lands.

// gateUser is one principal the gate knows.
type gateUser struct {
	secret string // WAMP-CRA secret, and the ticket
	role   string
	// salt, iterations, keylen make the secret a salted one.
	salt       string
	iterations int
	keylen     int
}

type authGate struct {
	r     *router.Router
	users map[string]gateUser

	wg sync.WaitGroup // closes in flight
}

func newAuthGate(r *router.Router) *authGate {
	return &authGate{r: r, users: map[string]gateUser{
		// Autobahn's examples/twisted/wamp/auth/backend.py and backend_salted.py
		"username": {secret: "p4ssw0rd", role: "backend"},
		"salted":   {secret: "s33kr1t", role: "backend", salt: "salt123", iterations: 100, keylen: 32},
		// examples/asyncio/wamp/component/frontend.py
		"bob": {secret: "p4ssw0rd", role: "dynamic_authed"},
	}}
}

// Accept is the core.Acceptor of the gate's listener.
func (g *authGate) Accept(core.Transport) core.TransportHandler { return &gateConn{g: g} }

// wait waits for the transports the gate closes.
func (g *authGate) wait() { g.wg.Wait() }

// closeLater closes t on a goroutine of its own (never on a transport's
// reader), bounded in time.
func (g *authGate) closeLater(t core.Transport) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		t.Close(ctx)
	}()
}

// gateConn is one client connection of the gate.
type gateConn struct {
	g *authGate

	mu        sync.Mutex
	client    core.Transport
	upstream  core.Transport // the in-process session, once authenticated
	hello     *core.Hello
	user      gateUser
	method    string
	challenge string
	closed    bool
}

func (c *gateConn) OnOpen(t core.Transport) {
	c.mu.Lock()
	c.client = t
	c.mu.Unlock()
}

func (c *gateConn) OnMessage(m core.Message) {
	c.mu.Lock()
	up, closed := c.upstream, c.closed
	c.mu.Unlock()
	switch {
	case closed:
		return
	case up != nil:
		send(up, m)
		return
	}
	switch m := m.(type) {
	case *core.Hello:
		c.onHello(m)
	case *core.Authenticate:
		c.onAuthenticate(m)
	default:
		c.abort(core.URIProtocolViolation, "the gate expects HELLO, then AUTHENTICATE")
	}
}

func (c *gateConn) onHello(m *core.Hello) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hello != nil {
		c.abortLocked(core.URIProtocolViolation, "a second HELLO")
		return
	}
	u, known := c.g.users[m.Details.AuthID]
	if !known {
		c.abortLocked(core.URINotAuthorized, "no principal with authid "+m.Details.AuthID)
		return
	}
	c.hello, c.user = m, u
	methods := m.Details.AuthMethods
	switch {
	case slices.Contains(methods, "wampcra"):
		c.method = "wampcra"
		nonce := make([]byte, 16)
		rand.Read(nonce)
		ch, _ := json.Marshal(map[string]any{
			"authid": m.Details.AuthID, "authrole": u.role, "authmethod": "wampcra", "authprovider": "static",
			"session": 1, "nonce": base64.StdEncoding.EncodeToString(nonce),
			"timestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		})
		c.challenge = string(ch)
		extra := map[string]any{"challenge": c.challenge}
		if u.salt != "" {
			extra["salt"], extra["iterations"], extra["keylen"] = u.salt, u.iterations, u.keylen
		}
		send(c.client, &core.Challenge{AuthMethod: "wampcra", Extra: extra})
	case slices.Contains(methods, "ticket"):
		c.method = "ticket"
		send(c.client, &core.Challenge{AuthMethod: "ticket"})
	default:
		c.abortLocked(core.URINoAuthMethod, "the gate takes wampcra and ticket only")
	}
}

func (c *gateConn) onAuthenticate(m *core.Authenticate) {
	c.mu.Lock()
	up, hello := c.authenticateLocked(m)
	c.mu.Unlock()
	// Sent without the lock: the router's WELCOME may come back on this
	// very goroutine.
	if up != nil {
		send(up, &core.Hello{Realm: hello.Realm, Details: core.HelloDetails{Roles: hello.Details.Roles}})
	}
}

// authenticateLocked checks the signature and, when it is right, attaches
// the upstream session, which the caller then joins with HELLO.
func (c *gateConn) authenticateLocked(m *core.Authenticate) (core.Transport, *core.Hello) {
	if c.hello == nil || c.upstream != nil || c.closed {
		c.abortLocked(core.URIProtocolViolation, "AUTHENTICATE out of turn")
		return nil, nil
	}
	want := c.user.secret
	if c.method == "wampcra" {
		key := c.user.secret
		if c.user.salt != "" {
			var err error
			if key, err = auth.DeriveKey(key, c.user.salt, c.user.iterations, c.user.keylen); err != nil {
				c.abortLocked(core.URIAuthenticationFailed, err.Error())
				return nil, nil
			}
		}
		want = auth.SignWAMPCRA(key, c.challenge)
	}
	if !hmac.Equal([]byte(m.Signature), []byte(want)) {
		c.abortLocked(core.URIAuthenticationFailed, "wrong "+c.method+" signature")
		return nil, nil
	}
	up, err := c.g.r.Connect(&gateUpstream{c: c})
	if err != nil {
		c.abortLocked(core.URINoSuchRealm, err.Error())
		return nil, nil
	}
	c.upstream = up
	return up, c.hello
}

// abort refuses the client with ABORT and closes its transport.
func (c *gateConn) abort(reason, message string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.abortLocked(reason, message)
}

func (c *gateConn) abortLocked(reason, message string) {
	send(c.client, &core.Abort{Reason: reason, Details: core.AbortDetails{Message: message}})
	c.closeLocked()
}

func (c *gateConn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	c.g.closeLater(c.client)
	if c.upstream != nil {
		c.g.closeLater(c.upstream)
	}
}

func (c *gateConn) OnClose(error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

// gateUpstream is the gate's in-process session with the router for one
// authenticated client.
type gateUpstream struct{ c *gateConn }

func (u *gateUpstream) OnOpen(core.Transport) {}

func (u *gateUpstream) OnMessage(m core.Message) {
	c := u.c
	c.mu.Lock()
	client, user, method := c.client, c.user, c.method
	authid := c.hello.Details.AuthID
	c.mu.Unlock()
	if w, ok := m.(*core.Welcome); ok {
		w2 := *w
		w2.Details.AuthID, w2.Details.AuthRole = authid, user.role
		w2.Details.AuthMethod, w2.Details.AuthProvider = method, "static"
		m = &w2
	}
	send(client, m)
}

func (u *gateUpstream) OnClose(error) {
	c := u.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closeLocked()
}

// send sends m, bounded in time; a failure shows as the transport's close.
func send(t core.Transport, m core.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	t.Send(ctx, m)
}
