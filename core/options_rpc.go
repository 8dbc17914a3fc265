package core

import (
	"math"
	"strconv"
)

// Options and details of remote procedure calls: CALL, CANCEL, RESULT,
// REGISTER, UNREGISTERED, INVOCATION, INTERRUPT and YIELD.

// Invocation policies of shared registrations (REGISTER.Options.invoke).
const (
	InvokeSingle     = "single"
	InvokeRoundRobin = "roundrobin"
	InvokeRandom     = "random"
	InvokeFirst      = "first"
	InvokeLast       = "last"
)

// Cancel modes (CANCEL.Options.mode, INTERRUPT.Options.mode).
const (
	CancelSkip       = "skip"
	CancelKill       = "kill"
	CancelKillNoWait = "killnowait"
)

// CallOptions are the options of CALL.
type CallOptions struct {
	// Timeout is the call timeout in milliseconds; 0 means none.
	Timeout *int64
	// ReceiveProgress asks for progressive call results.
	ReceiveProgress *bool
	// DiscloseMe asks the dealer to disclose the caller to the callee.
	DiscloseMe *bool
	// Progress marks a progressive call invocation (more CALLs follow).
	Progress *bool
	// RunMode and RKey select a shard (sharded_registration): runmode
	// "partition" with the partition key rkey.
	RunMode string
	RKey    string
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's caller, caller_authid,
	// caller_authrole, forward_for, transaction_hash.
	Extra map[string]any
}

func (o *CallOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "timeout":
		o.Timeout, r = asNonNegInt(v)
	case "receive_progress":
		o.ReceiveProgress, r = asBool(v)
	case "disclose_me":
		o.DiscloseMe, r = asBool(v)
	case "progress":
		o.Progress, r = asBool(v)
	case "runmode":
		o.RunMode, r = asString(v)
	case "rkey":
		o.RKey, r = asString(v)
	default:
		return o.Passthru.set(k, v)
	}
	return true, r
}

func (o *CallOptions) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(o.Extra) + ptr1(o.Timeout) + ptr1(o.ReceiveProgress) + ptr1(o.DiscloseMe) + ptr1(o.Progress) +
		set1(o.RunMode) + set1(o.RKey) + o.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if len(o.Extra) > 0 {
		if err := putExtra(msg, "Options", m, o.Extra, knows[CallOptions]); err != nil {
			return nil, err
		}
	}
	if err := putNonNeg(msg, "Options", m, "timeout", o.Timeout); err != nil {
		return nil, err
	}
	putBool(m, "receive_progress", o.ReceiveProgress)
	putBool(m, "disclose_me", o.DiscloseMe)
	putBool(m, "progress", o.Progress)
	putString(m, "runmode", o.RunMode)
	putString(m, "rkey", o.RKey)
	o.Passthru.put(m)
	return m, nil
}

// CancelOptions are the options of CANCEL.
type CancelOptions struct {
	// Mode is skip, kill or killnowait; "" means absent (the dealer's
	// default).
	Mode  string
	Extra map[string]any
}

func (o *CancelOptions) set(k string, v any) (bool, string) {
	if k != "mode" {
		return false, ""
	}
	var r string
	o.Mode, r = asEnum(v, cancelModes...)
	return true, r
}

func (o *CancelOptions) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Options", m, o.Extra, knows[CancelOptions]); err != nil {
		return nil, err
	}
	if o.Mode != "" {
		if !oneOf(o.Mode, cancelModes) {
			return nil, fieldErr(msg, "Options", "mode", "must be one of "+joinQuoted(cancelModes)+", got "+strconv.Quote(o.Mode))
		}
		m["mode"] = o.Mode
	}
	return m, nil
}

// ResultDetails are the details of RESULT.
type ResultDetails struct {
	// Progress marks a progressive result (more results follow).
	Progress *bool
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's callee,
	// callee_authid, callee_authrole, forward_for.
	Extra map[string]any
}

func (d *ResultDetails) set(k string, v any) (bool, string) {
	if k != "progress" {
		return d.Passthru.set(k, v)
	}
	var r string
	d.Progress, r = asBool(v)
	return true, r
}

