package main

// "autobahn bench pubsub": S subscriber sessions subscribe to one topic and
// one publisher session publishes --events events (or publishes for
// --duration), each carrying its sequence number as the first argument and
// a payload of --size bytes as the second. Every subscriber counts what it
// receives and detects gaps and duplicates from the sequence numbers. After
// the last publication the bench waits (at most --drain) for the
// subscribers to receive it; then
//
//	events lost = published × subscribers − delivered
//
// where delivered counts the distinct events the subscribers received.
//
// Flow control. A publisher that publishes as fast as it can only measures
// how a router copes with a flood, and how it drops, not how fast it
// delivers; and it makes the generator, which also decodes every delivery
// for S subscribers, the bottleneck. So the publisher paces itself twice:
//
//   - acknowledgements: every --ack-every-th publication asks for
//     acknowledge=true, and at most --ack-window of those may be
//     unacknowledged at once. This bounds the publications between the
//     publisher and the broker: a router's PUBLISHED says it has dispatched
//     the publication (queued the events), nothing more.
//   - lead: the publisher does not run more than --lead events ahead of the
//     slowest subscriber. This bounds what waits in the router's queue for
//     each subscriber, and so what a router that drops events of a full
//     queue loses to the generator's own pace: nexus, for one, queues at
//     most 64 messages per client and drops the rest, hence the default of
//     64 (an event not yet received by a subscriber is, at worst, in that
//     queue, so the queue never overflows). --lead 0 turns it off
//     (then the acknowledgement window alone paces the publisher, and the
//     figures show what the router drops under overload).
//
// --rate limits the publications per second on top of that.

