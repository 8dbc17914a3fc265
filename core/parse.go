package core

import "strconv"

// ParseMessage converts the generic list form of a message, as decoded by an
// [ObjectSerializer], into its typed message (*Hello … *Yield), validating it
// exactly: a non-empty list starting with a known message code, the number
// of elements, the type of each element, IDs in [1, 2^53] (0 only for a
// revocation), URIs (loose rules; routers re-check strictly with
// [ValidateURI] where configured) and the type and value of every known
// option and detail. Unknown options and details are kept in the Extra maps.
//
// Every rejection is a [*ProtocolError] naming the message, the field and
// the reason, e.g. "CALL.Options.timeout: must be a non-negative integer,
// got float64".
//
// The message takes ownership of the values in v: Args, Kwargs, Extra values
// and dicts kept as they are (Challenge.Extra, Unsubscribe.Options, …) are
// the decoded []any and map[string]any themselves, not copies, so the caller
// must not modify v afterwards.
func ParseMessage(v any) (Message, error) {
	m, _, err := parseMessage(v, false)
	return m, err
}

// parseMessage is ParseMessage; with one set, it also returns the message
// as a one-element []Message, allocated together with it (for Unserialize).
func parseMessage(v any, one bool) (Message, []Message, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, nil, &ProtocolError{Reason: mustBe("a non-empty list", v)}
	}
	if len(l) == 0 {
		return nil, nil, &ProtocolError{Reason: "must be a non-empty list, got an empty list"}
	}
	var code int64
	switch c := l[0].(type) {
	case int64:
		code = c
	case uint64:
		return nil, nil, &ProtocolError{Field: "Type", Reason: "unknown message type " + strconv.FormatUint(c, 10)}
	default:
		return nil, nil, &ProtocolError{Field: "Type", Reason: mustBe("an integer message type", c)}
	}
	switch MessageType(code) {
	case TypeHello:
		return parseAs(l, parseHello, one)
	case TypeWelcome:
		return parseAs(l, parseWelcome, one)
	case TypeAbort:
		return parseAs(l, parseAbort, one)
	case TypeChallenge:
		return parseAs(l, parseChallenge, one)
	case TypeAuthenticate:
		return parseAs(l, parseAuthenticate, one)
	case TypeGoodbye:
		return parseAs(l, parseGoodbye, one)
	case TypeError:
		return parseAs(l, parseError, one)
	case TypePublish:
		return parseAs(l, parsePublish, one)
	case TypePublished:
		return parseAs(l, parsePublished, one)
	case TypeSubscribe:
		return parseAs(l, parseSubscribe, one)
	case TypeSubscribed:
		return parseAs(l, parseSubscribed, one)
	case TypeUnsubscribe:
		return parseAs(l, parseUnsubscribe, one)
	case TypeUnsubscribed:
		return parseAs(l, parseUnsubscribed, one)
	case TypeEvent:
		return parseAs(l, parseEvent, one)
	case TypeCall:
		return parseAs(l, parseCall, one)
	case TypeCancel:
		return parseAs(l, parseCancel, one)
	case TypeResult:
		return parseAs(l, parseResult, one)
	case TypeRegister:
		return parseAs(l, parseRegister, one)
	case TypeRegistered:
		return parseAs(l, parseRegistered, one)
	case TypeUnregister:
		return parseAs(l, parseUnregister, one)
	case TypeUnregistered:
		return parseAs(l, parseUnregistered, one)
	case TypeInvocation:
		return parseAs(l, parseInvocation, one)
	case TypeInterrupt:
		return parseAs(l, parseInterrupt, one)
	case TypeYield:
		return parseAs(l, parseYield, one)
	}
	return nil, nil, &ProtocolError{Field: "Type", Reason: "unknown message type " + strconv.FormatInt(code, 10)}
}

// parseAs parses l into a new message of type T with parse. With one set, it
// allocates the message together with the one-element []Message that holds
// it, and returns that too.
func parseAs[T any, P interface {
	*T
	Message
}](l []any, parse func([]any, P) error, one bool) (Message, []Message, error) {
	if !one {
		m := P(new(T))
		if err := parse(l, m); err != nil {
			return nil, nil, err
		}
		return m, nil, nil
	}
	b := new(struct {
		msg  T
		msgs [1]Message
	})
	m := P(&b.msg)
	if err := parse(l, m); err != nil {
		return nil, nil, err
	}
	b.msgs[0] = m
	return m, b.msgs[:], nil
}

