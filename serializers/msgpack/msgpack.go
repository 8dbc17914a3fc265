// Package msgpack is the MessagePack serializer of WAMP (subprotocols
// wamp.2.msgpack and wamp.2.msgpack.batched, RawSocket serializer id 2).
//
// A blank import registers both serializers with [registry.Default]:
//
//	import _ "github.com/autobahn-go/autobahn/serializers/msgpack"
//
// The encoding is byte-identical to Autobahn|Python's, which is
// msgpack.packb(obj, use_bin_type=True):
//
//   - strings use the str family (fixstr, str8, str16, str32) and []byte the
//     bin family (bin8, bin16, bin32);
//   - integers take the smallest encoding; zero and positive integers use
//     positive fixint or the uint family, negative integers negative fixint or
//     the int family;
//   - floats are always float64 (0xcb), float32 values included;
//   - lists and maps take the smallest header (fix, 16 or 32 bit).
//
// Go maps have no order, so map keys are written sorted (byte-wise, which for
// valid UTF-8 is code point order, as Python's sorted() gives). The encoding
// is therefore deterministic; Python writes keys in insertion order, so a
// Python peer's bytes match ours exactly when it inserted the keys sorted.
//
// Decoding follows msgpack.unpackb(data, raw=False): str becomes string
// (UTF-8 is not validated), bin becomes []byte, every integer becomes int64,
// or uint64 if it is above math.MaxInt64, float32 and float64 become float64.
// The value representation is the one of package core. Map keys must be
// strings (WAMP maps have string keys only; Python's strict_map_key would
// also reject integers); a duplicate key keeps the last value, as in Python.
// Extension types (including the timestamp extension) and the never-used
// byte 0xc1 are rejected with an error, except JavaScript's undefined
// (fixext1 of type 0 holding 0, d4 00 00, as JavaScript msgpack libraries
// write it: wampy sends it for every option left unset), which becomes nil
// like CBOR's undefined.
//
// Both directions are hand-written over the value representation rather than
// going through github.com/vmihailenco/msgpack/v5's reflection-driven Marshal
// and Unmarshal: encode plus decode of a CALL takes about half the time and
// fewer allocations (see the benchmarks in this package). The library serves
// as the independent reference decoder in the differential tests.
//
// Nesting is limited to [MaxDepth] lists and maps in both directions, and a
// length prefix is checked against the bytes that remain before anything is
// allocated, so that garbage input cannot make the decoder allocate more than
// a small multiple of its own size.
package msgpack

import (
	"fmt"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// MaxDepth is the deepest nesting of lists and maps that Marshal and
// Unmarshal accept. It matches the default nesting limit of Python's msgpack
// packer (511 levels below the top).
const MaxDepth = 512

// Object is the MessagePack object serializer. It is safe for concurrent use.
var Object core.ObjectSerializer = objectSerializer{}

// Serializer is the plain MessagePack message serializer, subprotocol
// wamp.2.msgpack.
var Serializer = core.NewSerializer(Object, false)

// Batched is the batched MessagePack message serializer, subprotocol
// wamp.2.msgpack.batched: each message is preceded by its length as a 32-bit
// big-endian integer.
var Batched = core.NewSerializer(Object, true)

func init() {
	registry.RegisterSerializer(Serializer)
	registry.RegisterSerializer(Batched)
}

var _ core.ObjectSerializer = objectSerializer{}

type objectSerializer struct{}

// Name returns "msgpack".
func (objectSerializer) Name() string { return "msgpack" }

// RawSocketID returns 2, the RawSocket serializer id of MessagePack.
func (objectSerializer) RawSocketID() byte { return 2 }

// Binary returns true: MessagePack travels in binary frames.
func (objectSerializer) Binary() bool { return true }

// Marshal appends the MessagePack encoding of v to dst. v is made of the
// value representation of package core; other Go integer and float kinds,
// named types of these kinds, slices, arrays, maps with string keys and
// pointers are accepted too. On error dst is returned unchanged.
func (objectSerializer) Marshal(dst []byte, v any) ([]byte, error) {
	dst = alloc.GrowBinary(dst, v)
	b, err := appendValue(dst, v, 0)
	if err != nil {
		return dst, fmt.Errorf("msgpack: marshal: %w", err)
	}
	return b, nil
}

// Unmarshal decodes the one MessagePack value that fills data.
func (objectSerializer) Unmarshal(data []byte) (any, error) {
	v, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("msgpack: unmarshal: %w", err)
	}
	return v, nil
}
