package wamp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// Config configures a [Session]. The zero value is ready to use.
type Config struct {
	// Logger receives the session's log lines; nil means slog.Default().
	Logger *slog.Logger
	// RequestTimeout bounds each wait for the router's answer to HELLO,
	// GOODBYE, SUBSCRIBE, UNSUBSCRIBE, REGISTER, UNREGISTER and an
	// acknowledged PUBLISH when the context has no earlier deadline
	// (default 30 s). Calls are bounded by their context and
	// CallOptions.Timeout only: a procedure may legitimately run long.
	RequestTimeout time.Duration
	// EventQueue bounds the events queued for one subscription while its
	// handler runs (default 256). When it is full the session stops reading
	// until there is room, so that the router sees a slow consumer — for at
	// most EventQueueWait (default 5 s): then the event is dropped, logged
	// and counted (DroppedEvents), so that a handler that itself waits for
	// the session (a Call from an event handler) stalls it for that long,
	// not for ever.
	EventQueue     int
	EventQueueWait time.Duration

	// PayloadCodec, if set, encodes the payloads of outgoing CALL,
	// PUBLISH, YIELD and ERROR and decodes those of incoming RESULT, EVENT,
	// INVOCATION and ERROR (end-to-end encryption such as cryptobox). An
	// encoded payload must name the URI it arrives for, else the message
	// fails with wamp.error.encryption.trusted_uri_mismatch.
	PayloadCodec core.PayloadCodec
	// PayloadSpelling writes the encoding's fields in the spec's ppt_*
	// spelling instead of Autobahn's enc_* (both are read).
	PayloadSpelling bool
	// Extra is application data the session carries (Autobahn's
	// ComponentConfig.extra), returned by Session.Extra.
	Extra map[string]any
	// Errors maps Go error types to error URIs both ways (see [Errors]);
	// nil maps none.
	Errors *Errors

	// OnConnect is called when the session has its transport, before it
	// joins (on the transport's goroutine: it must not wait for messages).
	OnConnect func(s *Session)
	// OnJoin is called when the session has joined a realm.
	OnJoin func(s *Session, d *SessionDetails)
	// OnChallenge answers the router's CHALLENGE during Join. Without it a
	// CHALLENGE fails the join (the session sends ABORT).
	OnChallenge func(ctx context.Context, s *Session, c *core.Challenge) (*core.Authenticate, error)
	// OnLeave is called when the session has left its realm: after Leave,
	// or, on a goroutine of its own, when the router said GOODBYE or ABORT
	// (reason is the router's); it may Join again.
	OnLeave func(s *Session, reason, message string)
	// OnDisconnect is called once the transport is gone; err is nil after a
	// clean close.
	OnDisconnect func(s *Session, err error)
	// OnUserError is called when a handler panics, or returns an error that
	// is not an application error (the caller gets
	// wamp.error.runtime_error).
	OnUserError func(s *Session, err error)
}

// JoinOptions are the authentication details of HELLO.
type JoinOptions struct {
	// Authenticators offer their methods (in this order of preference)
	// and answer the router's CHALLENGE; Config.OnChallenge answers for
	// methods none of them has.
	Authenticators []Authenticator
	// AuthMethods, if set, is sent as it is; else the Authenticators'
	// methods are.
	AuthMethods []string
	AuthID      string
	AuthRole    string
	// AuthExtra is sent with what the Authenticators add to it.
	AuthExtra map[string]any
}

// hello returns the HELLO of a join.
func (o *JoinOptions) hello(realm string) *core.Hello {
	methods, extra := o.AuthMethods, maps.Clone(o.AuthExtra)
	for _, a := range o.Authenticators {
		if o.AuthMethods == nil {
			methods = append(methods, a.AuthMethod())
		}
		if more := a.AuthExtra(); len(more) > 0 {
			if extra == nil {
				extra = make(map[string]any, len(more))
			}
			maps.Copy(extra, more)
		}
	}
	return &core.Hello{Realm: realm, Details: core.HelloDetails{Roles: clientRoles,
		AuthMethods: methods, AuthID: o.AuthID, AuthRole: o.AuthRole, AuthExtra: extra}}
}