import (
	"context"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// pubsubReport is the result of "bench pubsub".
type pubsubReport struct {
	benchInfo
	Subscribers     int     `json:"subscribers"`
	Size            int     `json:"size"`
	RateLimit       float64 `json:"rate_limit"`
	AckEvery        int     `json:"ack_every"`
	AckWindow       int     `json:"ack_window"`
	Lead            int     `json:"lead"`
	DurationS       float64 `json:"duration_s"`
	Published       uint64  `json:"published"`
	PublishedPerS   float64 `json:"published_per_s"`
	Expected        uint64  `json:"expected_deliveries"`
	Delivered       uint64  `json:"delivered"`
	DeliveryS       float64 `json:"delivery_s"`
	DeliveriesPerS  float64 `json:"deliveries_per_s"`
	Lost            int64   `json:"lost"`
	Gaps            uint64  `json:"gaps"`
	Duplicates      uint64  `json:"duplicates"`
	Malformed       uint64  `json:"malformed"`
	SubscribersLost int     `json:"subscribers_lost"`
}

func (r *pubsubReport) rows() [][2]string {
	rate := "max"
	if r.RateLimit > 0 {
		rate = fmtRate(r.RateLimit)
	}
	lead := fmtInt(r.Lead) + " events"
	if r.Lead == 0 {
		lead = "off"
	}
	return append(r.benchInfo.rows(), [][2]string{
		{"subscribers", fmtInt(r.Subscribers)},
		{"payload", fmtBytes(r.Size)},
		{"rate limit", rate},
		{"flow control", fmt.Sprintf("ack every %d, window %d, lead %s", r.AckEvery, r.AckWindow, lead)},
		{"publishing", fmtSecs(r.DurationS)},
		{"published", fmtCount(r.Published)},
		{"published/s", fmtRate(r.PublishedPerS)},
		{"deliveries expected", fmtCount(r.Expected)},
		{"delivered", fmtCount(r.Delivered)},
		{"delivering", fmtSecs(r.DeliveryS)},
		{"deliveries/s", fmtRate(r.DeliveriesPerS)},
		{"events lost", fmt.Sprint(r.Lost)},
		{"gaps", fmtCount(r.Gaps)},
		{"duplicates", fmtCount(r.Duplicates)},
		{"malformed", fmtCount(r.Malformed)},
		{"subscribers lost", fmtInt(r.SubscribersLost)},
	}...)
}

func benchPubSub(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := benchFlags("pubsub", stderr)
	nsubs := fs.Int("subscribers", 100, "subscriber sessions, each on its own connection")
	size := fs.Int("size", 64, "payload of each event in bytes (a string, the second argument)")
	events := fs.Uint64("events", 0, "publish exactly this many events (0: publish for --duration)")
	duration := fs.Duration("duration", 10*time.Second, "how long to publish when --events is 0")
	rate := fs.Float64("rate", 0, "most events published per second (0: as fast as flow control allows)")
	ackEvery := fs.Int("ack-every", 16, "ask for acknowledge=true on every Nth publication")
	ackWindow := fs.Int("ack-window", 4, "most acknowledged publications outstanding at once")
	lead := fs.Int("lead", 64, "most events the publisher runs ahead of the slowest subscriber (0: off)")
	drain := fs.Duration("drain", 2*time.Second, "longest wait for deliveries after the last publication")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	switch {
	case *nsubs < 1:
		return c.errorf("--subscribers must be at least 1")
	case *size < 0:
		return c.errorf("--size must not be negative")
	case *events == 0 && *duration <= 0:
		return c.errorf("give --events N or a positive --duration")
	case *rate < 0 || math.IsNaN(*rate) || math.IsInf(*rate, 0):
		return c.errorf("--rate must be a non-negative number")
	case *ackEvery < 1 || *ackWindow < 1:
		return c.errorf("--ack-every and --ack-window must be at least 1")
	case *lead < 0:
		return c.errorf("--lead must not be negative")
	case *drain < 0:
		return c.errorf("--drain must not be negative")
	}
	stopProfile, err := c.startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()

	topic := benchURI("topic")
	subs := make([]*pubsubSubscriber, *nsubs)
	peers, err := dialMany(ctx, *nsubs, c.dialConc, nil, func(ctx context.Context, i int) (*benchPeer, error) {
		s := &pubsubSubscriber{setup: make(chan core.Message, 1)}
		p, err := dialPeer(ctx, c, fmt.Sprintf("subscriber %d", i+1), clientRoles(core.RoleSubscriber), s.handle, s.lostSession)
		if err != nil {
			return nil, err
		}
		s.p = p
		if _, err := p.request(ctx, "SUBSCRIBE "+topic, &core.Subscribe{Request: p.nextID(), Topic: topic}, s.setup); err != nil {
			p.leave()
			return nil, err
		}
		subs[i] = s
		return p, nil
	})
	if err != nil {
		return c.errorf("%w", err)
	}
	defer leaveAll(peers, c.dialConc)

	pub := &pubsubPublisher{acks: make(chan struct{}, *ackWindow)}
	pub.p, err = dialPeer(ctx, c, "publisher", clientRoles(core.RolePublisher), pub.handle, pub.fail)
	if err != nil {
		return c.errorf("%w", err)
	}
	defer pub.p.leave()

	var prevPub, prevDel uint64
	stopProgress := c.progress(func(_, dt time.Duration) string {
		p := pub.published.Load()
		var d uint64
		for _, s := range subs {
			d += s.delivered()
		}
		line := fmt.Sprintf("published %d  %s  delivered %d  %s", p, fmtRate(perSecond(p-prevPub, dt)), d, fmtRate(perSecond(d-prevDel, dt)))
		prevPub, prevDel = p, d
		return line
	})

	pc := pubsubRun{c: c, pub: pub, subs: subs, topic: topic, events: *events, duration: *duration,
		rate: *rate, ackEvery: uint64(*ackEvery), lead: uint64(*lead)}
	if *size > 0 {
		pc.payload = benchPayload(*size)
	}
	start := time.Now()
	runErr := pc.publish(ctx, start)
	lastPub := time.Now()
	published := pub.published.Load()
	delivered := pc.drain(lastPub.Add(*drain), published)
	stopProgress()

	r := &pubsubReport{benchInfo: c.info(), Subscribers: *nsubs, Size: *size, RateLimit: *rate,
		AckEvery: *ackEvery, AckWindow: *ackWindow, Lead: *lead,
		DurationS: round2(lastPub.Sub(start).Seconds()), Published: published,
		PublishedPerS: perSecond(published, lastPub.Sub(start)),
		Expected:      published * uint64(*nsubs)}
	var lostReason error
	for _, s := range subs {
		r.Delivered += s.delivered()
		r.Gaps += s.gaps.Load()
		r.Duplicates += s.dups.Load()
		r.Malformed += s.malformed.Load()
		if err := s.failure(); err != nil {
			r.SubscribersLost++
			if lostReason == nil {
				lostReason = err
			}
		}
	}
	r.DeliveryS = round2(delivered.Sub(start).Seconds())
	r.DeliveriesPerS = perSecond(r.Delivered, delivered.Sub(start))
	r.Lost = int64(r.Expected) - int64(r.Delivered)
	if err := c.report(stdout, r); err != nil {
		return err
	}
	if lostReason != nil {
		fmt.Fprintf(stderr, "bench pubsub: warning: %d subscriber sessions lost, the first: %v\n", r.SubscribersLost, lostReason)
	}
	if runErr != nil {
		return c.errorf("%w", runErr)
	}
	return nil
}

// pubsubRun is the publishing side of a run.
type pubsubRun struct {
	c        *benchConfig
	pub      *pubsubPublisher
	subs     []*pubsubSubscriber
	topic    string
	payload  string
	events   uint64
	duration time.Duration
	rate     float64
	ackEvery uint64
	lead     uint64
}

// publish publishes until the count or the duration is reached, ctx is
// cancelled or something fails, pacing itself as the file comment says.
func (r *pubsubRun) publish(ctx context.Context, start time.Time) error {
	end := start.Add(r.duration)
	yes := true
	ackOpts := core.PublishOptions{Acknowledge: &yes}
	var slowest uint64 // lowest sequence number all subscribers are known to have reached
	stall := time.NewTimer(r.c.dialTimeout)
	defer stall.Stop()
	for seq := uint64(1); ; seq++ {
		now := time.Now()
		if r.events > 0 {
			if seq > r.events {
				return nil
			}
		} else if !now.Before(end) {
			return nil
		}
		if err := r.pub.failure(); err != nil {
			return err
		}
		if r.rate > 0 {
			due := start.Add(time.Duration(float64(seq-1) / r.rate * 1e9))
			if wait := due.Sub(now); wait > time.Millisecond {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return nil
				}
			}
		}
		if r.lead > 0 && seq-slowest > r.lead {
			// Wait until the slowest subscriber is half the lead behind,
			// not just within it, so that the scans and sleeps of the wait
			// happen once per lead/2 publications, not at every one.
			var err error
			if slowest, err = r.waitForSubscribers(ctx, seq-(r.lead+1)/2, end); err != nil {
				return err
			}
			if ctx.Err() != nil {
				return nil
			}
		}
		var opts core.PublishOptions
		if seq%r.ackEvery == 0 {
			opts = ackOpts
			stall.Reset(r.c.dialTimeout)
			select {
			case r.pub.acks <- struct{}{}:
			case <-stall.C:
				return fmt.Errorf("publisher: no PUBLISHED for %d acknowledged publications within %v", cap(r.pub.acks), r.c.dialTimeout)
			case <-ctx.Done():
				return nil
			}
		}
		args := []any{int64(seq)}
		if r.payload != "" {
			args = append(args, r.payload)
		}
		msg := &core.Publish{Request: r.pub.p.nextID(), Options: opts, Topic: r.topic, Args: args}
		if err := r.pub.p.t.Send(ctx, msg); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("publisher: PUBLISH: %w", err)
		}
		r.pub.published.Store(seq)
	}
}

