package cryptobox

import (
	"fmt"

	"github.com/autobahn-go/autobahn/serializers/json"
)

// marshalInner appends the sealed plaintext to dst: the JSON object
// {"uri","args","kwargs"} in that key order (Autobahn|Python's dict order),
// nil args or kwargs written as null as Python writes None. The values go
// through WAMP's JSON, so bytes follow the \0+base64 convention.
func marshalInner(dst []byte, uri string, args []any, kwargs map[string]any) ([]byte, error) {
	dst = append(dst, `{"uri":`...)
	dst, err := json.Marshal(dst, uri)
	if err != nil {
		return dst, fmt.Errorf("cryptobox: encoding the URI %q: %w", uri, err)
	}
	dst = append(dst, `,"args":`...)
	if args == nil {
		dst = append(dst, "null"...)
	} else if dst, err = json.Marshal(dst, args); err != nil {
		return dst, fmt.Errorf("cryptobox: encoding the arguments for %q: %w", uri, err)
	}
	dst = append(dst, `,"kwargs":`...)
	if kwargs == nil {
		dst = append(dst, "null"...)
	} else if dst, err = json.Marshal(dst, kwargs); err != nil {
		return dst, fmt.Errorf("cryptobox: encoding the keyword arguments for %q: %w", uri, err)
	}
	return append(dst, '}'), nil
}

// unmarshalInner reads a plaintext written by marshalInner or by Autobahn:
// an object whose "uri" is a string, "args" a list or null (or absent),
// "kwargs" an object or null (or absent). Other keys are ignored, as
// Autobahn ignores them.
func unmarshalInner(plain []byte) (string, []any, map[string]any, error) {
	v, err := json.Unmarshal(plain)
	if err != nil {
		return "", nil, nil, fmt.Errorf("cryptobox: the decrypted payload is not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return "", nil, nil, fmt.Errorf("cryptobox: the decrypted payload is a %s, not an object", kind(v))
	}
	uri, ok := m["uri"].(string)
	if !ok {
		return "", nil, nil, fmt.Errorf("cryptobox: the decrypted payload's \"uri\" is a %s, not a string", kind(m["uri"]))
	}
	var args []any
	if a := m["args"]; a != nil {
		if args, ok = a.([]any); !ok {
			return "", nil, nil, fmt.Errorf("cryptobox: the decrypted payload's \"args\" is a %s, not a list", kind(a))
		}
	}
	var kwargs map[string]any
	if kw := m["kwargs"]; kw != nil {
		if kwargs, ok = kw.(map[string]any); !ok {
			return "", nil, nil, fmt.Errorf("cryptobox: the decrypted payload's \"kwargs\" is a %s, not an object", kind(kw))
		}
	}
	return uri, args, kwargs, nil
}

// kind names the JSON kind of a decoded value, for errors.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null (or absent)"
	case string:
		return "string"
	case []byte:
		return "binary string"
	case bool:
		return "boolean"
	case []any:
		return "list"
	case map[string]any:
		return "object"
	default:
		return "number"
	}
}
