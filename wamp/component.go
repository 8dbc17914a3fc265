package wamp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Transport is one way a [Component] reaches its router, with its own
// retry policy (Autobahn's transport config).
type Transport struct {
	// URL is the router's URL: ws://, wss://, rs://, rss://, …
	URL string
	// Config holds the serializers, TLS, proxy, headers and transport
	// options.
	Config core.TransportConfig
	// MaxRetries bounds the reconnection attempts over this transport
	// after the first; 0 means unlimited (Autobahn's -1), negative means
	// none.
	MaxRetries int
	// InitialRetryDelay (default 1.5 s), MaxRetryDelay (default 300 s),
	// RetryDelayGrowth (default 1.5) and RetryDelayJitter (default 0.1) shape
	// the delay before each retry: the first attempt goes at once, then the
	// delay grows by RetryDelayGrowth, is drawn from a normal distribution
	// around itself with RetryDelayJitter as relative deviation, and is
	// capped at MaxRetryDelay (the defaults of Autobahn's code).
	InitialRetryDelay time.Duration
	MaxRetryDelay     time.Duration
	RetryDelayGrowth  float64
	RetryDelayJitter  float64
}

// Component is a WAMP application that keeps itself connected (Autobahn's
// Component): it connects over its transports in turn, joins its realm,
// restores the registrations and subscriptions made through it, and runs
// Main or OnJoin; when the connection is lost, or the router ends the
// session, it reconnects with backoff. It ends when ctx ends, when Main
// returns, when the application leaves (Component.Leave, or Leave on the
// session), or when no transport may be tried again.
type Component struct {
	Transports []Transport
	Realm      string
	Join       JoinOptions
	// Session configures each session (hooks included; the component
	// chains its own OnLeave before yours).
	Session Config

	// Main, if set, runs once per join; the component ends when it returns,
	// with its error. Its context ends with the session (lost, left, or the
	// component's context).
	Main func(ctx context.Context, s *Session) error
	// OnJoin, if set, runs after every join, once the restored
	// registrations and subscriptions are in place, with a context that ends
	// with the session; an error ends that session and the component
	// reconnects. It may run as long as it likes (a publishing loop): the
	// component watches the session meanwhile.
	OnJoin func(ctx context.Context, s *Session) error
	// IsFatal tells whether an error of an attempt over a transport makes
	// that transport useless; by default a join refused with
	// wamp.error.no_such_realm, not_authorized, authentication_failed or
	// no_auth_method is fatal.
	IsFatal func(err error) bool

	mu       sync.Mutex
	session  *Session // the current session while joined
	regs     []*componentRegistration
	subs     []*componentSubscription
	leaveReq bool               // the application asked to leave: do not reconnect
	stop     context.CancelFunc // ends Run
}

type componentRegistration struct {
	procedure string
	handler   Handler
	opts      core.RegisterOptions
}

type componentSubscription struct {
	topic   string
	handler EventHandler
	opts    core.SubscribeOptions
}

// ErrNoTransport is matched by the error of a Component that has no
// transport left to try.
var ErrNoTransport = errors.New("wamp: component: no transport left to try")

// Register registers handler on every session of the component, now if it
// is joined and again after each reconnection.
func (c *Component) Register(ctx context.Context, procedure string, handler Handler, opts core.RegisterOptions) error {
	c.mu.Lock()
	c.regs = append(c.regs, &componentRegistration{procedure, handler, opts})
	s := c.session
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	_, err := s.Register(ctx, procedure, handler, opts)
	return err
}

// Subscribe subscribes handler on every session of the component, now if
// it is joined and again after each reconnection.
func (c *Component) Subscribe(ctx context.Context, topic string, handler EventHandler, opts core.SubscribeOptions) error {
	c.mu.Lock()
	c.subs = append(c.subs, &componentSubscription{topic, handler, opts})
	s := c.session
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	_, err := s.Subscribe(ctx, topic, handler, opts)
	return err
}