// waitForSubscribers waits until every subscriber still connected has
// received event want (or a later one), and returns the lowest sequence
// number they have reached. It polls: the publisher waits here only when it
// is ahead, and a poll costs one atomic load per subscriber. It gives up
// at end when publishing for a duration, and fails when the slowest
// subscriber makes no progress for --timeout.
func (r *pubsubRun) waitForSubscribers(ctx context.Context, want uint64, end time.Time) (uint64, error) {
	var prev uint64
	progressed := time.Now()
	for {
		low, who := uint64(math.MaxUint64), -1
		for i, s := range r.subs {
			if s.gone.Load() {
				continue
			}
			if l := s.last.Load(); l < low {
				low, who = l, i
			}
		}
		now := time.Now()
		if low >= want || who < 0 || ctx.Err() != nil || r.events == 0 && !now.Before(end) {
			return low, nil
		}
		if low != prev {
			prev, progressed = low, now
		} else if now.Sub(progressed) > r.c.dialTimeout {
			return 0, fmt.Errorf("subscriber %d received no event for %v (stuck after event %d of %d published)", who+1, r.c.dialTimeout, low, r.pub.published.Load())
		}
		time.Sleep(50 * time.Microsecond)
	}
}

// drain waits until every subscriber still connected has received the last
// publication, or until deadline; it returns when the last delivery was
// seen (to within a millisecond).
func (r *pubsubRun) drain(deadline time.Time, published uint64) time.Time {
	var prev uint64
	lastChange := time.Now()
	for {
		var total uint64
		done := true
		for _, s := range r.subs {
			total += s.received.Load()
			if !s.gone.Load() && s.last.Load() < published {
				done = false
			}
		}
		now := time.Now()
		if total != prev {
			prev, lastChange = total, now
		}
		if done {
			return now
		}
		if !now.Before(deadline) {
			return lastChange
		}
		time.Sleep(time.Millisecond)
	}
}

