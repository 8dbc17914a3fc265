package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/transports/memory"
)

// Options configure a [Router]. The zero value serves no realm and creates
// none: give Realms, or set AutoCreateRealms.
type Options struct {
	// Realms are created at start.
	Realms []string
	// AutoCreateRealms creates a realm on the first HELLO that asks for it
	// (if its name is valid) instead of answering wamp.error.no_such_realm.
	AutoCreateRealms bool
	// LooseURIs accepts any URI that WAMP's loose rules allow. By default the
	// router checks topics, procedures and patterns strictly (components of
	// [0-9a-z_]) as Crossbar.io does, and answers wamp.error.invalid_uri.
	LooseURIs bool
	// MaxRealms bounds how many realms AutoCreateRealms may create in all
	// (default 1000), so that HELLOs naming random realms cannot grow the
	// router without end; a HELLO over the limit gets
	// wamp.error.no_such_realm.
	MaxRealms int
	// MaxPendingCalls bounds the calls one session may have waiting for their
	// results (default 10000); a CALL over the limit is answered with ERROR
	// URITooManyPendingCalls.
	MaxPendingCalls int
	// MaxRetainedTopics bounds how many topics of one realm keep a retained
	// event (default 10000); a retained publication to a new topic over the
	// limit is delivered but not kept, logged and counted
	// (Stats.RetainedRefused).
	MaxRetainedTopics int
	// Auth lists the authentication methods the router admits (Anonymous,
	// Ticket, WAMPCRA, Cryptosign, or your own AuthMethod). A HELLO picks
	// the first of its authmethods (["anonymous"] when it names none) that
	// the router has, else ABORT wamp.error.no_auth_method. Nil admits
	// anonymous sessions only, with role "anonymous".
	Auth []AuthMethod
	// Roles are the authroles of realms, by realm and role name, as
	// Crossbar.io's config lists them: static permissions or a dynamic
	// authorizer. A session of a realm listed here must have one of its
	// roles (or "trusted", allowed everything), else its HELLO gets ABORT
	// wamp.error.no_such_role.
	Roles map[string]map[string]Role
	// EventHistory lists, by realm, the topics whose last events the realm
	// keeps for wamp.subscription.get_events.
	EventHistory map[string][]EventHistory
	// Authorizer decides for the sessions of realms without Roles (e.g.
	// NewRoles); nil allows everything.
	Authorizer Authorizer
	// ServiceCallTimeout bounds each call of a dynamic authorizer (default
	// 10 s; a dynamic authenticator's calls are bounded by HandshakeTimeout).
	ServiceCallTimeout time.Duration
	// HandshakeTimeout bounds the time from a connection's start to its
	// WELCOME (HELLO, and the CHALLENGE's answer): a connection that does not
	// join in time is closed, logged and counted (default 10 s).
	HandshakeTimeout time.Duration
	// MaxSessions bounds the connections the router serves at once, joined
	// or not (default 100,000); more are refused at once, logged and counted.
	MaxSessions int
	// MaxAuthFailures bounds the failed authentications one peer host may
	// have within AuthFailureWindow (default 20 per minute); its next HELLOs
	// in that window are refused at once with ABORT
	// wamp.error.authentication_failed, logged and counted
	// (Stats.AuthThrottled). In-process sessions are not limited.
	MaxAuthFailures   int
	AuthFailureWindow time.Duration
	// ShutdownTimeout bounds how long Close waits for sessions to answer
	// GOODBYE before it drops their connections, and how long a killed
	// session has to answer (default 5 s).
	ShutdownTimeout time.Duration
	// Logger receives the router's log lines; nil means slog.Default().
	Logger *slog.Logger
}

// Router hosts realms and serves WAMP sessions over any transport: hand
// [Router.Accept] to a listener (it is a [core.Acceptor]), or attach an
// in-process component with [Router.Connect]. It is safe for concurrent use.
type Router struct {
	opts   Options
	logger *slog.Logger

	roles       map[string]*realmRoles // Options.Roles, compiled
	authLimiter *authLimiter

	mu       sync.Mutex
	realms   map[string]*Realm
	sessions map[*session]struct{} // every connection, joined or not
	closing  bool
	gone     chan struct{} // closed when sessions becomes empty while closing

	stats routerCounters
}

