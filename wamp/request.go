package wamp

import (
	"context"
	"fmt"

	"github.com/autobahn-go/autobahn/core"
)

// waiter receives the router's answers to one request. ch has room for the
// one final answer; a call with progressive results has a bigger buffer
// and closes gone when it stops waiting, so that the reader never blocks
// on a caller that is gone.
type waiter struct {
	want core.MessageType // the answer expected besides ERROR
	ch   chan core.Message
	gone chan struct{}
	// install, if set, runs on the reader with s.mu held when the final
	// answer arrives, before any later message is read: SUBSCRIBED and
	// REGISTERED install the handler there, so that an EVENT or INVOCATION
	// right behind them finds it.
	install func(core.Message)
}

// attached returns the current attachment, or a SessionNotReady error for
// op.
func (s *Session) attached(op string) (*attachment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stJoined || s.att == nil {
		return nil, fmt.Errorf("wamp: %w", &core.SessionNotReady{Op: op})
	}
	return s.att, nil
}

// await registers w for request id of att; false when att has ended.
func (s *Session) await(att *attachment, id uint64, w *waiter) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.att != att {
		return false
	}
	if att.pending == nil {
		att.pending = make(map[uint64]*waiter)
	}
	att.pending[id] = w
	return true
}

// forget stops waiting for request id.
func (s *Session) forget(att *attachment, id uint64) {
	s.mu.Lock()
	delete(att.pending, id)
	s.mu.Unlock()
}

// answer hands the router's answer to request id to its waiter; a final
// answer ends the request. Answers nobody waits for (late, or for requests
// given up) are dropped.
func (s *Session) answer(att *attachment, id uint64, m core.Message, progress bool) {
	s.mu.Lock()
	w := att.pending[id]
	if w != nil && m.Type() != w.want && m.Type() != core.TypeError {
		s.mu.Unlock()
		s.protocolError("%v answers request %d, which expects %v", m.Type(), id, w.want)
		return
	}
	if w != nil && !progress {
		delete(att.pending, id)
		if w.install != nil && m.Type() != core.TypeError {
			w.install(m)
		}
	}
	s.mu.Unlock()
	if w == nil || (progress && w.gone == nil) {
		return
	}
	select {
	case w.ch <- m:
	case <-w.gone:
	}
}

// request sends m, whose request ID is id, and waits for the router's
// answer (a want, or ERROR), bounded by ctx and RequestTimeout. An ERROR
// answer is returned as its *core.ApplicationError. install, if not nil,
// runs as waiter.install.
func (s *Session) request(ctx context.Context, att *attachment, id uint64, m core.Message, want core.MessageType, install func(core.Message)) (core.Message, error) {
	w := &waiter{want: want, ch: make(chan core.Message, 1), install: install}
	if !s.await(att, id, w) {
		return nil, context.Cause(att.ctx)
	}
	ctx, cancel := s.requestContext(ctx)
	defer cancel()
	if err := s.t.Send(ctx, m); err != nil {
		s.forget(att, id)
		return nil, err
	}
	select {
	case a := <-w.ch:
		if e, ok := a.(*core.Error); ok {
			return nil, appError(e)
		}
		return a, nil
	case <-att.ctx.Done():
		return nil, context.Cause(att.ctx)
	case <-ctx.Done():
		s.forget(att, id)
		return nil, fmt.Errorf("waiting for the router's answer: %w", ctx.Err())
	}
}

// appError is the application error an ERROR carries.
func appError(e *core.Error) *core.ApplicationError {
	return &core.ApplicationError{URI: e.Error, Args: e.Args, Kwargs: e.Kwargs}
}
