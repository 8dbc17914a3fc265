package main

// A minimal WAMP client session, private to the bench command.
//
// The bench speaks WAMP at the protocol level instead of going through a
// client library, for two reasons: it must not be the bottleneck of what it
// measures (a round trip costs one CALL and one RESULT, nothing more: no
// per-call goroutine, channel or map), and it must work against any router,
// so it only uses the core message model and the transports of the registry.
// A benchPeer joins a realm (anonymously, or with the authenticators of the
// command's flags), hands every message of the running
// session to its mode's handler on the transport's reader goroutine, and
// leaves with GOODBYE. It is not a general client: it does no
// reconnection and no request bookkeeping beyond what a
// bench mode does itself.

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// leaveTimeout bounds the wait for the router's GOODBYE and the closing
// handshake of one session when a bench ends.
const leaveTimeout = 2 * time.Second

// benchPeer is one WAMP session of a bench run over its own connection.
type benchPeer struct {
	name string // "caller 3", for error messages
	c    *benchConfig
	t    core.Transport

	// handle gets every message of the joined session except GOODBYE; it
	// runs on the transport's reader goroutine and must be cheap.
	handle func(core.Message)
	// lost, if set, is called (on the reader goroutine) when the session or
	// the connection ends without the bench asking for it.
	lost func(error)

	session uint64
	reqID   atomic.Uint64
	joined  atomic.Bool
	leaving atomic.Bool

	joinCh chan core.Message // WELCOME, ABORT or CHALLENGE, once
	byeCh  chan struct{}     // closed when the router answers our GOODBYE
	byOnce sync.Once
	closed chan struct{} // closed once OnClose has run
	err    error         // why the connection ended; read after closed
}

// nextID returns the next request ID of the session (sequential from 1).
func (p *benchPeer) nextID() uint64 { return p.reqID.Add(1) }

// OnOpen implements core.TransportHandler.
func (p *benchPeer) OnOpen(t core.Transport) { p.t = t }

// OnMessage implements core.TransportHandler: it completes the opening
// handshake and the closing one, and hands everything else to p.handle.
func (p *benchPeer) OnMessage(msg core.Message) {
	if !p.joined.Load() {
		switch msg.(type) {
		case *core.Welcome, *core.Abort, *core.Challenge:
			select { // one at a time: the router waits for our AUTHENTICATE
			case p.joinCh <- msg:
			default:
			}
		}
		return
	}
	if g, ok := msg.(*core.Goodbye); ok {
		if p.leaving.Load() {
			p.byOnce.Do(func() { close(p.byeCh) })
			return
		}
		// The router ends the session: answer as the protocol asks, and
		// tell the mode, which did not expect it.
		_ = p.t.Send(context.Background(), &core.Goodbye{Reason: "wamp.close.goodbye_and_out"})
		if p.lost != nil {
			p.lost(fmt.Errorf("%s: the router ended the session: GOODBYE %s%s", p.name, g.Reason, detailMessage(g.Details.Message)))
		}
		return
	}
	p.handle(msg)
}

// OnClose implements core.TransportHandler.
func (p *benchPeer) OnClose(err error) {
	p.err = err
	close(p.closed)
	if p.lost != nil && !p.leaving.Load() && p.joined.Load() {
		if err == nil {
			err = errors.New("closed by the router")
		}
		p.lost(fmt.Errorf("%s: connection lost: %w", p.name, err))
	}
}

