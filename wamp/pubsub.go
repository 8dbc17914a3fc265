package wamp

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// EventHandler receives the events of a subscription, one at a time and in
// publication order. Its context ends when the session leaves.
type EventHandler func(ctx context.Context, ev *Event)

// Event is one event received.
type Event struct {
	Args   []any
	Kwargs map[string]any
	// Details: publisher identity when disclosed, the concrete topic of a
	// pattern subscription, retained.
	Details      core.EventDetails
	Subscription uint64
	Publication  uint64
	// Topic is the topic published to (Details.Topic for pattern
	// subscriptions, else the subscribed URI).
	Topic string

	encoded []byte // the payload, until the delivery goroutine decodes it
}

// Subscription is one Subscribe of a session. Several Subscribes of one
// session to the same topic and match share the router's subscription;
// the last Unsubscribe ends it.
type Subscription struct {
	s       *Session
	att     *attachment
	sub     *subscription
	handler EventHandler
}

// ID returns the router's subscription ID.
func (h *Subscription) ID() uint64 { return h.sub.id }

// Topic returns the subscribed URI (or pattern).
func (h *Subscription) Topic() string { return h.sub.topic }

// subscription is the router's subscription as this session holds it: the
// local handlers and the queue of events not yet handled. Under s.mu.
type subscription struct {
	id       uint64
	topic    string
	handlers []*Subscription // replaced, never modified: delivery reads a snapshot
	queue    []*Event
	running  bool          // a goroutine delivers the queue
	stalled  bool          // the queue stayed full for EventQueueWait: drop at once until it drains
	space    chan struct{} // signals the reader waiting for room in the queue
}

// Subscribe subscribes handler to topic (a URI, or a pattern with
// opts.Match).
func (s *Session) Subscribe(ctx context.Context, topic string, handler EventHandler, opts core.SubscribeOptions) (*Subscription, error) {
	if handler == nil {
		return nil, fmt.Errorf("wamp: subscribe %s: nil handler", topic)
	}
	att, err := s.attached("subscribe " + topic)
	if err != nil {
		return nil, err
	}
	h := &Subscription{s: s, att: att, handler: handler}
	install := func(a core.Message) { // s.mu is held
		subID := a.(*core.Subscribed).Subscription
		sub := att.subs[subID]
		if sub == nil {
			sub = &subscription{id: subID, topic: topic, space: make(chan struct{}, 1)}
			if att.subs == nil {
				att.subs = make(map[uint64]*subscription)
			}
			att.subs[subID] = sub
		}
		h.sub = sub
		sub.handlers = append(slices.Clip(sub.handlers), h)
	}
	id := s.nextID()
	if _, err := s.request(ctx, att, id, &core.Subscribe{Request: id, Topic: topic, Options: opts}, core.TypeSubscribed, install); err != nil {
		// A SUBSCRIBED that arrives after ctx ended installed h: undo it.
		s.mu.Lock()
		installed := h.sub != nil
		s.mu.Unlock()
		if installed {
			h.Unsubscribe(context.Background())
		}
		return nil, fmt.Errorf("wamp: subscribe %s: %w", topic, err)
	}
	return h, nil
}

// Unsubscribe removes the handler; the router's subscription ends with the
// session's last handler for it.
func (h *Subscription) Unsubscribe(ctx context.Context) error {
	s, att, sub := h.s, h.att, h.sub
	s.mu.Lock()
	i := slices.Index(sub.handlers, h)
	if i < 0 || att.subs[sub.id] != sub {
		s.mu.Unlock()
		return fmt.Errorf("wamp: unsubscribe %s: %w", sub.topic, core.ErrNoSuchSubscription)
	}
	sub.handlers = slices.Delete(slices.Clone(sub.handlers), i, i+1)
	last := len(sub.handlers) == 0
	if last {
		delete(att.subs, sub.id)
	}
	s.mu.Unlock()
	if !last {
		return nil
	}
	id := s.nextID()
	if _, err := s.request(ctx, att, id, &core.Unsubscribe{Request: id, Subscription: sub.id}, core.TypeUnsubscribed, nil); err != nil {
		return fmt.Errorf("wamp: unsubscribe %s: %w", sub.topic, err)
	}
	return nil
}

func (s *Session) revokedSubscription(att *attachment, m *core.Unsubscribed) {
	s.mu.Lock()
	sub := att.subs[m.Details.Subscription]
	delete(att.subs, m.Details.Subscription)
	s.mu.Unlock()
	if sub != nil {
		s.log.Info("wamp: the router revoked a subscription", "topic", sub.topic, "reason", m.Details.Reason)
	}
}

