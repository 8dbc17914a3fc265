package wamp

import (
	"context"
	"errors"
	"fmt"
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
	att, err := s.attached("call " + procedure)
	if err != nil {
		return nil, err
	}
	id := s.nextID()
	m := &core.Call{Request: id, Procedure: procedure, Args: args, Kwargs: kwargs, Options: core.CallOptions{Extra: opts.Extra}}
	w := &waiter{ch: make(chan core.Message, 1)}
	if opts.OnProgress != nil {
		w.ch, w.gone = make(chan core.Message, progressQueue), make(chan struct{})
		defer close(w.gone)
		m.Options.ReceiveProgress = &yes
	}
	if opts.DiscloseMe {
		m.Options.DiscloseMe = &yes
	}
	if opts.Timeout > 0 {
		ms := max(opts.Timeout.Milliseconds(), 1)
		m.Options.Timeout = &ms
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, errClientTimeout)
		defer cancel()
	}
	if !s.await(att, id, w) {
		return nil, fmt.Errorf("wamp: call %s: %w", procedure, context.Cause(att.ctx))
	}
	if err := s.t.Send(ctx, m); err != nil {
		s.forget(att, id)
		return nil, fmt.Errorf("wamp: call %s: %w", procedure, err)
	}
	for {
		select {
		case a := <-w.ch:
			switch a := a.(type) {
			case *core.Result:
				r := &Result{Args: a.Args, Kwargs: a.Kwargs, Details: a.Details}
				if !isTrue(a.Details.Progress) {
					return r, nil
				}
				opts.OnProgress(r)
			case *core.Error:
				return nil, s.cfg.Errors.decode(appError(a))
			}
		case <-att.ctx.Done():
			return nil, fmt.Errorf("wamp: call %s: %w", procedure, context.Cause(att.ctx))
		case <-ctx.Done():
			return nil, s.cancelCall(ctx, att, id, procedure, opts.CancelMode)
		}
	}
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