func (d *ResultDetails) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(d.Extra) + ptr1(d.Progress) + d.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if len(d.Extra) > 0 {
		if err := putExtra(msg, "Details", m, d.Extra, knows[ResultDetails]); err != nil {
			return nil, err
		}
	}
	putBool(m, "progress", d.Progress)
	d.Passthru.put(m)
	return m, nil
}

// RegisterOptions are the options of REGISTER.
type RegisterOptions struct {
	// Match is the match policy: exact, prefix or wildcard. "" means exact;
	// after parsing it is never empty. It is written only when not exact (as
	// Autobahn does).
	Match string
	// Invoke is the shared registration policy: single, roundrobin, random,
	// first or last. "" means single; after parsing it is never empty. It is
	// written only when not single (as Autobahn does).
	Invoke string
	// Concurrency limits the invocations running at once (Autobahn and
	// Crossbar.io extension); 0 means absent (unlimited), otherwise ≥ 1.
	Concurrency int
	// ForceReregister takes over an existing registration of the procedure
	// (Autobahn and Crossbar.io extension).
	ForceReregister *bool
	// DiscloseCaller asks the dealer to disclose callers to this callee.
	DiscloseCaller *bool
	// ForwardTimeout asks the dealer to forward the call timeout to the
	// callee instead of enforcing it.
	ForwardTimeout *bool
	Extra          map[string]any
}

func (o *RegisterOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "match":
		o.Match, r = asEnum(v, matchValues...)
	case "invoke":
		o.Invoke, r = asEnum(v, invokeValues...)
	case "concurrency":
		var n int64
		n, r = asPosInt(v)
		if n > math.MaxInt {
			r = "must be at most " + strconv.Itoa(math.MaxInt)
		}
		o.Concurrency = int(n)
	case "force_reregister":
		o.ForceReregister, r = asBool(v)
	case "disclose_caller":
		o.DiscloseCaller, r = asBool(v)
	case "forward_timeout":
		o.ForwardTimeout, r = asBool(v)
	default:
		return false, ""
	}
	return true, r
}

func (o *RegisterOptions) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Options", m, o.Extra, knows[RegisterOptions]); err != nil {
		return nil, err
	}
	if err := putMatch(msg, m, o.Match); err != nil {
		return nil, err
	}
	switch o.Invoke {
	case "", InvokeSingle:
	default:
		if !oneOf(o.Invoke, invokeValues) {
			return nil, fieldErr(msg, "Options", "invoke", "must be one of "+joinQuoted(invokeValues)+", got "+strconv.Quote(o.Invoke))
		}
		m["invoke"] = o.Invoke
	}
	if o.Concurrency < 0 {
		return nil, fieldErr(msg, "Options", "concurrency", "must be a positive integer, got "+strconv.Itoa(o.Concurrency))
	}
	if o.Concurrency > 0 {
		m["concurrency"] = int64(o.Concurrency)
	}
	putBool(m, "force_reregister", o.ForceReregister)
	putBool(m, "disclose_caller", o.DiscloseCaller)
	putBool(m, "forward_timeout", o.ForwardTimeout)
	return m, nil
}

// UnregisteredDetails are the details of UNREGISTERED; they are set when the
// dealer revokes a registration (request 0).
type UnregisteredDetails struct {
	// Registration is the revoked registration; 0 means absent.
	Registration uint64
	// Reason is the revocation reason URI.
	Reason string
	Extra  map[string]any
}

func (d *UnregisteredDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "registration":
		d.Registration, r = asOptID(v)
	case "reason":
		d.Reason, r = asURI(v, MatchExact)
	default:
		return false, ""
	}
	return true, r
}

// InvocationDetails are the details of INVOCATION.
type InvocationDetails struct {
	// Caller, CallerAuthID and CallerAuthRole disclose the caller; 0 / ""
	// mean absent.
	Caller         uint64
	CallerAuthID   string
	CallerAuthRole string
	// Procedure is the concrete procedure of a call to a pattern-based
	// registration.
	Procedure string
	// Timeout is the forwarded call timeout in milliseconds.
	Timeout *int64
	// ReceiveProgress says the caller accepts progressive results.
	ReceiveProgress *bool
	// Progress marks a progressive call invocation (more follow).
	Progress *bool
	// Trustlevel is the call trust level.
	Trustlevel *int64
	Passthru
	Extra map[string]any
}

