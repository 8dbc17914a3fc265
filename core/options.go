package core

import (
	"math"
	"strconv"
)

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

// Role names of HELLO (client roles) and WELCOME (router roles).
const (
	RolePublisher  = "publisher"
	RoleSubscriber = "subscriber"
	RoleCaller     = "caller"
	RoleCallee     = "callee"
	RoleBroker     = "broker"
	RoleDealer     = "dealer"
)

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

// Passthru holds the payload passthru / end-to-end encryption fields of
// CALL, YIELD and PUBLISH options and INVOCATION, RESULT, EVENT and ERROR
// details, in both spellings: Autobahn's and Crossbar.io's enc_* and the WAMP
// spec's ppt_*. When EncAlgo or PPTScheme is set, the message carries an
// opaque payload (its Payload field) instead of Args and Kwargs: with
// enc_algo the bytes stand alone at the Args position (Autobahn's form),
// with only ppt_scheme they are the single item of the Args list (the
// spec's form). Both forms are accepted on input.
type Passthru struct {
	EncAlgo       string // enc_algo, e.g. "cryptobox"
	EncSerializer string // enc_serializer, e.g. "json"
	EncKey        string // enc_key
	PPTScheme     string // ppt_scheme, e.g. "wamp.eth", "mqtt"
	PPTSerializer string // ppt_serializer
	PPTCipher     string // ppt_cipher, e.g. "xsalsa20poly1305"
	PPTKeyID      string // ppt_keyid
}

// Scheme returns enc_algo, or ppt_scheme when enc_algo is not set; empty
// when the payload is plain.
func (p *Passthru) Scheme() string {
	if p.EncAlgo != "" {
		return p.EncAlgo
	}
	return p.PPTScheme
}

// Encoded returns payload with the fields that say how to decode it, or nil
// when no scheme is set.
func (p *Passthru) Encoded(payload []byte) *EncodedPayload {
	if p.EncAlgo != "" {
		return &EncodedPayload{Payload: payload, Algo: p.EncAlgo, Serializer: p.EncSerializer, Key: p.EncKey}
	}
	if p.PPTScheme != "" {
		return &EncodedPayload{Payload: payload, Algo: p.PPTScheme, Serializer: p.PPTSerializer, Cipher: p.PPTCipher, Key: p.PPTKeyID}
	}
	return nil
}

// SetEncoded sets the fields from e (clearing them when e is nil), in
// Autobahn's enc_* spelling, or with spec set in the ppt_* spelling. The
// caller puts e.Payload into the message's Payload field.
func (p *Passthru) SetEncoded(e *EncodedPayload, spec bool) {
	*p = Passthru{}
	switch {
	case e == nil:
	case spec:
		*p = Passthru{PPTScheme: e.Algo, PPTSerializer: e.Serializer, PPTCipher: e.Cipher, PPTKeyID: e.Key}
	default:
		*p = Passthru{EncAlgo: e.Algo, EncSerializer: e.Serializer, EncKey: e.Key}
	}
}

func (p *Passthru) set(k string, v any) (bool, string) {
	var dst *string
	switch k {
	case "enc_algo":
		dst = &p.EncAlgo
	case "enc_serializer":
		dst = &p.EncSerializer
	case "enc_key":
		dst = &p.EncKey
	case "ppt_scheme":
		dst = &p.PPTScheme
	case "ppt_serializer":
		dst = &p.PPTSerializer
	case "ppt_cipher":
		dst = &p.PPTCipher
	case "ppt_keyid":
		dst = &p.PPTKeyID
	default:
		return false, ""
	}
	var r string
	*dst, r = asString(v)
	return true, r
}

// size is the number of keys put writes.
func (p *Passthru) size() int {
	return set1(p.EncAlgo) + set1(p.EncSerializer) + set1(p.EncKey) +
		set1(p.PPTScheme) + set1(p.PPTSerializer) + set1(p.PPTCipher) + set1(p.PPTKeyID)
}

