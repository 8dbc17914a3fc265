package wamp

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Handler runs one invocation of a registered procedure. Its context ends
// when the caller cancels (INTERRUPT), when a forwarded call timeout
// passes, or when the session leaves. A returned *core.ApplicationError
// reaches the caller as it is; any other error as wamp.error.runtime_error
// (and OnUserError); a panic likewise, and the session carries on.
type Handler func(ctx context.Context, inv *Invocation) (*Result, error)

// URIRuntimeError is the error URI a caller gets when a handler fails with
// an error that is not an application error, or panics (Autobahn's).
const URIRuntimeError = "wamp.error.runtime_error"

// URIMaxConcurrencyReached is the error an invocation gets when its
// registration already runs as many invocations as its concurrency allows
// (the router enforces it too; Crossbar.io's URI).
const URIMaxConcurrencyReached = "crossbar.error.max_concurrency_reached"

// Invocation is one call of a registered procedure, as its handler sees it.
type Invocation struct {
	Args   []any
	Kwargs map[string]any
	// Details: caller identity when disclosed, the concrete procedure of a
	// pattern registration, receive_progress, progress, timeout.
	Details core.InvocationDetails
	// Registration is the registration's ID; Procedure the procedure called
	// (Details.Procedure for pattern registrations, else the registered
	// URI).
	Registration uint64
	Procedure    string

	s       *Session
	request uint64
	input   chan Input // progressive call invocations: the caller's next chunks
	encoded []byte     // the payload, until the handler's goroutine decodes it
}

// Input is one chunk of a progressive call invocation.
type Input struct {
	Args   []any
	Kwargs map[string]any
	// More reports whether further chunks follow.
	More bool

	// An encoded chunk, decoded by Next on the handler's goroutine.
	encoded  []byte
	passthru core.Passthru
}

// inputQueue bounds the chunks of a progressive call invocation waiting for
// the handler; more fail the invocation.
const inputQueue = 64

// Progress sends a progressive result to the caller if it asked for them
// (receive_progress); otherwise it does nothing.
func (inv *Invocation) Progress(ctx context.Context, args []any, kwargs map[string]any) error {
	if !isTrue(inv.Details.ReceiveProgress) {
		return nil
	}
	pl, err := inv.s.encode(ctx, false, inv.Procedure, args, kwargs)
	if err != nil {
		return err
	}
	y := &core.Yield{Request: inv.request, Args: pl.args, Kwargs: pl.kwargs, Payload: pl.opaque,
		Options: core.YieldOptions{Progress: &yes, Passthru: pl.passthru}}
	if err := inv.s.t.Send(ctx, y); err != nil {
		return fmt.Errorf("wamp: progressive result of %s: %w", inv.Procedure, err)
	}
	return nil
}

// MoreInput reports whether the caller streams more input (a progressive
// call invocation), to be read with Next.
func (inv *Invocation) MoreInput() bool { return inv.input != nil }

// Next returns the next chunk of a progressive call invocation; the last
// one has More false. It fails once the input is complete.
func (inv *Invocation) Next(ctx context.Context) (Input, error) {
	if inv.input == nil {
		return Input{}, errors.New("wamp: no more input for this invocation")
	}
	select {
	case in, ok := <-inv.input:
		if !ok {
			return Input{}, errors.New("wamp: no more input for this invocation")
		}
		if in.encoded != nil {
			args, kwargs, err := inv.s.decode(ctx, false, inv.Procedure, &in.passthru, in.encoded, in.Args, in.Kwargs)
			if err != nil {
				return Input{}, err
			}
			in = Input{Args: args, Kwargs: kwargs, More: in.More}
		}
		return in, nil
	case <-ctx.Done():
		return Input{}, ctx.Err()
	}
}

// Registration is a procedure registered by a session.
type Registration struct {
	s           *Session
	att         *attachment
	id          uint64
	procedure   string
	handler     Handler
	concurrency int
	running     int // under s.mu
}

// ID returns the registration's ID.
func (r *Registration) ID() uint64 { return r.id }

// Procedure returns the registered URI (or pattern).
func (r *Registration) Procedure() string { return r.procedure }

// runningInvocation is an invocation whose handler runs.
type runningInvocation struct {
	procedure string
	cancel    context.CancelCauseFunc
	mode      string     // INTERRUPT mode, once interrupted (under s.mu)
	input     chan Input // nil unless progressive input is still expected
}

