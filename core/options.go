package core

import "strconv"

// Options and details.
//
// Every options/details struct has typed fields for the keys this package
// knows and an Extra map for all other keys (custom x_* keys, features of
// newer peers), which ParseMessage fills and List writes back, so they survive
// a round trip. Extra must not hold a key that has a typed field.
//
// Presence: a key is written when its field is set. Pointers (*bool, *int64)
// are used where the zero value is meaningful on the wire and absent differs
// from it (exclude_me: false differs from absent, which means true); plain
// fields where the zero value is never sent (strings, IDs, and the flags
// Autobahn writes only when true). A key with a null value is read as absent.
//
// This file holds what all areas share: the allowed-value lists, reading
// and writing dicts and their Extra keys, and ERROR details. Payload
// passthru is in options_passthru.go; the structs of each area are in
// options_session.go, options_pubsub.go and options_rpc.go.

var (
	clientRoles    = []string{RolePublisher, RoleSubscriber, RoleCaller, RoleCallee}
	routerRoles    = []string{RoleBroker, RoleDealer}
	matchValues    = []string{MatchExact, MatchPrefix, MatchWildcard}
	invokeValues   = []string{InvokeSingle, InvokeRoundRobin, InvokeRandom, InvokeFirst, InvokeLast}
	cancelModes    = []string{CancelSkip, CancelKill, CancelKillNoWait}
	interruptModes = []string{CancelKill, CancelKillNoWait}
)

// dictSetter is implemented by every options/details struct: set stores the
// value of a known key (null meaning absent) and reports whether k is known.
type dictSetter interface {
	set(k string, v any) (known bool, reason string)
}

// parseDict fills o from m; unknown keys go to *extra.
func parseDict(msg, sect string, m map[string]any, o dictSetter, extra *map[string]any) error {
	if len(m) == 0 {
		return nil // the usual empty options: no map iterator to set up
	}
	for k, v := range m {
		known, r := o.set(k, v)
		if r != "" {
			return &ProtocolError{Message: msg, Field: sect + "." + k, Reason: r}
		}
		if !known {
			if *extra == nil {
				*extra = make(map[string]any)
			}
			(*extra)[k] = v
		}
	}
	return nil
}

// knows reports whether k is a key with a typed field in T.
func knows[T any, P interface {
	*T
	dictSetter
}](k string) bool {
	var o T
	known, _ := P(&o).set(k, nil)
	return known
}

// putExtra copies extra into m, rejecting keys that have typed fields.
func putExtra(msg, sect string, m, extra map[string]any, known func(string) bool) error {
	for k, v := range extra {
		if known(k) {
			return &ProtocolError{Message: msg, Field: sect + ".Extra", Reason: "key " + strconv.Quote(k) + " must be set through its typed field"}
		}
		m[k] = v
	}
	return nil
}

func fieldErr(msg, sect, key, reason string) error {
	return &ProtocolError{Message: msg, Field: sect + "." + key, Reason: reason}
}

func putBool(m map[string]any, k string, b *bool) {
	if b != nil {
		m[k] = *b
	}
}

func putString(m map[string]any, k, s string) {
	if s != "" {
		m[k] = s
	}
}

// set1 is 1 when s is set (written by putString), for sizing dicts.
func set1(s string) int {
	if s != "" {
		return 1
	}
	return 0
}

// ptr1 is 1 when p is set (written by putBool or putNonNeg), for sizing
// dicts.
func ptr1[T any](p *T) int {
	if p != nil {
		return 1
	}
	return 0
}

// nonNil1 is 1 when l is not nil (written as a list), for sizing dicts.
func nonNil1[T any](l []T) int {
	if l != nil {
		return 1
	}
	return 0
}

// idSet1 is 1 when id is set (not 0), for sizing dicts.
func idSet1(id uint64) int {
	if id != 0 {
		return 1
	}
	return 0
}

func oneOf(s string, allowed []string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

func putMatch(msg string, m map[string]any, match string) error {
	switch match {
	case "", MatchExact:
	case MatchPrefix, MatchWildcard:
		m["match"] = match
	default:
		return fieldErr(msg, "Options", "match", "must be one of "+joinQuoted(matchValues)+", got "+strconv.Quote(match))
	}
	return nil
}

func putNonNeg(msg, sect string, m map[string]any, k string, n *int64) error {
	if n == nil {
		return nil
	}
	if *n < 0 {
		return fieldErr(msg, sect, k, "must be a non-negative integer, got "+strconv.FormatInt(*n, 10))
	}
	m[k] = *n
	return nil
}

// revocationValue returns the details of UNSUBSCRIBED or UNREGISTERED, or
// nil when nothing is set (the details element is then left out).
func revocationValue(msg, idKey string, id uint64, reason string, extra map[string]any, known func(string) bool) (map[string]any, error) {
	if id == 0 && reason == "" && len(extra) == 0 {
		return nil, nil
	}
	m := make(map[string]any)
	if err := putExtra(msg, "Details", m, extra, known); err != nil {
		return nil, err
	}
	if reason != "" {
		if err := ValidateURI(reason, false, MatchExact); err != nil {
			return nil, &ProtocolError{Message: msg, Field: "Details.reason", Err: err}
		}
		m["reason"] = reason
	}
	if id != 0 {
		if r := checkID(id, false); r != "" {
			return nil, fieldErr(msg, "Details", idKey, r)
		}
		m[idKey] = int64(id)
	}
	return m, nil
}

// ErrorDetails are the details of ERROR.
type ErrorDetails struct {
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's callee, callee_authid,
	// callee_authrole and forward_for.
	Extra map[string]any
}

func (d *ErrorDetails) set(k string, v any) (bool, string) { return d.Passthru.set(k, v) }

func (d *ErrorDetails) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(d.Extra) + d.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if err := putExtra(msg, "Details", m, d.Extra, knows[ErrorDetails]); err != nil {
		return nil, err
	}
	d.Passthru.put(m)
	return m, nil
}
