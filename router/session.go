package router

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Session states.
const (
	stNew        uint32 = iota // waiting for HELLO (also after a GOODBYE exchange)
	stJoined                   // joined to a realm
	stLeaving                  // the router said GOODBYE and waits for the answer
	stClosed                   // aborted for a violation, or the transport is gone
	stChallenged               // CHALLENGE sent, waiting for AUTHENTICATE
)

// Client features the router acts on, from HELLO.Details.roles.
type clientFeatures uint8

const (
	calleeCanceling              clientFeatures = 1 << iota // callee: call_canceling (INTERRUPT)
	calleeRevocation                                        // callee: registration_revocation
	calleeProgressiveInvocations                            // callee: progressive_call_invocations
	subscriberRevocation                                    // subscriber: subscription_revocation
)

// session is the router's side of one transport. It has no goroutine: the
// transport's reader calls OnMessage, which handles the message at once and
// sends only with TrySend. Fields set by HELLO (id, realm, auth*) are
// written before the session joins its realm and read by other sessions'
// goroutines only after that, under the broker's or dealer's lock.
type session struct {
	router *Router
	t      trySendTransport

	state atomic.Uint32
	slow  atomic.Bool // disconnected for a full send queue
	// welcoming orders WELCOME and its state change against a GOODBYE
	// from another goroutine (kill, shutdown).
	welcoming sync.Mutex

	id           uint64
	realm        *Realm
	authid       string
	authrole     string
	authmethod   string
	authprovider string
	authextra    map[string]any
	features     clientFeatures
	auth         []AuthMethod // the methods this connection's listener admits
	pending      *pendingAuth // while challenged
	handshake    *time.Timer  // until WELCOME: Options.HandshakeTimeout
	started      time.Time    // the connection's start, for the handshake deadline

	// authorizer decides for the joined session (nil: allowed everything);
	// decisions caches those it may remember. Only the session's reader
	// uses them.
	authorizer Authorizer
	decisions  map[[2]string]Decision
	testaments *testaments // events to publish when the session leaves

	// Owned by the realm's broker and dealer (under their locks).
	subscriptions []*subscription
	registrations []*registration
	calls         map[uint64]*invocation // calls made, by CALL request ID
	serving       map[uint64]*invocation // invocations served, by INVOCATION request ID
}

var _ core.TransportHandler = (*session)(nil)

// trySendTransport is a transport that can enqueue without blocking: the
// only kind the router serves (see Router.Accept).
type trySendTransport interface {
	core.Transport
	core.TrySender
}

func newSession(r *Router, t trySendTransport, auth []AuthMethod) *session {
	return &session{router: r, t: t, auth: auth}
}

// pendingAuth is a HELLO waiting for its AUTHENTICATE.
type pendingAuth struct {
	realm  requestedRealm
	method AuthMethod
	state  any
}

// requestedRealm is the realm HELLO asked for, or why there is none.
type requestedRealm struct {
	rl      *Realm
	missing string
}

// OnOpen implements core.TransportHandler; the session waits for HELLO.
func (s *session) OnOpen(core.Transport) {}

// OnClose implements core.TransportHandler: the session leaves its realm.
func (s *session) OnClose(error) {
	s.state.Store(stClosed)
	if s.handshake != nil {
		s.handshake.Stop()
	}
	s.leave()
	s.router.forget(s)
}

func (s *session) leave() {
	if rl := s.realm; rl != nil {
		rl.leave(s)
	}
}

// OnMessage implements core.TransportHandler.
func (s *session) OnMessage(m core.Message) {
	s.router.stats.received.add(m.Type())
	switch s.state.Load() {
	case stNew:
		switch m := m.(type) {
		case *core.Hello:
			s.hello(m)
		case *core.Abort:
			s.closeTransport()
		default:
			s.violation("%v received before HELLO", m.Type())
		}
	case stJoined:
		s.routed(m)
	case stChallenged:
		switch m := m.(type) {
		case *core.Authenticate:
			s.authenticate(m)
		case *core.Abort:
			s.state.Store(stClosed)
			s.closeTransport()
		default:
			s.violation("%v received while the router waits for AUTHENTICATE", m.Type())
		}
	case stLeaving:
		switch m.(type) {
		case *core.Goodbye, *core.Abort:
			s.state.Store(stClosed)
			s.leave()
			s.closeTransport()
		}
		// Anything else crossed our GOODBYE; it is ignored.
	}
}

