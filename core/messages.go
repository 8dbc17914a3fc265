package core

import "strconv"

// The 24 WAMP v2 messages. Field names follow the WAMP spec. IDs are uint64
// in [1, MaxID]; the list form carries them as int64. Args and Kwargs are
// written only when non-empty (Kwargs forces Args, possibly []), exactly as
// Autobahn|Python does; ParseMessage returns nil for empty ones.

// Interface guards.
var (
	_ Message = (*Hello)(nil)
	_ Message = (*Welcome)(nil)
	_ Message = (*Abort)(nil)
	_ Message = (*Challenge)(nil)
	_ Message = (*Authenticate)(nil)
	_ Message = (*Goodbye)(nil)
	_ Message = (*Error)(nil)
	_ Message = (*Publish)(nil)
	_ Message = (*Published)(nil)
	_ Message = (*Subscribe)(nil)
	_ Message = (*Subscribed)(nil)
	_ Message = (*Unsubscribe)(nil)
	_ Message = (*Unsubscribed)(nil)
	_ Message = (*Event)(nil)
	_ Message = (*Call)(nil)
	_ Message = (*Cancel)(nil)
	_ Message = (*Result)(nil)
	_ Message = (*Register)(nil)
	_ Message = (*Registered)(nil)
	_ Message = (*Unregister)(nil)
	_ Message = (*Unregistered)(nil)
	_ Message = (*Invocation)(nil)
	_ Message = (*Interrupt)(nil)
	_ Message = (*Yield)(nil)
)

var typeNames = map[MessageType]string{
	TypeHello: "HELLO", TypeWelcome: "WELCOME", TypeAbort: "ABORT",
	TypeChallenge: "CHALLENGE", TypeAuthenticate: "AUTHENTICATE",
	TypeGoodbye: "GOODBYE", TypeError: "ERROR", TypePublish: "PUBLISH",
	TypePublished: "PUBLISHED", TypeSubscribe: "SUBSCRIBE",
	TypeSubscribed: "SUBSCRIBED", TypeUnsubscribe: "UNSUBSCRIBE",
	TypeUnsubscribed: "UNSUBSCRIBED", TypeEvent: "EVENT", TypeCall: "CALL",
	TypeCancel: "CANCEL", TypeResult: "RESULT", TypeRegister: "REGISTER",
	TypeRegistered: "REGISTERED", TypeUnregister: "UNREGISTER",
	TypeUnregistered: "UNREGISTERED", TypeInvocation: "INVOCATION",
	TypeInterrupt: "INTERRUPT", TypeYield: "YIELD",
}

// String returns the message name, e.g. "CALL", or "MessageType(n)" for an
// unknown code.
func (t MessageType) String() string {
	if s, ok := typeNames[t]; ok {
		return s
	}
	return "MessageType(" + strconv.Itoa(int(t)) + ")"
}

func idError(msg, field string, id uint64, zeroOK bool) error {
	if r := checkID(id, zeroOK); r != "" {
		return &ProtocolError{Message: msg, Field: field, Reason: r}
	}
	return nil
}

func uriError(msg, field, uri, match string) error {
	if uri == "" {
		return &ProtocolError{Message: msg, Field: field, Reason: "is required"}
	}
	if err := ValidateURI(uri, false, match); err != nil {
		return &ProtocolError{Message: msg, Field: field, Err: err}
	}
	return nil
}

// Hello is [HELLO, Realm|uri, Details|dict]: a client asks to join a realm.
type Hello struct {
	// Realm is the realm to join; "" is written as null (the router picks
	// one).
	Realm   string
	Details HelloDetails
}

// Type returns TypeHello.
func (m *Hello) Type() MessageType { return TypeHello }

// List returns the list form.
func (m *Hello) List() ([]any, error) {
	var realm any
	if m.Realm != "" {
		if err := uriError("HELLO", "Realm", m.Realm, MatchExact); err != nil {
			return nil, err
		}
		realm = m.Realm
	}
	d, err := m.Details.value("HELLO")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeHello), realm, d}, nil
}

