package core

import (
	"fmt"
	"strconv"
)

// MaxID is the largest WAMP ID (2^53): IDs are integers in [1, MaxID] so that
// they are exact in every peer's number type, JavaScript included.
const MaxID = 1 << 53

// The helpers below check single values of the generic representation. They
// return the converted value and, on failure, a reason ("must be …, got …");
// callers add the message and field names, so that nothing is allocated on
// the success path.

// kindOf names the type of a generic value for error messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case int64:
		return "int64"
	case uint64:
		return "uint64"
	case float64:
		return "float64"
	case string:
		return "string"
	case []byte:
		return "[]byte"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

func mustBe(what string, v any) string {
	return "must be " + what + ", got " + kindOf(v)
}

// asID converts an ID in [1, MaxID] (or [0, MaxID] with zeroOK).
func asID(v any, zeroOK bool) (uint64, string) {
	var id uint64
	switch n := v.(type) {
	case int64:
		if n < 0 {
			return 0, "must be an ID in [1, 2^53], got " + strconv.FormatInt(n, 10)
		}
		id = uint64(n)
	case uint64:
		id = n
	default:
		return 0, mustBe("an ID (integer in [1, 2^53])", v)
	}
	if id > MaxID || id == 0 && !zeroOK {
		return 0, "must be an ID in [1, 2^53], got " + strconv.FormatUint(id, 10)
	}
	return id, ""
}

// checkID validates an ID about to be written.
func checkID(id uint64, zeroOK bool) string {
	if id > MaxID || id == 0 && !zeroOK {
		return "must be an ID in [1, 2^53], got " + strconv.FormatUint(id, 10)
	}
	return ""
}

// asNonNegInt converts a non-negative integer option (null means absent).
func asNonNegInt(v any) (*int64, string) {
	switch n := v.(type) {
	case nil:
		return nil, ""
	case int64:
		if n >= 0 {
			return &n, ""
		}
		return nil, "must be a non-negative integer, got " + strconv.FormatInt(n, 10)
	case uint64:
		return nil, "must be a non-negative integer that fits in int64, got " + strconv.FormatUint(n, 10)
	}
	return nil, mustBe("a non-negative integer", v)
}

// asPosInt converts a positive integer option; 0 means absent (null).
func asPosInt(v any) (int64, string) {
	switch n := v.(type) {
	case nil:
		return 0, ""
	case int64:
		if n >= 1 {
			return n, ""
		}
		return 0, "must be a positive integer, got " + strconv.FormatInt(n, 10)
	case uint64:
		return 0, "must be a positive integer that fits in int64, got " + strconv.FormatUint(n, 10)
	}
	return 0, mustBe("a positive integer", v)
}

// asOptID converts an optional session ID option; 0 means absent (null).
func asOptID(v any) (uint64, string) {
	if v == nil {
		return 0, ""
	}
	return asID(v, false)
}

// asBool converts an optional bool option (null means absent).
func asBool(v any) (*bool, string) {
	switch b := v.(type) {
	case nil:
		return nil, ""
	case bool:
		return &b, ""
	}
	return nil, mustBe("a bool", v)
}

// asFlag converts a bool option whose false and absent are the same.
func asFlag(v any) (bool, string) {
	switch b := v.(type) {
	case nil:
		return false, ""
	case bool:
		return b, ""
	}
	return false, mustBe("a bool", v)
}

// asString converts an optional string option (null means absent).
func asString(v any) (string, string) {
	switch s := v.(type) {
	case nil:
		return "", ""
	case string:
		return s, ""
	}
	return "", mustBe("a string", v)
}

// asURI converts an optional URI option (null means absent), checked loosely
// for the match policy.
func asURI(v any, match string) (string, string) {
	s, r := asString(v)
	if r != "" || s == "" {
		return s, r
	}
	if err := ValidateURI(s, false, match); err != nil {
		return "", err.(*URIError).Reason
	}
	return s, ""
}

// asEnum converts an optional string option that must be one of allowed.
func asEnum(v any, allowed ...string) (string, string) {
	s, r := asString(v)
	if r != "" || s == "" && v == nil {
		return s, r
	}
	for _, a := range allowed {
		if s == a {
			return s, ""
		}
	}
	return "", "must be one of " + joinQuoted(allowed) + ", got " + strconv.Quote(s)
}

func joinQuoted(s []string) string {
	out := ""
	for i, a := range s {
		if i > 0 {
			out += ", "
		}
		out += strconv.Quote(a)
	}
	return out
}

// asDict converts an optional dict (null means absent).
func asDict(v any) (map[string]any, string) {
	switch m := v.(type) {
	case nil:
		return nil, ""
	case map[string]any:
		return m, ""
	}
	return nil, mustBe("a dict", v)
}

// asIDList converts an optional list of session IDs (null means absent).
func asIDList(v any) ([]uint64, string) {
	switch l := v.(type) {
	case nil:
		return nil, ""
	case []any:
		ids := make([]uint64, len(l))
		for i, e := range l {
			id, r := asID(e, false)
			if r != "" {
				return nil, "item " + strconv.Itoa(i) + ": " + r
			}
			ids[i] = id
		}
		return ids, ""
	}
	return nil, mustBe("a list of IDs", v)
}

// asStringList converts an optional list of strings (null means absent).
func asStringList(v any) ([]string, string) {
	switch l := v.(type) {
	case nil:
		return nil, ""
	case []any:
		ss := make([]string, len(l))
		for i, e := range l {
			s, ok := e.(string)
			if !ok {
				return nil, "item " + strconv.Itoa(i) + ": " + mustBe("a string", e)
			}
			ss[i] = s
		}
		return ss, ""
	}
	return nil, mustBe("a list of strings", v)
}

// idList returns ids in the generic representation.
func idList(ids []uint64) []any {
	l := make([]any, len(ids))
	for i, id := range ids {
		l[i] = int64(id)
	}
	return l
}

// stringList returns ss in the generic representation.
func stringList(ss []string) []any {
	l := make([]any, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return l
}
