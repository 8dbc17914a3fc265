// Package ubjson implements the WAMP "ubjson" serializer: classic Universal
// Binary JSON, Draft 12 (ubjson.org), big-endian, as produced by py-ubjson,
// the library Autobahn|Python 22.7 uses for its ubjson serializer.
//
// Importing the package registers two serializers with [registry.Default]:
// "ubjson" (subprotocol wamp.2.ubjson, RawSocket serializer id 4) and
// "ubjson.batched" (wamp.2.ubjson.batched).
//
// # Encoding
//
// Object.Marshal writes the same bytes as py-ubjson's dumpb(obj) with its
// default options, except that map keys are sorted (py-ubjson keeps insertion
// order, which Go maps do not have):
//
//	nil                 Z
//	bool                T / F
//	integers            the smallest of U (0..255), i (-128..-1), I, l, L;
//	                    integers above MaxInt64 as H (decimal digits)
//	float64             D; zero (either sign) as float32 d; NaN and ±Inf as Z;
//	                    subnormals as H holding their exact decimal expansion
//	string              C for a single ASCII byte, otherwise S + length + bytes
//	[]byte              [$U# + count + raw bytes (typed uint8 array, no end marker)
//	[]any, []string     [ … ]
//	map[string]any,     { key … }, where a key is a length (integer with its
//	map[string]string   marker) followed by the bytes, without the S marker
//
// Lengths and counts use the same integer rule as values. Containers are never
// written with a count or a type, so they end with ] and }.
//
// # Decoding
//
// Object.Unmarshal accepts every Draft 12 form and yields the value
// representation documented in package core: all integer markers decode to
// int64; d and D to float64; C and S to string; H to int64, to uint64 (above
// MaxInt64) or, when it has a fraction or an exponent, to float64. Optimized
// containers ($ type and # count, or # count alone) are accepted for arrays and
// objects, including the payload-less types Z, T and F; a typed uint8 array
// ([$U#) decodes to []byte, any other typed array to []any.
//
// Choices where the specification or py-ubjson leave room:
//
//   - The no-op marker N is skipped wherever a value or an object key may
//     start, including before the top-level value and between a key and its
//     value. It does not count towards a container's count. A container type
//     of N ($N) is rejected, as Draft 12 forbids it.
//   - Strings and keys are not checked for valid UTF-8: they are passed through
//     as is (core's rule). A C (char) above 127 is rejected, as Draft 12 says.
//   - H must follow the JSON number grammar. An integer outside the int64 and
//     uint64 ranges, or a number whose magnitude overflows float64, is an error;
//     a decimal that underflows becomes 0.
//   - An object with a repeated key keeps the last value.
//   - The input must hold exactly one value: trailing bytes (even N) are an
//     error, where py-ubjson ignores them.
//   - Nesting deeper than [MaxDepth] containers is an error, when encoding too
//     (which catches cyclic values).
//   - Negative lengths and counts are errors; a count larger than the rest of
//     the input could hold is an error before anything is allocated; typed
//     arrays of Z, T or F, which take no bytes per element, may hold at most
//     2^20 elements in total in one input.
package ubjson

import (
	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
)

// UBJSON markers (Draft 12).
const (
	markNull     = 'Z'
	markNoOp     = 'N'
	markTrue     = 'T'
	markFalse    = 'F'
	markInt8     = 'i'
	markUint8    = 'U'
	markInt16    = 'I'
	markInt32    = 'l'
	markInt64    = 'L'
	markFloat32  = 'd'
	markFloat64  = 'D'
	markHighPrec = 'H'
	markChar     = 'C'
	markString   = 'S'
	markArray    = '['
	markArrEnd   = ']'
	markObject   = '{'
	markObjEnd   = '}'
	markType     = '$'
	markCount    = '#'
)

// MaxDepth is the deepest nesting of arrays and objects that Marshal writes
// and Unmarshal reads.
const MaxDepth = 512

const (
	// maxImplicit bounds the total number of elements of typed Z/T/F arrays in
	// one input, since those elements take no bytes of their own.
	maxImplicit = 1 << 20
	// maxPrealloc bounds the capacity reserved up front for a container whose
	// elements are themselves of variable size.
	maxPrealloc = 1024
)

// codec is the UBJSON [core.ObjectSerializer]; it is stateless and safe for
// concurrent use.
type codec struct{}

var (
	// Object is the UBJSON object serializer.
	Object core.ObjectSerializer = codec{}
	// Serializer is the plain "ubjson" message serializer (wamp.2.ubjson).
	Serializer = core.NewSerializer(Object, false)
	// Batched is the "ubjson.batched" message serializer
	// (wamp.2.ubjson.batched): each message is preceded by its length as a
	// 32-bit big-endian integer.
	Batched = core.NewSerializer(Object, true)
)

func init() {
	registry.RegisterSerializer(Serializer)
	registry.RegisterSerializer(Batched)
}

// Name returns "ubjson".
func (codec) Name() string { return "ubjson" }

// RawSocketID returns 4, the RawSocket serializer id of UBJSON.
func (codec) RawSocketID() byte { return 4 }

// Binary returns true: UBJSON travels in binary frames.
func (codec) Binary() bool { return true }