// Welcome is [WELCOME, Session|id, Details|dict]: the router accepts a
// client into a realm.
type Welcome struct {
	Session uint64
	Details WelcomeDetails
}

// Type returns TypeWelcome.
func (m *Welcome) Type() MessageType { return TypeWelcome }

// List returns the list form.
func (m *Welcome) List() ([]any, error) {
	if err := idError("WELCOME", "Session", m.Session, false); err != nil {
		return nil, err
	}
	d, err := m.Details.value("WELCOME")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeWelcome), int64(m.Session), d}, nil
}

// Abort is [ABORT, Details|dict, Reason|uri]: the opening handshake failed.
type Abort struct {
	Details AbortDetails
	Reason  string
}

// Type returns TypeAbort.
func (m *Abort) Type() MessageType { return TypeAbort }

// List returns the list form.
func (m *Abort) List() ([]any, error) {
	if err := uriError("ABORT", "Reason", m.Reason, MatchExact); err != nil {
		return nil, err
	}
	d, err := m.Details.value("ABORT")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeAbort), d, m.Reason}, nil
}

// Challenge is [CHALLENGE, AuthMethod|string, Extra|dict]: the router
// challenges the client to authenticate.
type Challenge struct {
	AuthMethod string
	// Extra is method specific, e.g. {"challenge": "..."}; nil is written
	// as {}.
	Extra map[string]any
}

// Type returns TypeChallenge.
func (m *Challenge) Type() MessageType { return TypeChallenge }

// List returns the list form.
func (m *Challenge) List() ([]any, error) {
	return []any{int64(TypeChallenge), m.AuthMethod, dictOrEmpty(m.Extra)}, nil
}

// Authenticate is [AUTHENTICATE, Signature|string, Extra|dict]: the client
// answers a challenge.
type Authenticate struct {
	Signature string
	// Extra is method specific; nil is written as {}.
	Extra map[string]any
}

// Type returns TypeAuthenticate.
func (m *Authenticate) Type() MessageType { return TypeAuthenticate }

// List returns the list form.
func (m *Authenticate) List() ([]any, error) {
	return []any{int64(TypeAuthenticate), m.Signature, dictOrEmpty(m.Extra)}, nil
}

func dictOrEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Goodbye is [GOODBYE, Details|dict, Reason|uri]: either peer closes the
// session; the other answers with wamp.close.goodbye_and_out.
type Goodbye struct {
	Details GoodbyeDetails
	Reason  string
}

// Type returns TypeGoodbye.
func (m *Goodbye) Type() MessageType { return TypeGoodbye }

// List returns the list form.
func (m *Goodbye) List() ([]any, error) {
	if err := uriError("GOODBYE", "Reason", m.Reason, MatchExact); err != nil {
		return nil, err
	}
	d, err := m.Details.value("GOODBYE")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeGoodbye), d, m.Reason}, nil
}

// Error is [ERROR, REQUEST.Type|int, REQUEST.Request|id, Details|dict,
// Error|uri(, Args|list(, Kwargs|dict))], or with an opaque payload
// [..., Error|uri, Payload|binary]: a request failed.
type Error struct {
	// RequestType is the type of the failed request: SUBSCRIBE, UNSUBSCRIBE,
	// PUBLISH, REGISTER, UNREGISTER, CALL or INVOCATION.
	RequestType MessageType
	Request     uint64
	Details     ErrorDetails
	// Error is the error URI.
	Error   string
	Args    []any
	Kwargs  map[string]any
	Payload []byte
}

// Type returns TypeError.
func (m *Error) Type() MessageType { return TypeError }

// ApplicationError returns the error as an [*ApplicationError] (URI, Args,
// Kwargs).
func (m *Error) ApplicationError() *ApplicationError {
	return &ApplicationError{URI: m.Error, Args: m.Args, Kwargs: m.Kwargs}
}