func detailMessage(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// errorText renders an ERROR message for a report: its URI and, if any, its
// first argument (routers put the explanation there).
func errorText(e *core.Error) string {
	s := "ERROR " + e.Error
	if len(e.Args) > 0 {
		s += fmt.Sprintf(" (%v)", e.Args[0])
	}
	return s
}

// clientRoles announces every client role with an empty features dict, as
// the minimal HELLO of WIRE.md §1 allows.
func clientRoles(names ...string) map[string]core.Role {
	roles := make(map[string]core.Role, len(names))
	for _, n := range names {
		roles[n] = core.Role{Features: map[string]bool{}}
	}
	return roles
}

// dialPeer connects to the bench URL, joins the realm anonymously with the
// given roles and returns the joined session. handle and lost are as in
// benchPeer. The dial and the join are bounded by the configured timeout.
func dialPeer(ctx context.Context, c *benchConfig, name string, roles map[string]core.Role, handle func(core.Message), lost func(error)) (*benchPeer, error) {
	p := &benchPeer{name: name, c: c, handle: handle, lost: lost,
		joinCh: make(chan core.Message, 1), byeCh: make(chan struct{}), closed: make(chan struct{})}
	dctx, cancel := context.WithTimeout(ctx, c.dialTimeout)
	defer cancel()
	cfg := core.TransportConfig{Serializers: []core.Serializer{c.serializer}, Options: c.transportOptions}
	t, err := registry.Dial(dctx, c.url, cfg, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// p.t was set by OnOpen, before the reader started.
	fail := func(err error) (*benchPeer, error) {
		t.Abort()
		return nil, fmt.Errorf("%s: joining %s at %s: %w", name, c.realm, c.url, err)
	}
	hello := core.HelloDetails{Roles: roles, AuthID: c.authid}
	for _, a := range c.auth {
		hello.AuthMethods = append(hello.AuthMethods, a.AuthMethod())
		for k, v := range a.AuthExtra() {
			if hello.AuthExtra == nil {
				hello.AuthExtra = map[string]any{}
			}
			hello.AuthExtra[k] = v
		}
	}
	if err := t.Send(dctx, &core.Hello{Realm: c.realm, Details: hello}); err != nil {
		return fail(err)
	}
	for {
		select {
		case msg := <-p.joinCh:
			switch m := msg.(type) {
			case *core.Welcome:
				p.session = m.Session
				p.joined.Store(true)
				return p, nil
			case *core.Abort:
				return fail(fmt.Errorf("ABORT %s%s", m.Reason, detailMessage(m.Details.Message)))
			case *core.Challenge:
				answer, err := p.answer(dctx, m)
				if err != nil {
					return fail(err)
				}
				if err := t.Send(dctx, answer); err != nil {
					return fail(err)
				}
			}
		case <-p.closed:
			return fail(fmt.Errorf("connection closed before WELCOME: %v", p.err))
		case <-dctx.Done():
			if ctx.Err() != nil {
				return fail(ctx.Err())
			}
			return fail(fmt.Errorf("no WELCOME within %v", c.dialTimeout))
		}
	}
}

// answer is the AUTHENTICATE for a CHALLENGE, from the authenticator of
// its method.
func (p *benchPeer) answer(ctx context.Context, ch *core.Challenge) (*core.Authenticate, error) {
	for _, a := range p.c.auth {
		if a.AuthMethod() == ch.AuthMethod {
			return a.Authenticate(ctx, ch, p.t.Details())
		}
	}
	return nil, fmt.Errorf("the router asks for %q authentication: give the bench --ticket, --wampcra or --cryptosign", ch.AuthMethod)
}

// request sends msg and waits, bounded by the configured timeout, for its
// reply (REGISTERED, SUBSCRIBED, or an ERROR) on replies, where the mode's
// handler forwards it. It is for the set-up of a bench, before the measured
// traffic starts.
func (p *benchPeer) request(ctx context.Context, what string, msg core.Message, replies <-chan core.Message) (core.Message, error) {
	rctx, cancel := context.WithTimeout(ctx, p.c.dialTimeout)
	defer cancel()
	if err := p.t.Send(rctx, msg); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", p.name, what, err)
	}
	select {
	case m := <-replies:
		if e, ok := m.(*core.Error); ok {
			return nil, fmt.Errorf("%s: %s: %s", p.name, what, errorText(e))
		}
		return m, nil
	case <-p.closed:
		return nil, fmt.Errorf("%s: %s: connection lost: %v", p.name, what, p.err)
	case <-rctx.Done():
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%s: %s: no reply within %v", p.name, what, p.c.dialTimeout)
	}
}

// leave says GOODBYE, waits (bounded) for the router's GOODBYE and closes
// the connection. A connection that is already gone is left alone.
func (p *benchPeer) leave() {
	p.leaving.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
	defer cancel()
	select {
	case <-p.closed:
		return
	default:
	}
	if err := p.t.Send(ctx, &core.Goodbye{Reason: "wamp.close.close_realm"}); err == nil {
		select {
		case <-p.byeCh:
		case <-p.closed:
			return
		case <-ctx.Done():
		}
	}
	if err := p.t.Close(ctx); err != nil {
		p.t.Abort()
	}
}

// dialMany joins n sessions, at most conc at a time, making session i with
// mk. It stops at the first error, leaves the sessions already joined, and
// returns the error. joined, if not nil, counts the sessions joined so far
// (for the progress line).
func dialMany(ctx context.Context, n, conc int, joined *atomic.Int64, mk func(ctx context.Context, i int) (*benchPeer, error)) ([]*benchPeer, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	peers := make([]*benchPeer, n)
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range min(conc, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				p, err := mk(ctx, i)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				peers[i] = p
				if joined != nil {
					joined.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		leaveAll(peers, conc)
		return nil, firstErr
	}
	return peers, nil
}

// leaveAll makes every (non-nil) peer leave, conc at a time.
func leaveAll(peers []*benchPeer, conc int) {
	work := make(chan *benchPeer)
	var wg sync.WaitGroup
	for range max(1, min(conc, len(peers))) {
		wg.Go(func() {
			for p := range work {
				p.leave()
			}
		})
	}
	for _, p := range peers {
		if p != nil {
			work <- p
		}
	}
	close(work)
	wg.Wait()
}
