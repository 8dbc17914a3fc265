// Package cbor is the CBOR (RFC 8949) serializer of WAMP (subprotocols
// wamp.2.cbor and wamp.2.cbor.batched, RawSocket serializer id 3).
//
// A blank import registers both serializers with [registry.Default]:
//
//	import _ "github.com/autobahn-go/autobahn/serializers/cbor"
//
// The encoding is byte-identical to Autobahn|Python's, which is
// cbor2.dumps(obj):
//
//   - integers take the smallest head (major type 0 for zero and positive
//     integers, uint64 above math.MaxInt64 included; major type 1 for
//     negative ones);
//   - []byte is a byte string (major type 2), string a text string (major
//     type 3), lists and maps have definite lengths;
//   - floats are float64 (0xfb), float32 values included, except NaN, +Inf
//     and -Inf, which cbor2 writes as the half floats f97e00, f97c00 and
//     f9fc00 (so a NaN's payload is not kept);
//   - nil is null (0xf6), booleans are 0xf4 and 0xf5.
//
// Go maps have no order, so map keys are written sorted (byte-wise, which for
// valid UTF-8 is code point order, as Python's sorted() gives). The encoding
// is therefore deterministic; Python writes keys in insertion order, so a
// Python peer's bytes match ours exactly when it inserted the keys sorted.
//
// Decoding accepts every well-formed CBOR item that maps onto the value
// representation of package core:
//
//   - integers become int64, or uint64 above math.MaxInt64; negative integers
//     below math.MinInt64 are an error;
//   - byte strings become []byte and text strings string (UTF-8 is not
//     validated), definite or indefinite length alike; so do arrays and maps;
//   - half, single and double floats become float64;
//   - null and undefined become nil; other simple values are an error;
//   - map keys must be text strings (WAMP maps have string keys only); a
//     duplicate key keeps the last value, as in Python;
//   - tags are unwrapped: the tagged item decodes as if it were untagged and
//     the tag number is dropped. So the typed array tag 64 (uint8), which
//     wampy puts on byte arrays, gives []byte, and the self-described CBOR
//     tag 55799 is ignored. The exceptions are the bignum tags 2 and 3,
//     which become int64 or uint64 if they fit, and an error otherwise.
//
// Both directions are hand-written over the value representation rather than
// going through github.com/fxamacker/cbor/v2's reflection-driven Marshal and
// Unmarshal: encode plus decode of a CALL takes less than half the time and
// fewer allocations (see the benchmarks in this package). The library serves
// as the independent reference decoder in the differential tests.
//
// Nesting is limited to [MaxDepth] arrays, maps and tags in both directions,
// and a length is checked against the bytes that remain before anything is
// allocated, so that garbage input cannot make the decoder allocate more than
// a small multiple of its own size.
package cbor

import (
	"fmt"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// MaxDepth is the deepest nesting of arrays, maps and tags that Marshal and
// Unmarshal accept.
const MaxDepth = 512

// Object is the CBOR object serializer. It is safe for concurrent use.
var Object core.ObjectSerializer = objectSerializer{}

// Serializer is the plain CBOR message serializer, subprotocol wamp.2.cbor.
var Serializer = core.NewSerializer(Object, false)

// Batched is the batched CBOR message serializer, subprotocol
// wamp.2.cbor.batched: each message is preceded by its length as a 32-bit
// big-endian integer.
var Batched = core.NewSerializer(Object, true)

func init() {
	registry.RegisterSerializer(Serializer)
	registry.RegisterSerializer(Batched)
}

var _ core.ObjectSerializer = objectSerializer{}

type objectSerializer struct{}

// Name returns "cbor".
func (objectSerializer) Name() string { return "cbor" }

// RawSocketID returns 3, the RawSocket serializer id of CBOR.
func (objectSerializer) RawSocketID() byte { return 3 }

// Binary returns true: CBOR travels in binary frames.
func (objectSerializer) Binary() bool { return true }

// Marshal appends the CBOR encoding of v to dst. v is made of the value
// representation of package core; other Go integer and float kinds, named
// types of these kinds, slices, arrays, maps with string keys and pointers are
// accepted too. On error dst is returned unchanged.
func (objectSerializer) Marshal(dst []byte, v any) ([]byte, error) {
	dst = alloc.GrowBinary(dst, v)
	b, err := appendValue(dst, v, 0)
	if err != nil {
		return dst, fmt.Errorf("cbor: marshal: %w", err)
	}
	return b, nil
}

// Unmarshal decodes the one CBOR data item that fills data.
func (objectSerializer) Unmarshal(data []byte) (any, error) {
	return unmarshal(data, false)
}

// UnmarshalAliasing is Unmarshal whose byte strings (definite-length ones)
// are slices of data, not copies: for a caller that owns data, never
// reuses it and would otherwise pay a copy of every payload (the plugin
// host and plugin, whose read buffers are never reused).
// Whatever keeps one of those byte strings keeps all of data alive.
func UnmarshalAliasing(data []byte) (any, error) {
	return unmarshal(data, true)
}

func unmarshal(data []byte, alias bool) (any, error) {
	v, err := decode(data, alias)
	if err != nil {
		return nil, fmt.Errorf("cbor: unmarshal: %w", err)
	}
	return v, nil
}
