package core

import "strconv"

// Details of the session messages (HELLO, WELCOME, ABORT, GOODBYE) and the
// roles announced in HELLO and WELCOME.

// Role names of HELLO (client roles) and WELCOME (router roles).
const (
	RolePublisher  = "publisher"
	RoleSubscriber = "subscriber"
	RoleCaller     = "caller"
	RoleCallee     = "callee"
	RoleBroker     = "broker"
	RoleDealer     = "dealer"
)

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
