package router

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Call calls procedure in realm from the router's own service session and
// waits, bounded by ctx, for the final result: what dynamic authenticators
// and authorizers use, and what an embedding program may use to call its
// components. The service session has the authrole "trusted": it is not
// subject to authorization, and it does not appear in the session meta
// API. A callee's ERROR is returned as a *core.ApplicationError; when ctx
// ends first, the call is canceled (killnowait).
func (r *Router) Call(ctx context.Context, realm, procedure string, args []any, kwargs map[string]any) (*core.Result, error) {
	rl := r.Realm(realm)
	if rl == nil {
		return nil, &core.ApplicationError{URI: core.URINoSuchRealm, Args: []any{fmt.Sprintf("no realm %q on this router", realm)}}
	}
	return rl.serviceCaller().call(ctx, procedure, args, kwargs)
}

// serviceCaller is a realm's service session: a session of the router
// itself whose "transport" hands RESULT and ERROR to the waiting callers.
type serviceCaller struct {
	s *session

	mu      sync.Mutex
	next    uint64
	waiting map[uint64]chan core.Message
}

func (rl *Realm) serviceCaller() *serviceCaller {
	rl.serviceOnce.Do(func() {
		c := &serviceCaller{waiting: make(map[uint64]chan core.Message)}
		s := newSession(rl.router, serviceTransport{c}, nil)
		s.id, s.realm = randomID(), rl
		s.authid, s.authrole, s.authmethod, s.authprovider = "router", trustedRole, "trusted", "router"
		s.state.Store(stJoined)
		c.s = s
		rl.service = c
	})
	return rl.service
}

func (c *serviceCaller) call(ctx context.Context, procedure string, args []any, kwargs map[string]any) (*core.Result, error) {
	ch := make(chan core.Message, 1)
	c.mu.Lock()
	c.next++
	req := c.next
	c.waiting[req] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.waiting, req)
		c.mu.Unlock()
	}()
	c.s.realm.dealer.call(c.s, &core.Call{Request: req, Procedure: procedure, Args: args, Kwargs: kwargs})
	select {
	case m := <-ch:
		if e, ok := m.(*core.Error); ok {
			return nil, &core.ApplicationError{URI: e.Error, Args: e.Args, Kwargs: e.Kwargs}
		}
		return m.(*core.Result), nil
	case <-ctx.Done():
		c.s.realm.dealer.cancel(c.s, &core.Cancel{Request: req, Options: core.CancelOptions{Mode: core.CancelKillNoWait}})
		return nil, fmt.Errorf("calling %s: %w", procedure, ctx.Err())
	}
}

// deliver hands a final RESULT or ERROR to its caller.
func (c *serviceCaller) deliver(req uint64, m core.Message) {
	c.mu.Lock()
	ch := c.waiting[req]
	c.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default: // answered already
		}
	}
}

// serviceTransport is the service session's side of the dealer.
type serviceTransport struct{ c *serviceCaller }

func (t serviceTransport) TrySend(m core.Message) error {
	switch m := m.(type) {
	case *core.Result:
		if !isTrue(m.Details.Progress) {
			t.c.deliver(m.Request, m)
		}
	case *core.Error:
		t.c.deliver(m.Request, m)
	}
	return nil
}

func (t serviceTransport) Send(_ context.Context, m core.Message) error { return t.TrySend(m) }
func (serviceTransport) Close(context.Context) error                    { return nil }
func (serviceTransport) Abort() error                                   { return errors.New("the service session has no connection") }
func (serviceTransport) Details() core.TransportDetails {
	return core.TransportDetails{Peer: "router", IsServer: true}
}