// arity checks the number of elements.
func arity(msg string, l []any, lo, hi int) error {
	if len(l) >= lo && len(l) <= hi {
		return nil
	}
	want := strconv.Itoa(lo)
	if hi != lo {
		want += " to " + strconv.Itoa(hi)
	}
	return &ProtocolError{Message: msg, Reason: "must have " + want + " elements, got " + strconv.Itoa(len(l))}
}

func getID(msg, field string, v any, zeroOK bool) (uint64, error) {
	id, r := asID(v, zeroOK)
	if r != "" {
		return 0, &ProtocolError{Message: msg, Field: field, Reason: r}
	}
	return id, nil
}

func getDict(msg, field string, v any) (map[string]any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &ProtocolError{Message: msg, Field: field, Reason: mustBe("a dict", v)}
	}
	return m, nil
}

func getString(msg, field string, v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", &ProtocolError{Message: msg, Field: field, Reason: mustBe("a string", v)}
	}
	return s, nil
}

func getURI(msg, field string, v any, match string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", &ProtocolError{Message: msg, Field: field, Reason: mustBe("a URI string", v)}
	}
	if err := ValidateURI(s, false, match); err != nil {
		return "", &ProtocolError{Message: msg, Field: field, Err: err}
	}
	return s, nil
}

func parseHello(l []any, m *Hello) error {
	const msg = "HELLO"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	if l[1] != nil {
		realm, err := getURI(msg, "Realm", l[1], MatchExact)
		if err != nil {
			return err
		}
		m.Realm = realm
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if err := m.Details.check(msg); err != nil {
		return err
	}
	return nil
}

func parseWelcome(l []any, m *Welcome) error {
	const msg = "WELCOME"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Session, err = getID(msg, "Session", l[1], false); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if err := m.Details.check(msg); err != nil {
		return err
	}
	return nil
}

func parseAbort(l []any, m *Abort) error {
	const msg = "ABORT"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[1])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if m.Reason, err = getURI(msg, "Reason", l[2], MatchExact); err != nil {
		return err
	}
	return nil
}

func parseChallenge(l []any, m *Challenge) error {
	const msg = "CHALLENGE"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.AuthMethod, err = getString(msg, "AuthMethod", l[1]); err != nil {
		return err
	}
	if m.Extra, err = getDict(msg, "Extra", l[2]); err != nil {
		return err
	}
	return nil
}

func parseAuthenticate(l []any, m *Authenticate) error {
	const msg = "AUTHENTICATE"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Signature, err = getString(msg, "Signature", l[1]); err != nil {
		return err
	}
	if m.Extra, err = getDict(msg, "Extra", l[2]); err != nil {
		return err
	}
	return nil
}

func parseGoodbye(l []any, m *Goodbye) error {
	const msg = "GOODBYE"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[1])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if m.Reason, err = getURI(msg, "Reason", l[2], MatchExact); err != nil {
		return err
	}
	return nil
}

func parseError(l []any, m *Error) error {
	const msg = "ERROR"
	if err := arity(msg, l, 5, 7); err != nil {
		return err
	}
	rt, ok := l[1].(int64)
	if !ok || !validErrorRequestType(MessageType(rt)) {
		r := mustBe("one of 16, 32, 34, 48, 64, 66, 68", l[1])
		if ok {
			r = "must be one of 16, 32, 34, 48, 64, 66, 68, got " + strconv.FormatInt(rt, 10)
		}
		return &ProtocolError{Message: msg, Field: "RequestType", Reason: r}
	}
	m.RequestType = MessageType(rt)
	var err error
	if m.Request, err = getID(msg, "Request", l[2], false); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if m.Error, err = getURI(msg, "Error", l[4], MatchExact); err != nil {
		return err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 5, &m.Details.Passthru); err != nil {
		return err
	}
	return nil
}

func parsePublish(l []any, m *Publish) error {
	const msg = "PUBLISH"
	if err := arity(msg, l, 4, 6); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return err
	}
	if m.Topic, err = getURI(msg, "Topic", l[3], MatchExact); err != nil {
		return err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 4, &m.Options.Passthru); err != nil {
		return err
	}
	return nil
}

func parsePublished(l []any, m *Published) error {
	const msg = "PUBLISHED"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Publication, err = getID(msg, "Publication", l[2], false); err != nil {
		return err
	}
	return nil
}

func parseSubscribe(l []any, m *Subscribe) error {
	const msg = "SUBSCRIBE"
	if err := arity(msg, l, 4, 4); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return err
	}
	if m.Options.Match == "" {
		m.Options.Match = MatchExact
	}
	if m.Topic, err = getURI(msg, "Topic", l[3], m.Options.Match); err != nil {
		return err
	}
	return nil
}

