package router

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// URIMaxConcurrencyReached is the error a caller gets when every callee of
// the procedure already runs as many invocations as its registration's
// concurrency allows (Crossbar.io's URI).
const URIMaxConcurrencyReached = "crossbar.error.max_concurrency_reached"

// CalleeLostMessage is the message (first Args item) of the
// wamp.error.canceled ERROR a caller gets when the callee of its pending
// call disconnects, as Crossbar.io words it.
const CalleeLostMessage = "callee disconnected from in-flight request"

// reasonForceReregister is the reason of the revocation a callee gets when
// another session takes its registration over with force_reregister.
const reasonForceReregister = "wamp.close.force_reregister"

// URITooManyPendingCalls is the error a caller gets for a CALL while it
// already waits for Options.MaxPendingCalls results.
const URITooManyPendingCalls = "autobahn.error.too_many_pending_calls"

// dealer routes calls of one realm. One lock guards registrations and
// pending calls (the dealer's and the sessions' tables); it is held only
// while enqueuing.
type dealer struct {
	realm *Realm

	mu        sync.Mutex
	regs      patternTable[*registration]
	byID      map[uint64]*registration
	lastInvID uint64
}

// registration is one procedure pattern (URI + match) with its callees:
// one, or several under a shared invocation policy.
type registration struct {
	id         uint64
	uri, match string
	created    time.Time
	invoke     string
	callees    []*callee
	next       int // roundrobin: the callee after the last one used
}

// callee is one session's membership in a registration, with its options.
type callee struct {
	s                              *session
	concurrency                    int // 0: unlimited
	inflight                       int
	discloseCaller, forwardTimeout bool
}

// invocation is one call, from CALL to the caller's final answer and the
// callee's. The caller's session holds it in calls (by CALL request ID)
// until the caller has its answer and sent all its input; the callee's in
// serving (by INVOCATION request ID) until the callee answered or the
// dealer gave up on it. The options of the first CALL hold for every chunk
// of a progressive call invocation.
type invocation struct {
	id              uint64
	reg             *registration
	callee          *callee
	caller          *session
	request         uint64 // the caller's CALL request ID
	receiveProgress bool
	disclose        bool
	inputOpen       bool // progressive call invocations: more CALLs follow
	answered        bool // the caller got its final answer; the callee's is dropped
	finished        bool // the callee is done with it, or the dealer gave up on it
	timer           *time.Timer
	routed          time.Time // when the first CALL was routed: Stats.CallDurations
}

func (d *dealer) init(rl *Realm) {
	d.realm = rl
	d.byID = make(map[uint64]*registration)
}