func (p *Passthru) put(m map[string]any) {
	putString(m, "enc_algo", p.EncAlgo)
	putString(m, "enc_serializer", p.EncSerializer)
	putString(m, "enc_key", p.EncKey)
	putString(m, "ppt_scheme", p.PPTScheme)
	putString(m, "ppt_serializer", p.PPTSerializer)
	putString(m, "ppt_cipher", p.PPTCipher)
	putString(m, "ppt_keyid", p.PPTKeyID)
}

// orphan returns the key of a field that is set although its scheme is not.
func (p *Passthru) orphan() string {
	if p.EncAlgo == "" {
		switch {
		case p.EncSerializer != "":
			return "enc_serializer"
		case p.EncKey != "":
			return "enc_key"
		}
	}
	if p.PPTScheme == "" {
		switch {
		case p.PPTSerializer != "":
			return "ppt_serializer"
		case p.PPTCipher != "":
			return "ppt_cipher"
		case p.PPTKeyID != "":
			return "ppt_keyid"
		}
	}
	return ""
}

// Role is one role of HELLO.Details.roles or WELCOME.Details.roles.
type Role struct {
	// Features are the announced features (roles.<role>.features), e.g.
	// "progressive_call_results": true. Nil means the role was announced as
	// {} without a features dict. Features with non-bool values that this
	// package does not know are dropped on parsing.
	Features map[string]bool
	// Extra holds the role's other keys.
	Extra map[string]any
}

// knownFeatures are the feature names defined by the WAMP spec and by
// Autobahn/Crossbar; their values must be bools.
var knownFeatures = map[string]bool{
	"publisher_identification": true, "publication_trustlevels": true,
	"pattern_based_subscription": true, "session_meta_api": true,
	"subscription_meta_api": true, "subscriber_blackwhite_listing": true,
	"publisher_exclusion": true, "subscription_revocation": true,
	"event_history": true, "payload_transparency": true,
	"x_acknowledged_event_delivery": true, "payload_encryption_cryptobox": true,
	"event_retention": true, "caller_identification": true,
	"call_trustlevels": true, "pattern_based_registration": true,
	"registration_meta_api": true, "shared_registration": true,
	"call_timeout": true, "call_canceling": true,
	"progressive_call_results": true, "progressive_call_invocations": true,
	"registration_revocation": true, "testament_meta_api": true,
	"sharded_registration": true, "sharded_subscription": true,
	"payload_passthru_mode": true,
}

// parseRoles converts a roles dict whose keys must be among allowed.
func parseRoles(v any, allowed []string) (map[string]Role, string) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, mustBe("a non-empty dict of roles", v)
	}
	if len(m) == 0 {
		return nil, "must announce at least one role"
	}
	roles := make(map[string]Role, len(m))
	for name, rv := range m {
		if !oneOf(name, allowed) {
			return nil, "unknown role " + strconv.Quote(name) + " (allowed: " + joinQuoted(allowed) + ")"
		}
		rm, ok := rv.(map[string]any)
		if !ok {
			return nil, name + ": " + mustBe("a dict", rv)
		}
		var role Role
		for k, fv := range rm {
			if k != "features" {
				if role.Extra == nil {
					role.Extra = make(map[string]any)
				}
				role.Extra[k] = fv
				continue
			}
			if fv == nil {
				continue
			}
			fm, ok := fv.(map[string]any)
			if !ok {
				return nil, name + ".features: " + mustBe("a dict", fv)
			}
			role.Features = make(map[string]bool, len(fm))
			for f, b := range fm {
				bb, ok := b.(bool)
				if !ok {
					if knownFeatures[f] {
						return nil, name + ".features." + f + ": " + mustBe("a bool", b)
					}
					continue
				}
				role.Features[f] = bb
			}
		}
		roles[name] = role
	}
	return roles, ""
}