// SessionDetails describe a joined session (from WELCOME).
type SessionDetails struct {
	Session    uint64
	Realm      string
	AuthID     string
	AuthRole   string
	AuthMethod string
	// RouterRoles are the roles and features the router announced.
	RouterRoles map[string]core.Role
	// Welcome is the router's WELCOME details as received.
	Welcome core.WelcomeDetails
}

// RouterHas reports whether the router announced feature for role.
func (d *SessionDetails) RouterHas(role, feature string) bool {
	return d.RouterRoles[role].Features[feature]
}

// ErrLeft is matched (errors.Is) by the error of an operation that was
// waiting when its session left the realm.
var ErrLeft = errors.New("wamp: the session left the realm")

// Session states.
type state uint8

const (
	stOpen    state = iota // transport up, no session (before Join, after Leave)
	stJoining              // HELLO sent
	stJoined
	stLeaving // our GOODBYE sent
	stClosed  // transport gone
)

// Session is a WAMP client session over one transport (Autobahn's
// ApplicationSession). Create it with [New] and attach it to a transport
// with registry.Dial (or [Dial]) or to an embedded router with
// router.Connect; then Join a realm. It is safe for concurrent use.
type Session struct {
	cfg Config
	log *slog.Logger

	t           core.Transport
	reqID       atomic.Uint64
	dropped     atomic.Uint64 // events dropped after EventQueueWait
	undecodable atomic.Uint64 // events dropped because their payload did not decode
	leftByApp   atomic.Bool   // the last leave was the application's (Leave)
	closed      chan struct{} // closed once the transport is gone; made by Done, under mu
	err         error         // why the transport went; read after closed

	mu     sync.Mutex
	state  state
	att    *attachment       // the current join; nil while not joined
	joinCh chan core.Message // WELCOME, ABORT or an error while joining
	byeCh  chan struct{}     // closed when the router answers our GOODBYE
}

// attachment is the state of one join: it ends when the session leaves or
// the transport is lost, which fails everything still waiting on it.
type attachment struct {
	details SessionDetails
	ctx     context.Context // canceled when the attachment ends; handlers get it
	cancel  context.CancelCauseFunc

	pending map[uint64]*waiter            // requests waiting for the router's answer
	subs    map[uint64]*subscription      // by subscription ID
	regs    map[uint64]*Registration      // by registration ID
	running map[uint64]*runningInvocation // by INVOCATION request ID
}

var _ core.TransportHandler = (*Session)(nil)

// New returns a session that is not attached to a transport yet.
func New(cfg Config) *Session {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.EventQueue <= 0 {
		cfg.EventQueue = 256
	}
	if cfg.EventQueueWait <= 0 {
		cfg.EventQueueWait = 5 * time.Second
	}
	return &Session{cfg: cfg, log: cfg.Logger}
}

// Dial connects a new session to the router at url (any scheme of the
// registry: ws, wss, rs, rss, …). It does not join a realm.
func Dial(ctx context.Context, url string, tcfg core.TransportConfig, cfg Config) (*Session, error) {
	s := New(cfg)
	if _, err := registry.Dial(ctx, url, tcfg, s); err != nil {
		return nil, fmt.Errorf("wamp: dial %s: %w", url, err)
	}
	return s, nil
}

// OnOpen implements core.TransportHandler.
func (s *Session) OnOpen(t core.Transport) {
	s.mu.Lock()
	s.t = t
	s.mu.Unlock()
	if s.cfg.OnConnect != nil {
		s.cfg.OnConnect(s)
	}
}

// OnClose implements core.TransportHandler: everything waiting fails with
// an error matching core.ErrTransportLost.
func (s *Session) OnClose(err error) {
	s.mu.Lock()
	s.state = stClosed
	s.err = err
	lost := &core.TransportLost{Err: err}
	s.endLocked(lost)
	if s.closed == nil {
		s.closed = closedChan
	} else {
		close(s.closed)
	}
	s.mu.Unlock()
	if s.cfg.OnDisconnect != nil {
		s.cfg.OnDisconnect(s, err)
	}
}

// Extra returns Config.Extra.
func (s *Session) Extra() map[string]any { return s.cfg.Extra }

// DroppedEvents counts the events dropped because a subscription's queue
// stayed full for Config.EventQueueWait.
func (s *Session) DroppedEvents() uint64 { return s.dropped.Load() }

// UndecodableEvents counts the events dropped because the payload codec
// could not decode their payload (a wrong key, a failed codec plugin).
func (s *Session) UndecodableEvents() uint64 { return s.undecodable.Load() }