func validErrorRequestType(t MessageType) bool {
	switch t {
	case TypeSubscribe, TypeUnsubscribe, TypePublish, TypeRegister, TypeUnregister, TypeCall, TypeInvocation:
		return true
	}
	return false
}

// List returns the list form.
func (m *Error) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Error) list(sc *listScratch) ([]any, error) {
	const msg = "ERROR"
	if !validErrorRequestType(m.RequestType) {
		return nil, &ProtocolError{Message: msg, Field: "RequestType", Reason: "must be one of 16, 32, 34, 48, 64, 66, 68, got " + strconv.Itoa(int(m.RequestType))}
	}
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := uriError(msg, "Error", m.Error, MatchExact); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Details", &m.Details.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	d, err := m.Details.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(5 + n)
	l[0], l[1], l[2], l[3], l[4] = int64(TypeError), int64(m.RequestType), int64(m.Request), d, m.Error
	putTail(l, 5, a, b, n)
	return l, nil
}

func putTail(l []any, pos int, a, b any, n int) {
	if n > 0 {
		l[pos] = a
	}
	if n > 1 {
		l[pos+1] = b
	}
}

// Publish is [PUBLISH, Request|id, Options|dict, Topic|uri(, Args|list(,
// Kwargs|dict))], or with an opaque payload [..., Topic|uri, Payload].
type Publish struct {
	Request uint64
	Options PublishOptions
	Topic   string
	Args    []any
	Kwargs  map[string]any
	Payload []byte
}

// Type returns TypePublish.
func (m *Publish) Type() MessageType { return TypePublish }

// List returns the list form.
func (m *Publish) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Publish) list(sc *listScratch) ([]any, error) {
	const msg = "PUBLISH"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := uriError(msg, "Topic", m.Topic, MatchExact); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Options", &m.Options.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	o, err := m.Options.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(4 + n)
	l[0], l[1], l[2], l[3] = int64(TypePublish), int64(m.Request), o, m.Topic
	putTail(l, 4, a, b, n)
	return l, nil
}

// Published is [PUBLISHED, PUBLISH.Request|id, Publication|id].
type Published struct {
	Request     uint64
	Publication uint64
}

// Type returns TypePublished.
func (m *Published) Type() MessageType { return TypePublished }

// List returns the list form.
func (m *Published) List() ([]any, error) {
	if err := idError("PUBLISHED", "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError("PUBLISHED", "Publication", m.Publication, false); err != nil {
		return nil, err
	}
	return []any{int64(TypePublished), int64(m.Request), int64(m.Publication)}, nil
}

// Subscribe is [SUBSCRIBE, Request|id, Options|dict, Topic|uri]. The topic
// is checked for Options.Match: empty components are allowed in the last
// place for prefix, anywhere for wildcard.
type Subscribe struct {
	Request uint64
	Options SubscribeOptions
	Topic   string
}

// Type returns TypeSubscribe.
func (m *Subscribe) Type() MessageType { return TypeSubscribe }

// List returns the list form.
func (m *Subscribe) List() ([]any, error) {
	const msg = "SUBSCRIBE"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	o, err := m.Options.value(msg)
	if err != nil {
		return nil, err
	}
	if err := patternError(msg, "Topic", m.Topic, m.Options.Match); err != nil {
		return nil, err
	}
	return []any{int64(TypeSubscribe), int64(m.Request), o, m.Topic}, nil
}

// patternError checks a topic or procedure for a match policy; an empty URI
// is a valid prefix or wildcard pattern.
func patternError(msg, field, uri, match string) error {
	if err := ValidateURI(uri, false, match); err != nil {
		return &ProtocolError{Message: msg, Field: field, Err: err}
	}
	return nil
}

// Subscribed is [SUBSCRIBED, SUBSCRIBE.Request|id, Subscription|id].
type Subscribed struct {
	Request      uint64
	Subscription uint64
}

// Type returns TypeSubscribed.
func (m *Subscribed) Type() MessageType { return TypeSubscribed }