// CurrentSession returns the current session, or nil while the component
// is not joined.
func (c *Component) CurrentSession() *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.session
}

// Leave leaves the realm and ends the component (no reconnection).
func (c *Component) Leave(ctx context.Context) error {
	c.mu.Lock()
	c.leaveReq = true
	s, stop := c.session, c.stop
	c.mu.Unlock()
	var err error
	if s != nil {
		err = s.Close(ctx)
	}
	if stop != nil {
		stop() // also while dialling or waiting to retry
	}
	return err
}

// Run runs components until they all end; it returns the first error.
func Run(ctx context.Context, components ...*Component) error {
	errs := make(chan error, len(components))
	for _, c := range components {
		go func() { errs <- c.Run(ctx) }()
	}
	var first error
	for range components {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// retryState is one transport's place in its retry policy.
type retryState struct {
	t        *Transport
	attempts int // attempts since the last successful join
	delay    time.Duration
	failed   bool // a fatal error: never again
}

func (r *retryState) exhausted() bool {
	if r.failed {
		return true
	}
	max := r.t.MaxRetries
	return max < 0 && r.attempts > 0 || max > 0 && r.attempts > max
}

// next is the delay before the next attempt, and advances the policy.
func (r *retryState) next() time.Duration {
	t := r.t
	if r.attempts == 0 {
		r.delay = orDuration(t.InitialRetryDelay, 1500*time.Millisecond)
		return 0
	}
	growth, jitter := orFloat(t.RetryDelayGrowth, 1.5), orFloat(t.RetryDelayJitter, 0.1)
	d := float64(r.delay) * growth
	d = max(0, d+rand.NormFloat64()*d*jitter)
	r.delay = min(time.Duration(d), orDuration(t.MaxRetryDelay, 300*time.Second))
	return r.delay
}

func orDuration(v, def time.Duration) time.Duration {
	if v > 0 {
		return v
	}
	return def
}

func orFloat(v, def float64) float64 {
	if v > 0 {
		return v
	}
	return def
}

// Run connects, joins and reconnects until the component ends (see
// [Component]). It returns nil when ctx ends or the application left, Main's
// error, or an error matching ErrNoTransport wrapping the last failure.
func (c *Component) Run(ctx context.Context) error {
	if len(c.Transports) == 0 {
		return fmt.Errorf("%w: the component has no transports", ErrNoTransport)
	}
	log := c.Session.Logger
	if log == nil {
		log = slog.Default()
	}
	states := make([]*retryState, len(c.Transports))
	for i := range c.Transports {
		states[i] = &retryState{t: &c.Transports[i]}
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	c.mu.Lock()
	if c.leaveReq {
		c.mu.Unlock()
		return nil
	}
	c.stop = stop // Leave ends the loop wherever it is
	c.mu.Unlock()
	var lastErr error
	for i := 0; ; i = (i + 1) % len(states) {
		r := states[i]
		if r.exhausted() {
			if allExhausted(states) {
				return fmt.Errorf("%w: %w", ErrNoTransport, lastErr)
			}
			continue
		}
		if d := r.next(); d > 0 {
			log.Info("wamp: component: reconnecting", "url", r.t.URL, "in", d.Round(time.Millisecond), "attempt", r.attempts+1)
			select {
			case <-time.After(d):
			case <-ctx.Done():
				return nil
			}
		}
		r.attempts++
		started := time.Now()
		joined, done, err := c.runSession(ctx, r.t)
		if done {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
		if joined && time.Since(started) >= stableSession {
			r.attempts = 0 // a session that lasted restarts the policy
		}
		lastErr = err
		if c.fatal(err) {
			log.Error("wamp: component: giving up on a transport", "url", r.t.URL, "err", err)
			r.failed = true
		} else {
			log.Warn("wamp: component: session ended", "url", r.t.URL, "err", err)
		}
		if joined {
			i-- // retry the transport that worked first
		}
	}
}

// stableSession is how long a session must have lasted for its end to
// restart the retry policy (the next attempt goes at once): a router that
// ends sessions right after WELCOME gets the backoff, not a tight loop.
const stableSession = 10 * time.Second

func allExhausted(states []*retryState) bool {
	for _, r := range states {
		if !r.exhausted() {
			return false
		}
	}
	return true
}

func (c *Component) fatal(err error) bool {
	if c.IsFatal != nil {
		return c.IsFatal(err)
	}
	for _, e := range []error{core.ErrNoSuchRealm, core.ErrNotAuthorized, core.ErrAuthenticationFailed, core.ErrNoAuthMethod} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// runSession runs one session over t: joined reports whether it joined,
// done whether the component ends (with err).
func (c *Component) runSession(ctx context.Context, t *Transport) (joined, done bool, err error) {
	left := make(chan string, 1)
	cfg := c.Session
	userLeave := cfg.OnLeave
	cfg.OnLeave = func(s *Session, reason, message string) {
		select {
		case left <- reason:
		default:
		}
		if userLeave != nil {
			userLeave(s, reason, message)
		}
	}
	dialCtx, cancel := context.WithTimeout(ctx, orDuration(cfg.RequestTimeout, 30*time.Second))
	defer cancel()
	s, err := Dial(dialCtx, t.URL, t.Config, cfg)
	if err != nil {
		return false, false, err
	}
	defer closeBounded(s)
	if _, err := s.Join(dialCtx, c.Realm, c.Join); err != nil {
		return false, false, err
	}
	if err := c.restore(ctx, s); err != nil {
		return false, false, err // counts as a failed attempt
	}
	defer func() {
		c.mu.Lock()
		c.session = nil
		c.mu.Unlock()
	}()
	// The application runs beside the watch for the session's end, with a
	// context that ends with the session.
	sessCtx, endSession := context.WithCancel(ctx)
	defer endSession()
	type appResult struct {
		err  error
		main bool // Main returned (else OnJoin failed)
	}
	app := make(chan appResult, 1)
	go func() {
		if c.OnJoin != nil {
			if err := c.OnJoin(sessCtx, s); err != nil {
				app <- appResult{err: fmt.Errorf("wamp: component: on join: %w", err)}
				return
			}
		}
		if c.Main != nil {
			app <- appResult{err: c.Main(sessCtx, s), main: true}
		}
	}()
	select {
	case r := <-app:
		return r.main, r.main, r.err // an OnJoin error counts as a failed attempt
	case <-ctx.Done():
		return true, true, nil
	case reason := <-left:
		if c.leaving() || s.leftByApp.Load() {
			return true, true, nil
		}
		return true, false, fmt.Errorf("%w (%s)", ErrLeft, reason)
	case <-s.Done():
		if c.leaving() {
			return true, true, nil
		}
		return true, false, &core.TransportLost{Err: s.err}
	}
}

func (c *Component) leaving() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leaveReq
}

// restore makes the component's registrations and subscriptions on a new
// session and makes it the current one, so that Register and Subscribe go
// to it directly from then on; what they added while restore ran is
// restored too.
func (c *Component) restore(ctx context.Context, s *Session) error {
	nregs, nsubs := 0, 0 // made so far
	for {
		c.mu.Lock()
		regs, subs := c.regs[nregs:], c.subs[nsubs:]
		if len(regs)+len(subs) == 0 {
			c.session = s
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		for _, r := range regs {
			if _, err := s.Register(ctx, r.procedure, r.handler, r.opts); err != nil {
				return err
			}
			nregs++
		}
		for _, sub := range subs {
			if _, err := s.Subscribe(ctx, sub.topic, sub.handler, sub.opts); err != nil {
				return err
			}
			nsubs++
		}
	}
}

// closeBounded closes a session of the component, bounded in time.
func closeBounded(s *Session) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s.Close(ctx)
}