// routed handles a message of a joined session.
func (s *session) routed(m core.Message) {
	rl := s.realm
	switch m := m.(type) {
	case *core.Publish:
		rl.broker.publish(s, m)
	case *core.Subscribe:
		rl.broker.subscribe(s, m)
	case *core.Unsubscribe:
		rl.broker.unsubscribe(s, m)
	case *core.Call:
		rl.dealer.call(s, m)
	case *core.Yield:
		rl.dealer.yield(s, m)
	case *core.Error:
		if m.RequestType != core.TypeInvocation {
			s.violation("ERROR for a %v request: a client may only answer INVOCATION with ERROR", m.RequestType)
			return
		}
		rl.dealer.calleeError(s, m)
	case *core.Cancel:
		rl.dealer.cancel(s, m)
	case *core.Register:
		rl.dealer.register(s, m)
	case *core.Unregister:
		rl.dealer.unregister(s, m)
	case *core.Goodbye:
		if !s.state.CompareAndSwap(stJoined, stNew) {
			// The router's GOODBYE (shutdown) crossed this one, which
			// answers it: the session is over.
			s.state.Store(stClosed)
			s.leave()
			s.closeTransport()
			return
		}
		// Leave first: once the client has the answer, the session is
		// gone (counts, meta API), and the transport may carry a new one.
		s.leave()
		s.send(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
		// … within the handshake timeout, like a new connection.
		s.started = time.Now()
		s.handshake = time.AfterFunc(s.router.opts.HandshakeTimeout, s.handshakeExpired)
	case *core.Abort:
		s.state.Store(stClosed)
		s.leave()
		s.closeTransport()
	case *core.Hello:
		s.violation("second HELLO on an established session")
	default:
		s.violation("%v is not a message a router accepts", m.Type())
	}
}

// hello answers HELLO with WELCOME, or ABORT.
func (s *session) hello(m *core.Hello) {
	r := s.router
	r.mu.Lock()
	closing := r.closing
	r.mu.Unlock()
	if closing {
		s.abort(core.URICloseSystemShutdown, "the router is shutting down")
		return
	}
	// The realm is checked after authentication, as Crossbar.io does: the
	// authenticator may assign one (a cryptosign principal's "realm") to a
	// HELLO that names none, or another one.
	var realm requestedRealm
	if m.Realm == "" {
		realm.missing = "HELLO names no realm and the authenticator assigned none"
	} else if rl, err := r.realmFor(m.Realm); err == nil {
		realm.rl = rl
	} else if errors.Is(err, core.ErrInvalidURI) {
		s.abort(core.URIInvalidURI, err.Error())
		return
	} else {
		realm.missing = err.Error()
	}
	s.features = 0
	if f := m.Details.Roles[core.RoleCallee].Features; f != nil {
		if f["call_canceling"] {
			s.features |= calleeCanceling
		}
		if f["registration_revocation"] {
			s.features |= calleeRevocation
		}
		if f["progressive_call_invocations"] {
			s.features |= calleeProgressiveInvocations
		}
	}
	if m.Details.Roles[core.RoleSubscriber].Features["subscription_revocation"] {
		s.features |= subscriberRevocation
	}
	method := authMethod(s.auth, m.Details.AuthMethods)
	if method == nil {
		s.abort(core.URINoAuthMethod, fmt.Sprintf("cannot authenticate using any of the offered authmethods %q: this router admits %q", m.Details.AuthMethods, authNames(s.auth)))
		return
	}
	// Once per HELLO: a WebSocket transport makes its details anew on each
	// call (an idle session keeps none of them).
	td := s.t.Details()
	if r.authLimiter.blocked(peerHost(td.PeerAddr), time.Now()) {
		if r.stats.authThrottled.Add(1)&1023 == 1 {
			r.logger.Warn("router: refusing HELLOs from a peer that failed authentication too often",
				"peer", td.Peer, "max_failures", r.opts.MaxAuthFailures, "window", r.opts.AuthFailureWindow,
				"throttled", r.stats.authThrottled.Load())
		}
		s.abort(core.URIAuthenticationFailed, "too many failed authentications from this host; try again later")
		return
	}
	if realm.rl != nil {
		s.id = realm.rl.newSessionID()
	} else {
		s.id = randomID() // Realm.join picks another if it is taken
	}
	q := &AuthRequest{Realm: m.Realm, Hello: &m.Details, Transport: td, Session: s.id, router: r}
	ctx, cancel := s.handshakeContext()
	defer cancel()
	id, challenge, state, err := method.Hello(ctx, q)
	switch {
	case err != nil:
		s.refuse(err)
	case id != nil:
		s.admit(realm, id, stNew)
	case challenge != nil:
		s.pending = &pendingAuth{realm: realm, method: method, state: state}
		s.state.Store(stChallenged)
		s.send(challenge)
	default:
		s.abort(core.URIAuthenticationFailed, method.Name()+": the authenticator neither admitted nor challenged the session")
	}
}

// handshakeContext ends when the handshake timeout does: what an
// authenticator (a dynamic one calls a procedure) may take.
func (s *session) handshakeContext() (context.Context, context.CancelFunc) {
	return context.WithDeadline(context.Background(), s.started.Add(s.router.opts.HandshakeTimeout))
}

// authenticate checks the AUTHENTICATE answering our CHALLENGE.
func (s *session) authenticate(m *core.Authenticate) {
	p := s.pending
	s.pending = nil
	ctx, cancel := s.handshakeContext()
	defer cancel()
	id, err := p.method.Verify(ctx, p.state, m)
	if err != nil {
		s.refuse(err)
		return
	}
	s.admit(p.realm, id, stChallenged)
}

// refuse aborts an authentication with err's URI (an application error),
// or wamp.error.authentication_failed and its message.
func (s *session) refuse(err error) {
	s.router.stats.authFailures.Add(1)
	if !s.router.authLimiter.failed(peerHost(s.t.Details().PeerAddr), time.Now()) {
		s.router.logger.Warn("router: cannot track failed authentications of another host: too many hosts failing at once",
			"peer", s.t.Details().Peer, "tracked", maxTrackedHosts)
	}
	var ae *core.ApplicationError
	if errors.As(err, &ae) {
		msg, _ := firstString(ae.Args)
		s.abort(ae.URI, msg)
		return
	}
	s.abort(core.URIAuthenticationFailed, err.Error())
}

func firstString(args []any) (string, bool) {
	if len(args) == 0 {
		return "", false
	}
	s, ok := args[0].(string)
	return s, ok
}

// handshakeExpired closes a connection that has not joined in time.
func (s *session) handshakeExpired() {
	st := s.state.Load()
	if st != stNew && st != stChallenged {
		return
	}
	if !s.state.CompareAndSwap(st, stClosed) {
		return
	}
	s.router.stats.handshakeTimeouts.Add(1)
	s.router.logger.Warn("router: closing a connection that did not join in time",
		"peer", s.t.Details().Peer, "timeout", s.router.opts.HandshakeTimeout)
	s.send(&core.Abort{Reason: core.URITimeout, Details: core.AbortDetails{Message: "no session joined within the handshake timeout"}})
	s.closeTransport()
}

// admit joins the session to the realm the identity names, or else the
// one HELLO asked for, as id and says WELCOME.
func (s *session) admit(realm requestedRealm, id *Identity, from uint32) {
	r := s.router
	rl := realm.rl
	switch {
	case id.Realm != "" && (rl == nil || id.Realm != rl.name):
		if rl = r.Realm(id.Realm); rl == nil {
			s.abort(core.URINoSuchRealm, fmt.Sprintf("the authenticator assigned the realm %q, which this router does not have", id.Realm))
			return
		}
	case rl == nil:
		s.abort(core.URINoSuchRealm, realm.missing)
		return
	}
	if rr := r.roles[rl.name]; rr != nil && id.AuthRole != trustedRole && !rr.has(id.AuthRole) {
		s.abort(core.URINoSuchRole, fmt.Sprintf("realm %q has no role %q", rl.name, id.AuthRole))
		return
	}
	if s.handshake != nil {
		s.handshake.Stop()
		s.handshake = nil
	}
	s.realm = rl
	// The authid and authrole may be cut from HELLO's text (the decoders
	// make strings as parts of their input): cloned, so that the session
	// does not keep the whole HELLO.
	s.authid, s.authrole = strings.Clone(id.AuthID), strings.Clone(id.AuthRole)
	s.authmethod, s.authprovider, s.authextra = id.AuthMethod, id.AuthProvider, id.AuthExtra
	s.authorizer, s.decisions = r.authorizerFor(rl.name, s.authrole), nil
	rl.join(s)
	// WELCOME goes out before the state says joined, and under welcoming,
	// so that a shutdown's GOODBYE can neither overtake it nor miss the
	// session; the session's own next message is handled after this
	// returns, on the same reader.
	s.welcoming.Lock()
	s.send(&core.Welcome{Session: s.id, Details: core.WelcomeDetails{
		Roles: welcomeRoles, Realm: rl.name, AuthExtra: id.AuthExtra,
		AuthID: s.authid, AuthRole: s.authrole, AuthMethod: id.AuthMethod, AuthProvider: id.AuthProvider,
	}})
	joined := s.state.CompareAndSwap(from, stJoined)
	s.welcoming.Unlock()
	if !joined {
		s.leave() // closed meanwhile
		return
	}
	rl.publishMeta("wamp.session.on_join", s.metaDetails())
}

// anonymousAuthID returns an authid like Crossbar.io gives anonymous
// sessions: six groups of four characters.
func anonymousAuthID() string {
	const alphabet = "34679ACEFGHJKLMNPQRTUVWXY"
	var b strings.Builder
	for i := range 6 {
		if i > 0 {
			b.WriteByte('-')
		}
		n := randomID()
		for range 4 {
			b.WriteByte(alphabet[n%uint64(len(alphabet))])
			n /= uint64(len(alphabet))
		}
	}
	return b.String()
}

// abort refuses HELLO: ABORT with reason, then the transport is closed.
func (s *session) abort(reason, message string) {
	s.send(&core.Abort{Reason: reason, Details: core.AbortDetails{Message: message}})
	s.state.Store(stClosed)
	s.closeTransport()
}

// violation ends the session for a protocol violation: ABORT with
// wamp.error.protocol_violation, logged and counted; the transport is
// closed. Other sessions are not affected.
func (s *session) violation(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.router.stats.violations.Add(1)
	s.router.logger.Warn("router: protocol violation: aborting session", "session", s.id, "realm", s.realmName(), "peer", s.t.Details().Peer, "reason", msg)
	s.send(&core.Abort{Reason: core.URIProtocolViolation, Details: core.AbortDetails{Message: msg}})
	s.state.Store(stClosed)
	s.leave()
	s.closeTransport()
}

// shutdown says GOODBYE (system shutdown) to a joined session, and closes
// the connection of any other.
func (s *session) shutdown() {
	if !s.goodbye(core.URICloseSystemShutdown, "the router is shutting down") {
		s.closeTransport()
	}
}

// goodbye ends a joined session from the router's side: GOODBYE with
// reason, and the session waits for the client's answer; false when the
// session was not joined.
func (s *session) goodbye(reason, message string) bool {
	s.welcoming.Lock()
	defer s.welcoming.Unlock()
	if !s.state.CompareAndSwap(stJoined, stLeaving) {
		return false
	}
	s.send(&core.Goodbye{Reason: reason, Details: core.GoodbyeDetails{Message: message}})
	time.AfterFunc(s.router.opts.ShutdownTimeout, s.goodbyeExpired)
	return true
}

// goodbyeExpired drops the connection of a session that did not answer
// the router's GOODBYE in time (Options.ShutdownTimeout); the session
// leaves its realm when the transport reports the close, after the
// message its reader may still be handling.
func (s *session) goodbyeExpired() {
	if s.state.Load() != stLeaving {
		return
	}
	s.router.logger.Info("router: dropping a session that did not answer GOODBYE", "session", s.id, "realm", s.realmName(), "peer", s.t.Details().Peer)
	s.t.Abort()
}

// closeTransport closes the connection in the background: Close waits for
// the peer, and the caller may be the transport's own reader.
func (s *session) closeTransport() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if s.t.Close(ctx) != nil {
			s.t.Abort()
		}
	}()
}