// List returns the list form.
func (m *Subscribed) List() ([]any, error) {
	if err := idError("SUBSCRIBED", "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError("SUBSCRIBED", "Subscription", m.Subscription, false); err != nil {
		return nil, err
	}
	return []any{int64(TypeSubscribed), int64(m.Request), int64(m.Subscription)}, nil
}

// Unsubscribe is [UNSUBSCRIBE, Request|id, SUBSCRIBED.Subscription|id(,
// Options|dict)].
type Unsubscribe struct {
	Request      uint64
	Subscription uint64
	// Options are optional (Crossbar.io's forward_for); written only when
	// non-empty.
	Options map[string]any
}

// Type returns TypeUnsubscribe.
func (m *Unsubscribe) Type() MessageType { return TypeUnsubscribe }

// List returns the list form.
func (m *Unsubscribe) List() ([]any, error) {
	if err := idError("UNSUBSCRIBE", "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError("UNSUBSCRIBE", "Subscription", m.Subscription, false); err != nil {
		return nil, err
	}
	if len(m.Options) > 0 {
		return []any{int64(TypeUnsubscribe), int64(m.Request), int64(m.Subscription), m.Options}, nil
	}
	return []any{int64(TypeUnsubscribe), int64(m.Request), int64(m.Subscription)}, nil
}

// Unsubscribed is [UNSUBSCRIBED, UNSUBSCRIBE.Request|id(, Details|dict)].
// Request 0 with Details.Subscription set is a revocation by the broker.
type Unsubscribed struct {
	Request uint64
	// Details are written only when a field is set.
	Details UnsubscribedDetails
}

// Type returns TypeUnsubscribed.
func (m *Unsubscribed) Type() MessageType { return TypeUnsubscribed }

// List returns the list form.
func (m *Unsubscribed) List() ([]any, error) {
	const msg = "UNSUBSCRIBED"
	if err := checkRevocation(msg, m.Request, "subscription", m.Details.Subscription); err != nil {
		return nil, err
	}
	d, err := revocationValue(msg, "subscription", m.Details.Subscription, m.Details.Reason, m.Details.Extra, knows[UnsubscribedDetails])
	if err != nil {
		return nil, err
	}
	if d == nil {
		return []any{int64(TypeUnsubscribed), int64(m.Request)}, nil
	}
	return []any{int64(TypeUnsubscribed), int64(m.Request), d}, nil
}

// checkRevocation checks the request ID of UNSUBSCRIBED / UNREGISTERED: 0
// only for a revocation, which names the subscription or registration.
func checkRevocation(msg string, req uint64, idKey string, id uint64) error {
	if err := idError(msg, "Request", req, true); err != nil {
		return err
	}
	if req == 0 && id == 0 {
		return &ProtocolError{Message: msg, Field: "Details." + idKey, Reason: "is required when Request is 0 (revocation)"}
	}
	return nil
}

// Event is [EVENT, SUBSCRIBED.Subscription|id, PUBLISHED.Publication|id,
// Details|dict(, Args|list(, Kwargs|dict))], or with an opaque payload
// [..., Details|dict, Payload|binary].
type Event struct {
	Subscription uint64
	Publication  uint64
	Details      EventDetails
	Args         []any
	Kwargs       map[string]any
	Payload      []byte
}

// Type returns TypeEvent.
func (m *Event) Type() MessageType { return TypeEvent }

// List returns the list form.
func (m *Event) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Event) list(sc *listScratch) ([]any, error) {
	const msg = "EVENT"
	if err := idError(msg, "Subscription", m.Subscription, false); err != nil {
		return nil, err
	}
	if err := idError(msg, "Publication", m.Publication, false); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Details", &m.Details.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	d, err := m.Details.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(4 + n)
	l[0], l[1], l[2], l[3] = int64(TypeEvent), int64(m.Subscription), int64(m.Publication), d
	putTail(l, 4, a, b, n)
	return l, nil
}

