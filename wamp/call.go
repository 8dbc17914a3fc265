package wamp

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Result is what a call returns, or a progressive result on the way; also
// what a handler returns to answer an invocation.
type Result struct {
	Args   []any
	Kwargs map[string]any
	// Details are the RESULT's details (progress, passthru, extras).
	Details core.ResultDetails
}

// CallOptions are the options of one call. The zero value makes a plain
// call.
type CallOptions struct {
	// Timeout is sent to the dealer (CALL.Options.timeout) and also enforced
	// here: when it passes first, the session cancels the call (killnowait)
	// and Call returns an error matching core.ErrTimeout.
	Timeout time.Duration
	// OnProgress receives the progressive results (receive_progress), in
	// order, on the goroutine of Call, before it returns the final result.
	// While more than 64 wait for it the session stops reading, so it must
	// not wait for another answer of the same session (a nested Call).
	OnProgress func(*Result)
	// DiscloseMe asks the dealer to tell the callee who calls.
	DiscloseMe bool
	// CancelMode is the CANCEL mode used when ctx ends before the result
	// (skip, kill or killnowait); empty lets the dealer choose (killnowait).
	// Call returns at once in every mode.
	CancelMode string
	// Extra holds further CALL options, sent as they are.
	Extra map[string]any
}

// progressQueue bounds the progressive results buffered for a caller that
// has not consumed them yet; when it is full the session stops reading.
const progressQueue = 64

// errClientTimeout is the cause of a call's context when CallOptions.Timeout
// passes.
var errClientTimeout = errors.New("call timeout")

// Call calls procedure with args and kwargs and returns its result. An
// ERROR answer is returned as *core.ApplicationError (errors.Is matches the
// core.Err* sentinels, errors.As gets the URI and payload), or as the Go
// error type Config.Errors defines for its URI. When ctx ends
// first, the call is canceled at the dealer (CANCEL) and Call returns
// ctx's error.
func (s *Session) Call(ctx context.Context, procedure string, args []any, kwargs map[string]any, opts CallOptions) (*Result, error) {
	c, err := s.startCall(ctx, procedure, args, kwargs, opts, false)
	if err != nil {
		return nil, err
	}
	return c.wait(ctx)
}

// pendingCall is a call sent and not answered yet.
type pendingCall struct {
	s         *Session
	att       *attachment
	id        uint64
	procedure string
	opts      CallOptions
	w         *waiter
	release   sync.Once // closes w.gone
}

// stop releases the reader from waiting on this call's progressive
// results.
func (c *pendingCall) stop() {
	c.release.Do(func() {
		if c.w.gone != nil {
			close(c.w.gone)
		}
	})
}

// startCall sends the (first) CALL and registers the waiter for its
// answers. progress marks the first chunk of a progressive call
// invocation.
func (s *Session) startCall(ctx context.Context, procedure string, args []any, kwargs map[string]any, opts CallOptions, progress bool) (*pendingCall, error) {
	att, err := s.attached("call " + procedure)
	if err != nil {
		return nil, err
	}
	pl, err := s.encode(ctx, true, procedure, args, kwargs)
	if err != nil {
		return nil, err
	}
	c := &pendingCall{s: s, att: att, id: s.nextID(), procedure: procedure, opts: opts, w: &waiter{want: core.TypeResult, ch: make(chan core.Message, 1)}}
	m := &core.Call{Request: c.id, Procedure: procedure, Args: pl.args, Kwargs: pl.kwargs, Payload: pl.opaque,
		Options: core.CallOptions{Extra: opts.Extra, Passthru: pl.passthru}}
	if opts.OnProgress != nil {
		c.w.ch, c.w.gone = make(chan core.Message, progressQueue), make(chan struct{})
		m.Options.ReceiveProgress = &yes
	}
	if opts.DiscloseMe {
		m.Options.DiscloseMe = &yes
	}
	if progress {
		m.Options.Progress = &yes
	}
	if opts.Timeout > 0 {
		ms := max(opts.Timeout.Milliseconds(), 1)
		m.Options.Timeout = &ms
	}
	if !s.await(att, c.id, c.w) {
		return nil, fmt.Errorf("wamp: call %s: %w", procedure, context.Cause(att.ctx))
	}
	if err := s.t.Send(ctx, m); err != nil {
		c.abandon()
		return nil, fmt.Errorf("wamp: call %s: %w", procedure, err)
	}
	return c, nil
}

// abandon stops waiting without canceling (the CALL never went out).
func (c *pendingCall) abandon() {
	c.s.forget(c.att, c.id)
	c.stop()
}

