package main

// "autobahn bench rpc": one callee session registers an echo procedure; C
// caller sessions, each over its own connection, call it in a closed loop
// with one call outstanding at a time, for --duration. The figures are the
// calls per second of all callers together and the distribution of the
// round-trip time of a call (CALL sent → RESULT received).
//
// To keep the generator cheap, nothing runs per call but the transport's
// reader goroutine: a caller sends its next CALL from OnMessage as soon as
// the RESULT is in, and records the round trip in its own preallocated
// histogram; the callee sends its YIELD from OnMessage too.

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// rpcReport is the result of "bench rpc".
type rpcReport struct {
	benchInfo
	Callers   int            `json:"callers"`
	Size      int            `json:"size"`
	DurationS float64        `json:"duration_s"`
	Calls     uint64         `json:"calls"`
	CallsPerS float64        `json:"calls_per_s"`
	Errors    int            `json:"errors"`
	LatencyUS latencySummary `json:"latency_us"`
}

func (r *rpcReport) rows() [][2]string {
	l := r.LatencyUS
	return append(r.benchInfo.rows(), [][2]string{
		{"callers", fmtInt(r.Callers)},
		{"payload", fmtBytes(r.Size)},
		{"duration", fmtSecs(r.DurationS)},
		{"calls", fmtCount(r.Calls)},
		{"calls/s", fmtRate(r.CallsPerS)},
		{"errors", fmtInt(r.Errors)},
		{"round trip min", fmtUS(l.Min)},
		{"round trip mean", fmtUS(l.Mean)},
		{"round trip p50", fmtUS(l.P50)},
		{"round trip p90", fmtUS(l.P90)},
		{"round trip p99", fmtUS(l.P99)},
		{"round trip p999", fmtUS(l.P999)},
		{"round trip max", fmtUS(l.Max)},
	}...)
}

func benchRPC(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := benchFlags("rpc", stderr)
	callers := fs.Int("callers", 8, "caller sessions, each on its own connection with one call outstanding")
	duration := fs.Duration("duration", 10*time.Second, "how long the callers call")
	size := fs.Int("size", 0, "payload of each call in bytes (a string argument, echoed back); 0 for none")
	driver := fs.String("driver", "raw", "how the callers call: raw (the bench's own protocol driver) or wamp (the wamp package's Session, to measure the client)")
	if err := c.parse(fs, args); err != nil {
		return err
	}
	switch {
	case *callers < 1:
		return c.errorf("--callers must be at least 1")
	case *duration <= 0:
		return c.errorf("--duration must be positive")
	case *size < 0:
		return c.errorf("--size must not be negative")
	case *driver != "raw" && *driver != "wamp":
		return c.errorf("--driver must be raw or wamp")
	}
	stopProfile, err := c.startProfile()
	if err != nil {
		return err
	}
	defer stopProfile()

	proc := benchURI("echo")
	var args0 []any
	if *size > 0 {
		args0 = []any{benchPayload(*size)}
	}

	// The callee.
	callee := &rpcCallee{setup: make(chan core.Message, 1)}
	callee.p, err = dialPeer(ctx, c, "callee", clientRoles(core.RoleCallee), callee.handle, callee.lostSession)
	if err != nil {
		return c.errorf("%w", err)
	}
	defer callee.p.leave()
	if _, err := callee.p.request(ctx, "REGISTER "+proc, &core.Register{Request: callee.p.nextID(), Procedure: proc}, callee.setup); err != nil {
		return c.errorf("%w", err)
	}

	// The callers.
	var stop atomic.Bool
	cs := make([]*rpcCaller, *callers)
	if *driver == "wamp" {
		sessions, err := dialWAMPCallers(ctx, c, cs, proc, args0, &stop)
		if err != nil {
			return c.errorf("%w", err)
		}
		defer closeWAMPCallers(sessions)
	} else {
		peers, err := dialMany(ctx, *callers, c.dialConc, nil, func(ctx context.Context, i int) (*benchPeer, error) {
			cl := &rpcCaller{proc: proc, args: args0, stop: &stop, hist: newLatencyHist(), done: make(chan struct{})}
			p, err := dialPeer(ctx, c, fmt.Sprintf("caller %d", i+1), clientRoles(core.RoleCaller), cl.handle, cl.fail)
			if err != nil {
				return nil, err
			}
			cl.p, cl.name, cl.abort, cl.start = p, p.name, func() { p.t.Abort(); <-p.closed }, cl.call
			cs[i] = cl
			return p, nil
		})
		if err != nil {
			return c.errorf("%w", err)
		}
		defer leaveAll(peers, c.dialConc)
	}

	var prev uint64
	stopProgress := c.progress(func(_, dt time.Duration) string {
		var n uint64
		for _, cl := range cs {
			n += cl.calls.Load()
		}
		line := fmt.Sprintf("calls %d  %s", n, fmtRate(perSecond(n-prev, dt)))
		prev = n
		return line
	})
	start := time.Now()
	end := start.Add(*duration)
	for _, cl := range cs {
		cl.end = end
		cl.start(time.Now())
	}

	// Wait for every caller to finish its last call: the run ends at end,
	// or early when ctx is cancelled (Ctrl-C), and the last calls get
	// --timeout to come back.
	deadline := time.NewTimer(time.Until(end) + c.dialTimeout)
	defer deadline.Stop()
	ctxDone := ctx.Done()
	expired := false
	for _, cl := range cs {
	wait:
		for !expired {
			select {
			case <-cl.done:
				break wait
			case <-ctxDone:
				stop.Store(true)
				ctxDone = nil
				deadline.Reset(c.dialTimeout)
			case <-deadline.C:
				expired = true
			}
		}
		select {
		case <-cl.done:
		default:
			cl.finish(fmt.Errorf("%s: no RESULT for CALL %s within %v after the end of the run", cl.name, proc, c.dialTimeout))
			// Make sure its reader no longer touches the histogram.
			cl.abort()
		}
	}
	stopProgress()

	r := &rpcReport{benchInfo: c.info(), Callers: *callers, Size: *size}
	hist := newLatencyHist()
	var last time.Time
	var firstErr error
	for _, cl := range cs {
		hist.merge(cl.hist)
		r.Calls += cl.calls.Load()
		if cl.finishedAt.After(last) {
			last = cl.finishedAt
		}
		if cl.err != nil {
			r.Errors++
			if firstErr == nil {
				firstErr = cl.err
			}
		}
	}
	if e := callee.failure(); e != nil && firstErr == nil {
		firstErr = e
	}
	elapsed := last.Sub(start)
	r.DurationS = round2(elapsed.Seconds())
	r.CallsPerS = perSecond(r.Calls, elapsed)
	r.LatencyUS = hist.summary()
	if err := c.report(stdout, r); err != nil {
		return err
	}
	if firstErr != nil {
		return c.errorf("%w", firstErr)
	}
	return nil
}