// Done is closed once the transport is gone. The channel is made when
// first asked for: an idle session that nobody watches has none.
func (s *Session) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed == nil {
		s.closed = make(chan struct{})
	}
	return s.closed
}

// closedChan is the Done channel of sessions that closed before anybody
// asked for it.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()

// IsConnected reports whether the session has a transport.
func (s *Session) IsConnected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t != nil && s.state != stClosed
}

// IsAttached reports whether the session is joined to a realm.
func (s *Session) IsAttached() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state == stJoined
}

// Details returns the details of the current join, or nil.
func (s *Session) Details() *SessionDetails {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.att == nil {
		return nil
	}
	d := s.att.details
	return &d
}

// ID returns the session ID of the current join, or 0.
func (s *Session) ID() uint64 {
	if d := s.Details(); d != nil {
		return d.Session
	}
	return 0
}

// clientRoles is HELLO.Details.roles: exactly the features this package
// implements.
var clientRoles = map[string]core.Role{
	core.RoleCaller: {Features: features("progressive_call_results", "progressive_call_invocations", "call_timeout",
		"call_canceling", "caller_identification")},
	core.RoleCallee: {Features: features("progressive_call_results", "progressive_call_invocations", "call_timeout",
		"call_canceling", "caller_identification", "pattern_based_registration", "shared_registration", "registration_revocation")},
	core.RolePublisher:  {Features: features("publisher_identification", "subscriber_blackwhite_listing", "publisher_exclusion")},
	core.RoleSubscriber: {Features: features("publisher_identification", "pattern_based_subscription", "event_retention", "subscription_revocation")},
}

func features(names ...string) map[string]bool {
	f := make(map[string]bool, len(names))
	for _, n := range names {
		f[n] = true
	}
	return f
}

// Join joins realm and returns the session's details, or the router's
// ABORT as an *core.ApplicationError (e.g. wamp.error.no_such_realm).
func (s *Session) Join(ctx context.Context, realm string, opts JoinOptions) (*SessionDetails, error) {
	ch := make(chan core.Message, 1)
	s.mu.Lock()
	switch {
	case s.t == nil || s.state == stClosed:
		s.mu.Unlock()
		return nil, fmt.Errorf("wamp: join %s: %w", realm, &core.TransportLost{Err: s.err})
	case s.state != stOpen:
		s.mu.Unlock()
		return nil, fmt.Errorf("wamp: join %s: the session has joined or is joining a realm already", realm)
	}
	s.state, s.joinCh = stJoining, ch
	s.mu.Unlock()
	s.leftByApp.Store(false)
	ctx, cancel := s.requestContext(ctx)
	defer cancel()
	d, err := s.join(ctx, opts.hello(realm), opts.Authenticators, ch)
	if err != nil {
		s.mu.Lock()
		if s.state == stJoining {
			s.state = stOpen
		}
		s.joinCh = nil
		s.mu.Unlock()
		return nil, fmt.Errorf("wamp: join %s: %w", realm, err)
	}
	if s.cfg.OnJoin != nil {
		s.cfg.OnJoin(s, d)
	}
	return d, nil
}

func (s *Session) join(ctx context.Context, hello *core.Hello, authenticators []Authenticator, ch chan core.Message) (*SessionDetails, error) {
	if err := s.t.Send(ctx, hello); err != nil {
		return nil, err
	}
	for {
		var m core.Message
		select {
		case m = <-ch:
		case <-s.Done():
			// The router's last word (an ABORT) comes before its close.
			select {
			case m = <-ch:
			default:
				return nil, &core.TransportLost{Err: s.err}
			}
		case <-ctx.Done():
			s.abort(core.URICanceled, "the client stopped waiting for WELCOME")
			return nil, ctx.Err()
		}
		switch m := m.(type) {
		case *core.Welcome:
			if d := s.welcome(m); d != nil {
				return d, nil
			}
			return nil, &core.TransportLost{Err: s.err}
		case *core.Abort:
			return nil, &core.ApplicationError{URI: m.Reason, Args: messageArgs(m.Details.Message)}
		case *core.Challenge:
			if err := s.challenge(ctx, m, authenticators); err != nil {
				s.abort(core.URICannotAuthenticate, err.Error())
				return nil, err
			}
		}
	}
}