// rolesValue returns roles in the generic representation.
func rolesValue(roles map[string]Role, allowed []string) (map[string]any, string) {
	if len(roles) == 0 {
		return nil, "must announce at least one role"
	}
	out := make(map[string]any, len(roles))
	for name, role := range roles {
		if !oneOf(name, allowed) {
			return nil, "unknown role " + strconv.Quote(name) + " (allowed: " + joinQuoted(allowed) + ")"
		}
		rm := make(map[string]any, len(role.Extra)+1)
		for k, v := range role.Extra {
			if k == "features" {
				return nil, name + ".Extra: key \"features\" must be set through Features"
			}
			rm[k] = v
		}
		if role.Features != nil {
			fm := make(map[string]any, len(role.Features))
			for f, b := range role.Features {
				fm[f] = b
			}
			rm["features"] = fm
		}
		out[name] = rm
	}
	return out, ""
}

func oneOf(s string, allowed []string) bool {
	for _, a := range allowed {
		if s == a {
			return true
		}
	}
	return false
}

// HelloDetails are the details of HELLO.
type HelloDetails struct {
	// Roles are the client's roles (publisher, subscriber, caller, callee),
	// at least one.
	Roles map[string]Role
	// AuthMethods lists the authentication methods offered, e.g.
	// ["cryptosign", "anonymous"]; nil means absent.
	AuthMethods []string
	AuthID      string
	AuthRole    string
	// AuthExtra is authentication-method specific (e.g. cryptosign's
	// pubkey); nil means absent.
	AuthExtra map[string]any
	// Resumable asks for a resumable session.
	Resumable *bool
	// ResumeSession and ResumeToken (resume-session, resume-token: HELLO
	// spells them with hyphens) ask to resume a session; 0 / "" mean absent.
	ResumeSession uint64
	ResumeToken   string
	// Extra holds all other keys.
	Extra map[string]any
}

func (d *HelloDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "roles":
		if v == nil {
			d.Roles = nil
			return true, ""
		}
		d.Roles, r = parseRoles(v, clientRoles)
	case "authmethods":
		d.AuthMethods, r = asStringList(v)
	case "authid":
		d.AuthID, r = asString(v)
	case "authrole":
		d.AuthRole, r = asString(v)
	case "authextra":
		d.AuthExtra, r = asDict(v)
	case "resumable":
		d.Resumable, r = asBool(v)
	case "resume-session":
		d.ResumeSession, r = asOptID(v)
	case "resume-token":
		d.ResumeToken, r = asString(v)
	default:
		return false, ""
	}
	return true, r
}

func (d *HelloDetails) check(msg string) error {
	if len(d.Roles) == 0 {
		return fieldErr(msg, "Details", "roles", "must announce at least one role")
	}
	if d.ResumeSession != 0 && d.ResumeToken == "" {
		return fieldErr(msg, "Details", "resume-token", "is required with resume-session")
	}
	return nil
}

func (d *HelloDetails) value(msg string) (map[string]any, error) {
	if err := d.check(msg); err != nil {
		return nil, err
	}
	if r := checkID(d.ResumeSession, true); r != "" {
		return nil, fieldErr(msg, "Details", "resume-session", r)
	}
	m := make(map[string]any)
	if err := putExtra(msg, "Details", m, d.Extra, knows[HelloDetails]); err != nil {
		return nil, err
	}
	roles, r := rolesValue(d.Roles, clientRoles)
	if r != "" {
		return nil, fieldErr(msg, "Details", "roles", r)
	}
	m["roles"] = roles
	if d.AuthMethods != nil {
		m["authmethods"] = stringList(d.AuthMethods)
	}
	putString(m, "authid", d.AuthID)
	putString(m, "authrole", d.AuthRole)
	if d.AuthExtra != nil {
		m["authextra"] = d.AuthExtra
	}
	putBool(m, "resumable", d.Resumable)
	if d.ResumeSession != 0 {
		m["resume-session"] = int64(d.ResumeSession)
	}
	putString(m, "resume-token", d.ResumeToken)
	return m, nil
}

