// Package serialtest holds what the tests and benchmarks of the serializer
// packages share: the typical messages, value comparison, Autobahn|Python
// golden vectors, random values for differential tests, the checks of the
// message serializers, and ugorji/go/codec set up for each wire format as the
// yardstick of the benchmarks.
//
// It is imported by _test.go files only. Its helpers report through
// [testing.TB], so one check written here runs in every serializer package.
package serialtest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

// Same reports whether a and b are the same value of the representation,
// with exact types: float64 compares by bits, except that all NaNs are the
// same.
func Same(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case bool, int64, uint64, string:
		return a == b
	case float64:
		f, ok := b.(float64)
		if !ok {
			return false
		}
		if math.IsNaN(a) || math.IsNaN(f) {
			return math.IsNaN(a) && math.IsNaN(f)
		}
		return math.Float64bits(a) == math.Float64bits(f)
	case []byte:
		p, ok := b.([]byte)
		return ok && bytes.Equal(a, p)
	case []any:
		l, ok := b.([]any)
		if !ok || len(a) != len(l) {
			return false
		}
		for i := range a {
			if !Same(a[i], l[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		m, ok := b.(map[string]any)
		if !ok || len(a) != len(m) {
			return false
		}
		for k, v := range a {
			w, ok := m[k]
			if !ok || !Same(v, w) {
				return false
			}
		}
		return true
	}
	return false
}

// Show prints a value with its types, for test failures.
func Show(v any) string {
	s := fmt.Sprintf("%#v", v)
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// MustHex decodes hex digits, ignoring spaces.
func MustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Nested returns the integer 1 inside depth single-element lists.
func Nested(depth int) any {
	var v any = int64(1)
	for range depth {
		v = []any{v}
	}
	return v
}

// Payload1KiB returns the 1 KiB binary payload of the typical EVENT.
func Payload1KiB() []byte {
	p := make([]byte, 1024)
	for i := range p {
		p[i] = byte(i % 251)
	}
	return p
}

// CallMessage returns a typical CALL: two small positional arguments and a
// small keyword argument map.
func CallMessage() *core.Call {
	return &core.Call{
		Request:   7814135,
		Procedure: "com.myapp.add2",
		Args:      []any{int64(23), int64(7)},
		Kwargs:    map[string]any{"mode": "fast", "verbose": true},
	}
}

// EventMessage returns a typical EVENT carrying a 1 KiB binary payload as its
// only positional argument.
func EventMessage() *core.Event {
	return &core.Event{
		Subscription: 5512315355,
		Publication:  4429313566,
		Args:         []any{Payload1KiB()},
	}
}

// Call returns the list form of [CallMessage]:
// [48, 7814135, {}, "com.myapp.add2", [23, 7], {"mode": "fast", "verbose": true}].
func Call() []any {
	return []any{int64(48), int64(7814135), map[string]any{}, "com.myapp.add2",
		[]any{int64(23), int64(7)}, map[string]any{"mode": "fast", "verbose": true}}
}

// Event returns the list form of [EventMessage]:
// [36, 5512315355, 4429313566, {}, [<1 KiB of bytes>]].
func Event() []any {
	return []any{int64(36), int64(5512315355), int64(4429313566), map[string]any{},
		[]any{Payload1KiB()}}
}

// NamedValue is a value with a name for subtests.
type NamedValue struct {
	Name  string
	Value any
}

// Messages returns the typical messages in their list form: "call" and
// "event".
func Messages() []NamedValue {
	return []NamedValue{{"call", Call()}, {"event", Event()}}
}