// send queues m for the peer without ever blocking. A full queue means the
// peer does not read: the session is disconnected, logged and counted (the
// transport's "fail" policy does the same on its own; "drop" drops the
// message and counts it). Stats.Sent counts m once it is queued (only
// then: a counter that went back for a failed send could look like a reset
// to a scraper), so a peer may have a message a moment before it is
// counted.
func (s *session) send(m core.Message) {
	err := s.t.TrySend(m)
	switch {
	case err == nil:
		s.router.stats.sent.add(m.Type())
	case errors.Is(err, core.ErrSendQueueFull), errors.Is(err, core.ErrSlowPeer):
		if s.slow.CompareAndSwap(false, true) {
			s.router.stats.slow.Add(1)
			s.router.logger.Warn("router: session does not read its messages: disconnecting it",
				"session", s.id, "realm", s.realmName(), "peer", s.t.Details().Peer, "err", err)
			go s.t.Abort()
		}
	case errors.Is(err, core.ErrMessageDropped):
		s.router.stats.dropped.Add(1)
		s.router.stats.droppedByType.add(m.Type())
	case errors.Is(err, core.ErrTransportLost):
	default:
		s.router.logger.Warn("router: cannot send to session", "session", s.id, "realm", s.realmName(), "peer", s.t.Details().Peer, "message", m.Type().String(), "err", err)
	}
}

func (s *session) realmName() string {
	if s.realm == nil {
		return ""
	}
	return s.realm.name
}

// sendError answers request req of type typ with ERROR uri and a message.
func (s *session) sendError(typ core.MessageType, req uint64, uri string, args ...any) {
	s.send(&core.Error{RequestType: typ, Request: req, Error: uri, Args: args})
}

// checkURI answers a request whose URI breaks the router's rules with
// wamp.error.invalid_uri and reports false.
func (s *session) checkURI(typ core.MessageType, req uint64, uri, match string) bool {
	if err := s.router.checkURI(uri, match); err != nil {
		s.sendError(typ, req, core.URIInvalidURI, err.Error())
		return false
	}
	return true
}