// New returns a router serving the realms of opts.
func New(opts Options) (*Router, error) {
	r := &Router{opts: opts, logger: opts.Logger, realms: make(map[string]*Realm), sessions: make(map[*session]struct{})}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	if r.opts.ShutdownTimeout <= 0 {
		r.opts.ShutdownTimeout = 5 * time.Second
	}
	if r.opts.Auth == nil {
		r.opts.Auth = []AuthMethod{Anonymous{}}
	}
	setDefault(&r.opts.MaxRealms, 1000)
	setDefault(&r.opts.MaxSessions, 100_000)
	if r.opts.HandshakeTimeout <= 0 {
		r.opts.HandshakeTimeout = 10 * time.Second
	}
	if r.opts.ServiceCallTimeout <= 0 {
		r.opts.ServiceCallTimeout = 10 * time.Second
	}
	setDefault(&r.opts.MaxAuthFailures, 20)
	if r.opts.AuthFailureWindow <= 0 {
		r.opts.AuthFailureWindow = time.Minute
	}
	r.authLimiter = newAuthLimiter(r.opts.MaxAuthFailures, r.opts.AuthFailureWindow)
	r.roles = make(map[string]*realmRoles, len(opts.Roles))
	for realm, roles := range opts.Roles {
		rr, err := newRealmRoles(realm, roles)
		if err != nil {
			return nil, err
		}
		r.roles[realm] = rr
	}
	setDefault(&r.opts.MaxPendingCalls, 10000)
	setDefault(&r.opts.MaxRetainedTopics, 10000)
	for _, name := range opts.Realms {
		if _, err := r.AddRealm(name); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func setDefault(v *int, def int) {
	if *v <= 0 {
		*v = def
	}
}

// AddRealm creates the realm name, or returns it if it exists. The name
// must follow Crossbar.io's rules for realm names.
func (r *Router) AddRealm(name string) (*Realm, error) {
	if err := core.ValidateRealm(name); err != nil {
		return nil, fmt.Errorf("router: realm: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if rl := r.realms[name]; rl != nil {
		return rl, nil
	}
	rl := newRealm(r, name)
	if err := rl.broker.addHistory(r.opts.EventHistory[name]); err != nil {
		return nil, err
	}
	r.realms[name] = rl
	return rl, nil
}

// Realm returns the realm name, or nil.
func (r *Router) Realm(name string) *Realm {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.realms[name]
}

// Realms returns the router's realms, sorted by name.
func (r *Router) Realms() []*Realm {
	r.mu.Lock()
	all := make([]*Realm, 0, len(r.realms))
	for _, rl := range r.realms {
		all = append(all, rl)
	}
	r.mu.Unlock()
	slices.SortFunc(all, func(a, b *Realm) int { return strings.Compare(a.name, b.name) })
	return all
}

// realmFor returns the realm a HELLO asks for, creating it when allowed.
func (r *Router) realmFor(name string) (*Realm, error) {
	if rl := r.Realm(name); rl != nil {
		return rl, nil
	}
	if err := core.ValidateRealm(name); err != nil {
		return nil, err
	}
	if !r.opts.AutoCreateRealms {
		return nil, fmt.Errorf("no realm %q on this router", name)
	}
	r.mu.Lock()
	full := len(r.realms) >= r.opts.MaxRealms
	r.mu.Unlock()
	if full {
		return nil, fmt.Errorf("no realm %q on this router, and it holds the most realms it may create (%d)", name, r.opts.MaxRealms)
	}
	return r.AddRealm(name)
}

// Accept returns the router-side session for a new transport; it is a
// [core.Acceptor] for listeners: registry.Listen(ctx, url, cfg, r.Accept).
// Its sessions authenticate with Options.Auth ([Router.Acceptor] gives a
// listener its own methods). It returns nil (the listener then closes the
// transport) once the router is closing, and for a transport that cannot
// enqueue without blocking (a [core.TrySender]; every transport of this
// module is one): the router sends while it holds a realm's lock, so one
// stuck peer would stall the realm.
func (r *Router) Accept(t core.Transport) core.TransportHandler {
	return r.accept(t, r.opts.Auth)
}

// Acceptor returns a [core.Acceptor] whose sessions authenticate with
// methods instead of Options.Auth, as each transport of a Crossbar.io
// config has its own auth section.
func (r *Router) Acceptor(methods ...AuthMethod) core.Acceptor {
	if len(methods) == 0 {
		methods = r.opts.Auth
	}
	return func(t core.Transport) core.TransportHandler { return r.accept(t, methods) }
}

func (r *Router) accept(t core.Transport, methods []AuthMethod) core.TransportHandler {
	st, ok := t.(trySendTransport)
	if !ok {
		r.logger.Error("router: refusing a transport that cannot send without blocking (it does not implement core.TrySender)",
			"peer", t.Details().Peer, "type", fmt.Sprintf("%T", t))
		return nil
	}
	s := newSession(r, st, methods)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return nil
	}
	if len(r.sessions) >= r.opts.MaxSessions {
		if r.stats.refused.Add(1)&1023 == 1 { // the 1st, 1025th, … refusal
			r.logger.Warn("router: refusing a connection: it serves the most sessions allowed",
				"peer", t.Details().Peer, "max_sessions", r.opts.MaxSessions, "refused", r.stats.refused.Load())
		}
		return nil
	}
	r.sessions[s] = struct{}{}
	s.started = time.Now()
	s.handshake = time.AfterFunc(r.opts.HandshakeTimeout, s.handshakeExpired)
	return s
}

// Connect attaches an in-process component to the router over the
// in-memory transport: no socket and no serialization, messages are handed
// over as values. h gets OnOpen before Connect returns; the returned
// transport is the component's side.
func (r *Router) Connect(h core.TransportHandler) (core.Transport, error) {
	t, err := memory.Connect(r.Accept, h, memory.Options{Logger: r.logger})
	if err != nil {
		return nil, fmt.Errorf("router: connect in-process session: %w", err)
	}
	return t, nil
}

// forget drops a closed connection.
func (r *Router) forget(s *session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, s)
	if r.closing && len(r.sessions) == 0 && r.gone != nil {
		close(r.gone)
		r.gone = nil
	}
}

// Close shuts the router down: it accepts no new session, says GOODBYE
// (wamp.close.system_shutdown) to every joined session, closes the
// connections of the others, and waits for them to end — bounded by ctx
// and by Options.ShutdownTimeout — before dropping what is left.
func (r *Router) Close(ctx context.Context) error {
	r.mu.Lock()
	if r.closing {
		r.mu.Unlock()
		return errors.New("router: already closed")
	}
	r.closing = true
	gone := make(chan struct{})
	if len(r.sessions) == 0 {
		close(gone)
	} else {
		r.gone = gone
	}
	all := make([]*session, 0, len(r.sessions))
	for s := range r.sessions {
		all = append(all, s)
	}
	r.mu.Unlock()
	for _, s := range all {
		s.shutdown()
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.ShutdownTimeout)
	defer cancel()
	select {
	case <-gone:
		return nil
	case <-ctx.Done():
	}
	r.mu.Lock()
	left := len(r.sessions)
	for s := range r.sessions {
		s.t.Abort()
	}
	r.mu.Unlock()
	return fmt.Errorf("router: %d sessions did not close in time: %w", left, ctx.Err())
}

// authMethod returns the method of methods that a HELLO's authmethods
// pick, or nil.
func authMethod(methods []AuthMethod, offered []string) AuthMethod {
	if len(offered) == 0 {
		offered = []string{"anonymous"}
	}
	for _, name := range offered {
		for _, m := range methods {
			if m.Name() == name {
				return m
			}
		}
	}
	return nil
}

func authNames(methods []AuthMethod) []string {
	names := make([]string, len(methods))
	for i, m := range methods {
		names[i] = m.Name()
	}
	return names
}

// checkURI applies the router's URI rules (strict unless LooseURIs).
func (r *Router) checkURI(uri, match string) error {
	return core.ValidateURI(uri, !r.opts.LooseURIs, match)
}