// Call is [CALL, Request|id, Options|dict, Procedure|uri(, Args|list(,
// Kwargs|dict))], or with an opaque payload [..., Procedure|uri, Payload].
type Call struct {
	Request   uint64
	Options   CallOptions
	Procedure string
	Args      []any
	Kwargs    map[string]any
	Payload   []byte
}

// Type returns TypeCall.
func (m *Call) Type() MessageType { return TypeCall }

// List returns the list form.
func (m *Call) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Call) list(sc *listScratch) ([]any, error) {
	const msg = "CALL"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := uriError(msg, "Procedure", m.Procedure, MatchExact); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Options", &m.Options.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	o, err := m.Options.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(4 + n)
	l[0], l[1], l[2], l[3] = int64(TypeCall), int64(m.Request), o, m.Procedure
	putTail(l, 4, a, b, n)
	return l, nil
}

// Cancel is [CANCEL, CALL.Request|id, Options|dict].
type Cancel struct {
	Request uint64
	Options CancelOptions
}

// Type returns TypeCancel.
func (m *Cancel) Type() MessageType { return TypeCancel }

// List returns the list form.
func (m *Cancel) List() ([]any, error) {
	if err := idError("CANCEL", "Request", m.Request, false); err != nil {
		return nil, err
	}
	o, err := m.Options.value("CANCEL")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeCancel), int64(m.Request), o}, nil
}

// Result is [RESULT, CALL.Request|id, Details|dict(, Args|list(,
// Kwargs|dict))], or with an opaque payload [..., Details|dict, Payload].
type Result struct {
	Request uint64
	Details ResultDetails
	Args    []any
	Kwargs  map[string]any
	Payload []byte
}

// Type returns TypeResult.
func (m *Result) Type() MessageType { return TypeResult }

// List returns the list form.
func (m *Result) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Result) list(sc *listScratch) ([]any, error) {
	const msg = "RESULT"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Details", &m.Details.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	d, err := m.Details.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(3 + n)
	l[0], l[1], l[2] = int64(TypeResult), int64(m.Request), d
	putTail(l, 3, a, b, n)
	return l, nil
}

// Register is [REGISTER, Request|id, Options|dict, Procedure|uri]. The
// procedure is checked for Options.Match.
type Register struct {
	Request   uint64
	Options   RegisterOptions
	Procedure string
}

// Type returns TypeRegister.
func (m *Register) Type() MessageType { return TypeRegister }

// List returns the list form.
func (m *Register) List() ([]any, error) {
	const msg = "REGISTER"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	o, err := m.Options.value(msg)
	if err != nil {
		return nil, err
	}
	if err := patternError(msg, "Procedure", m.Procedure, m.Options.Match); err != nil {
		return nil, err
	}
	return []any{int64(TypeRegister), int64(m.Request), o, m.Procedure}, nil
}

// Registered is [REGISTERED, REGISTER.Request|id, Registration|id].
type Registered struct {
	Request      uint64
	Registration uint64
}

// Type returns TypeRegistered.
func (m *Registered) Type() MessageType { return TypeRegistered }

// List returns the list form.
func (m *Registered) List() ([]any, error) {
	if err := idError("REGISTERED", "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError("REGISTERED", "Registration", m.Registration, false); err != nil {
		return nil, err
	}
	return []any{int64(TypeRegistered), int64(m.Request), int64(m.Registration)}, nil
}

// Unregister is [UNREGISTER, Request|id, REGISTERED.Registration|id(,
// Options|dict)].
type Unregister struct {
	Request      uint64
	Registration uint64
	// Options are optional (Crossbar.io's forward_for); written only when
	// non-empty.
	Options map[string]any
}

// Type returns TypeUnregister.
func (m *Unregister) Type() MessageType { return TypeUnregister }

// List returns the list form.
func (m *Unregister) List() ([]any, error) {
	if err := idError("UNREGISTER", "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError("UNREGISTER", "Registration", m.Registration, false); err != nil {
		return nil, err
	}
	if len(m.Options) > 0 {
		return []any{int64(TypeUnregister), int64(m.Request), int64(m.Registration), m.Options}, nil
	}
	return []any{int64(TypeUnregister), int64(m.Request), int64(m.Registration)}, nil
}