// Register registers handler for procedure (a URI, or a pattern with
// opts.Match). Invocations run concurrently, each on its own goroutine, at
// most opts.Concurrency at a time when it is set.
func (s *Session) Register(ctx context.Context, procedure string, handler Handler, opts core.RegisterOptions) (*Registration, error) {
	if handler == nil {
		return nil, fmt.Errorf("wamp: register %s: nil handler", procedure)
	}
	att, err := s.attached("register " + procedure)
	if err != nil {
		return nil, err
	}
	reg := &Registration{s: s, att: att, procedure: procedure, handler: handler, concurrency: opts.Concurrency}
	install := func(a core.Message) { // s.mu is held
		reg.id = a.(*core.Registered).Registration
		if att.regs == nil {
			att.regs = make(map[uint64]*Registration)
		}
		att.regs[reg.id] = reg
	}
	id := s.nextID()
	if _, err := s.request(ctx, att, id, &core.Register{Request: id, Procedure: procedure, Options: opts}, core.TypeRegistered, install); err != nil {
		// A REGISTERED that arrives after ctx ended installed reg: undo it.
		s.mu.Lock()
		installed := reg.id != 0
		s.mu.Unlock()
		if installed {
			reg.Unregister(context.Background())
		}
		return nil, fmt.Errorf("wamp: register %s: %w", procedure, err)
	}
	return reg, nil
}

// Unregister removes the registration; invocations already running go on.
func (r *Registration) Unregister(ctx context.Context) error {
	s, att := r.s, r.att
	s.mu.Lock()
	mine := att.regs[r.id] == r
	delete(att.regs, r.id)
	s.mu.Unlock()
	if !mine {
		return fmt.Errorf("wamp: unregister %s: %w", r.procedure, core.ErrNoSuchRegistration)
	}
	id := s.nextID()
	if _, err := s.request(ctx, att, id, &core.Unregister{Request: id, Registration: r.id}, core.TypeUnregistered, nil); err != nil {
		return fmt.Errorf("wamp: unregister %s: %w", r.procedure, err)
	}
	return nil
}

func (s *Session) revokedRegistration(att *attachment, m *core.Unregistered) {
	s.mu.Lock()
	reg := att.regs[m.Details.Registration]
	delete(att.regs, m.Details.Registration)
	s.mu.Unlock()
	if reg != nil {
		s.log.Info("wamp: the router revoked a registration", "procedure", reg.procedure, "reason", m.Details.Reason)
	}
}

// invocation starts the handler of an INVOCATION, or hands the next chunk
// of a progressive call invocation to its running handler.
func (s *Session) invocation(att *attachment, m *core.Invocation) {
	s.mu.Lock()
	if run := att.running[m.Request]; run != nil {
		s.moreInput(run, m)
		s.mu.Unlock()
		return
	}
	reg := att.regs[m.Registration]
	switch {
	case reg == nil:
		s.mu.Unlock()
		s.sendAsync(&core.Error{RequestType: core.TypeInvocation, Request: m.Request, Error: core.URINoSuchRegistration,
			Args: []any{"this session has no such registration (any more)"}})
		return
	case reg.concurrency > 0 && reg.running >= reg.concurrency:
		s.mu.Unlock()
		s.sendAsync(&core.Error{RequestType: core.TypeInvocation, Request: m.Request, Error: URIMaxConcurrencyReached,
			Args: []any{fmt.Sprintf("%s runs %d invocations, its concurrency", reg.procedure, reg.running)}})
		return
	}
	procedure := reg.procedure
	if m.Details.Procedure != "" {
		procedure = m.Details.Procedure
	}
	reg.running++
	ctx, cancel := context.WithCancelCause(att.ctx)
	run := &runningInvocation{procedure: procedure, cancel: cancel}
	inv := &Invocation{Args: m.Args, Kwargs: m.Kwargs, Details: m.Details, Registration: reg.id,
		Procedure: procedure, s: s, request: m.Request}
	if m.Details.Passthru.Scheme() != "" {
		inv.encoded = m.Payload // decoded by run: a codec may be slow
	}
	if isTrue(m.Details.Progress) {
		run.input = make(chan Input, inputQueue)
		inv.input = run.input
	}
	if att.running == nil {
		att.running = make(map[uint64]*runningInvocation)
	}
	att.running[m.Request] = run
	s.mu.Unlock()
	go s.run(ctx, att, reg, run, inv)
}

// moreInput queues a chunk of progressive input. s.mu is held.
func (s *Session) moreInput(run *runningInvocation, m *core.Invocation) {
	if run.input == nil {
		return // input complete, or the handler is done with it
	}
	more := isTrue(m.Details.Progress)
	in := Input{Args: m.Args, Kwargs: m.Kwargs, More: more}
	if m.Details.Passthru.Scheme() != "" {
		in.encoded, in.passthru = m.Payload, m.Details.Passthru // Next decodes it
	}
	select {
	case run.input <- in:
		if !more {
			close(run.input)
			run.input = nil
		}
	default:
		run.cancel(&core.ApplicationError{URI: core.URICanceled, Args: []any{
			fmt.Sprintf("the handler does not read its progressive input: more than %d chunks waiting", inputQueue)}})
		close(run.input)
		run.input = nil
	}
}

// interrupt cancels a running invocation (INTERRUPT).
func (s *Session) interrupt(att *attachment, m *core.Interrupt) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if run := att.running[m.Request]; run != nil {
		run.mode = m.Options.Mode
		run.cancel(&core.ApplicationError{URI: core.URICanceled, Args: []any{"the call was canceled (" + m.Options.Reason + ")"}})
	}
}