// WelcomeDetails are the details of WELCOME.
type WelcomeDetails struct {
	// Roles are the router's roles (broker, dealer), at least one.
	Roles        map[string]Role
	Realm        string
	AuthID       string
	AuthRole     string
	AuthMethod   string
	AuthProvider string
	// AuthExtra is written only when non-empty (as Autobahn does).
	AuthExtra map[string]any
	// Resumed and Resumable are written only when true (as Autobahn does).
	Resumed   bool
	Resumable bool
	// ResumeToken (resume_token, with an underscore in WELCOME) is required
	// when Resumable is set.
	ResumeToken string
	// Extra holds all other keys, e.g. Crossbar.io's x_cb_node.
	Extra map[string]any
}

func (d *WelcomeDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "roles":
		if v == nil {
			d.Roles = nil
			return true, ""
		}
		d.Roles, r = parseRoles(v, routerRoles)
	case "realm":
		d.Realm, r = asString(v)
	case "authid":
		d.AuthID, r = asString(v)
	case "authrole":
		d.AuthRole, r = asString(v)
	case "authmethod":
		d.AuthMethod, r = asString(v)
	case "authprovider":
		d.AuthProvider, r = asString(v)
	case "authextra":
		d.AuthExtra, r = asDict(v)
		if len(d.AuthExtra) == 0 {
			d.AuthExtra = nil
		}
	case "resumed":
		d.Resumed, r = asFlag(v)
	case "resumable":
		d.Resumable, r = asFlag(v)
	case "resume_token":
		d.ResumeToken, r = asString(v)
	default:
		return false, ""
	}
	return true, r
}

func (d *WelcomeDetails) check(msg string) error {
	if len(d.Roles) == 0 {
		return fieldErr(msg, "Details", "roles", "must announce at least one role")
	}
	if d.Resumable && d.ResumeToken == "" {
		return fieldErr(msg, "Details", "resume_token", "is required when resumable is true")
	}
	return nil
}

func (d *WelcomeDetails) value(msg string) (map[string]any, error) {
	if err := d.check(msg); err != nil {
		return nil, err
	}
	m := make(map[string]any)
	if err := putExtra(msg, "Details", m, d.Extra, knows[WelcomeDetails]); err != nil {
		return nil, err
	}
	putString(m, "realm", d.Realm)
	putString(m, "authid", d.AuthID)
	putString(m, "authrole", d.AuthRole)
	putString(m, "authmethod", d.AuthMethod)
	putString(m, "authprovider", d.AuthProvider)
	if len(d.AuthExtra) > 0 {
		m["authextra"] = d.AuthExtra
	}
	if d.Resumed {
		m["resumed"] = true
	}
	if d.Resumable {
		m["resumable"] = true
	}
	putString(m, "resume_token", d.ResumeToken)
	roles, r := rolesValue(d.Roles, routerRoles)
	if r != "" {
		return nil, fieldErr(msg, "Details", "roles", r)
	}
	m["roles"] = roles
	return m, nil
}

// AbortDetails are the details of ABORT.
type AbortDetails struct {
	// Message is a human-readable explanation; written when non-empty.
	Message string
	Extra   map[string]any
}

func (d *AbortDetails) set(k string, v any) (bool, string) {
	if k != "message" {
		return false, ""
	}
	var r string
	d.Message, r = asString(v)
	return true, r
}

func (d *AbortDetails) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Details", m, d.Extra, knows[AbortDetails]); err != nil {
		return nil, err
	}
	putString(m, "message", d.Message)
	return m, nil
}

// GoodbyeDetails are the details of GOODBYE.
type GoodbyeDetails struct {
	// Message is a human-readable explanation; written when non-empty.
	Message string
	// Resumable keeps the session resumable; written only when true (as
	// Autobahn does).
	Resumable bool
	Extra     map[string]any
}

func (d *GoodbyeDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "message":
		d.Message, r = asString(v)
	case "resumable":
		d.Resumable, r = asFlag(v)
	default:
		return false, ""
	}
	return true, r
}