func (d *InvocationDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "caller":
		d.Caller, r = asOptID(v)
	case "caller_authid":
		d.CallerAuthID, r = asString(v)
	case "caller_authrole":
		d.CallerAuthRole, r = asString(v)
	case "procedure":
		d.Procedure, r = asURI(v, MatchExact)
	case "timeout":
		d.Timeout, r = asNonNegInt(v)
	case "receive_progress":
		d.ReceiveProgress, r = asBool(v)
	case "progress":
		d.Progress, r = asBool(v)
	case "trustlevel":
		d.Trustlevel, r = asNonNegInt(v)
	default:
		return d.Passthru.set(k, v)
	}
	return true, r
}

func (d *InvocationDetails) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(d.Extra) + idSet1(d.Caller) + set1(d.CallerAuthID) + set1(d.CallerAuthRole) + set1(d.Procedure) +
		ptr1(d.Timeout) + ptr1(d.ReceiveProgress) + ptr1(d.Progress) + ptr1(d.Trustlevel) + d.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if len(d.Extra) > 0 {
		if err := putExtra(msg, "Details", m, d.Extra, knows[InvocationDetails]); err != nil {
			return nil, err
		}
	}
	if d.Caller != 0 {
		if r := checkID(d.Caller, false); r != "" {
			return nil, fieldErr(msg, "Details", "caller", r)
		}
		m["caller"] = int64(d.Caller)
	}
	putString(m, "caller_authid", d.CallerAuthID)
	putString(m, "caller_authrole", d.CallerAuthRole)
	if d.Procedure != "" {
		if err := ValidateURI(d.Procedure, false, MatchExact); err != nil {
			return nil, &ProtocolError{Message: msg, Field: "Details.procedure", Err: err}
		}
		m["procedure"] = d.Procedure
	}
	if err := putNonNeg(msg, "Details", m, "timeout", d.Timeout); err != nil {
		return nil, err
	}
	putBool(m, "receive_progress", d.ReceiveProgress)
	putBool(m, "progress", d.Progress)
	if err := putNonNeg(msg, "Details", m, "trustlevel", d.Trustlevel); err != nil {
		return nil, err
	}
	d.Passthru.put(m)
	return m, nil
}

// InterruptOptions are the options of INTERRUPT.
type InterruptOptions struct {
	// Mode is kill or killnowait; "" means absent.
	Mode string
	// Reason is the interruption reason URI, e.g. wamp.error.canceled or
	// wamp.error.timeout.
	Reason string
	Extra  map[string]any
}

func (o *InterruptOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "mode":
		o.Mode, r = asEnum(v, interruptModes...)
	case "reason":
		o.Reason, r = asURI(v, MatchExact)
	default:
		return false, ""
	}
	return true, r
}

func (o *InterruptOptions) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Options", m, o.Extra, knows[InterruptOptions]); err != nil {
		return nil, err
	}
	if o.Mode != "" {
		if !oneOf(o.Mode, interruptModes) {
			return nil, fieldErr(msg, "Options", "mode", "must be one of "+joinQuoted(interruptModes)+", got "+strconv.Quote(o.Mode))
		}
		m["mode"] = o.Mode
	}
	if o.Reason != "" {
		if err := ValidateURI(o.Reason, false, MatchExact); err != nil {
			return nil, &ProtocolError{Message: msg, Field: "Options.reason", Err: err}
		}
		m["reason"] = o.Reason
	}
	return m, nil
}

// YieldOptions are the options of YIELD.
type YieldOptions struct {
	// Progress marks a progressive result (more follow).
	Progress *bool
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's callee,
	// callee_authid, callee_authrole, forward_for.
	Extra map[string]any
}

func (o *YieldOptions) set(k string, v any) (bool, string) {
	if k != "progress" {
		return o.Passthru.set(k, v)
	}
	var r string
	o.Progress, r = asBool(v)
	return true, r
}

func (o *YieldOptions) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(o.Extra) + ptr1(o.Progress) + o.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if len(o.Extra) > 0 {
		if err := putExtra(msg, "Options", m, o.Extra, knows[YieldOptions]); err != nil {
			return nil, err
		}
	}
	putBool(m, "progress", o.Progress)
	o.Passthru.put(m)
	return m, nil
}
