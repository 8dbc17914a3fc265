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
// The message takes ownership of the values in v (Args, Kwargs, Extra values
// are not copied).
func ParseMessage(v any) (Message, error) {
	l, ok := v.([]any)
	if !ok {
		return nil, &ProtocolError{Reason: mustBe("a non-empty list", v)}
	}
	if len(l) == 0 {
		return nil, &ProtocolError{Reason: "must be a non-empty list, got an empty list"}
	}
	var code int64
	switch c := l[0].(type) {
	case int64:
		code = c
	case uint64:
		return nil, &ProtocolError{Field: "Type", Reason: "unknown message type " + strconv.FormatUint(c, 10)}
	default:
		return nil, &ProtocolError{Field: "Type", Reason: mustBe("an integer message type", c)}
	}
	switch MessageType(code) {
	case TypeHello:
		return parseHello(l)
	case TypeWelcome:
		return parseWelcome(l)
	case TypeAbort:
		return parseAbort(l)
	case TypeChallenge:
		return parseChallenge(l)
	case TypeAuthenticate:
		return parseAuthenticate(l)
	case TypeGoodbye:
		return parseGoodbye(l)
	case TypeError:
		return parseError(l)
	case TypePublish:
		return parsePublish(l)
	case TypePublished:
		return parsePublished(l)
	case TypeSubscribe:
		return parseSubscribe(l)
	case TypeSubscribed:
		return parseSubscribed(l)
	case TypeUnsubscribe:
		return parseUnsubscribe(l)
	case TypeUnsubscribed:
		return parseUnsubscribed(l)
	case TypeEvent:
		return parseEvent(l)
	case TypeCall:
		return parseCall(l)
	case TypeCancel:
		return parseCancel(l)
	case TypeResult:
		return parseResult(l)
	case TypeRegister:
		return parseRegister(l)
	case TypeRegistered:
		return parseRegistered(l)
	case TypeUnregister:
		return parseUnregister(l)
	case TypeUnregistered:
		return parseUnregistered(l)
	case TypeInvocation:
		return parseInvocation(l)
	case TypeInterrupt:
		return parseInterrupt(l)
	case TypeYield:
		return parseYield(l)
	}
	return nil, &ProtocolError{Field: "Type", Reason: "unknown message type " + strconv.FormatInt(code, 10)}
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

func parseHello(l []any) (Message, error) {
	const msg = "HELLO"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Hello{}
	if l[1] != nil {
		realm, err := getURI(msg, "Realm", l[1], MatchExact)
		if err != nil {
			return nil, err
		}
		m.Realm = realm
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if err := m.Details.check(msg); err != nil {
		return nil, err
	}
	return m, nil
}

func parseWelcome(l []any) (Message, error) {
	const msg = "WELCOME"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Welcome{}
	var err error
	if m.Session, err = getID(msg, "Session", l[1], false); err != nil {
		return nil, err
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if err := m.Details.check(msg); err != nil {
		return nil, err
	}
	return m, nil
}

func parseAbort(l []any) (Message, error) {
	const msg = "ABORT"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Abort{}
	d, err := getDict(msg, "Details", l[1])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if m.Reason, err = getURI(msg, "Reason", l[2], MatchExact); err != nil {
		return nil, err
	}
	return m, nil
}

func parseChallenge(l []any) (Message, error) {
	const msg = "CHALLENGE"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Challenge{}
	var err error
	if m.AuthMethod, err = getString(msg, "AuthMethod", l[1]); err != nil {
		return nil, err
	}
	if m.Extra, err = getDict(msg, "Extra", l[2]); err != nil {
		return nil, err
	}
	return m, nil
}

func parseAuthenticate(l []any) (Message, error) {
	const msg = "AUTHENTICATE"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Authenticate{}
	var err error
	if m.Signature, err = getString(msg, "Signature", l[1]); err != nil {
		return nil, err
	}
	if m.Extra, err = getDict(msg, "Extra", l[2]); err != nil {
		return nil, err
	}
	return m, nil
}

func parseGoodbye(l []any) (Message, error) {
	const msg = "GOODBYE"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Goodbye{}
	d, err := getDict(msg, "Details", l[1])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if m.Reason, err = getURI(msg, "Reason", l[2], MatchExact); err != nil {
		return nil, err
	}
	return m, nil
}

func parseError(l []any) (Message, error) {
	const msg = "ERROR"
	if err := arity(msg, l, 5, 7); err != nil {
		return nil, err
	}
	m := &Error{}
	rt, ok := l[1].(int64)
	if !ok || !validErrorRequestType(MessageType(rt)) {
		r := mustBe("one of 16, 32, 34, 48, 64, 66, 68", l[1])
		if ok {
			r = "must be one of 16, 32, 34, 48, 64, 66, 68, got " + strconv.FormatInt(rt, 10)
		}
		return nil, &ProtocolError{Message: msg, Field: "RequestType", Reason: r}
	}
	m.RequestType = MessageType(rt)
	var err error
	if m.Request, err = getID(msg, "Request", l[2], false); err != nil {
		return nil, err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if m.Error, err = getURI(msg, "Error", l[4], MatchExact); err != nil {
		return nil, err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 5, &m.Details.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parsePublish(l []any) (Message, error) {
	const msg = "PUBLISH"
	if err := arity(msg, l, 4, 6); err != nil {
		return nil, err
	}
	m := &Publish{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return nil, err
	}
	if m.Topic, err = getURI(msg, "Topic", l[3], MatchExact); err != nil {
		return nil, err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 4, &m.Options.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parsePublished(l []any) (Message, error) {
	const msg = "PUBLISHED"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Published{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Publication, err = getID(msg, "Publication", l[2], false); err != nil {
		return nil, err
	}
	return m, nil
}

func parseSubscribe(l []any) (Message, error) {
	const msg = "SUBSCRIBE"
	if err := arity(msg, l, 4, 4); err != nil {
		return nil, err
	}
	m := &Subscribe{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return nil, err
	}
	if m.Options.Match == "" {
		m.Options.Match = MatchExact
	}
	if m.Topic, err = getURI(msg, "Topic", l[3], m.Options.Match); err != nil {
		return nil, err
	}
	return m, nil
}

func parseSubscribed(l []any) (Message, error) {
	const msg = "SUBSCRIBED"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Subscribed{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Subscription, err = getID(msg, "Subscription", l[2], false); err != nil {
		return nil, err
	}
	return m, nil
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

func parseUnsubscribe(l []any) (Message, error) {
	const msg = "UNSUBSCRIBE"
	if err := arity(msg, l, 3, 4); err != nil {
		return nil, err
	}
	m := &Unsubscribe{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Subscription, err = getID(msg, "Subscription", l[2], false); err != nil {
		return nil, err
	}
	if m.Options, err = optionalOptions(msg, l); err != nil {
		return nil, err
	}
	return m, nil
}

func parseUnsubscribed(l []any) (Message, error) {
	const msg = "UNSUBSCRIBED"
	if err := arity(msg, l, 2, 3); err != nil {
		return nil, err
	}
	m := &Unsubscribed{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], true); err != nil {
		return nil, err
	}
	if len(l) == 3 {
		d, err := getDict(msg, "Details", l[2])
		if err != nil {
			return nil, err
		}
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return nil, err
		}
	}
	if err := checkRevocation(msg, m.Request, "subscription", m.Details.Subscription); err != nil {
		return nil, err
	}
	return m, nil
}

func parseEvent(l []any) (Message, error) {
	const msg = "EVENT"
	if err := arity(msg, l, 4, 6); err != nil {
		return nil, err
	}
	m := &Event{}
	var err error
	if m.Subscription, err = getID(msg, "Subscription", l[1], false); err != nil {
		return nil, err
	}
	if m.Publication, err = getID(msg, "Publication", l[2], false); err != nil {
		return nil, err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
		return nil, err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 4, &m.Details.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parseCall(l []any) (Message, error) {
	const msg = "CALL"
	if err := arity(msg, l, 4, 6); err != nil {
		return nil, err
	}
	m := &Call{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if len(o) > 0 {
		if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
			return nil, err
		}
	}
	if m.Procedure, err = getURI(msg, "Procedure", l[3], MatchExact); err != nil {
		return nil, err
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 4, &m.Options.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parseCancel(l []any) (Message, error) {
	const msg = "CANCEL"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Cancel{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return nil, err
	}
	return m, nil
}

func parseResult(l []any) (Message, error) {
	const msg = "RESULT"
	if err := arity(msg, l, 3, 5); err != nil {
		return nil, err
	}
	m := &Result{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	d, err := getDict(msg, "Details", l[2])
	if err != nil {
		return nil, err
	}
	if len(d) > 0 {
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return nil, err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 3, &m.Details.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parseRegister(l []any) (Message, error) {
	const msg = "REGISTER"
	if err := arity(msg, l, 4, 4); err != nil {
		return nil, err
	}
	m := &Register{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return nil, err
	}
	if m.Options.Match == "" {
		m.Options.Match = MatchExact
	}
	if m.Options.Invoke == "" {
		m.Options.Invoke = InvokeSingle
	}
	if m.Procedure, err = getURI(msg, "Procedure", l[3], m.Options.Match); err != nil {
		return nil, err
	}
	return m, nil
}

func parseRegistered(l []any) (Message, error) {
	const msg = "REGISTERED"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Registered{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return nil, err
	}
	return m, nil
}

func parseUnregister(l []any) (Message, error) {
	const msg = "UNREGISTER"
	if err := arity(msg, l, 3, 4); err != nil {
		return nil, err
	}
	m := &Unregister{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return nil, err
	}
	if m.Options, err = optionalOptions(msg, l); err != nil {
		return nil, err
	}
	return m, nil
}

func parseUnregistered(l []any) (Message, error) {
	const msg = "UNREGISTERED"
	if err := arity(msg, l, 2, 3); err != nil {
		return nil, err
	}
	m := &Unregistered{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], true); err != nil {
		return nil, err
	}
	if len(l) == 3 {
		d, err := getDict(msg, "Details", l[2])
		if err != nil {
			return nil, err
		}
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return nil, err
		}
	}
	if err := checkRevocation(msg, m.Request, "registration", m.Details.Registration); err != nil {
		return nil, err
	}
	return m, nil
}

func parseInvocation(l []any) (Message, error) {
	const msg = "INVOCATION"
	if err := arity(msg, l, 4, 6); err != nil {
		return nil, err
	}
	m := &Invocation{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	if m.Registration, err = getID(msg, "Registration", l[2], false); err != nil {
		return nil, err
	}
	d, err := getDict(msg, "Details", l[3])
	if err != nil {
		return nil, err
	}
	if len(d) > 0 {
		if err := parseDict(msg, "Details", d, &m.Details, &m.Details.Extra); err != nil {
			return nil, err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Details", l, 4, &m.Details.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}

func parseInterrupt(l []any) (Message, error) {
	const msg = "INTERRUPT"
	if err := arity(msg, l, 3, 3); err != nil {
		return nil, err
	}
	m := &Interrupt{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
		return nil, err
	}
	return m, nil
}

func parseYield(l []any) (Message, error) {
	const msg = "YIELD"
	if err := arity(msg, l, 3, 5); err != nil {
		return nil, err
	}
	m := &Yield{}
	var err error
	if m.Request, err = getID(msg, "Request", l[1], false); err != nil {
		return nil, err
	}
	o, err := getDict(msg, "Options", l[2])
	if err != nil {
		return nil, err
	}
	if len(o) > 0 {
		if err := parseDict(msg, "Options", o, &m.Options, &m.Options.Extra); err != nil {
			return nil, err
		}
	}
	if m.Args, m.Kwargs, m.Payload, err = parseTail(msg, "Options", l, 3, &m.Options.Passthru); err != nil {
		return nil, err
	}
	return m, nil
}
