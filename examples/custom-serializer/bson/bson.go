// Package bson is a WAMP serializer for BSON (bsonspec.org, version 1.1),
// written as the worked example of adding a serializer to Autobahn for Go:
// all it implements is [core.ObjectSerializer] (encode and decode one value),
// and [core.NewSerializer] turns that into the plain and batched message
// serializers that transports use.
//
// A blank import registers both with [registry.Default]:
//
//	import _ "github.com/autobahn-go/autobahn/examples/custom-serializer/bson"
//
// "bson" (WebSocket subprotocol wamp.2.bson, RawSocket serializer id 15) and
// "bson.batched" (wamp.2.bson.batched, each message preceded by its length
// as a 32-bit big-endian integer, as the other binary serializers batch).
// A program that wants the codec without the registration (a plugin binary
// serving it out of process, a registry of its own) uses [New], which
// registers nothing; registering the serializers of [New] in the same
// registry as the package's init would panic as a duplicate, so do one or
// the other.
//
// # RawSocket id
//
// The RawSocket handshake names the serializer with 4 bits, and the WAMP
// specification reserves the ids above its own (0 illegal, 1 JSON, 2
// MsgPack) for future serializers; Autobahn has taken 3 CBOR, 4 UBJSON and
// 5 FlatBuffers, counting upwards. Two peers that disagree on what an id
// means would not notice (there is no name in the handshake), so a private
// format should stay as far as possible from where the next official id
// will land: this package takes the highest, 15 ([RawSocketID]).
//
// # Messages and values
//
// BSON's top level must be a document, and a WAMP message is a list. A list
// at the top level is written as the document that BSON writes for an array:
// its elements under the keys "0", "1", … in order, so that CALL is the
// document {"0": 48, "1": request, "2": {}, "3": "com.myapp.add2", …}. Any
// other top-level value (a map, a scalar; payload codecs encode such values
// through [core.Object]) is wrapped in a document with the one key "value".
// Unmarshal reads a top-level document with the keys "0", "1", … (an empty
// one included) as a list, a document with the one key "value" as that value,
// and refuses anything else.
//
// Below the top level, the values of package core map to BSON elements and
// back as follows, losslessly:
//
//	nil                  0x0A null
//	bool                 0x08 boolean (decoding accepts only 0 and 1)
//	int64                0x10 int32 when it fits (as pymongo writes Python
//	                     ints), else 0x12 int64; both decode to int64
//	uint64               0x13 decimal128 holding the integer with exponent 0
//	                     (BSON has no unsigned 64-bit integer; decimal128
//	                     holds it exactly and pymongo reads it as a
//	                     Decimal128); it decodes to uint64, and a decimal128
//	                     that is an integer within int64 decodes to int64
//	float64              0x01 double, every bit kept (NaN payloads, -0)
//	string               0x02 string (UTF-8 not validated: core's rule)
//	[]byte               0x05 binary, subtype 0x00 generic; every subtype
//	                     decodes to []byte (the old subtype 0x02 without its
//	                     inner length), the subtype is not kept
//	[]any                0x04 array, keys "0", "1", … (checked when decoding)
//	map[string]any       0x03 document, keys in byte order (a duplicate key
//	                     keeps the last value)
//
// The other Go integer and float kinds, []string, map[string]string, named
// types, pointers, arrays and slices and string-keyed maps of any element
// type are accepted by Marshal too and written as their value above.
//
// What BSON cannot carry, and this package therefore refuses with an error
// naming the value's place:
//
//   - a map key containing a NUL byte: BSON keys are C strings;
//   - documents, strings and byte strings longer than BSON's int32 lengths
//     (2 GiB), far above any transport's message limit;
//   - nesting deeper than [MaxDepth].
//
// Decoding refuses the BSON types that have no WAMP value — ObjectId, UTC
// datetime, regular expression, DBPointer, JavaScript code (with or without
// scope), symbol, timestamp, min key, max key, the deprecated undefined —
// and a decimal128 that is not an integer in the range of int64 or uint64,
// each with an error naming the type and its offset ([SyntaxError]).
package bson

import (
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

const (
	// Name is the serializer's name, as in the subprotocol wamp.2.bson.
	Name = "bson"
	// RawSocketID is the RawSocket serializer id of BSON: the highest the
	// handshake can carry, furthest from the ids Autobahn assigns upwards
	// from 1 (see the package comment).
	RawSocketID byte = 15
	// MaxDepth is the deepest nesting of lists and maps (the top-level
	// document included) that Marshal writes and Unmarshal reads.
	MaxDepth = 512
)

// codec is the BSON object serializer; it has no state, so it is safe for
// concurrent use.
type codec struct{}

var _ core.ObjectSerializer = codec{}

// New returns the BSON object serializer. It registers nothing: wrap it with
// core.NewSerializer to get message serializers of your own, e.g. in a
// plugin binary or for a registry other than registry.Default.
func New() core.ObjectSerializer { return codec{} }

var (
	// Serializer is the plain "bson" message serializer (wamp.2.bson), the
	// one registered with registry.Default by the package's init.
	Serializer = core.NewSerializer(codec{}, false)
	// Batched is the "bson.batched" message serializer
	// (wamp.2.bson.batched), registered with registry.Default too.
	Batched = core.NewSerializer(codec{}, true)
)

func init() {
	registry.RegisterSerializer(Serializer)
	registry.RegisterSerializer(Batched)
}

// Name returns "bson".
func (codec) Name() string { return Name }

// RawSocketID returns 15 ([RawSocketID]).
func (codec) RawSocketID() byte { return RawSocketID }

// Binary returns true: BSON travels in binary WebSocket frames and is
// batched with length prefixes.
func (codec) Binary() bool { return true }