// register adds s as a callee of a procedure pattern.
func (d *dealer) register(s *session, m *core.Register) {
	match := matchOf(m.Options.Match)
	if !s.checkURI(core.TypeRegister, m.Request, m.Procedure, match) {
		return
	}
	if strings.HasPrefix(m.Procedure, "wamp.") {
		s.sendError(core.TypeRegister, m.Request, core.URIInvalidURI, "procedures in the wamp. namespace are reserved for the router")
		return
	}
	if !s.allowed(ActionRegister, m.Procedure, m, m.Request) {
		return
	}
	invoke := m.Options.Invoke
	switch invoke {
	case "":
		invoke = core.InvokeSingle
	case core.InvokeSingle, core.InvokeRoundRobin, core.InvokeRandom, core.InvokeFirst, core.InvokeLast:
	default:
		s.sendError(core.TypeRegister, m.Request, core.URIInvalidArgument, fmt.Sprintf("unknown invocation policy %q", invoke))
		return
	}
	if m.Options.Concurrency < 0 {
		s.sendError(core.TypeRegister, m.Request, core.URIInvalidArgument, fmt.Sprintf("concurrency must not be negative, got %d", m.Options.Concurrency))
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	reg, existed := d.regs.get(m.Procedure, match)
	switch {
	case !existed:
		reg = &registration{id: randomID(), uri: m.Procedure, match: match, invoke: invoke, created: time.Now()}
		for d.byID[reg.id] != nil {
			reg.id = randomID()
		}
		d.regs.put(m.Procedure, match, reg)
		d.byID[reg.id] = reg
	case isTrue(m.Options.ForceReregister):
		for _, c := range reg.callees {
			if c.s != s {
				d.revoke(reg, c.s, reasonForceReregister)
				d.realm.publishMeta("wamp.registration.on_unregister", c.s.id, reg.id)
			}
		}
		reg.callees = slices.DeleteFunc(reg.callees, func(c *callee) bool { return c.s != s })
		reg.invoke = invoke
	case reg.invoke == core.InvokeSingle || reg.invoke != invoke:
		s.sendError(core.TypeRegister, m.Request, core.URIProcedureAlreadyExists,
			fmt.Sprintf("procedure %q (match %s) is already registered with invoke policy %q", m.Procedure, match, reg.invoke))
		return
	}
	if reg.calleeOf(s) != nil {
		s.sendError(core.TypeRegister, m.Request, core.URIProcedureAlreadyExists,
			fmt.Sprintf("this session already registered procedure %q (match %s)", m.Procedure, match))
		return
	}
	reg.callees = append(reg.callees, &callee{s: s, concurrency: m.Options.Concurrency,
		discloseCaller: isTrue(m.Options.DiscloseCaller), forwardTimeout: isTrue(m.Options.ForwardTimeout)})
	s.registrations = append(s.registrations, reg)
	s.send(&core.Registered{Request: m.Request, Registration: reg.id})
	if !existed {
		d.realm.publishMeta("wamp.registration.on_create", s.id, reg.details())
	}
	d.realm.publishMeta("wamp.registration.on_register", s.id, reg.id)
}

// details describes reg as the meta API does.
func (reg *registration) details() map[string]any {
	return map[string]any{"id": reg.id, "created": isoTime(reg.created), "uri": reg.uri, "match": reg.match, "invoke": reg.invoke}
}

// revoke takes a registration away from a callee (force_reregister by
// another session, wamp.registration.remove_callee), telling it when it
// supports registration revocation. d.mu is held.
func (d *dealer) revoke(reg *registration, s *session, reason string) {
	s.registrations = slices.DeleteFunc(s.registrations, func(r *registration) bool { return r == reg })
	if s.features&calleeRevocation != 0 {
		s.send(&core.Unregistered{Details: core.UnregisteredDetails{Registration: reg.id, Reason: reason}})
	}
}

func (reg *registration) calleeOf(s *session) *callee {
	for _, c := range reg.callees {
		if c.s == s {
			return c
		}
	}
	return nil
}

// unregister removes s from a registration.
func (d *dealer) unregister(s *session, m *core.Unregister) {
	if !d.leave(s, m.Registration) {
		s.sendError(core.TypeUnregister, m.Request, core.URINoSuchRegistration, "no registration with this ID for this session")
		return
	}
	s.send(&core.Unregistered{Request: m.Request})
}

// leave takes s out of the registration id, reporting false when s is not
// one of its callees.
func (d *dealer) leave(s *session, id uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	reg := d.byID[id]
	if reg == nil || reg.calleeOf(s) == nil {
		return false
	}
	d.drop(reg, s)
	s.registrations = slices.DeleteFunc(s.registrations, func(r *registration) bool { return r == reg })
	return true
}

// drop removes s from reg, and reg once it has no callee left, publishing
// the meta events of both. d.mu is held (meta events take the broker's
// lock after it: never the other way round).
func (d *dealer) drop(reg *registration, s *session) {
	reg.callees = slices.DeleteFunc(reg.callees, func(c *callee) bool { return c.s == s })
	d.realm.publishMeta("wamp.registration.on_unregister", s.id, reg.id)
	if len(reg.callees) == 0 {
		d.regs.remove(reg.uri, reg.match)
		delete(d.byID, reg.id)
		d.realm.publishMeta("wamp.registration.on_delete", s.id, reg.id)
	}
}

// pick chooses the callee of a call by the registration's invocation
// policy among the callees below their concurrency limit; nil when all are
// at their limit.
func (reg *registration) pick() *callee {
	n := len(reg.callees)
	free := func(i int) bool {
		c := reg.callees[i%n]
		return c.concurrency == 0 || c.inflight < c.concurrency
	}
	start, step := 0, 1
	switch reg.invoke {
	case core.InvokeLast:
		start, step = n-1, n-1 // walking backwards, modulo n
	case core.InvokeRoundRobin:
		start = reg.next % n
	case core.InvokeRandom:
		start = rand.IntN(n)
	}
	for k, i := 0, start; k < n; k, i = k+1, (i+step)%n {
		if free(i) {
			if reg.invoke == core.InvokeRoundRobin {
				reg.next = i + 1
			}
			return reg.callees[i]
		}
	}
	return nil
}

// call routes CALL to a callee as INVOCATION, or continues a progressive
// call invocation.
func (d *dealer) call(s *session, m *core.Call) {
	if !s.checkURI(core.TypeCall, m.Request, m.Procedure, core.MatchExact) {
		return
	}
	dec, ok := s.authorize(ActionCall, m.Procedure, m, m.Request, true)
	if !ok {
		return
	}
	if strings.HasPrefix(m.Procedure, "wamp.") && (d.realm.metaCall(s, m) || d.realm.metaTables(s, m)) {
		return
	}
	if !d.routeCall(s, m, dec.Disclose) {
		// Outside the lock: the violation makes the session leave, which
		// takes the lock.
		s.violation("CALL with request ID %d while the call with that ID is pending", m.Request)
	}
}

// routeCall does the work of call under the lock; false means the CALL
// reuses the request ID of a pending call that takes no more input.
func (d *dealer) routeCall(s *session, m *core.Call, disclose bool) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if inv := s.calls[m.Request]; inv != nil {
		if !inv.inputOpen {
			return false
		}
		d.moreInput(inv, m)
		return true
	}
	if len(s.calls) >= d.realm.router.opts.MaxPendingCalls {
		s.sendError(core.TypeCall, m.Request, URITooManyPendingCalls,
			fmt.Sprintf("this session already waits for %d results, the most a session may", len(s.calls)))
		return true
	}
	reg, ok := d.regs.best(m.Procedure)
	if !ok {
		s.sendError(core.TypeCall, m.Request, core.URINoSuchProcedure, "no callee registered for procedure "+m.Procedure)
		return true
	}
	c := reg.pick()
	if c == nil {
		s.sendError(core.TypeCall, m.Request, URIMaxConcurrencyReached,
			fmt.Sprintf("every callee of %s runs as many invocations as its concurrency allows", m.Procedure))
		return true
	}
	progress := isTrue(m.Options.Progress)
	if progress && c.s.features&calleeProgressiveInvocations == 0 {
		s.sendError(core.TypeCall, m.Request, core.URIFeatureNotSupported,
			"the callee of "+m.Procedure+" does not announce progressive_call_invocations")
		return true
	}
	d.lastInvID++
	if d.lastInvID > maxID {
		d.lastInvID = 1
	}
	inv := &invocation{id: d.lastInvID, reg: reg, callee: c, caller: s, request: m.Request,
		receiveProgress: isTrue(m.Options.ReceiveProgress), inputOpen: progress,
		disclose: isTrue(m.Options.DiscloseMe) || c.discloseCaller || disclose, routed: time.Now()}
	c.inflight++
	if s.calls == nil {
		s.calls = make(map[uint64]*invocation)
	}
	s.calls[m.Request] = inv
	if c.s.serving == nil {
		c.s.serving = make(map[uint64]*invocation)
	}
	c.s.serving[inv.id] = inv
	var forwardTimeout *int64
	if t := m.Options.Timeout; t != nil && *t > 0 {
		if c.forwardTimeout {
			forwardTimeout = t
		} else {
			inv.timer = time.AfterFunc(time.Duration(min(*t, maxTimeoutMillis))*time.Millisecond, func() { d.timeout(inv) })
		}
	}
	d.invoke(inv, m, forwardTimeout)
	d.realm.router.stats.calls.Add(1)
	d.realm.router.stats.callsInFlight.Add(1)
	return true
}

