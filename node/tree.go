package node

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Error is what is wrong with a configuration, at the key path where it is
// wrong: Path is "workers[0].transports[1].endpoint.port" (empty for the
// document as a whole), Reason says what is wrong there. Err, when set, is
// the underlying error (a file that cannot be read, a key that does not
// parse).
type Error struct {
	Path, Reason string
	Err          error
}

// Error returns "config: PATH: REASON".
func (e *Error) Error() string {
	if e.Path == "" {
		return "config: " + e.Reason
	}
	return "config: " + e.Path + ": " + e.Reason
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// errorf is an *Error at path.
func errorf(path, format string, args ...any) error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// wrapErr is an *Error at path that wraps err.
func wrapErr(path string, err error) error {
	return &Error{Path: path, Reason: err.Error(), Err: err}
}

// child is the key path of key inside the object at path: "a.b", or
// `a["b.c"]` when key is not a plain name, so that every path can be read
// back unambiguously (authids such as "joe@example.com", the web path "/").
func child(path, key string) string {
	if !plainKey(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// index is the key path of element i of the list at path.
func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func plainKey(key string) bool {
	if key == "" {
		return false
	}
	for _, c := range key {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '$') {
			return false
		}
	}
	return true
}

// obj is one JSON object of the configuration with its key path. Readers
// first check the keys against a schema (check), then read the values by
// type; every failure names the key path.
type obj struct {
	path string
	m    map[string]any
}

// schema lists the keys an object may have: known are read, refused are
// Crossbar.io keys that autobahn serve does not implement, with the reason.
type schema struct {
	known   []string
	refused map[string]string
}

// check reports the first key of o (in sorted order, so that the answer
// does not depend on map order) that s refuses or does not know.
func (o obj) check(s schema) error {
	for _, k := range slices.Sorted(maps.Keys(o.m)) {
		if why, ok := s.refused[k]; ok {
			return errorf(child(o.path, k), "not supported by autobahn serve: %s", why)
		}
		if !slices.Contains(s.known, k) {
			names := slices.Sorted(slices.Values(append(slices.Clone(s.known), slices.Collect(maps.Keys(s.refused))...)))
			return errorf(child(o.path, k), "unknown key (known here: %s)", strings.Join(names, ", "))
		}
	}
	return nil
}

// has reports whether o has key.
func (o obj) has(key string) bool {
	_, ok := o.m[key]
	return ok
}

// asObj reads v (at path) as an object.
func asObj(path string, v any) (obj, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return obj{}, typeErr(path, "an object", v)
	}
	return obj{path: path, m: m}, nil
}

// object reads the object at key; ok is false when the key is absent.
func (o obj) object(key string) (sub obj, ok bool, err error) {
	v, ok := o.m[key]
	if !ok {
		return obj{path: child(o.path, key)}, false, nil
	}
	sub, err = asObj(child(o.path, key), v)
	return sub, true, err
}

// list reads the list at key; absent is an empty list.
func (o obj) list(key string) ([]any, error) {
	v, ok := o.m[key]
	if !ok {
		return nil, nil
	}
	l, isList := v.([]any)
	if !isList {
		return nil, typeErr(child(o.path, key), "a list", v)
	}
	return l, nil
}

// str reads the string at key; ok is false when the key is absent.
func (o obj) str(key string) (s string, ok bool, err error) {
	v, ok := o.m[key]
	if !ok {
		return "", false, nil
	}
	s, isStr := v.(string)
	if !isStr {
		return "", true, typeErr(child(o.path, key), "a string", v)
	}
	return s, true, nil
}

// mustStr reads the string at key, which must be there.
func (o obj) mustStr(key string) (string, error) {
	s, ok, err := o.str(key)
	if err == nil && !ok {
		err = errorf(child(o.path, key), "missing (a string is required here)")
	}
	return s, err
}

// boolean reads the bool at key, def when absent.
func (o obj) boolean(key string, def bool) (bool, error) {
	v, ok := o.m[key]
	if !ok {
		return def, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, typeErr(child(o.path, key), "a bool", v)
	}
	return b, nil
}

// integer reads the integer at key, in [lo, hi]; ok is false when absent.
func (o obj) integer(key string, lo, hi int64) (n int64, ok bool, err error) {
	v, ok := o.m[key]
	if !ok {
		return 0, false, nil
	}
	n, err = asInt(child(o.path, key), v, lo, hi)
	return n, true, err
}

// asInt reads v (at path) as an integer in [lo, hi].
func asInt(path string, v any, lo, hi int64) (int64, error) {
	num, isNum := v.(json.Number)
	if !isNum {
		return 0, typeErr(path, "an integer", v)
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil {
		f, ferr := num.Float64()
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, typeErr(path, "an integer", v)
		}
		n = int64(f)
	}
	if n < lo || n > hi {
		return 0, errorf(path, "%d is out of range (%d..%d)", n, lo, hi)
	}
	return n, nil
}

// strings reads the list of strings at key; absent is nil.
func (o obj) strings(key string) ([]string, error) {
	l, err := o.list(key)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, typeErr(index(child(o.path, key), i), "a string", v)
		}
		out[i] = s
	}
	return out, nil
}

// typeErr says that the value at path is not what it should be.
func typeErr(path, want string, got any) error {
	return errorf(path, "want %s, got %s", want, describe(got))
}

// describe names a decoded JSON value's type, with the value of a scalar.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool " + strconv.FormatBool(x)
	case json.Number:
		return "number " + string(x)
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return "string " + strconv.Quote(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// sortedKeys returns the keys of m in order, so that the configuration is
// read (and its first error found) the same way every time.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