func parseSubscribed(l []any, m *Subscribed) error {
	const msg = "SUBSCRIBED"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Subscription, err = getID(msg, "Subscription", l[2], false); err != nil {
		return err
	}
	return nil
}

// optionalOptions parses the optional fourth element of UNSUBSCRIBE and
// UNREGISTER.
func optionalOptions(msg string, l []any) (map[string]any, error) {
	if len(l) < 4 {
		return nil, nil
	}
	o, err := getDict(msg, "Options", l[3])
	if err != nil || len(o) == 0 {
		return nil, err
	}
	return o, nil
}

func parseUnsubscribe(l []any, m *Unsubscribe) error {
	const msg = "UNSUBSCRIBE"
	if err := arity(msg, l, 3, 4); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Subscription, err = getID(msg, "Subscription", l[2], false); err != nil {
		return err
	}
	if m.Options, err = optionalOptions(msg, l); err != nil {
		return err
	}
	return nil
}

func parseUnsubscribed(l []any, m *Unsubscribed) error {
	const msg = "UNSUBSCRIBED"
	if err := arity(msg, l, 2, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], true); err != nil {
		return err
	}
	if len(l) == 3 {
		d, err := getDict(msg, "Details", l[2])
		if err != nil {
			return err
		}
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return err
		}
	}
	if err := checkRevocation(msg, m.Request, "subscription", m.Details.Subscription); err != nil {
		return err
	}
	return nil
}

func parseEvent(l []any, m *Event) error {
	const msg = "EVENT"
	if err := arity(msg, l, 4, 6); err != nil {
		return err
	}
	var err error
	if m.Subscription, err = getID(msg, "Subscription", l[1], false); err != nil {
		return err
	}
	if m.Publication, err = getID(msg, "Publication", l[2], false); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 4, &m.Details.Passthru); err != nil {
		return err
	}
	return nil
}

func parseCall(l []any, m *Call) error {
	const msg = "CALL"
	if err := arity(msg, l, 4, 6); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if len(o) > 0 {
		if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
			return err
		}
	}
	if m.Procedure, err = getURI(msg, "Procedure", l[3], MatchExact); err != nil {
		return err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 4, &m.Options.Passthru); err != nil {
		return err
	}
	return nil
}

func parseCancel(l []any, m *Cancel) error {
	const msg = "CANCEL"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return err
	}
	return nil
}

func parseResult(l []any, m *Result) error {
	const msg = "RESULT"
	if err := arity(msg, l, 3, 5); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return err
	}
	if len(d) > 0 {
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 3, &m.Details.Passthru); err != nil {
		return err
	}
	return nil
}

func parseRegister(l []any, m *Register) error {
	const msg = "REGISTER"
	if err := arity(msg, l, 4, 4); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return err
	}
	if m.Options.Match == "" {
		m.Options.Match = MatchExact
	}
	if m.Options.Invoke == "" {
		m.Options.Invoke = InvokeSingle
	}
	if m.Procedure, err = getURI(msg, "Procedure", l[3], m.Options.Match); err != nil {
		return err
	}
	return nil
}

func parseRegistered(l []any, m *Registered) error {
	const msg = "REGISTERED"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return err
	}
	return nil
}

func parseUnregister(l []any, m *Unregister) error {
	const msg = "UNREGISTER"
	if err := arity(msg, l, 3, 4); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return err
	}
	if m.Options, err = optionalOptions(msg, l); err != nil {
		return err
	}
	return nil
}

func parseUnregistered(l []any, m *Unregistered) error {
	const msg = "UNREGISTERED"
	if err := arity(msg, l, 2, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], true); err != nil {
		return err
	}
	if len(l) == 3 {
		d, err := getDict(msg, "Details", l[2])
		if err != nil {
			return err
		}
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return err
		}
	}
	if err := checkRevocation(msg, m.Request, "registration", m.Details.Registration); err != nil {
		return err
	}
	return nil
}

func parseInvocation(l []any, m *Invocation) error {
	const msg = "INVOCATION"
	if err := arity(msg, l, 4, 6); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return err
	}
	if len(d) > 0 {
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 4, &m.Details.Passthru); err != nil {
		return err
	}
	return nil
}

func parseInterrupt(l []any, m *Interrupt) error {
	const msg = "INTERRUPT"
	if err := arity(msg, l, 3, 3); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return err
	}
	return nil
}

func parseYield(l []any, m *Yield) error {
	const msg = "YIELD"
	if err := arity(msg, l, 3, 5); err != nil {
		return err
	}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return err
	}
	if len(o) > 0 {
		if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
			return err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 3, &m.Options.Passthru); err != nil {
		return err
	}
	return nil
}