// Unregistered is [UNREGISTERED, UNREGISTER.Request|id(, Details|dict)].
// Request 0 with Details.Registration set is a revocation by the dealer.
type Unregistered struct {
	Request uint64
	// Details are written only when a field is set.
	Details UnregisteredDetails
}

// Type returns TypeUnregistered.
func (m *Unregistered) Type() MessageType { return TypeUnregistered }

// List returns the list form.
func (m *Unregistered) List() ([]any, error) {
	const msg = "UNREGISTERED"
	if err := checkRevocation(msg, m.Request, "registration", m.Details.Registration); err != nil {
		return nil, err
	}
	d, err := revocationValue(msg, "registration", m.Details.Registration, m.Details.Reason, m.Details.Extra, knows[UnregisteredDetails])
	if err != nil {
		return nil, err
	}
	if d == nil {
		return []any{int64(TypeUnregistered), int64(m.Request)}, nil
	}
	return []any{int64(TypeUnregistered), int64(m.Request), d}, nil
}

// Invocation is [INVOCATION, Request|id, REGISTERED.Registration|id,
// Details|dict(, Args|list(, Kwargs|dict))], or with an opaque payload
// [..., Details|dict, Payload|binary].
type Invocation struct {
	Request      uint64
	Registration uint64
	Details      InvocationDetails
	Args         []any
	Kwargs       map[string]any
	Payload      []byte
}

// Type returns TypeInvocation.
func (m *Invocation) Type() MessageType { return TypeInvocation }

// List returns the list form.
func (m *Invocation) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Invocation) list(sc *listScratch) ([]any, error) {
	const msg = "INVOCATION"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	if err := idError(msg, "Registration", m.Registration, false); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Details", &m.Details.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	d, err := m.Details.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(4 + n)
	l[0], l[1], l[2], l[3] = int64(TypeInvocation), int64(m.Request), int64(m.Registration), d
	putTail(l, 4, a, b, n)
	return l, nil
}

// Interrupt is [INTERRUPT, INVOCATION.Request|id, Options|dict].
type Interrupt struct {
	Request uint64
	Options InterruptOptions
}

// Type returns TypeInterrupt.
func (m *Interrupt) Type() MessageType { return TypeInterrupt }

// List returns the list form.
func (m *Interrupt) List() ([]any, error) {
	if err := idError("INTERRUPT", "Request", m.Request, false); err != nil {
		return nil, err
	}
	o, err := m.Options.value("INTERRUPT")
	if err != nil {
		return nil, err
	}
	return []any{int64(TypeInterrupt), int64(m.Request), o}, nil
}

// Yield is [YIELD, INVOCATION.Request|id, Options|dict(, Args|list(,
// Kwargs|dict))], or with an opaque payload [..., Options|dict, Payload].
type Yield struct {
	Request uint64
	Options YieldOptions
	Args    []any
	Kwargs  map[string]any
	Payload []byte
}

// Type returns TypeYield.
func (m *Yield) Type() MessageType { return TypeYield }

// List returns the list form.
func (m *Yield) List() ([]any, error) { return m.list(nil) }

// list builds the list form in sc (fresh memory when sc is nil).
func (m *Yield) list(sc *listScratch) ([]any, error) {
	const msg = "YIELD"
	if err := idError(msg, "Request", m.Request, false); err != nil {
		return nil, err
	}
	a, b, n, err := tail(msg, "Options", &m.Options.Passthru, m.Args, m.Kwargs, m.Payload)
	if err != nil {
		return nil, err
	}
	o, err := m.Options.value(msg, sc)
	if err != nil {
		return nil, err
	}
	l := sc.list(3 + n)
	l[0], l[1], l[2] = int64(TypeYield), int64(m.Request), o
	putTail(l, 3, a, b, n)
	return l, nil
}
