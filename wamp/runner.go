package wamp

import (
	"context"
	"sync"

	"github.com/autobahn-go/autobahn/core"
)

// Runner runs one application session against one router URL (Autobahn's
// ApplicationRunner): it connects, joins Realm, calls OnJoin, and, with
// AutoReconnect, reconnects after a lost connection with the retry policy of
// Retry. It is a [Component] with one transport.
type Runner struct {
	URL   string
	Realm string
	// Transport holds the serializers, TLS, proxy, headers and transport
	// (e.g. WebSocket) options.
	Transport core.TransportConfig
	Join      JoinOptions
	// Session configures the session; Session.Extra reaches the application
	// as Session.Extra().
	Session Config
	// AutoReconnect reconnects after a lost connection or a router's
	// GOODBYE; without it Run returns when the first session ends.
	AutoReconnect bool
	// Retry sets the retry policy (its URL and Config are ignored).
	Retry Transport

	mu     sync.Mutex
	cancel context.CancelFunc
}

// Run runs the application until ctx ends, Stop is called, or (without
// AutoReconnect) the session ends. onJoin runs after every join; its error
// ends that session.
func (r *Runner) Run(ctx context.Context, onJoin func(ctx context.Context, s *Session) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.mu.Lock()
	r.cancel = cancel
	r.mu.Unlock()
	t := r.Retry
	t.URL, t.Config = r.URL, r.Transport
	if !r.AutoReconnect {
		t.MaxRetries = -1
	}
	c := &Component{Transports: []Transport{t}, Realm: r.Realm, Join: r.Join, Session: r.Session, OnJoin: onJoin}
	if !r.AutoReconnect {
		c.IsFatal = func(error) bool { return true }
	}
	return c.Run(ctx)
}

// Stop ends Run: the session leaves and Run returns.
func (r *Runner) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cancel != nil {
		r.cancel()
	}
}