func (d *GoodbyeDetails) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Details", m, d.Extra, knows[GoodbyeDetails]); err != nil {
		return nil, err
	}
	putString(m, "message", d.Message)
	if d.Resumable {
		m["resumable"] = true
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

// PublishOptions are the options of PUBLISH.
type PublishOptions struct {
	// Acknowledge asks for a PUBLISHED reply.
	Acknowledge *bool
	// ExcludeMe: absent means true (the publisher does not receive its own
	// event).
	ExcludeMe *bool
	// DiscloseMe asks the broker to disclose the publisher to subscribers.
	DiscloseMe *bool
	// Retain asks the broker to retain the event for get_retained.
	Retain *bool
	// Subscriber black- and whitelisting; nil means absent.
	Exclude          []uint64
	ExcludeAuthID    []string
	ExcludeAuthRole  []string
	Eligible         []uint64
	EligibleAuthID   []string
	EligibleAuthRole []string
	// RKey is the sharding key (sharded_subscription).
	RKey string
	Passthru
	// Extra holds all other keys, e.g. Crossbar.io's forward_for,
	// transaction_hash.
	Extra map[string]any
}

func (o *PublishOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "acknowledge":
		o.Acknowledge, r = asBool(v)
	case "exclude_me":
		o.ExcludeMe, r = asBool(v)
	case "disclose_me":
		o.DiscloseMe, r = asBool(v)
	case "retain":
		o.Retain, r = asBool(v)
	case "exclude":
		o.Exclude, r = asIDList(v)
	case "exclude_authid":
		o.ExcludeAuthID, r = asStringList(v)
	case "exclude_authrole":
		o.ExcludeAuthRole, r = asStringList(v)
	case "eligible":
		o.Eligible, r = asIDList(v)
	case "eligible_authid":
		o.EligibleAuthID, r = asStringList(v)
	case "eligible_authrole":
		o.EligibleAuthRole, r = asStringList(v)
	case "rkey":
		o.RKey, r = asString(v)
	default:
		return o.Passthru.set(k, v)
	}
	return true, r
}

func (o *PublishOptions) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(o.Extra) + ptr1(o.Acknowledge) + ptr1(o.ExcludeMe) + ptr1(o.DiscloseMe) + ptr1(o.Retain) +
		nonNil1(o.Exclude) + nonNil1(o.ExcludeAuthID) + nonNil1(o.ExcludeAuthRole) +
		nonNil1(o.Eligible) + nonNil1(o.EligibleAuthID) + nonNil1(o.EligibleAuthRole) +
		set1(o.RKey) + o.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if err := putExtra(msg, "Options", m, o.Extra, knows[PublishOptions]); err != nil {
		return nil, err
	}
	putBool(m, "acknowledge", o.Acknowledge)
	putBool(m, "exclude_me", o.ExcludeMe)
	putBool(m, "disclose_me", o.DiscloseMe)
	putBool(m, "retain", o.Retain)
	for _, l := range [...]struct {
		k   string
		ids []uint64
	}{{"exclude", o.Exclude}, {"eligible", o.Eligible}} {
		if l.ids == nil {
			continue
		}
		for i, id := range l.ids {
			if r := checkID(id, false); r != "" {
				return nil, fieldErr(msg, "Options", l.k, "item "+strconv.Itoa(i)+": "+r)
			}
		}
		m[l.k] = idList(l.ids)
	}
	if o.ExcludeAuthID != nil {
		m["exclude_authid"] = stringList(o.ExcludeAuthID)
	}
	if o.ExcludeAuthRole != nil {
		m["exclude_authrole"] = stringList(o.ExcludeAuthRole)
	}
	if o.EligibleAuthID != nil {
		m["eligible_authid"] = stringList(o.EligibleAuthID)
	}
	if o.EligibleAuthRole != nil {
		m["eligible_authrole"] = stringList(o.EligibleAuthRole)
	}
	putString(m, "rkey", o.RKey)
	o.Passthru.put(m)
	return m, nil
}

// SubscribeOptions are the options of SUBSCRIBE.
type SubscribeOptions struct {
	// Match is the match policy: exact, prefix or wildcard. "" means exact;
	// after parsing it is never empty. It is written only when not exact (as
	// Autobahn does).
	Match string
	// GetRetained asks for the retained event, if any.
	GetRetained *bool
	// NKey is the sharding key (sharded_subscription).
	NKey  string
	Extra map[string]any
}