// rpcCallee answers every INVOCATION with a YIELD that echoes its
// arguments, straight from the reader goroutine.
type rpcCallee struct {
	p     *benchPeer
	setup chan core.Message // REGISTERED or ERROR of the set-up
	mu    sync.Mutex
	err   error
}

func (e *rpcCallee) handle(msg core.Message) {
	switch m := msg.(type) {
	case *core.Invocation:
		if err := e.p.t.Send(context.Background(), &core.Yield{Request: m.Request, Args: m.Args}); err != nil {
			e.lostSession(fmt.Errorf("callee: YIELD: %w", err))
		}
	case *core.Registered, *core.Error:
		select {
		case e.setup <- msg:
		default:
		}
	}
}

func (e *rpcCallee) lostSession(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.err == nil {
		e.err = err
	}
}

func (e *rpcCallee) failure() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.err
}

// rpcCaller is one caller session with its own histogram. Its fields
// other than calls, done and the finish result are touched only by the
// goroutine that currently drives it: first the bench's, then its
// transport's reader, one call after the other.
type rpcCaller struct {
	p     *benchPeer // nil with --driver wamp
	name  string
	abort func() // ends the session at once; its calls stop
	start func(now time.Time)
	proc  string
	args  []any
	end   time.Time
	stop  *atomic.Bool
	hist  *latencyHist
	calls atomic.Uint64

	req  uint64    // request ID of the call outstanding
	sent time.Time // when it was sent

	once       sync.Once
	done       chan struct{}
	err        error
	finishedAt time.Time
}

// call sends the next CALL; now is the time it counts as sent.
func (cl *rpcCaller) call(now time.Time) {
	cl.req = cl.p.nextID()
	cl.sent = now
	if err := cl.p.t.Send(context.Background(), &core.Call{Request: cl.req, Procedure: cl.proc, Args: cl.args}); err != nil {
		cl.finish(fmt.Errorf("%s: CALL %s: %w", cl.p.name, cl.proc, err))
	}
}

func (cl *rpcCaller) handle(msg core.Message) {
	switch m := msg.(type) {
	case *core.Result:
		if m.Request != cl.req {
			cl.finish(fmt.Errorf("%s: RESULT for request %d, but the call outstanding is %d", cl.p.name, m.Request, cl.req))
			return
		}
		now := time.Now()
		cl.hist.record(now.Sub(cl.sent))
		cl.calls.Add(1)
		if cl.stop.Load() || !now.Before(cl.end) {
			cl.finish(nil)
			return
		}
		cl.call(now)
	case *core.Error:
		cl.finish(fmt.Errorf("%s: CALL %s: %s", cl.p.name, cl.proc, errorText(m)))
	}
}

// fail ends the caller with err (the session was lost).
func (cl *rpcCaller) fail(err error) { cl.finish(err) }

// finish ends the caller's loop once.
func (cl *rpcCaller) finish(err error) {
	cl.once.Do(func() {
		cl.err = err
		cl.finishedAt = time.Now()
		close(cl.done)
	})
}
