package router

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// wait bounds every wait of the tests.
const wait = 10 * time.Second

// client is a protocol-level test peer: it sends typed messages and
// expects typed answers, over the in-memory transport (pass-through, or
// through a real serializer).
type client struct {
	t   testing.TB
	rec *testpeer.Recorder
	tr  core.Transport
	id  uint64
	req uint64
}

// allRoles announces every client role, with the features the router acts on.
var allRoles = map[string]core.Role{
	core.RoleCaller: {Features: map[string]bool{"call_canceling": true, "progressive_call_results": true, "progressive_call_invocations": true}},
	core.RoleCallee: {Features: map[string]bool{"call_canceling": true, "progressive_call_results": true,
		"progressive_call_invocations": true, "registration_revocation": true}},
	core.RolePublisher:  {},
	core.RoleSubscriber: {},
}

// connect attaches a client to r; ser nil passes messages through.
func connect(t testing.TB, r *Router, ser core.Serializer) *client {
	t.Helper()
	rec := testpeer.NewRecorder()
	tr, err := memory.Connect(r.Accept, rec, memory.Options{Serializer: ser})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Abort() })
	return &client{t: t, rec: rec, tr: tr}
}

// join connects and joins realm, returning the client.
func join(t testing.TB, r *Router, realm string) *client {
	t.Helper()
	c := connect(t, r, nil)
	c.hello(realm)
	return c
}

// basicCallee announces the callee role with no advanced feature.
var basicCallee = map[string]core.Role{core.RoleCallee: {}, core.RoleCaller: {}}

// joinAs connects and joins realm announcing roles.
func joinAs(t testing.TB, r *Router, realm string, roles map[string]core.Role) *client {
	t.Helper()
	c := connect(t, r, nil)
	c.helloAs(realm, roles)
	return c
}

func (c *client) hello(realm string) {
	c.t.Helper()
	c.helloAs(realm, allRoles)
}

func (c *client) helloAs(realm string, roles map[string]core.Role) {
	c.t.Helper()
	c.send(&core.Hello{Realm: realm, Details: core.HelloDetails{Roles: roles}})
	w := expect[*core.Welcome](c)
	c.id = w.Session
}

func (c *client) next() uint64 { c.req++; return c.req }

func (c *client) send(m core.Message) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.tr.Send(ctx, m); err != nil {
		c.t.Fatalf("send %v: %v", m.Type(), err)
	}
}

// recv returns the next message; messages that arrived before the
// transport closed come first.
func (c *client) recv() core.Message {
	c.t.Helper()
	return c.rec.Next(c.t)
}

// expect returns the next message, which must be a T.
func expect[T core.Message](c *client) T {
	c.t.Helper()
	m := c.recv()
	v, ok := m.(T)
	if !ok {
		var zero T
		c.t.Fatalf("got %s, want %T", describe(m), zero)
	}
	return v
}

// expectError returns the next message, an ERROR with uri.
func (c *client) expectError(typ core.MessageType, req uint64, uri string) *core.Error {
	c.t.Helper()
	e := expect[*core.Error](c)
	if e.RequestType != typ || e.Request != req || e.Error != uri {
		c.t.Fatalf("got %s, want ERROR %v %d %s", describe(e), typ, req, uri)
	}
	return e
}

// quiet checks that nothing arrives for d.
func (c *client) quiet(d time.Duration) {
	c.t.Helper()
	select {
	case m := <-c.rec.Msgs:
		c.t.Fatalf("unexpected %s", describe(m))
	case <-time.After(d):
	}
}

// closed waits for the transport to close and returns OnClose's error.
func (c *client) closed() error {
	c.t.Helper()
	select {
	case err := <-c.rec.Closed:
		return err
	case <-time.After(wait):
		c.t.Fatalf("transport still open after %v", wait)
	}
	return nil
}

func describe(m core.Message) string {
	l, err := m.List()
	if err != nil {
		return fmt.Sprintf("%v (%v)", m.Type(), err)
	}
	return fmt.Sprintf("%v %v", m.Type(), l)
}

func (c *client) subscribe(topic, match string) uint64 {
	c.t.Helper()
	req := c.next()
	c.send(&core.Subscribe{Request: req, Topic: topic, Options: core.SubscribeOptions{Match: match}})
	s := expect[*core.Subscribed](c)
	if s.Request != req {
		c.t.Fatalf("SUBSCRIBED for request %d, want %d", s.Request, req)
	}
	return s.Subscription
}

func (c *client) register(proc string, o core.RegisterOptions) uint64 {
	c.t.Helper()
	req := c.next()
	c.send(&core.Register{Request: req, Procedure: proc, Options: o})
	s := expect[*core.Registered](c)
	if s.Request != req {
		c.t.Fatalf("REGISTERED for request %d, want %d", s.Request, req)
	}
	return s.Registration
}

func (c *client) publish(topic string, o core.PublishOptions, args ...any) uint64 {
	c.t.Helper()
	req := c.next()
	c.send(&core.Publish{Request: req, Topic: topic, Options: o, Args: args})
	return req
}

func (c *client) call(proc string, o core.CallOptions, args ...any) uint64 {
	c.t.Helper()
	req := c.next()
	c.send(&core.Call{Request: req, Procedure: proc, Options: o, Args: args})
	return req
}

func newRouter(t testing.TB, opts Options) *Router {
	t.Helper()
	if opts.Realms == nil {
		opts.Realms = []string{"realm1"}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		r.Close(ctx)
	})
	return r
}

func ptr[T any](v T) *T { return &v }

func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: got %#v, want %#v", what, got, want)
	}
}

// logBuffer collects log lines for tests that check what was logged.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
