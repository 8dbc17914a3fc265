package core

// The application payload at the end of ERROR, PUBLISH, EVENT, CALL, RESULT,
// INVOCATION and YIELD: either Args and Kwargs, or an opaque payload when the
// Passthru fields name a scheme.

// parseTail parses the elements l[pos:] (at most two: Args, Kwargs).
func parseTail(msg, sect string, l []any, pos int, pt *Passthru) (args []any, kwargs map[string]any, payload []byte, err error) {
	rest := l[pos:]
	if k := pt.orphan(); k != "" {
		return nil, nil, nil, &ProtocolError{Message: msg, Field: sect + "." + k, Reason: "is set without " + schemeKeyFor(k)}
	}
	if pt.EncAlgo == "" && pt.PPTScheme == "" {
		if len(rest) == 0 {
			return nil, nil, nil, nil
		}
		switch a := rest[0].(type) {
		case []any:
			args = a
		case nil:
		case []byte:
			return nil, nil, nil, &ProtocolError{Message: msg, Field: "Args", Reason: "an opaque payload ([]byte) needs enc_algo or ppt_scheme in " + sect}
		default:
			return nil, nil, nil, &ProtocolError{Message: msg, Field: "Args", Reason: mustBe("a list", a)}
		}
		if len(args) == 0 {
			args = nil
		}
		if len(rest) == 2 {
			kw, ok := rest[1].(map[string]any)
			if !ok {
				return nil, nil, nil, &ProtocolError{Message: msg, Field: "Kwargs", Reason: mustBe("a dict", rest[1])}
			}
			if len(kw) > 0 {
				kwargs = kw
			}
		}
		return args, kwargs, nil, nil
	}
	scheme := "ppt_scheme"
	if pt.EncAlgo != "" {
		scheme = "enc_algo"
	}
	if len(rest) == 0 {
		return nil, nil, nil, &ProtocolError{Message: msg, Field: "Args", Reason: "the opaque payload is missing (" + sect + "." + scheme + " is set)"}
	}
	switch a := rest[0].(type) {
	case []byte:
		payload = nonNil(a)
	case []any:
		if pt.EncAlgo == "" && len(a) == 1 {
			if b, ok := a[0].([]byte); ok {
				payload = nonNil(b)
			}
		}
	}
	if payload == nil {
		return nil, nil, nil, &ProtocolError{Message: msg, Field: "Args", Reason: "must hold the opaque payload as []byte (" + sect + "." + scheme + " is set), got " + kindOf(rest[0])}
	}
	if len(rest) == 2 {
		kw, ok := rest[1].(map[string]any)
		if !ok || len(kw) > 0 || pt.EncAlgo != "" {
			return nil, nil, nil, &ProtocolError{Message: msg, Field: "Kwargs", Reason: "must be absent with an opaque payload (" + sect + "." + scheme + " is set), got " + kindOf(rest[1])}
		}
	}
	return nil, nil, payload, nil
}

func schemeKeyFor(k string) string {
	if k[:4] == "enc_" {
		return "enc_algo"
	}
	return "ppt_scheme"
}

// tail returns the elements that follow the fixed part of a message: n is 0,
// 1 (a) or 2 (a, b). It follows Autobahn: Kwargs only when non-empty, and
// then Args too (an empty list if need be); Args only when non-empty.
func tail(msg, sect string, pt *Passthru, args []any, kwargs map[string]any, payload []byte) (a, b any, n int, err error) {
	if k := pt.orphan(); k != "" {
		return nil, nil, 0, &ProtocolError{Message: msg, Field: sect + "." + k, Reason: "is set without " + schemeKeyFor(k)}
	}
	if pt.EncAlgo == "" && pt.PPTScheme == "" {
		if payload != nil {
			return nil, nil, 0, &ProtocolError{Message: msg, Field: "Payload", Reason: "an opaque payload needs " + sect + ".enc_algo or " + sect + ".ppt_scheme"}
		}
		switch {
		case len(kwargs) > 0:
			if args == nil {
				args = []any{}
			}
			return args, kwargs, 2, nil
		case len(args) > 0:
			return args, nil, 1, nil
		}
		return nil, nil, 0, nil
	}
	if payload == nil {
		return nil, nil, 0, &ProtocolError{Message: msg, Field: "Payload", Reason: "is required when " + sect + ".enc_algo or " + sect + ".ppt_scheme is set"}
	}
	if len(args) > 0 || len(kwargs) > 0 {
		return nil, nil, 0, &ProtocolError{Message: msg, Field: "Args", Reason: "must be empty with an opaque payload, and so must Kwargs"}
	}
	if pt.EncAlgo != "" {
		return payload, nil, 1, nil
	}
	return []any{payload}, nil, 1, nil
}

// nonNil returns b, or an empty slice when b is nil, so that a present but
// empty payload stays distinct from an absent one.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
