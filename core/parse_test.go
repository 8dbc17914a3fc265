package core

import (
	"errors"
	"strings"
	"testing"
)

// containsField reports whether err is a *ProtocolError for where
// ("MESSAGE" or "MESSAGE.Field…") and its text names it.
func containsField(err error, where string) bool {
	var pe *ProtocolError
	if !errors.As(err, &pe) {
		return false
	}
	got := pe.Message
	if got == "" {
		got = "WAMP message"
	}
	if pe.Field != "" {
		got += "." + pe.Field
	}
	return got == where && strings.HasPrefix(err.Error(), where+": ")
}

func TestParseRejects(t *testing.T) {
	const roles = `{"roles":{"caller":{}}}`
	tests := []struct {
		in    string
		where string // MESSAGE.Field named by the error
		why   string // part of the reason
	}{
		// Envelope.
		{`{}`, "WAMP message", "must be a non-empty list, got dict"},
		{`"x"`, "WAMP message", "got string"},
		{`[]`, "WAMP message", "empty list"},
		{`[1.0, null, {}]`, "WAMP message.Type", "got float64"},
		{`[true]`, "WAMP message.Type", "got bool"},
		{`["48"]`, "WAMP message.Type", "got string"},
		{`[7]`, "WAMP message.Type", "unknown message type 7"},
		{`[-1]`, "WAMP message.Type", "unknown message type -1"},
		{`[18446744073709551615]`, "WAMP message.Type", "unknown message type"},
		{`[337, 1, 2]`, "WAMP message.Type", "unknown message type 337"},

		// Arity.
		{`[1, "realm1"]`, "HELLO", "must have 3 elements, got 2"},
		{`[48, 1, {}]`, "CALL", "must have 4 to 6 elements, got 3"},
		{`[48, 1, {}, "a.b", [], {}, 7]`, "CALL", "got 7"},
		{`[8, 48, 1, {}]`, "ERROR", "must have 5 to 7 elements"},
		{`[35]`, "UNSUBSCRIBED", "must have 2 to 3 elements, got 1"},
		{`[34, 1, 2, {}, 5]`, "UNSUBSCRIBE", "must have 3 to 4 elements"},
		{`[17, 1]`, "PUBLISHED", "must have 3 elements"},
		{`[70, 1]`, "YIELD", "must have 3 to 5 elements"},

		// IDs.
		{`[48, 1.0, {}, "a.b"]`, "CALL.Request", "got float64"},
		{`[48, 1.5, {}, "a.b"]`, "CALL.Request", "got float64"},
		{`[48, true, {}, "a.b"]`, "CALL.Request", "got bool"},
		{`[48, "1", {}, "a.b"]`, "CALL.Request", "got string"},
		{`[48, null, {}, "a.b"]`, "CALL.Request", "got null"},
		{`[48, 0, {}, "a.b"]`, "CALL.Request", "got 0"},
		{`[48, -5, {}, "a.b"]`, "CALL.Request", "got -5"},
		{`[48, 9007199254740993, {}, "a.b"]`, "CALL.Request", "got 9007199254740993"},
		{`[48, 18446744073709551615, {}, "a.b"]`, "CALL.Request", "got 18446744073709551615"},
		{`[2, 0, ` + `{"roles":{"broker":{}}}]`, "WELCOME.Session", "got 0"},
		{`[17, 1, 0]`, "PUBLISHED.Publication", "got 0"},
		{`[33, 1, 2.0]`, "SUBSCRIBED.Subscription", "got float64"},
		{`[34, 1, 0]`, "UNSUBSCRIBE.Subscription", "got 0"},
		{`[36, 0, 1, {}]`, "EVENT.Subscription", "got 0"},
		{`[36, 1, false, {}]`, "EVENT.Publication", "got bool"},
		{`[65, 1, -1]`, "REGISTERED.Registration", "got -1"},
		{`[66, 1, 9007199254740993]`, "UNREGISTER.Registration", "got 9007199254740993"},
		{`[68, 1, 0, {}]`, "INVOCATION.Registration", "got 0"},
		{`[35, -1]`, "UNSUBSCRIBED.Request", "got -1"},
		{`[35, 0]`, "UNSUBSCRIBED.Details.subscription", "is required when Request is 0"},
		{`[35, 0, {"reason": "wamp.x"}]`, "UNSUBSCRIBED.Details.subscription", "is required when Request is 0"},
		{`[67, 0, {}]`, "UNREGISTERED.Details.registration", "is required when Request is 0"},
		{`[35, 0, {"subscription": 0}]`, "UNSUBSCRIBED.Details.subscription", "got 0"},
		{`[67, 0, {"registration": "x"}]`, "UNREGISTERED.Details.registration", "got string"},
		{`[67, 1, {"reason": "a..b"}]`, "UNREGISTERED.Details.reason", "component 2 is empty"},
		{`[35, 1, []]`, "UNSUBSCRIBED.Details", "must be a dict, got list"},

		// Element types.
		{`[48, 1, [], "a.b"]`, "CALL.Options", "must be a dict, got list"},
		{`[48, 1, null, "a.b"]`, "CALL.Options", "got null"},
		{`[48, 1, {}, 5]`, "CALL.Procedure", "got int64"},
		{`[48, 1, {}, "a.b", {}]`, "CALL.Args", "must be a list, got dict"},
		{`[48, 1, {}, "a.b", "x"]`, "CALL.Args", "must be a list, got string"},
		{`[48, 1, {}, "a.b", [], []]`, "CALL.Kwargs", "must be a dict, got list"},
		{`[48, 1, {}, "a.b", [], null]`, "CALL.Kwargs", "got null"},
		{`[50, 1, {}, 5]`, "RESULT.Args", "must be a list, got int64"},
		{`[70, 1, {}, [], 5]`, "YIELD.Kwargs", "must be a dict"},
		{`[16, 1, {}, "a.b", true]`, "PUBLISH.Args", "must be a list"},
		{`[36, 1, 2, {}, [], "k"]`, "EVENT.Kwargs", "must be a dict"},
		{`[68, 1, 2, {}, 1.5]`, "INVOCATION.Args", "must be a list"},
		{`[8, 48, 1, {}, "e.x", {}]`, "ERROR.Args", "must be a list"},
		{`[1, 5, ` + roles + `]`, "HELLO.Realm", "got int64"},
		{`[1, "realm1", []]`, "HELLO.Details", "must be a dict"},
		{`[3, "x", "wamp.error.x"]`, "ABORT.Details", "must be a dict"},
		{`[3, {}, null]`, "ABORT.Reason", "got null"},
		{`[4, 1, {}]`, "CHALLENGE.AuthMethod", "must be a string, got int64"},
		{`[4, "ticket", null]`, "CHALLENGE.Extra", "must be a dict, got null"},
		{`[5, null, {}]`, "AUTHENTICATE.Signature", "must be a string"},
		{`[5, "sig", "x"]`, "AUTHENTICATE.Extra", "must be a dict"},
		{`[6, {}, 1]`, "GOODBYE.Reason", "got int64"},
		{`[6, null, "wamp.close.normal"]`, "GOODBYE.Details", "must be a dict"},

		// URIs (loose by default).
		{`[48, 1, {}, ""]`, "CALL.Procedure", "URI is empty"},
		{`[48, 1, {}, "a..b"]`, "CALL.Procedure", "component 2 is empty"},
		{`[48, 1, {}, "a.b."]`, "CALL.Procedure", "component 3 is empty"},
		{`[48, 1, {}, "a b"]`, "CALL.Procedure", "not allowed"},
		{`[48, 1, {}, "a#b"]`, "CALL.Procedure", "not allowed"},
		{`[16, 1, {}, ".a"]`, "PUBLISH.Topic", "component 1 is empty"},
		{`[32, 1, {}, "a..b"]`, "SUBSCRIBE.Topic", "component 2 is empty"},
		{`[32, 1, {"match": "prefix"}, "a..b"]`, "SUBSCRIBE.Topic", "component 2 is empty"},
		{`[64, 1, {"match": "prefix"}, ".b"]`, "REGISTER.Procedure", "component 1 is empty"},
		{`[64, 1, {}, "a.b."]`, "REGISTER.Procedure", "component 3 is empty"},
		{`[8, 48, 1, {}, "wamp error"]`, "ERROR.Error", "not allowed"},
		{`[3, {}, ""]`, "ABORT.Reason", "URI is empty"},
		{`[1, "a\tb", ` + roles + `]`, "HELLO.Realm", "not allowed"},
		{`[69, 1, {"reason": "a#"}]`, "INTERRUPT.Options.reason", "not allowed"},
		{`[36, 1, 2, {"topic": "a..b"}]`, "EVENT.Details.topic", "component 2 is empty"},
		{`[68, 1, 2, {"procedure": 5}]`, "INVOCATION.Details.procedure", "must be a string"},

		// ERROR request types.
		{`[8, 1, 1, {}, "e.x"]`, "ERROR.RequestType", "must be one of 16, 32, 34, 48, 64, 66, 68, got 1"},
		{`[8, 50, 1, {}, "e.x"]`, "ERROR.RequestType", "got 50"},
		{`[8, 48.0, 1, {}, "e.x"]`, "ERROR.RequestType", "got float64"},
		{`[8, "48", 1, {}, "e.x"]`, "ERROR.RequestType", "got string"},

		// HELLO / WELCOME details.
		{`[1, "realm1", {}]`, "HELLO.Details.roles", "must announce at least one role"},
		{`[1, "realm1", {"roles": {}}]`, "HELLO.Details.roles", "must announce at least one role"},
		{`[1, "realm1", {"roles": []}]`, "HELLO.Details.roles", "got list"},
		{`[1, "realm1", {"roles": {"broker": {}}}]`, "HELLO.Details.roles", `unknown role "broker"`},
		{`[1, "realm1", {"roles": {"caller": true}}]`, "HELLO.Details.roles", "caller: must be a dict, got bool"},
		{`[1, "realm1", {"roles": {"caller": {"features": []}}}]`, "HELLO.Details.roles", "caller.features: must be a dict"},
		{`[1, "realm1", {"roles": {"caller": {"features": {"call_canceling": 1}}}}]`, "HELLO.Details.roles", "caller.features.call_canceling: must be a bool, got int64"},
		{`[1, "realm1", {"roles": {"caller": {}}, "authmethods": "ticket"}]`, "HELLO.Details.authmethods", "must be a list of strings, got string"},
		{`[1, "realm1", {"roles": {"caller": {}}, "authmethods": ["ticket", 1]}]`, "HELLO.Details.authmethods", "item 1: must be a string"},
		{`[1, "realm1", {"roles": {"caller": {}}, "authid": 1}]`, "HELLO.Details.authid", "must be a string"},
		{`[1, "realm1", {"roles": {"caller": {}}, "authrole": []}]`, "HELLO.Details.authrole", "must be a string"},
		{`[1, "realm1", {"roles": {"caller": {}}, "authextra": "x"}]`, "HELLO.Details.authextra", "must be a dict"},
		{`[1, "realm1", {"roles": {"caller": {}}, "resumable": "yes"}]`, "HELLO.Details.resumable", "must be a bool"},
		{`[1, "realm1", {"roles": {"caller": {}}, "resume-session": 1.0, "resume-token": "t"}]`, "HELLO.Details.resume-session", "got float64"},
		{`[1, "realm1", {"roles": {"caller": {}}, "resume-session": 5}]`, "HELLO.Details.resume-token", "is required with resume-session"},
		{`[1, "realm1", {"roles": {"caller": {}}, "resume-token": 5}]`, "HELLO.Details.resume-token", "must be a string"},
		{`[2, 1, {}]`, "WELCOME.Details.roles", "must announce at least one role"},
		{`[2, 1, {"roles": {"caller": {}}}]`, "WELCOME.Details.roles", `unknown role "caller"`},
		{`[2, 1, {"roles": {"dealer": {"features": {"call_timeout": "yes"}}}}]`, "WELCOME.Details.roles", "dealer.features.call_timeout: must be a bool"},
		{`[2, 1, {"roles": {"dealer": {}}, "resumable": true}]`, "WELCOME.Details.resume_token", "is required when resumable is true"},
		{`[2, 1, {"roles": {"dealer": {}}, "resumed": 1}]`, "WELCOME.Details.resumed", "must be a bool"},
		{`[2, 1, {"roles": {"dealer": {}}, "realm": 1}]`, "WELCOME.Details.realm", "must be a string"},
		{`[2, 1, {"roles": {"dealer": {}}, "authextra": []}]`, "WELCOME.Details.authextra", "must be a dict"},
		{`[3, {"message": 5}, "wamp.error.x"]`, "ABORT.Details.message", "must be a string"},
		{`[6, {"resumable": "x"}, "wamp.close.normal"]`, "GOODBYE.Details.resumable", "must be a bool"},

		// CALL options.
		{`[48, 1, {"timeout": 1.5}, "a.b"]`, "CALL.Options.timeout", "must be a non-negative integer, got float64"},
		{`[48, 1, {"timeout": 1000.0}, "a.b"]`, "CALL.Options.timeout", "got float64"},
		{`[48, 1, {"timeout": -1}, "a.b"]`, "CALL.Options.timeout", "got -1"},
		{`[48, 1, {"timeout": "10"}, "a.b"]`, "CALL.Options.timeout", "got string"},
		{`[48, 1, {"timeout": true}, "a.b"]`, "CALL.Options.timeout", "got bool"},
		{`[48, 1, {"timeout": 18446744073709551615}, "a.b"]`, "CALL.Options.timeout", "fits in int64"},
		{`[48, 1, {"receive_progress": 1}, "a.b"]`, "CALL.Options.receive_progress", "must be a bool, got int64"},
		{`[48, 1, {"disclose_me": "true"}, "a.b"]`, "CALL.Options.disclose_me", "must be a bool"},
		{`[48, 1, {"progress": []}, "a.b"]`, "CALL.Options.progress", "must be a bool"},
		{`[48, 1, {"runmode": 1}, "a.b"]`, "CALL.Options.runmode", "must be a string"},
		{`[48, 1, {"rkey": {}}, "a.b"]`, "CALL.Options.rkey", "must be a string"},
		{`[48, 1, {"enc_algo": 1}, "a.b", "\u0000AA=="]`, "CALL.Options.enc_algo", "must be a string"},
		{`[48, 1, {"ppt_keyid": 1}, "a.b"]`, "CALL.Options.ppt_keyid", "must be a string"},

		// Opaque payloads.
		{`[48, 1, {}, "a.b", "\u0000AA=="]`, "CALL.Args", "needs enc_algo or ppt_scheme"},
		{`[48, 1, {"enc_algo": "cryptobox"}, "a.b"]`, "CALL.Args", "the opaque payload is missing"},
		{`[48, 1, {"enc_algo": "cryptobox"}, "a.b", [1]]`, "CALL.Args", "must hold the opaque payload as []byte"},
		{`[48, 1, {"enc_algo": "cryptobox"}, "a.b", ["\u0000AA=="]]`, "CALL.Args", "must hold the opaque payload"},
		{`[48, 1, {"enc_algo": "cryptobox"}, "a.b", "\u0000AA==", {}]`, "CALL.Kwargs", "must be absent with an opaque payload"},
		{`[48, 1, {"ppt_scheme": "mqtt"}, "a.b", "\u0000AA==", {"a": 1}]`, "CALL.Kwargs", "must be absent"},
		{`[48, 1, {"ppt_scheme": "mqtt"}, "a.b", ["\u0000AA==", "\u0000AA=="]]`, "CALL.Args", "must hold the opaque payload"},
		{`[48, 1, {"ppt_scheme": "mqtt"}, "a.b", [{"args": []}]]`, "CALL.Args", "must hold the opaque payload"},
		{`[48, 1, {"enc_serializer": "json"}, "a.b", "\u0000AA=="]`, "CALL.Options.enc_serializer", "is set without enc_algo"},
		{`[48, 1, {"ppt_cipher": "x"}, "a.b"]`, "CALL.Options.ppt_cipher", "is set without ppt_scheme"},
		{`[70, 1, {"enc_algo": "cryptobox"}, [1, 2]]`, "YIELD.Args", "must hold the opaque payload"},
		{`[50, 1, {}, "\u0000AA=="]`, "RESULT.Args", "needs enc_algo or ppt_scheme in Details"},
		{`[36, 1, 2, {"enc_key": "k"}]`, "EVENT.Details.enc_key", "is set without enc_algo"},
		{`[68, 1, 2, {"ppt_scheme": "x"}]`, "INVOCATION.Args", "the opaque payload is missing"},
		{`[8, 48, 1, {"enc_algo": "cryptobox"}, "e.x", []]`, "ERROR.Args", "must hold the opaque payload"},
		{`[16, 1, {"ppt_scheme": "mqtt"}, "a.b", []]`, "PUBLISH.Args", "must hold the opaque payload"},

		// PUBLISH options.
		{`[16, 1, {"acknowledge": "yes"}, "a.b"]`, "PUBLISH.Options.acknowledge", "must be a bool"},
		{`[16, 1, {"exclude_me": 0}, "a.b"]`, "PUBLISH.Options.exclude_me", "must be a bool"},
		{`[16, 1, {"disclose_me": 1}, "a.b"]`, "PUBLISH.Options.disclose_me", "must be a bool"},
		{`[16, 1, {"retain": "x"}, "a.b"]`, "PUBLISH.Options.retain", "must be a bool"},
		{`[16, 1, {"exclude": 5}, "a.b"]`, "PUBLISH.Options.exclude", "must be a list of IDs"},
		{`[16, 1, {"exclude": [1, 2.0]}, "a.b"]`, "PUBLISH.Options.exclude", "item 1: must be an ID"},
		{`[16, 1, {"eligible": [0]}, "a.b"]`, "PUBLISH.Options.eligible", "item 0: must be an ID in [1, 2^53], got 0"},
		{`[16, 1, {"exclude_authid": ["a", 1]}, "a.b"]`, "PUBLISH.Options.exclude_authid", "item 1: must be a string"},
		{`[16, 1, {"exclude_authrole": "r"}, "a.b"]`, "PUBLISH.Options.exclude_authrole", "must be a list of strings"},
		{`[16, 1, {"eligible_authid": {}}, "a.b"]`, "PUBLISH.Options.eligible_authid", "must be a list of strings"},
		{`[16, 1, {"eligible_authrole": [null]}, "a.b"]`, "PUBLISH.Options.eligible_authrole", "item 0: must be a string, got null"},
		{`[16, 1, {"rkey": 1}, "a.b"]`, "PUBLISH.Options.rkey", "must be a string"},

		// SUBSCRIBE / REGISTER options.
		{`[32, 1, {"match": "regex"}, "a.b"]`, "SUBSCRIBE.Options.match", `must be one of "exact", "prefix", "wildcard", got "regex"`},
		{`[32, 1, {"match": ""}, "a.b"]`, "SUBSCRIBE.Options.match", `got ""`},
		{`[32, 1, {"match": 1}, "a.b"]`, "SUBSCRIBE.Options.match", "must be a string"},
		{`[32, 1, {"get_retained": 1}, "a.b"]`, "SUBSCRIBE.Options.get_retained", "must be a bool"},
		{`[32, 1, {"nkey": 1}, "a.b"]`, "SUBSCRIBE.Options.nkey", "must be a string"},
		{`[64, 1, {"match": "glob"}, "a.b"]`, "REGISTER.Options.match", "must be one of"},
		{`[64, 1, {"invoke": "all"}, "a.b"]`, "REGISTER.Options.invoke", `must be one of "single", "roundrobin", "random", "first", "last", got "all"`},
		{`[64, 1, {"invoke": true}, "a.b"]`, "REGISTER.Options.invoke", "must be a string"},
		{`[64, 1, {"concurrency": 0}, "a.b"]`, "REGISTER.Options.concurrency", "must be a positive integer, got 0"},
		{`[64, 1, {"concurrency": 2.0}, "a.b"]`, "REGISTER.Options.concurrency", "got float64"},
		{`[64, 1, {"force_reregister": "yes"}, "a.b"]`, "REGISTER.Options.force_reregister", "must be a bool"},
		{`[64, 1, {"disclose_caller": 1}, "a.b"]`, "REGISTER.Options.disclose_caller", "must be a bool"},
		{`[64, 1, {"forward_timeout": 1}, "a.b"]`, "REGISTER.Options.forward_timeout", "must be a bool"},

		// EVENT / INVOCATION details.
		{`[36, 1, 2, {"publisher": "x"}]`, "EVENT.Details.publisher", "must be an ID"},
		{`[36, 1, 2, {"publisher": 0}]`, "EVENT.Details.publisher", "got 0"},
		{`[36, 1, 2, {"publisher_authid": 1}]`, "EVENT.Details.publisher_authid", "must be a string"},
		{`[36, 1, 2, {"publisher_authrole": 1}]`, "EVENT.Details.publisher_authrole", "must be a string"},
		{`[36, 1, 2, {"retained": "x"}]`, "EVENT.Details.retained", "must be a bool"},
		{`[36, 1, 2, {"trustlevel": -1}]`, "EVENT.Details.trustlevel", "must be a non-negative integer"},
		{`[68, 1, 2, {"caller": 1.0}]`, "INVOCATION.Details.caller", "got float64"},
		{`[68, 1, 2, {"caller_authid": 1}]`, "INVOCATION.Details.caller_authid", "must be a string"},
		{`[68, 1, 2, {"caller_authrole": 1}]`, "INVOCATION.Details.caller_authrole", "must be a string"},
		{`[68, 1, 2, {"timeout": -5}]`, "INVOCATION.Details.timeout", "got -5"},
		{`[68, 1, 2, {"receive_progress": "x"}]`, "INVOCATION.Details.receive_progress", "must be a bool"},
		{`[68, 1, 2, {"progress": 0}]`, "INVOCATION.Details.progress", "must be a bool"},
		{`[68, 1, 2, {"trustlevel": "high"}]`, "INVOCATION.Details.trustlevel", "got string"},

		// CANCEL / INTERRUPT / RESULT / YIELD.
		{`[49, 1, {"mode": "abort"}]`, "CANCEL.Options.mode", `must be one of "skip", "kill", "killnowait", got "abort"`},
		{`[49, 1, {"mode": 1}]`, "CANCEL.Options.mode", "must be a string"},
		{`[49, 1, []]`, "CANCEL.Options", "must be a dict"},
		{`[69, 1, {"mode": "skip"}]`, "INTERRUPT.Options.mode", `must be one of "kill", "killnowait", got "skip"`},
		{`[50, 1, {"progress": "yes"}]`, "RESULT.Details.progress", "must be a bool"},
		{`[70, 1, {"progress": 1}]`, "YIELD.Options.progress", "must be a bool"},
	}
	for _, tt := range tests {
		msg, err := ParseMessage(mustJSON(tt.in))
		if err == nil {
			t.Errorf("%s: parsed as %#v, want an error", tt.in, msg)
			continue
		}
		if !containsField(err, tt.where) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("%s:\n got error %q\nwant %s: …%s…", tt.in, err, tt.where, tt.why)
		}
		if !errors.Is(err, ErrProtocolViolation) {
			t.Errorf("%s: errors.Is(%v, ErrProtocolViolation) is false", tt.in, err)
		}
	}
}