// run runs one invocation's handler and answers it with YIELD or ERROR.
func (s *Session) run(ctx context.Context, att *attachment, reg *Registration, run *runningInvocation, inv *Invocation) {
	if t := inv.Details.Timeout; t != nil && *t > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(*t)*time.Millisecond)
		defer cancel()
	}
	var answer core.Message
	if err := s.decodeInvocation(ctx, inv); err != nil {
		// In the clear: the codec that failed to decode may fail to encode.
		answer = &core.Error{RequestType: core.TypeInvocation, Request: inv.request, Error: err.URI, Args: err.Args}
	} else {
		res, err := s.callHandler(ctx, reg, inv)
		answer = s.answerFor(ctx, inv, res, err) // before ctx is canceled below
	}
	s.mu.Lock()
	delete(att.running, inv.request)
	reg.running--
	mode := run.mode
	if run.input != nil {
		close(run.input)
		run.input = nil
	}
	s.mu.Unlock()
	run.cancel(nil)
	if mode == core.CancelKillNoWait || att.ctx.Err() != nil {
		return // the caller has its answer already, or the session is gone
	}
	sctx, cancel := s.requestContext(context.Background())
	defer cancel()
	if err := s.t.Send(sctx, answer); err != nil {
		s.log.Warn("wamp: cannot answer an invocation", "procedure", inv.Procedure, "err", err)
	}
}

// decodeInvocation decodes an encoded invocation payload within the
// invocation's context.
func (s *Session) decodeInvocation(ctx context.Context, inv *Invocation) *core.ApplicationError {
	if inv.encoded == nil {
		return nil
	}
	args, kwargs, err := s.decode(ctx, false, inv.Procedure, &inv.Details.Passthru, inv.encoded, inv.Args, inv.Kwargs)
	if err != nil {
		return err.(*core.ApplicationError)
	}
	inv.Args, inv.Kwargs, inv.encoded = args, kwargs, nil
	return nil
}

// answerFor is the YIELD or ERROR that answers an invocation, its payload
// encoded by the payload codec if there is one.
func (s *Session) answerFor(ctx context.Context, inv *Invocation, res *Result, err error) core.Message {
	// The answer is encoded even when the invocation was canceled: the
	// caller may still want the ERROR.
	ectx := context.WithoutCancel(ctx)
	if err != nil {
		e := s.errorFor(ctx, inv, err)
		pl, encErr := s.encode(ectx, false, e.Error, e.Args, e.Kwargs)
		if encErr != nil {
			return &core.Error{RequestType: core.TypeInvocation, Request: inv.request, Error: URIRuntimeError, Args: []any{encErr.Error()}}
		}
		e.Args, e.Kwargs, e.Payload, e.Details.Passthru = pl.args, pl.kwargs, pl.opaque, pl.passthru
		return e
	}
	y := &core.Yield{Request: inv.request}
	if res != nil {
		pl, encErr := s.encode(ectx, false, inv.Procedure, res.Args, res.Kwargs)
		if encErr != nil {
			return &core.Error{RequestType: core.TypeInvocation, Request: inv.request, Error: URIRuntimeError, Args: []any{encErr.Error()}}
		}
		y.Args, y.Kwargs, y.Payload, y.Options.Passthru = pl.args, pl.kwargs, pl.opaque, pl.passthru
	}
	return y
}

// callHandler runs the handler, turning a panic into an error.
func (s *Session) callHandler(ctx context.Context, reg *Registration, inv *Invocation) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &handlerPanic{value: p, stack: debug.Stack()}
		}
	}()
	return reg.handler(ctx, inv)
}

type handlerPanic struct {
	value any
	stack []byte
}

func (p *handlerPanic) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// errorFor is the ERROR answering an invocation whose handler failed.
func (s *Session) errorFor(ctx context.Context, inv *Invocation, err error) *core.Error {
	e := &core.Error{RequestType: core.TypeInvocation, Request: inv.request}
	var ae *core.ApplicationError
	if defined, ok := s.cfg.Errors.encode(err); ok {
		e.Error, e.Args, e.Kwargs = defined.URI, defined.Args, defined.Kwargs
		return e
	}
	switch {
	case errors.As(err, &ae):
		e.Error, e.Args, e.Kwargs = ae.URI, ae.Args, ae.Kwargs
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		if errors.As(context.Cause(ctx), &ae) {
			e.Error, e.Args = ae.URI, ae.Args
		} else {
			e.Error, e.Args = core.URITimeout, []any{"the call's timeout passed"}
		}
	default:
		e.Error, e.Args = URIRuntimeError, []any{err.Error()}
		s.userError(fmt.Errorf("wamp: handler of %s: %w", inv.Procedure, err))
	}
	return e
}

// userError reports an application error to OnUserError, or logs it.
func (s *Session) userError(err error) {
	if s.cfg.OnUserError != nil {
		s.cfg.OnUserError(s, err)
		return
	}
	var p *handlerPanic
	if errors.As(err, &p) {
		s.log.Error("wamp: handler panicked", "err", err, "stack", string(p.stack))
		return
	}
	s.log.Error("wamp: handler failed", "err", err)
}
