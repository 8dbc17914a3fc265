// Package serializertest is the shared test suite of the serializers, for
// serializers that live outside the serializers/ tree: an example, an
// application's own format, a plugin. Go's internal rule keeps
// serializers/internal/serialtest, which the serializers of this module use,
// out of their reach; this package hands them the same checks, so that a
// new serializer is held to what every other one passes.
//
// A binary serializer package runs, in its _test.go files:
//
//	var suite = serializertest.Binary{Object: obj, Plain: plain, Batched: batched, RawSocketID: id}
//	func TestRegistered(t *testing.T)  { suite.CheckRegistered(t) }
//	func TestSerialize(t *testing.T)   { suite.CheckSerialize(t) }
//	func TestUnserialize(t *testing.T) { suite.CheckUnserialize(t) }
//
// and uses [FuzzRoundTrip] as the body of its decoder's fuzz target,
// [RandomValue] for round trips of random values, and [Bench] to compare
// itself with another serializer in the same run.
package serializertest

import (
	"math/rand/v2"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/serializers/internal/serialtest"
)

type (
	// Binary describes a binary serializer package: its object serializer,
	// the plain and batched message serializers made from it, and its
	// RawSocket id. Its methods CheckRegistered (registry.Default has both
	// under their names, subprotocols and id), CheckSerialize (plain =
	// object encoding, batched = 32-bit length prefix) and CheckUnserialize
	// (a CALL through the message model, a batch of two, a
	// core.SerializationError for bad bytes) are the suite.
	Binary = serialtest.Binary
	// NamedValue is a value with a name, for subtests.
	NamedValue = serialtest.NamedValue
	// Engine is one implementation of a wire format in a benchmark.
	Engine = serialtest.Engine
	// Bench runs the benchmarks Marshal, Unmarshal and RoundTrip of each
	// engine on each value, as sub-benchmarks value/engine of one run.
	Bench = serialtest.Bench
)

// Ours is the benchmark engine of an object serializer.
func Ours(obj core.ObjectSerializer) Engine { return serialtest.Ours(obj) }

// Same reports whether a and b are the same value of core's representation,
// with exact types (float64 by bits, all NaNs alike).
func Same(a, b any) bool { return serialtest.Same(a, b) }

// Show prints a value with its types, shortened, for test failures.
func Show(v any) string { return serialtest.Show(v) }

// Call is the list form of a typical CALL:
// [48, 7814135, {}, "com.myapp.add2", [23, 7], {"mode": "fast", "verbose": true}].
func Call() []any { return serialtest.Call() }

// Event is the list form of a typical EVENT with a 1 KiB binary payload.
func Event() []any { return serialtest.Event() }

// Messages returns [Call] and [Event] by name, "call" and "event".
func Messages() []NamedValue { return serialtest.Messages() }

// Nested returns the integer 1 inside depth single-element lists.
func Nested(depth int) any { return serialtest.Nested(depth) }

// GoTypes returns values of the Go types that encoders accept beyond the
// value representation (other integer kinds, named types, pointers, …).
func GoTypes() []NamedValue { return serialtest.GoTypes() }

// RandomValue returns a random value of the representation, favouring the
// edge cases of binary encodings (integer and length boundaries, NaNs,
// invalid UTF-8, empty containers, uint64 above MaxInt64, random map keys).
func RandomValue(r *rand.Rand, depth int) any { return serialtest.RandomValue(r, depth) }

// FuzzRoundTrip is the body of a decoder's fuzz target: it returns ok false
// when obj rejects data, and otherwise checks that the decoded value
// re-encodes to bytes that decode to the same value and re-encode to the
// same bytes again.
func FuzzRoundTrip(t *testing.T, obj core.ObjectSerializer, data []byte) (v any, ok bool) {
	t.Helper()
	return serialtest.FuzzRoundTrip(t, obj, data)
}

// MustHex decodes hex digits, ignoring spaces.
func MustHex(t testing.TB, s string) []byte {
	t.Helper()
	return serialtest.MustHex(t, s)
}