// TestParseAccepts covers inputs that are valid although unusual.
func TestParseAccepts(t *testing.T) {
	tests := []struct {
		in    string
		check func(Message) bool
	}{
		// null options are absent, null Args is no Args.
		{`[48, 1, {"timeout": null, "receive_progress": null}, "a.b", null, {"k": 1}]`, func(m Message) bool {
			c := m.(*Call)
			return c.Options.Timeout == nil && c.Args == nil && c.Kwargs["k"] == int64(1)
		}},
		{`[48, 9007199254740992, {}, "a.b", [], {}]`, func(m Message) bool {
			c := m.(*Call)
			return c.Request == MaxID && c.Args == nil && c.Kwargs == nil
		}},
		// Unknown features are kept when bool, dropped otherwise.
		{`[1, null, {"roles": {"callee": {"features": {"x_new": true, "x_cfg": {"a": 1}}}}}]`, func(m Message) bool {
			f := m.(*Hello).Details.Roles["callee"].Features
			return len(f) == 1 && f["x_new"]
		}},
		// The spec's ppt form: one binary item in the Args list.
		{`[50, 1, {"ppt_scheme": "wamp.eth", "ppt_serializer": "cbor"}, ["\u0000AQI="], {}]`, func(m Message) bool {
			r := m.(*Result)
			return string(r.Payload) == "\x01\x02" && r.Args == nil && r.Details.Scheme() == "wamp.eth"
		}},
		// Autobahn's form with ppt_scheme.
		{`[70, 1, {"ppt_scheme": "mqtt"}, "\u0000AQI="]`, func(m Message) bool {
			return string(m.(*Yield).Payload) == "\x01\x02"
		}},
		// Empty payload bytes are a present, empty payload.
		{`[36, 1, 2, {"enc_algo": "cryptobox"}, "\u0000"]`, func(m Message) bool {
			p := m.(*Event).Payload
			return p != nil && len(p) == 0
		}},
		// Defaults filled in.
		{`[64, 1, {"match": null}, "a.b"]`, func(m Message) bool {
			o := m.(*Register).Options
			return o.Match == MatchExact && o.Invoke == InvokeSingle
		}},
		{`[32, 1, {"match": "prefix"}, ""]`, func(m Message) bool { return m.(*Subscribe).Options.Match == MatchPrefix }},
		{`[32, 1, {"match": "wildcard"}, "..."]`, func(m Message) bool { return m.(*Subscribe).Topic == "..." }},
		// Loose URIs.
		{`[48, 1, {}, "com.Example.München-1"]`, func(m Message) bool { return m.(*Call).Procedure == "com.Example.München-1" }},
		// UNSUBSCRIBED with empty details and revocation.
		{`[35, 5, {}]`, func(m Message) bool { return m.(*Unsubscribed).Request == 5 }},
		{`[67, 0, {"registration": 9}]`, func(m Message) bool { return m.(*Unregistered).Details.Registration == 9 }},
		// Empty optional Options of UNSUBSCRIBE are dropped.
		{`[34, 1, 2, {}]`, func(m Message) bool { return m.(*Unsubscribe).Options == nil }},
	}
	for _, tt := range tests {
		msg, err := ParseMessage(mustJSON(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !tt.check(msg) {
			t.Errorf("%s: unexpected result %#v", tt.in, msg)
		}
		if _, err := msg.List(); err != nil {
			t.Errorf("%s: List: %v", tt.in, err)
		}
	}
}

// TestListRejects checks that List validates what it writes.
func TestListRejects(t *testing.T) {
	roles := map[string]Role{"caller": {}}
	tests := []struct {
		msg   Message
		where string
		why   string
	}{
		{&Call{Procedure: "a.b"}, "CALL.Request", "got 0"},
		{&Call{Request: MaxID + 1, Procedure: "a.b"}, "CALL.Request", "got 9007199254740993"},
		{&Call{Request: 1}, "CALL.Procedure", "is required"},
		{&Call{Request: 1, Procedure: "a b"}, "CALL.Procedure", "not allowed"},
		{&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Timeout: ptr(int64(-1))}}, "CALL.Options.timeout", "got -1"},
		{&Call{Request: 1, Procedure: "a.b", Payload: []byte("x")}, "CALL.Payload", "needs Options.enc_algo or Options.ppt_scheme"},
		{&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Passthru: Passthru{EncAlgo: "cryptobox"}}}, "CALL.Payload", "is required"},
		{&Call{Request: 1, Procedure: "a.b", Args: []any{1}, Payload: []byte("x"), Options: CallOptions{Passthru: Passthru{EncAlgo: "cryptobox"}}}, "CALL.Args", "must be empty with an opaque payload"},
		{&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Passthru: Passthru{EncKey: "k"}}}, "CALL.Options.enc_key", "is set without enc_algo"},
		{&Hello{Details: HelloDetails{}}, "HELLO.Details.roles", "must announce at least one role"},
		{&Hello{Details: HelloDetails{Roles: map[string]Role{"dealer": {}}}}, "HELLO.Details.roles", `unknown role "dealer"`},
		{&Hello{Details: HelloDetails{Roles: roles, ResumeSession: 1}}, "HELLO.Details.resume-token", "is required"},
		{&Hello{Realm: "a..b", Details: HelloDetails{Roles: roles}}, "HELLO.Realm", "component 2 is empty"},
		{&Welcome{Session: 1}, "WELCOME.Details.roles", "must announce at least one role"},
		{&Welcome{Details: WelcomeDetails{Roles: map[string]Role{"broker": {}}}}, "WELCOME.Session", "got 0"},
		{&Welcome{Session: 1, Details: WelcomeDetails{Roles: map[string]Role{"broker": {}}, Resumable: true}}, "WELCOME.Details.resume_token", "is required"},
		{&Abort{}, "ABORT.Reason", "is required"},
		{&Goodbye{Reason: "x y"}, "GOODBYE.Reason", "not allowed"},
		{&Error{RequestType: TypeEvent, Request: 1, Error: "e.x"}, "ERROR.RequestType", "got 36"},
		{&Error{RequestType: TypeCall, Request: 1}, "ERROR.Error", "is required"},
		{&Publish{Request: 1, Topic: "a.b", Options: PublishOptions{Exclude: []uint64{0}}}, "PUBLISH.Options.exclude", "item 0"},
		{&Published{Request: 1}, "PUBLISHED.Publication", "got 0"},
		{&Subscribe{Request: 1, Topic: "a..b"}, "SUBSCRIBE.Topic", "component 2 is empty"},
		{&Subscribe{Request: 1, Topic: "a.b", Options: SubscribeOptions{Match: "regex"}}, "SUBSCRIBE.Options.match", "must be one of"},
		{&Subscribed{Request: 1}, "SUBSCRIBED.Subscription", "got 0"},
		{&Unsubscribe{Request: 1}, "UNSUBSCRIBE.Subscription", "got 0"},
		{&Unsubscribed{}, "UNSUBSCRIBED.Details.subscription", "is required when Request is 0"},
		{&Unsubscribed{Request: 1, Details: UnsubscribedDetails{Reason: "#"}}, "UNSUBSCRIBED.Details.reason", "not allowed"},
		{&Event{Subscription: 1, Publication: 1, Details: EventDetails{Topic: "a..b"}}, "EVENT.Details.topic", "component 2"},
		{&Event{Subscription: 1, Publication: 1, Details: EventDetails{Trustlevel: ptr(int64(-2))}}, "EVENT.Details.trustlevel", "got -2"},
		{&Event{Subscription: 1, Publication: 1, Details: EventDetails{Publisher: MaxID + 1}}, "EVENT.Details.publisher", "must be an ID"},
		{&Cancel{Request: 1, Options: CancelOptions{Mode: "now"}}, "CANCEL.Options.mode", "must be one of"},
		{&Result{}, "RESULT.Request", "got 0"},
		{&Register{Request: 1, Procedure: "a.b", Options: RegisterOptions{Invoke: "all"}}, "REGISTER.Options.invoke", "must be one of"},
		{&Register{Request: 1, Procedure: "a.b", Options: RegisterOptions{Concurrency: -1}}, "REGISTER.Options.concurrency", "got -1"},
		{&Register{Request: 1, Procedure: "a.", Options: RegisterOptions{Match: MatchExact}}, "REGISTER.Procedure", "component 2 is empty"},
		{&Registered{Registration: 1}, "REGISTERED.Request", "got 0"},
		{&Unregister{Request: 1}, "UNREGISTER.Registration", "got 0"},
		{&Unregistered{}, "UNREGISTERED.Details.registration", "is required"},
		{&Invocation{Request: 1}, "INVOCATION.Registration", "got 0"},
		{&Invocation{Request: 1, Registration: 1, Details: InvocationDetails{Caller: MaxID + 1}}, "INVOCATION.Details.caller", "must be an ID"},
		{&Invocation{Request: 1, Registration: 1, Details: InvocationDetails{Procedure: "#"}}, "INVOCATION.Details.procedure", "not allowed"},
		{&Interrupt{Request: 1, Options: InterruptOptions{Mode: CancelSkip}}, "INTERRUPT.Options.mode", "must be one of"},
		{&Interrupt{Request: 1, Options: InterruptOptions{Reason: "a..b"}}, "INTERRUPT.Options.reason", "component 2"},
		{&Yield{Request: 1, Kwargs: map[string]any{"a": 1}, Payload: []byte{}, Options: YieldOptions{Passthru: Passthru{PPTScheme: "x"}}}, "YIELD.Args", "must be empty"},
	}
	for _, tt := range tests {
		l, err := tt.msg.List()
		if err == nil {
			t.Errorf("%v: List returned %v, want an error", tt.msg.Type(), l)
			continue
		}
		if !containsField(err, tt.where) || !strings.Contains(err.Error(), tt.why) {
			t.Errorf("%v:\n got error %q\nwant %s: …%s…", tt.msg.Type(), err, tt.where, tt.why)
		}
	}
}