func (s *Session) challenge(ctx context.Context, c *core.Challenge, authenticators []Authenticator) error {
	var a *core.Authenticate
	var err error
	for _, auth := range authenticators {
		if auth.AuthMethod() == c.AuthMethod {
			a, err = auth.Authenticate(ctx, c, s.t.Details())
			break
		}
	}
	switch {
	case a != nil || err != nil:
	case s.cfg.OnChallenge != nil:
		a, err = s.cfg.OnChallenge(ctx, s, c)
	default:
		return fmt.Errorf("the router asks for %s authentication, which no authenticator of the session offers", c.AuthMethod)
	}
	if err != nil {
		return fmt.Errorf("answering the %s challenge: %w", c.AuthMethod, err)
	}
	return s.t.Send(ctx, a)
}

// welcome starts the attachment of a WELCOME; nil when the transport was
// lost meanwhile.
func (s *Session) welcome(w *core.Welcome) *SessionDetails {
	ctx, cancel := context.WithCancelCause(context.Background())
	att := &attachment{ctx: ctx, cancel: cancel} // its maps are made on first use
	roles := internRoles(w.Details.Roles)
	att.details = SessionDetails{Session: w.Session, Realm: w.Details.Realm, AuthID: w.Details.AuthID,
		AuthRole: w.Details.AuthRole, AuthMethod: w.Details.AuthMethod, RouterRoles: roles, Welcome: w.Details}
	att.details.Welcome.Roles = roles
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stJoining {
		cancel(ErrLeft)
		return nil
	}
	s.att, s.state, s.joinCh = att, stJoined, nil
	d := att.details
	return &d
}

func messageArgs(msg string) []any {
	if msg == "" {
		return nil
	}
	return []any{msg}
}

// abort sends ABORT (a failed join) without waiting.
func (s *Session) abort(reason, message string) {
	s.sendAsync(&core.Abort{Reason: reason, Details: core.AbortDetails{Message: message}})
}

// Leave says GOODBYE with reason (default wamp.close.normal) and message,
// and waits for the router's answer. The transport stays open: the session
// may Join again.
func (s *Session) Leave(ctx context.Context, reason, message string) error {
	if reason == "" {
		reason = core.URICloseNormal
	}
	bye := make(chan struct{})
	s.mu.Lock()
	if s.state != stJoined {
		s.mu.Unlock()
		return fmt.Errorf("wamp: leave: %w", &core.SessionNotReady{Op: "leave"})
	}
	s.state, s.byeCh = stLeaving, bye
	s.mu.Unlock()
	s.leftByApp.Store(true)
	ctx, cancel := s.requestContext(ctx)
	defer cancel()
	err := s.t.Send(ctx, &core.Goodbye{Reason: reason, Details: core.GoodbyeDetails{Message: message}})
	if err == nil {
		select {
		case <-bye:
		case <-s.Done():
		case <-ctx.Done():
			err = fmt.Errorf("waiting for the router's GOODBYE: %w", ctx.Err())
		}
	}
	s.mu.Lock()
	s.endLocked(ErrLeft)
	if s.state == stLeaving {
		s.state = stOpen
	}
	s.mu.Unlock()
	if s.cfg.OnLeave != nil {
		s.cfg.OnLeave(s, reason, message)
	}
	if err != nil {
		return fmt.Errorf("wamp: leave: %w", err)
	}
	return nil
}

// Close leaves the realm if the session is joined (bounded by ctx) and
// closes the transport.
func (s *Session) Close(ctx context.Context) error {
	if s.IsAttached() {
		s.Leave(ctx, core.URICloseNormal, "") //nolint:errcheck // closing anyway
	}
	s.mu.Lock()
	t := s.t
	s.mu.Unlock()
	if t == nil {
		return nil
	}
	if err := t.Close(ctx); err != nil {
		t.Abort()
		return fmt.Errorf("wamp: close: %w", err)
	}
	return nil
}

// endLocked ends the current attachment: requests waiting on it fail with
// cause (they watch att.ctx), handlers' contexts are canceled, queued events
// are dropped. s.mu is held.
func (s *Session) endLocked(cause error) {
	att := s.att
	if att == nil {
		return
	}
	s.att = nil
	att.cancel(cause)
	clear(att.pending)
	for _, sub := range att.subs {
		sub.queue = nil
	}
}