// wait waits for the final answer, handing progressive results to
// OnProgress, and cancels the call when ctx (or the call's timeout) ends
// first.
func (c *pendingCall) wait(ctx context.Context) (*Result, error) {
	defer c.stop()
	if c.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, c.opts.Timeout, errClientTimeout)
		defer cancel()
	}
	for {
		select {
		case a := <-c.w.ch:
			switch a := a.(type) {
			case *core.Result:
				args, kwargs, err := c.s.decode(ctx, true, c.procedure, &a.Details.Passthru, a.Payload, a.Args, a.Kwargs)
				if err != nil {
					if isTrue(a.Details.Progress) { // the call goes on at the dealer: stop it
						c.s.forget(c.att, c.id)
						c.s.sendAsync(&core.Cancel{Request: c.id})
					}
					return nil, err
				}
				r := &Result{Args: args, Kwargs: kwargs, Details: a.Details}
				if !isTrue(a.Details.Progress) {
					return r, nil
				}
				c.opts.OnProgress(r)
			case *core.Error:
				args, kwargs, err := c.s.decode(ctx, true, a.Error, &a.Details.Passthru, a.Payload, a.Args, a.Kwargs)
				if err != nil {
					return nil, err
				}
				return nil, c.s.cfg.Errors.decode(&core.ApplicationError{URI: a.Error, Args: args, Kwargs: kwargs})
			}
		case <-c.att.ctx.Done():
			return nil, fmt.Errorf("wamp: call %s: %w", c.procedure, context.Cause(c.att.ctx))
		case <-ctx.Done():
			return nil, c.s.cancelCall(ctx, c.att, c.id, c.procedure, c.opts.CancelMode)
		}
	}
}

// ProgressiveCall is a call whose caller streams its arguments (progressive
// call invocations): the first chunk goes with CallProgressive, more with
// Send, the last with Finish, which returns the result.
type ProgressiveCall struct {
	c    *pendingCall
	done bool
}

// CallProgressive starts a progressive call invocation of procedure with
// its first chunk of arguments. The dealer and the callee must support
// progressive call invocations (else the result is ERROR
// wamp.error.feature_not_supported).
func (s *Session) CallProgressive(ctx context.Context, procedure string, args []any, kwargs map[string]any, opts CallOptions) (*ProgressiveCall, error) {
	c, err := s.startCall(ctx, procedure, args, kwargs, opts, true)
	if err != nil {
		return nil, err
	}
	return &ProgressiveCall{c: c}, nil
}

// Send sends the next chunk of arguments.
func (p *ProgressiveCall) Send(ctx context.Context, args []any, kwargs map[string]any) error {
	return p.send(ctx, args, kwargs, true)
}

func (p *ProgressiveCall) send(ctx context.Context, args []any, kwargs map[string]any, more bool) error {
	if p.done {
		return fmt.Errorf("wamp: call %s: the last chunk was sent already", p.c.procedure)
	}
	pl, err := p.c.s.encode(ctx, true, p.c.procedure, args, kwargs)
	if err != nil {
		return err
	}
	m := &core.Call{Request: p.c.id, Procedure: p.c.procedure, Args: pl.args, Kwargs: pl.kwargs, Payload: pl.opaque,
		Options: core.CallOptions{Passthru: pl.passthru}}
	if more {
		m.Options.Progress = &yes
	} else {
		p.done = true
	}
	if err := p.c.s.t.Send(ctx, m); err != nil {
		p.Cancel()
		return fmt.Errorf("wamp: call %s: %w", p.c.procedure, err)
	}
	return nil
}

// Cancel gives the call up: the dealer gets CANCEL, and answers still on
// their way are dropped. Finish does it when its context ends.
func (p *ProgressiveCall) Cancel() {
	p.done = true
	c := p.c
	c.s.forget(c.att, c.id)
	c.stop()
	if c.att.details.RouterHas(core.RoleDealer, "call_canceling") {
		c.s.sendAsync(&core.Cancel{Request: c.id, Options: core.CancelOptions{Mode: c.opts.CancelMode}})
	}
}

// Finish sends the last chunk of arguments and waits for the result; when
// ctx ends first the call is canceled, as for Call.
func (p *ProgressiveCall) Finish(ctx context.Context, args []any, kwargs map[string]any) (*Result, error) {
	if err := p.send(ctx, args, kwargs, false); err != nil {
		return nil, err
	}
	return p.c.wait(ctx)
}

var yes = true

// cancelCall gives up waiting for call id: the dealer gets CANCEL if it can
// cancel calls, and the caller an error saying why.
func (s *Session) cancelCall(ctx context.Context, att *attachment, id uint64, procedure, mode string) error {
	s.forget(att, id)
	if att.details.RouterHas(core.RoleDealer, "call_canceling") {
		s.sendAsync(&core.Cancel{Request: id, Options: core.CancelOptions{Mode: mode}})
	}
	if context.Cause(ctx) == errClientTimeout {
		return &core.ApplicationError{URI: core.URITimeout, Args: []any{fmt.Sprintf("call %s: no result within the call's timeout", procedure)}}
	}
	return fmt.Errorf("wamp: call %s: %w", procedure, ctx.Err())
}
