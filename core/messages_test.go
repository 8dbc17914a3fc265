package core

import (
	"os"
	"reflect"
	"testing"
)

// TestAutobahnVectors checks byte compatibility at the list level: for every
// list that Autobahn|Python's marshal() writes (testdata/autobahn_marshal.json,
// made by testdata/gen_autobahn.py), ParseMessage accepts it and List writes
// back exactly the same list: same elements, same keys, same values.
func TestAutobahnVectors(t *testing.T) {
	data, err := os.ReadFile("testdata/autobahn_marshal.json")
	if err != nil {
		t.Fatal(err)
	}
	v, err := fromJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	vectors := v.([]any)
	if len(vectors) < 24 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	seen := map[MessageType]bool{}
	for _, vec := range vectors {
		pair := vec.([]any)
		name, want := pair[0].(string), pair[1]
		t.Run(name, func(t *testing.T) {
			msg, err := ParseMessage(want)
			if err != nil {
				t.Fatalf("ParseMessage(%v): %v", want, err)
			}
			seen[msg.Type()] = true
			got, err := msg.List()
			if err != nil {
				t.Fatalf("List: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("List differs from Autobahn's marshal:\n got %#v\nwant %#v", got, want)
			}
		})
	}
	if len(seen) != 24 {
		t.Errorf("vectors cover %d of 24 message types", len(seen))
	}
}

func ptr[T any](v T) *T { return &v }

// roundTripMessages are messages in canonical form (as ParseMessage returns
// them), every option and detail set at least once.
func roundTripMessages() []Message {
	payload := []byte{0, 1, 2, 0xff}
	return []Message{
		&Hello{Realm: "realm1", Details: HelloDetails{
			Roles: map[string]Role{
				RoleCaller:     {Features: map[string]bool{"progressive_call_results": true, "x_new": false}},
				RoleCallee:     {},
				RolePublisher:  {Features: map[string]bool{}},
				RoleSubscriber: {Extra: map[string]any{"x_role": "y"}},
			},
			AuthMethods: []string{"ticket", "anonymous"}, AuthID: "joe", AuthRole: "user",
			AuthExtra: map[string]any{"pubkey": "00ff"}, Resumable: ptr(false),
			ResumeSession: 12, ResumeToken: "t", Extra: map[string]any{"x_custom": []any{int64(1)}},
		}},
		&Hello{Details: HelloDetails{Roles: map[string]Role{RoleCaller: {}}, AuthExtra: map[string]any{}}},
		&Welcome{Session: MaxID, Details: WelcomeDetails{
			Roles: map[string]Role{RoleBroker: {Features: map[string]bool{"event_retention": true}}, RoleDealer: {}},
			Realm: "realm1", AuthID: "joe", AuthRole: "user", AuthMethod: "ticket", AuthProvider: "static",
			AuthExtra: map[string]any{"a": "b"}, Resumed: true, Resumable: true, ResumeToken: "t",
			Extra: map[string]any{"x_cb_node": "n1"},
		}},
		&Abort{Details: AbortDetails{Message: "nope", Extra: map[string]any{"x": int64(1)}}, Reason: URINoSuchRealm},
		&Abort{Reason: URINotAuthorized},
		&Challenge{AuthMethod: "wampcra", Extra: map[string]any{"challenge": "c", "iterations": int64(1000)}},
		&Challenge{AuthMethod: "ticket", Extra: map[string]any{}},
		&Authenticate{Signature: "sig", Extra: map[string]any{}},
		&Goodbye{Details: GoodbyeDetails{Message: "bye", Resumable: true, Extra: map[string]any{"x_y": true}}, Reason: URICloseSystemShutdown},
		&Goodbye{Reason: URICloseGoodbyeAndOut},
		&Error{RequestType: TypeCall, Request: 1, Error: URINoSuchProcedure, Args: []any{"no"}, Kwargs: map[string]any{"k": nil},
			Details: ErrorDetails{Extra: map[string]any{"callee": int64(5)}}},
		&Error{RequestType: TypeSubscribe, Request: 2, Error: URINotAuthorized},
		&Error{RequestType: TypeInvocation, Request: 3, Error: "com.example.err", Kwargs: map[string]any{"a": int64(1)}},
		&Error{RequestType: TypeCall, Request: 4, Error: "com.example.err", Payload: payload,
			Details: ErrorDetails{Passthru: Passthru{EncAlgo: "cryptobox", EncSerializer: "json", EncKey: "k"}}},
		&Error{RequestType: TypeUnregister, Request: 5, Error: "com.example.err", Payload: payload,
			Details: ErrorDetails{Passthru: Passthru{PPTScheme: "wamp.eth", PPTSerializer: "cbor", PPTCipher: "xsalsa20poly1305", PPTKeyID: "0xab"}}},
		&Publish{Request: 1, Topic: "com.example.t", Args: []any{int64(1), 2.5, "s", nil, true, []byte("b")},
			Kwargs: map[string]any{"m": map[string]any{"n": []any{}}},
			Options: PublishOptions{Acknowledge: ptr(true), ExcludeMe: ptr(false), DiscloseMe: ptr(true), Retain: ptr(false),
				Exclude: []uint64{1, 2}, ExcludeAuthID: []string{"a"}, ExcludeAuthRole: []string{"r"},
				Eligible: []uint64{}, EligibleAuthID: []string{}, EligibleAuthRole: []string{"x", "y"},
				RKey: "key", Extra: map[string]any{"x_trace": "abc", "forward_for": []any{}}}},
		&Publish{Request: 2, Topic: "com.example.t", Payload: []byte{},
			Options: PublishOptions{Passthru: Passthru{PPTScheme: "mqtt", PPTSerializer: "mqtt"}}},
		&Published{Request: 1, Publication: 2},
		&Subscribe{Request: 1, Topic: "com.example.t", Options: SubscribeOptions{Match: MatchExact}},
		&Subscribe{Request: 2, Topic: "com.example.", Options: SubscribeOptions{Match: MatchPrefix, GetRetained: ptr(true), NKey: "n", Extra: map[string]any{"x": "y"}}},
		&Subscribe{Request: 3, Topic: "com..t", Options: SubscribeOptions{Match: MatchWildcard}},
		&Subscribed{Request: 1, Subscription: 2},
		&Unsubscribe{Request: 1, Subscription: 2},
		&Unsubscribe{Request: 1, Subscription: 2, Options: map[string]any{"forward_for": []any{}}},
		&Unsubscribed{Request: 1},
		&Unsubscribed{Request: 0, Details: UnsubscribedDetails{Subscription: 5, Reason: "wamp.error.gone", Extra: map[string]any{"x": int64(1)}}},
		&Event{Subscription: 1, Publication: 2, Args: []any{"x"}, Details: EventDetails{
			Publisher: 3, PublisherAuthID: "a", PublisherAuthRole: "r", Topic: "com.example.t",
			Retained: ptr(true), Trustlevel: ptr(int64(0)), Extra: map[string]any{"x_acknowledged_delivery": true}}},
		&Event{Subscription: 1, Publication: 3, Kwargs: map[string]any{"a": 1.5}},
		&Event{Subscription: 1, Publication: 4, Payload: payload, Details: EventDetails{Passthru: Passthru{EncAlgo: "cryptobox"}}},
		&Call{Request: 1, Procedure: "com.example.add", Args: []any{int64(2), int64(3)}},
		&Call{Request: 2, Procedure: "com.example.add", Kwargs: map[string]any{"a": int64(1)}, Options: CallOptions{
			Timeout: ptr(int64(0)), ReceiveProgress: ptr(true), DiscloseMe: ptr(false), Progress: ptr(true),
			RunMode: "partition", RKey: "k", Extra: map[string]any{"x_z": "z"}}},
		&Call{Request: 3, Procedure: "com.example.secret", Payload: payload,
			Options: CallOptions{Passthru: Passthru{EncAlgo: "cryptobox", EncSerializer: "json"}}},
		&Call{Request: MaxID, Procedure: "com.example.secret", Payload: payload,
			Options: CallOptions{Passthru: Passthru{PPTScheme: "wamp.eth", PPTKeyID: "k"}}},
		&Cancel{Request: 1},
		&Cancel{Request: 1, Options: CancelOptions{Mode: CancelSkip, Extra: map[string]any{"x": "y"}}},
		&Result{Request: 1},
		&Result{Request: 1, Args: []any{int64(5)}, Details: ResultDetails{Progress: ptr(true), Extra: map[string]any{"callee": int64(7)}}},
		&Result{Request: 1, Payload: payload, Details: ResultDetails{Passthru: Passthru{EncAlgo: "cryptobox", EncSerializer: "json"}}},
		&Register{Request: 1, Procedure: "com.example.add", Options: RegisterOptions{Match: MatchExact, Invoke: InvokeSingle}},
		&Register{Request: 2, Procedure: "com.example.", Options: RegisterOptions{Match: MatchPrefix, Invoke: InvokeRoundRobin,
			Concurrency: 4, ForceReregister: ptr(true), DiscloseCaller: ptr(true), ForwardTimeout: ptr(false), Extra: map[string]any{"x": int64(1)}}},
		&Register{Request: 3, Procedure: "com..add", Options: RegisterOptions{Match: MatchWildcard, Invoke: InvokeLast}},
		&Registered{Request: 1, Registration: 2},
		&Unregister{Request: 1, Registration: 2},
		&Unregister{Request: 1, Registration: 2, Options: map[string]any{"x": "y"}},
		&Unregistered{Request: 1},
		&Unregistered{Request: 0, Details: UnregisteredDetails{Registration: 2, Reason: "wamp.error.killed"}},
		&Invocation{Request: 1, Registration: 2, Args: []any{int64(1)}, Details: InvocationDetails{
			Caller: 3, CallerAuthID: "a", CallerAuthRole: "r", Procedure: "com.example.add",
			Timeout: ptr(int64(100)), ReceiveProgress: ptr(true), Progress: ptr(false), Trustlevel: ptr(int64(2)),
			Extra: map[string]any{"x": "y"}}},
		&Invocation{Request: 1, Registration: 2, Payload: payload, Details: InvocationDetails{Passthru: Passthru{PPTScheme: "mqtt"}}},
		&Interrupt{Request: 1},
		&Interrupt{Request: 1, Options: InterruptOptions{Mode: CancelKillNoWait, Reason: URICanceled, Extra: map[string]any{"x": "y"}}},
		&Yield{Request: 1},
		&Yield{Request: 1, Args: []any{int64(5)}, Kwargs: map[string]any{"a": "b"}, Options: YieldOptions{Progress: ptr(true), Extra: map[string]any{"x": "y"}}},
		&Yield{Request: 1, Payload: payload, Options: YieldOptions{Passthru: Passthru{EncAlgo: "cryptobox", EncSerializer: "json"}}},
	}
}

func TestRoundTrip(t *testing.T) {
	seen := map[MessageType]bool{}
	for _, want := range roundTripMessages() {
		seen[want.Type()] = true
		l, err := want.List()
		if err != nil {
			t.Errorf("%v: List: %v", want.Type(), err)
			continue
		}
		if err := checkRepr(l); err != nil {
			t.Errorf("%v: List output %v", want.Type(), err)
		}
		if got := l[0]; got != int64(want.Type()) {
			t.Errorf("%v: list starts with %v", want.Type(), got)
		}
		got, err := ParseMessage(l)
		if err != nil {
			t.Errorf("%v: ParseMessage(%v): %v", want.Type(), l, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: round trip differs:\n got %#v\nwant %#v", want.Type(), got, want)
		}
	}
	if len(seen) != 24 {
		t.Errorf("table covers %d of 24 message types", len(seen))
	}
}

// TestListForms checks the list layout where Autobahn's rules decide it.
func TestListForms(t *testing.T) {
	payload := []byte("p")
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{"no args", &Call{Request: 1, Procedure: "a.b", Args: []any{}}, `[48,1,{},"a.b"]`},
		{"args", &Call{Request: 1, Procedure: "a.b", Args: []any{"x"}}, `[48,1,{},"a.b",["x"]]`},
		{"kwargs forces args", &Call{Request: 1, Procedure: "a.b", Kwargs: map[string]any{"k": "v"}}, `[48,1,{},"a.b",[],{"k":"v"}]`},
		{"empty kwargs dropped", &Call{Request: 1, Procedure: "a.b", Args: []any{"x"}, Kwargs: map[string]any{}}, `[48,1,{},"a.b",["x"]]`},
		{"enc payload alone", &Call{Request: 1, Procedure: "a.b", Payload: payload, Options: CallOptions{Passthru: Passthru{EncAlgo: "cryptobox"}}},
			`[48,1,{"enc_algo":"cryptobox"},"a.b","\u0000cA=="]`},
		{"ppt payload in list", &Call{Request: 1, Procedure: "a.b", Payload: payload, Options: CallOptions{Passthru: Passthru{PPTScheme: "mqtt"}}},
			`[48,1,{"ppt_scheme":"mqtt"},"a.b",["\u0000cA=="]]`},
		{"exact match omitted", &Subscribe{Request: 1, Topic: "a.b", Options: SubscribeOptions{Match: MatchExact}}, `[32,1,{},"a.b"]`},
		{"single invoke omitted", &Register{Request: 1, Procedure: "a.b", Options: RegisterOptions{Invoke: InvokeSingle, Match: MatchPrefix}}, `[64,1,{"match":"prefix"},"a.b"]`},
		{"exclude_me false kept", &Publish{Request: 1, Topic: "a.b", Options: PublishOptions{ExcludeMe: ptr(false)}}, `[16,1,{"exclude_me":false},"a.b"]`},
		{"timeout 0 kept", &Call{Request: 1, Procedure: "a.b", Options: CallOptions{Timeout: ptr(int64(0))}}, `[48,1,{"timeout":0},"a.b"]`},
		{"hello null realm", &Hello{Details: HelloDetails{Roles: map[string]Role{"caller": {}}}}, `[1,null,{"roles":{"caller":{}}}]`},
		{"hello resume keys with hyphens", &Hello{Realm: "r.x", Details: HelloDetails{Roles: map[string]Role{"callee": {}}, ResumeSession: 5, ResumeToken: "t"}},
			`[1,"r.x",{"roles":{"callee":{}},"resume-session":5,"resume-token":"t"}]`},
		{"welcome resume_token underscore, false flags omitted", &Welcome{Session: 1, Details: WelcomeDetails{Roles: map[string]Role{"dealer": {}}, ResumeToken: "t"}},
			`[2,1,{"resume_token":"t","roles":{"dealer":{}}}]`},
		{"unsubscribed no details", &Unsubscribed{Request: 3}, `[35,3]`},
		{"unregistered revocation", &Unregistered{Details: UnregisteredDetails{Registration: 9, Reason: "wamp.x"}}, `[67,0,{"reason":"wamp.x","registration":9}]`},
		{"challenge nil extra", &Challenge{AuthMethod: "ticket"}, `[4,"ticket",{}]`},
		{"goodbye false resumable omitted", &Goodbye{Reason: URICloseNormal}, `[6,{},"wamp.close.normal"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.msg.List()
			if err != nil {
				t.Fatal(err)
			}
			if want := mustJSON(tt.want); !reflect.DeepEqual(got, want) {
				t.Errorf("got %#v\nwant %#v", got, want)
			}
		})
	}
}

// TestExtraPreserved checks that unknown keys of every options/details dict
// survive parse → List, with their values untouched.
func TestExtraPreserved(t *testing.T) {
	const x = `{"x_custom":{"deep":[1,"two",null]},"future_key":true}`
	inputs := []string{
		`[1,"realm1",{"roles":{"caller":{}},"x_custom":{"deep":[1,"two",null]},"future_key":true}]`,
		`[2,1,{"roles":{"broker":{}},"x_custom":{"deep":[1,"two",null]},"future_key":true}]`,
		`[3,` + x + `,"wamp.error.x"]`,
		`[4,"ticket",` + x + `]`,
		`[5,"sig",` + x + `]`,
		`[6,` + x + `,"wamp.close.normal"]`,
		`[8,48,1,` + x + `,"wamp.error.x"]`,
		`[16,1,` + x + `,"a.b"]`,
		`[32,1,` + x + `,"a.b"]`,
		`[34,1,2,` + x + `]`,
		`[35,1,` + x + `]`,
		`[36,1,2,` + x + `]`,
		`[48,1,` + x + `,"a.b"]`,
		`[49,1,` + x + `]`,
		`[50,1,` + x + `]`,
		`[64,1,` + x + `,"a.b"]`,
		`[66,1,2,` + x + `]`,
		`[67,1,` + x + `]`,
		`[68,1,2,` + x + `]`,
		`[69,1,` + x + `]`,
		`[70,1,` + x + `]`,
	}
	wantX := mustJSON(x).(map[string]any)
	for _, in := range inputs {
		v := mustJSON(in)
		msg, err := ParseMessage(v)
		if err != nil {
			t.Errorf("%s: %v", in, err)
			continue
		}
		l, err := msg.List()
		if err != nil {
			t.Errorf("%s: List: %v", in, err)
			continue
		}
		var dict map[string]any
		for _, e := range l[1:] {
			if d, ok := e.(map[string]any); ok {
				dict = d
				break
			}
		}
		for k, want := range wantX {
			if got, ok := dict[k]; !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("%v: key %q: got %#v, want %#v", msg.Type(), k, got, want)
			}
		}
	}
}

func TestExtraRejectsTypedKeys(t *testing.T) {
	tests := []struct {
		msg   Message
		field string
	}{
		{&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Extra: map[string]any{"timeout": "soon"}}}, "CALL.Options.Extra"},
		{&Call{Request: 1, Procedure: "a.b", Options: CallOptions{Extra: map[string]any{"enc_algo": "x"}}}, "CALL.Options.Extra"},
		{&Hello{Details: HelloDetails{Roles: map[string]Role{"caller": {}}, Extra: map[string]any{"roles": 1}}}, "HELLO.Details.Extra"},
		{&Register{Request: 1, Procedure: "a.b", Options: RegisterOptions{Extra: map[string]any{"match": "prefix"}}}, "REGISTER.Options.Extra"},
		{&Unsubscribed{Request: 1, Details: UnsubscribedDetails{Extra: map[string]any{"reason": "x"}}}, "UNSUBSCRIBED.Details.Extra"},
	}
	for _, tt := range tests {
		_, err := tt.msg.List()
		if err == nil || !containsField(err, tt.field) {
			t.Errorf("%v: got %v, want an error naming %s", tt.msg.Type(), err, tt.field)
		}
	}
}

func TestMessageTypeString(t *testing.T) {
	if got := TypeCall.String(); got != "CALL" {
		t.Errorf("got %q", got)
	}
	if got := MessageType(7).String(); got != "MessageType(7)" {
		t.Errorf("got %q", got)
	}
}
