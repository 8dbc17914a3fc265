package main

// "autobahn bench rpc --driver wamp": the callers are sessions of the wamp
// package, each calling in a closed loop on its own goroutine, so that the
// client's cost shows against the raw driver's on the same router.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/wamp"
)

// dialWAMPCallers dials and joins one wamp.Session per caller of cs and
// sets the callers up to call with it.
func dialWAMPCallers(ctx context.Context, c *benchConfig, cs []*rpcCaller, proc string, args []any, stop *atomic.Bool) ([]*wamp.Session, error) {
	sessions := make([]*wamp.Session, len(cs))
	var wg sync.WaitGroup
	errs := make(chan error, len(cs))
	sem := make(chan struct{}, max(1, c.dialConc))
	for i := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := dialWAMPSession(ctx, c, fmt.Sprintf("caller %d", i+1))
			if err != nil {
				errs <- err
				return
			}
			sessions[i] = s
			cl := &rpcCaller{name: fmt.Sprintf("caller %d", i+1), proc: proc, args: args, stop: stop,
				hist: newLatencyHist(), done: make(chan struct{})}
			cl.abort = func() { s.Close(context.Background()); <-cl.done }
			cl.start = func(time.Time) { go cl.loop(s) }
			cs[i] = cl
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		closeWAMPCallers(sessions)
		return nil, err
	}
	return sessions, nil
}

func dialWAMPSession(ctx context.Context, c *benchConfig, name string) (*wamp.Session, error) {
	dctx, cancel := context.WithTimeout(ctx, c.dialTimeout)
	defer cancel()
	cfg := core.TransportConfig{Serializers: []core.Serializer{c.serializer}, Options: c.transportOptions}
	s, err := wamp.Dial(dctx, c.url, cfg, wamp.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if _, err := s.Join(dctx, c.realm, wamp.JoinOptions{}); err != nil {
		s.Close(dctx)
		return nil, fmt.Errorf("%s: joining %s at %s: %w", name, c.realm, c.url, err)
	}
	return s, nil
}

// loop calls until the end of the run, recording each round trip.
func (cl *rpcCaller) loop(s *wamp.Session) {
	for {
		sent := time.Now()
		if _, err := s.Call(context.Background(), cl.proc, cl.args, nil, wamp.CallOptions{}); err != nil {
			cl.finish(fmt.Errorf("%s: CALL %s: %w", cl.name, cl.proc, err))
			return
		}
		now := time.Now()
		cl.hist.record(now.Sub(sent))
		cl.calls.Add(1)
		if cl.stop.Load() || !now.Before(cl.end) {
			cl.finish(nil)
			return
		}
	}
}

func closeWAMPCallers(sessions []*wamp.Session) {
	var wg sync.WaitGroup
	for _, s := range sessions {
		if s != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ctx, cancel := context.WithTimeout(context.Background(), leaveTimeout)
				defer cancel()
				s.Close(ctx)
			}()
		}
	}
	wg.Wait()
}