// OnMessage implements core.TransportHandler.
func (s *Session) OnMessage(m core.Message) {
	s.mu.Lock()
	st := s.state
	switch st {
	case stJoining:
		ch := s.joinCh
		s.mu.Unlock()
		switch m.(type) {
		case *core.Welcome, *core.Abort, *core.Challenge:
			select {
			case ch <- m: // Join reads each before the router can send the next
			default:
				s.protocolError("%v received before the client answered the previous message", m.Type())
			}
		default:
			s.protocolError("%v received while joining", m.Type())
		}
		return
	case stLeaving:
		if _, ok := m.(*core.Goodbye); ok && s.byeCh != nil {
			close(s.byeCh)
			s.byeCh = nil
		}
		s.mu.Unlock()
		return // anything else crossed our GOODBYE
	case stJoined:
	default:
		s.mu.Unlock()
		return
	}
	att := s.att
	s.mu.Unlock()
	switch m := m.(type) {
	case *core.Result:
		s.answer(att, m.Request, m, isTrue(m.Details.Progress))
	case *core.Error:
		s.answer(att, m.Request, m, false)
	case *core.Subscribed:
		s.answer(att, m.Request, m, false)
	case *core.Unsubscribed:
		if m.Request == 0 {
			s.revokedSubscription(att, m)
		} else {
			s.answer(att, m.Request, m, false)
		}
	case *core.Registered:
		s.answer(att, m.Request, m, false)
	case *core.Unregistered:
		if m.Request == 0 {
			s.revokedRegistration(att, m)
		} else {
			s.answer(att, m.Request, m, false)
		}
	case *core.Published:
		s.answer(att, m.Request, m, false)
	case *core.Event:
		s.event(att, m)
	case *core.Invocation:
		s.invocation(att, m)
	case *core.Interrupt:
		s.interrupt(att, m)
	case *core.Goodbye:
		s.routerGoodbye(m)
	case *core.Abort:
		s.mu.Lock()
		s.endLocked(&core.ApplicationError{URI: m.Reason, Args: messageArgs(m.Details.Message)})
		s.state = stOpen
		s.mu.Unlock()
		if s.cfg.OnLeave != nil {
			go s.cfg.OnLeave(s, m.Reason, m.Details.Message)
		}
	default:
		s.protocolError("%v is not a message a client accepts", m.Type())
	}
}

// routerGoodbye answers the router's GOODBYE and ends the attachment.
func (s *Session) routerGoodbye(m *core.Goodbye) {
	s.sendAsync(&core.Goodbye{Reason: core.URICloseGoodbyeAndOut})
	s.mu.Lock()
	s.endLocked(fmt.Errorf("%w: the router said GOODBYE (%s)", ErrLeft, m.Reason))
	s.state = stOpen
	s.mu.Unlock()
	if s.cfg.OnLeave != nil {
		go s.cfg.OnLeave(s, m.Reason, m.Details.Message) // not on the reader: it may Join again
	}
}

// protocolError aborts the session for a message the router should not
// have sent.
func (s *Session) protocolError(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Warn("wamp: protocol violation by the router: aborting the session", "reason", msg)
	s.abort(core.URIProtocolViolation, msg)
	s.mu.Lock()
	s.endLocked(&core.ApplicationError{URI: core.URIProtocolViolation, Args: []any{msg}})
	s.state = stOpen
	s.mu.Unlock()
	go s.t.Abort()
}

// sendAsync sends a message from the reader, which must not wait: with the
// transport's non-blocking enqueue, or else on a goroutine bounded by
// RequestTimeout.
func (s *Session) sendAsync(m core.Message) {
	if ts, ok := s.t.(core.TrySender); ok {
		if err := ts.TrySend(m); err != nil {
			s.log.Warn("wamp: cannot send", "message", m.Type().String(), "err", err)
		}
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
		defer cancel()
		if err := s.t.Send(ctx, m); err != nil {
			s.log.Warn("wamp: cannot send", "message", m.Type().String(), "err", err)
		}
	}()
}

// requestContext bounds ctx by RequestTimeout.
func (s *Session) requestContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.cfg.RequestTimeout)
}

func (s *Session) nextID() uint64 {
	id := s.reqID.Add(1)
	if id > 1<<53 {
		s.reqID.Store(1)
		id = 1
	}
	return id
}

func isTrue(b *bool) bool { return b != nil && *b }