// maxTimeoutMillis bounds call timeouts (a year) so that huge values do not
// overflow a time.Duration.
const maxTimeoutMillis = 365 * 24 * 3600 * 1000

// moreInput handles a CALL with the request ID of a call that takes more
// input: the next chunk of a progressive call invocation. A chunk for a
// call that has already ended (canceled, timed out, failed) is dropped; the
// call is forgotten once its input is complete.
func (d *dealer) moreInput(inv *invocation, m *core.Call) {
	inv.inputOpen = isTrue(m.Options.Progress)
	if !inv.finished {
		d.invoke(inv, m, nil)
	}
	if inv.answered && !inv.inputOpen {
		d.releaseCaller(inv)
	}
}

// invoke sends the INVOCATION of a CALL to the callee.
func (d *dealer) invoke(inv *invocation, m *core.Call, timeout *int64) {
	iv := &core.Invocation{Request: inv.id, Registration: inv.reg.id, Args: m.Args, Kwargs: m.Kwargs, Payload: m.Payload}
	det := &iv.Details
	det.Passthru = m.Options.Passthru
	det.Timeout = timeout
	if inv.reg.match != core.MatchExact {
		det.Procedure = m.Procedure
	}
	if inv.receiveProgress {
		det.ReceiveProgress = &inv.receiveProgress
	}
	if isTrue(m.Options.Progress) {
		det.Progress = m.Options.Progress
	}
	if inv.disclose {
		det.Caller, det.CallerAuthID, det.CallerAuthRole = inv.caller.id, inv.caller.authid, inv.caller.authrole
	}
	inv.callee.s.send(iv)
}

