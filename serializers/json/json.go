// Package json is the WAMP JSON serializer (subprotocols wamp.2.json and
// wamp.2.json.batched, RawSocket serializer id 1), byte-compatible with
// Autobahn|Python and Crossbar.io.
//
// Importing the package, even blankly, registers both serializers with
// [registry.Default]:
//
//	import _ "github.com/autobahn-go/autobahn/serializers/json"
//
// [Object] encodes and decodes the value representation of package core with
// a hand-written encoder and decoder (no reflection). The wire format is the
// one Autobahn|Python writes with json.dumps(separators=(',', ':'),
// ensure_ascii=False):
//
//   - compact separators, no whitespace;
//   - strings as raw UTF-8: only '"', '\' and the control characters below
//     U+0020 are escaped (\b \t \n \f \r, others as \u00XX with lower-case
//     hex); '/', U+007F, U+2028 and U+2029 are written as they are;
//   - a []byte is written as a string holding U+0000 followed by the standard
//     base64 encoding (with padding) of the bytes, and on decoding every
//     string value (not a map key) that starts with U+0000 becomes a []byte;
//   - floats as Python's repr: the shortest representation that reads back
//     exactly, with ".0" added to integral values ("1.0") and the exponent
//     form outside [1e-4, 1e16) ("1e+16", "1e-05");
//   - map keys in sorted order, so that the output is deterministic (Python
//     keeps insertion order, which a Go map does not have).
//
// Where Python's json module is more lenient than the JSON grammar, this
// package is strict, and it reports every problem as an error naming the
// place and the reason:
//
//   - NaN and ±Inf cannot be encoded (Python writes NaN and Infinity, which
//     are not JSON) and are rejected when decoding;
//   - a number too large for float64 (1e400) is rejected, where Python reads
//     inf;
//   - integers are decoded exactly: int64 when they fit, uint64 up to
//     2^64-1; larger magnitudes (which Python keeps as exact big integers)
//     are decoded as the nearest float64;
//   - the input must be valid UTF-8 and hold exactly one value, with only
//     JSON whitespace around it; lone UTF-16 surrogates in \u escapes become
//     U+FFFD, as in encoding/json;
//   - nesting deeper than [MaxDepth] is rejected, when encoding too (which
//     also catches cyclic values);
//   - strings that are not valid UTF-8 cannot be encoded (a Python peer could
//     not decode them); duplicate map keys decode as the last one, as in
//     Python.
package json

import (
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// MaxDepth is the deepest nesting of lists and maps that Marshal and
// Unmarshal accept. Python's json module gives up at a similar depth (its
// recursion limit).
const MaxDepth = 1000

// Object is the JSON object serializer: Marshal and Unmarshal of values in the
// representation documented in package core. It is safe for concurrent use.
var Object core.ObjectSerializer = objectSerializer{}

// Serializer is the WAMP message serializer for the subprotocol wamp.2.json.
var Serializer = core.NewSerializer(Object, false)

// Batched is the WAMP message serializer for the subprotocol
// wamp.2.json.batched: every message is followed by the separator byte 0x18
// (as Autobahn|Python writes); 0x18 and the spec's 0x1E are both accepted.
var Batched = core.NewSerializer(Object, true)

func init() {
	registry.RegisterSerializer(Serializer)
	registry.RegisterSerializer(Batched)
}

type objectSerializer struct{}

// Name returns "json".
func (objectSerializer) Name() string { return "json" }

// RawSocketID returns 1, the RawSocket serializer id of JSON.
func (objectSerializer) RawSocketID() byte { return 1 }

// Binary returns false: JSON travels in WebSocket text frames.
func (objectSerializer) Binary() bool { return false }

// Marshal appends the JSON encoding of v to dst.
func (objectSerializer) Marshal(dst []byte, v any) ([]byte, error) {
	return Marshal(dst, v)
}

// Unmarshal decodes the single JSON value that fills data.
func (objectSerializer) Unmarshal(data []byte) (any, error) {
	return Unmarshal(data)
}