func (o *SubscribeOptions) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "match":
		o.Match, r = asEnum(v, matchValues...)
	case "get_retained":
		o.GetRetained, r = asBool(v)
	case "nkey":
		o.NKey, r = asString(v)
	default:
		return false, ""
	}
	return true, r
}

func (o *SubscribeOptions) value(msg string) (map[string]any, error) {
	m := make(map[string]any)
	if err := putExtra(msg, "Options", m, o.Extra, knows[SubscribeOptions]); err != nil {
		return nil, err
	}
	if err := putMatch(msg, m, o.Match); err != nil {
		return nil, err
	}
	putBool(m, "get_retained", o.GetRetained)
	putString(m, "nkey", o.NKey)
	return m, nil
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

// EventDetails are the details of EVENT.
type EventDetails struct {
	// Publisher, PublisherAuthID and PublisherAuthRole disclose the
	// publisher; 0 / "" mean absent.
	Publisher         uint64
	PublisherAuthID   string
	PublisherAuthRole string
	// Topic is the concrete topic of an event for a pattern-based
	// subscription.
	Topic string
	// Retained marks a retained event delivered on subscription.
	Retained *bool
	// Trustlevel is the publication trust level.
	Trustlevel *int64
	Passthru
	Extra map[string]any
}

func (d *EventDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "publisher":
		d.Publisher, r = asOptID(v)
	case "publisher_authid":
		d.PublisherAuthID, r = asString(v)
	case "publisher_authrole":
		d.PublisherAuthRole, r = asString(v)
	case "topic":
		d.Topic, r = asURI(v, MatchExact)
	case "retained":
		d.Retained, r = asBool(v)
	case "trustlevel":
		d.Trustlevel, r = asNonNegInt(v)
	default:
		return d.Passthru.set(k, v)
	}
	return true, r
}

func (d *EventDetails) value(msg string, sc *listScratch) (map[string]any, error) {
	// Nothing to check or write when no field is set.
	size := len(d.Extra) + idSet1(d.Publisher) + set1(d.PublisherAuthID) + set1(d.PublisherAuthRole) +
		set1(d.Topic) + ptr1(d.Retained) + ptr1(d.Trustlevel) + d.Passthru.size()
	m := sc.newDict(size)
	if size == 0 {
		return m, nil
	}
	if err := putExtra(msg, "Details", m, d.Extra, knows[EventDetails]); err != nil {
		return nil, err
	}
	if d.Publisher != 0 {
		if r := checkID(d.Publisher, false); r != "" {
			return nil, fieldErr(msg, "Details", "publisher", r)
		}
		m["publisher"] = int64(d.Publisher)
	}
	putString(m, "publisher_authid", d.PublisherAuthID)
	putString(m, "publisher_authrole", d.PublisherAuthRole)
	if d.Topic != "" {
		if err := ValidateURI(d.Topic, false, MatchExact); err != nil {
			return nil, &ProtocolError{Message: msg, Field: "Details.topic", Err: err}
		}
		m["topic"] = d.Topic
	}
	putBool(m, "retained", d.Retained)
	if err := putNonNeg(msg, "Details", m, "trustlevel", d.Trustlevel); err != nil {
		return nil, err
	}
	d.Passthru.put(m)
	return m, nil
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

// UnsubscribedDetails are the details of UNSUBSCRIBED; they are set when the
// broker revokes a subscription (request 0).
type UnsubscribedDetails struct {
	// Subscription is the revoked subscription; 0 means absent.
	Subscription uint64
	// Reason is the revocation reason URI.
	Reason string
	Extra  map[string]any
}

func (d *UnsubscribedDetails) set(k string, v any) (bool, string) {
	var r string
	switch k {
	case "subscription":
		d.Subscription, r = asOptID(v)
	case "reason":
		d.Reason, r = asURI(v, MatchExact)
	default:
		return false, ""
	}
	return true, r
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