// event queues an EVENT for its subscription's handlers, waiting while the
// queue is full (the router then sees a slow consumer), and starts the
// delivery goroutine if none runs.
func (s *Session) event(att *attachment, m *core.Event) {
	s.mu.Lock()
	var sub *subscription
	var waited *time.Timer
	for {
		sub = att.subs[m.Subscription]
		if sub == nil || s.att != att {
			s.mu.Unlock()
			return // unsubscribed meanwhile, or left
		}
		if len(sub.queue) < s.cfg.EventQueue {
			break
		}
		if sub.stalled { // its handler is stuck: do not stall the session again for it
			s.mu.Unlock()
			s.dropEvent(sub)
			return
		}
		space := sub.space
		s.mu.Unlock()
		if waited == nil {
			waited = time.NewTimer(s.cfg.EventQueueWait)
			defer waited.Stop()
		}
		select {
		case <-space:
		case <-att.ctx.Done():
			return
		case <-waited.C:
			s.mu.Lock()
			sub.stalled = true
			s.mu.Unlock()
			s.dropEvent(sub)
			return
		}
		s.mu.Lock()
	}
	ev := &Event{Args: m.Args, Kwargs: m.Kwargs, Details: m.Details, Subscription: m.Subscription,
		Publication: m.Publication, Topic: sub.topic}
	if m.Details.Topic != "" {
		ev.Topic = m.Details.Topic
	}
	if m.Details.Passthru.Scheme() != "" {
		ev.encoded = m.Payload // decoded on the delivery goroutine: a codec may be slow
	}
	sub.queue = append(sub.queue, ev)
	start := !sub.running
	sub.running = true
	s.mu.Unlock()
	if start {
		go s.deliver(att, sub)
	}
}

// dropEvent counts an event dropped for a full queue, and logs the 1st,
// 2nd, 4th, 8th, … of them.
func (s *Session) dropEvent(sub *subscription) {
	if n := s.dropped.Add(1); n&(n-1) == 0 {
		s.log.Warn("wamp: dropping an event: its subscription's queue stayed full (a slow or blocked handler)",
			"topic", sub.topic, "queued", s.cfg.EventQueue, "waited", s.cfg.EventQueueWait, "dropped", n)
	}
}

// deliver runs the handlers of sub's queued events, in order, until the
// queue is empty.
func (s *Session) deliver(att *attachment, sub *subscription) {
	for {
		s.mu.Lock()
		if len(sub.queue) == 0 || att.ctx.Err() != nil {
			sub.running, sub.queue = false, nil
			s.mu.Unlock()
			return
		}
		ev := sub.queue[0]
		sub.queue[0] = nil
		sub.queue = sub.queue[1:]
		sub.stalled = sub.stalled && len(sub.queue) > 0 // the handler moves again once it has caught up
		handlers := sub.handlers
		s.mu.Unlock()
		select {
		case sub.space <- struct{}{}:
		default:
		}
		if ev.encoded != nil && !s.decodeEvent(att.ctx, ev) {
			continue
		}
		for _, h := range handlers {
			s.handleEvent(att.ctx, h, ev)
		}
	}
}

// decodeEvent decodes an encoded event payload; an event that does not
// decode is dropped, logged and counted. ctx ends with the session: a codec
// that may hang bounds its own wait (core.PayloadCodec).
func (s *Session) decodeEvent(ctx context.Context, ev *Event) bool {
	args, kwargs, err := s.decode(ctx, false, ev.Topic, &ev.Details.Passthru, ev.encoded, ev.Args, ev.Kwargs)
	if err != nil {
		n := s.undecodable.Add(1)
		s.log.Warn("wamp: dropping an event whose payload does not decode", "topic", ev.Topic,
			"publication", ev.Publication, "err", err, "dropped", n)
		return false
	}
	ev.Args, ev.Kwargs, ev.encoded = args, kwargs, nil
	return true
}

func (s *Session) handleEvent(ctx context.Context, h *Subscription, ev *Event) {
	defer func() {
		if p := recover(); p != nil {
			s.userError(fmt.Errorf("wamp: event handler of %s: %w", h.sub.topic, &handlerPanic{value: p}))
		}
	}()
	h.handler(ctx, ev)
}

// Publish publishes to topic. With opts.Acknowledge it waits for the
// broker's acknowledgement and returns the publication ID (or the broker's
// ERROR); otherwise it returns 0 once the PUBLISH is queued.
func (s *Session) Publish(ctx context.Context, topic string, args []any, kwargs map[string]any, opts core.PublishOptions) (uint64, error) {
	att, err := s.attached("publish " + topic)
	if err != nil {
		return 0, err
	}
	pl, err := s.encode(ctx, true, topic, args, kwargs)
	if err != nil {
		return 0, err
	}
	opts.Passthru = pl.passthru
	id := s.nextID()
	m := &core.Publish{Request: id, Topic: topic, Args: pl.args, Kwargs: pl.kwargs, Payload: pl.opaque, Options: opts}
	if !isTrue(opts.Acknowledge) {
		if err := s.t.Send(ctx, m); err != nil {
			return 0, fmt.Errorf("wamp: publish %s: %w", topic, err)
		}
		return 0, nil
	}
	a, err := s.request(ctx, att, id, m, core.TypePublished, nil)
	if err != nil {
		return 0, fmt.Errorf("wamp: publish %s: %w", topic, err)
	}
	return a.(*core.Published).Publication, nil
}