// calleeDone ends the callee's part of an invocation: it answered, or the
// dealer gave up on it (killnowait, timeout, callee gone). d.mu is held.
func (d *dealer) calleeDone(inv *invocation) {
	if inv.finished {
		return
	}
	inv.finished = true
	delete(inv.callee.s.serving, inv.id)
	if inv.timer != nil {
		inv.timer.Stop()
	}
	inv.callee.inflight--
	d.realm.router.stats.callsInFlight.Add(-1)
}

// callerDone records that the caller has its final answer, and how long it
// took; the callee's later answer is dropped. The call is forgotten unless
// more input is still to come. d.mu is held. (A caller that leaves gets no
// answer: detach marks its calls answered without timing them.)
func (d *dealer) callerDone(inv *invocation) {
	if !inv.answered {
		d.realm.router.stats.callDurations.observe(time.Since(inv.routed))
	}
	inv.answered = true
	if !inv.inputOpen {
		d.releaseCaller(inv)
	}
}

func (d *dealer) releaseCaller(inv *invocation) {
	if inv.caller.calls[inv.request] == inv {
		delete(inv.caller.calls, inv.request)
	}
}

// yield forwards a callee's YIELD to the caller as RESULT.
func (d *dealer) yield(s *session, m *core.Yield) {
	d.mu.Lock()
	defer d.mu.Unlock()
	inv := s.serving[m.Request]
	if inv == nil {
		return // answered already (cancel, timeout) or not this callee's: ignored
	}
	progress := isTrue(m.Options.Progress)
	if inv.answered || (progress && !inv.receiveProgress) {
		if !progress {
			d.calleeDone(inv)
		}
		return
	}
	res := &core.Result{Request: inv.request, Args: m.Args, Kwargs: m.Kwargs, Payload: m.Payload}
	res.Details.Passthru = m.Options.Passthru
	if progress {
		res.Details.Progress = m.Options.Progress
	}
	inv.caller.send(res)
	if !progress {
		d.calleeDone(inv)
		d.callerDone(inv)
	}
}