// pubsubPublisher is the publishing session: its reader returns a token of
// the acknowledgement window for every PUBLISHED.
type pubsubPublisher struct {
	p         *benchPeer
	acks      chan struct{}
	published atomic.Uint64
	mu        sync.Mutex
	err       error
}

func (pp *pubsubPublisher) handle(msg core.Message) {
	switch m := msg.(type) {
	case *core.Published:
		select {
		case <-pp.acks:
		default:
		}
	case *core.Error:
		pp.fail(fmt.Errorf("publisher: PUBLISH: %s", errorText(m)))
	}
}

func (pp *pubsubPublisher) fail(err error) {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	if pp.err == nil {
		pp.err = err
	}
}

func (pp *pubsubPublisher) failure() error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.err
}

// pubsubSubscriber counts the events of one subscriber session. Its counters
// are written only by the transport's reader goroutine; they are atomic so
// that the publisher and the progress line can read them while it runs.
type pubsubSubscriber struct {
	p     *benchPeer
	setup chan core.Message // SUBSCRIBED or ERROR of the set-up

	received  atomic.Uint64 // events received, duplicates included
	last      atomic.Uint64 // highest sequence number received
	gaps      atomic.Uint64 // sequence numbers skipped over
	dups      atomic.Uint64 // events at or below the highest received: duplicates (or reordered)
	malformed atomic.Uint64 // events without a sequence number
	gone      atomic.Bool   // the session was lost

	mu  sync.Mutex
	err error
}

// delivered is the number of distinct events received.
func (s *pubsubSubscriber) delivered() uint64 { return s.received.Load() - s.dups.Load() }

func (s *pubsubSubscriber) handle(msg core.Message) {
	switch m := msg.(type) {
	case *core.Event:
		seq, ok := sequenceOf(m.Args)
		if !ok {
			s.malformed.Add(1)
			return
		}
		s.received.Add(1)
		last := s.last.Load()
		switch {
		case seq == last+1:
			s.last.Store(seq)
		case seq > last+1:
			s.gaps.Add(seq - last - 1)
			s.last.Store(seq)
		default:
			s.dups.Add(1)
		}
	case *core.Subscribed, *core.Error:
		select {
		case s.setup <- msg:
		default:
		}
	}
}

func (s *pubsubSubscriber) lostSession(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.gone.Store(true)
}

func (s *pubsubSubscriber) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// sequenceOf returns the sequence number an event carries as its first
// argument: an integer, or a float with an integer value (from a router
// whose JSON has only floats).
func sequenceOf(args []any) (uint64, bool) {
	if len(args) == 0 {
		return 0, false
	}
	switch v := args[0].(type) {
	case int64:
		return uint64(v), v > 0
	case uint64:
		return v, v > 0
	case float64:
		return uint64(v), v >= 1 && v == math.Trunc(v) && v < 1<<63
	}
	return 0, false
}
