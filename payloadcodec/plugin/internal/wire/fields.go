package wire

import (
	"fmt"
	"math"
)

// Fields reads the elements of a request or answer body by position and
// type, remembering the first mismatch, so that a body of the wrong shape
// (a misbehaving peer) is one error naming the element, not a panic.
type Fields struct {
	v   []any
	err error
}

// NewFields checks that v is a list of at least n elements.
func NewFields(v any, n int, what string) Fields {
	l, ok := v.([]any)
	f := Fields{v: l}
	if !ok || len(l) < n {
		f.err = fmt.Errorf("%s: want a list of %d elements, got %s", what, n, describe(v))
	}
	return f
}

// Err is the first mismatch, or nil.
func (f *Fields) Err() error { return f.err }

func (f *Fields) at(i int) any {
	if f.err != nil || i >= len(f.v) {
		return nil
	}
	return f.v[i]
}

func (f *Fields) fail(i int, want string) {
	if f.err == nil {
		f.err = fmt.Errorf("element %d: want %s, got %s", i, want, describe(f.at(i)))
	}
}

// Uint reads a non-negative integer.
func (f *Fields) Uint(i int) uint64 {
	switch n := f.at(i).(type) {
	case int64:
		if n >= 0 {
			return uint64(n)
		}
	case uint64:
		return n
	}
	f.fail(i, "a non-negative integer")
	return 0
}

// Int reads an integer that fits in an int.
func (f *Fields) Int(i int) int {
	n := f.Uint(i)
	if n > math.MaxInt32 {
		f.fail(i, "a small integer")
		return 0
	}
	return int(n)
}

// Str reads a string.
func (f *Fields) Str(i int) string {
	s, ok := f.at(i).(string)
	if !ok {
		f.fail(i, "a string")
	}
	return s
}

// OptStr reads a string or nil (""): an error message.
func (f *Fields) OptStr(i int) string {
	if f.at(i) == nil {
		return ""
	}
	return f.Str(i)
}

// Bool reads a boolean.
func (f *Fields) Bool(i int) bool {
	b, ok := f.at(i).(bool)
	if !ok {
		f.fail(i, "a boolean")
	}
	return b
}

// Bytes reads a byte string; nil stays nil.
func (f *Fields) Bytes(i int) []byte {
	switch b := f.at(i).(type) {
	case nil:
		return nil
	case []byte:
		return b
	}
	f.fail(i, "bytes")
	return nil
}

// List reads a list or nil.
func (f *Fields) List(i int) []any {
	switch l := f.at(i).(type) {
	case nil:
		return nil
	case []any:
		return l
	}
	f.fail(i, "a list")
	return nil
}

// Map reads a map or nil.
func (f *Fields) Map(i int) map[string]any {
	switch m := f.at(i).(type) {
	case nil:
		return nil
	case map[string]any:
		return m
	}
	f.fail(i, "a map")
	return nil
}

// Any reads any value.
func (f *Fields) Any(i int) any { return f.at(i) }

func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "nil"
	case []any:
		return fmt.Sprintf("a list of %d", len(v))
	case string:
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		return fmt.Sprintf("the string %q", v)
	}
	return fmt.Sprintf("%T", v)
}