// calleeError forwards a callee's ERROR for an INVOCATION to the caller.
func (d *dealer) calleeError(s *session, m *core.Error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	inv := s.serving[m.Request]
	if inv == nil {
		return
	}
	d.calleeDone(inv)
	if inv.answered {
		return
	}
	inv.caller.send(&core.Error{RequestType: core.TypeCall, Request: inv.request, Details: m.Details,
		Error: m.Error, Args: m.Args, Kwargs: m.Kwargs, Payload: m.Payload})
	d.callerDone(inv)
}

// cancel handles CANCEL: mode skip answers the caller and lets the callee
// finish; kill interrupts the callee and forwards its answer; killnowait
// (the default) interrupts the callee and answers the caller at once. A
// callee that does not announce call_canceling is never interrupted (skip).
func (d *dealer) cancel(s *session, m *core.Cancel) {
	mode := m.Options.Mode
	switch mode {
	case "":
		mode = core.CancelKillNoWait
	case core.CancelSkip, core.CancelKill, core.CancelKillNoWait:
	default:
		s.violation("CANCEL with unknown mode %q", mode)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	inv := s.calls[m.Request]
	if inv == nil || inv.answered {
		return // answered already: nothing to cancel
	}
	if inv.callee.s.features&calleeCanceling == 0 {
		mode = core.CancelSkip
	}
	if mode != core.CancelSkip && !inv.finished {
		inv.callee.s.send(&core.Interrupt{Request: inv.id, Options: core.InterruptOptions{Mode: mode, Reason: core.URICanceled}})
	}
	if mode == core.CancelKill {
		return // the callee's answer goes to the caller
	}
	s.sendError(core.TypeCall, m.Request, core.URICanceled, "the call was canceled (mode "+mode+")")
	if mode == core.CancelKillNoWait {
		d.calleeDone(inv)
	}
	d.callerDone(inv) // skip: the callee still runs it; its answer is dropped
}

// timeout ends a call whose timeout expired: the caller gets
// wamp.error.timeout, and the callee an INTERRUPT (killnowait) if it can
// take one. A callee that cannot keeps running the call, which keeps
// counting against its concurrency until it answers.
func (d *dealer) timeout(inv *invocation) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if inv.answered || inv.finished {
		return
	}
	if c := inv.callee.s; c.features&calleeCanceling != 0 {
		c.send(&core.Interrupt{Request: inv.id, Options: core.InterruptOptions{Mode: core.CancelKillNoWait, Reason: core.URITimeout}})
		d.calleeDone(inv)
	}
	inv.caller.sendError(core.TypeCall, inv.request, core.URITimeout, "the call timed out")
	d.callerDone(inv)
}

// detach removes a session that left: its registrations go, calls it was
// serving fail with wamp.error.canceled (CalleeLostMessage), and calls it
// made are interrupted at their callees (that can take an INTERRUPT).
func (d *dealer) detach(s *session) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, reg := range s.registrations {
		d.drop(reg, s)
	}
	s.registrations = nil
	for _, inv := range s.serving {
		d.calleeDone(inv)
		if !inv.answered {
			inv.caller.sendError(core.TypeCall, inv.request, core.URICanceled, CalleeLostMessage)
			inv.inputOpen = false
			d.callerDone(inv)
		}
	}
	for _, inv := range s.calls {
		if c := inv.callee.s; !inv.finished && !inv.answered && c.features&calleeCanceling != 0 {
			c.send(&core.Interrupt{Request: inv.id, Options: core.InterruptOptions{Mode: core.CancelKillNoWait, Reason: core.URICanceled}})
			d.calleeDone(inv)
		}
		inv.answered = true
	}
	s.calls, s.serving = nil, nil
}
