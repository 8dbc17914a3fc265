package bson

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// BSON element types (bsonspec.org 1.1) that this package reads or names.
const (
	typeDouble     = 0x01
	typeString     = 0x02
	typeDocument   = 0x03
	typeArray      = 0x04
	typeBinary     = 0x05
	typeUndefined  = 0x06
	typeObjectID   = 0x07
	typeBool       = 0x08
	typeDatetime   = 0x09
	typeNull       = 0x0A
	typeRegex      = 0x0B
	typeDBPointer  = 0x0C
	typeJavaScript = 0x0D
	typeSymbol     = 0x0E
	typeCodeScope  = 0x0F
	typeInt32      = 0x10
	typeTimestamp  = 0x11
	typeInt64      = 0x12
	typeDecimal128 = 0x13
	typeMinKey     = 0xFF
	typeMaxKey     = 0x7F

	subtypeGeneric   = 0x00
	subtypeBinaryOld = 0x02
)

// wrapKey is the key of the one element of a top-level document that
// carries a value other than a list.
const wrapKey = "value"

// decimalExponentZero is the high 64 bits of a decimal128 with a zero sign,
// the biased exponent 6176 (10^0) and a coefficient below 2^64: such a value
// is the integer in its low 64 bits.
const decimalExponentZero = uint64(6176) << 49

// ErrUnsupportedType is wrapped by the error of Marshal for a Go value that
// has no BSON form (a struct, a channel, a map without string keys).
var ErrUnsupportedType = errors.New("unsupported type")

// ErrNotRepresentable is wrapped by the error of Marshal for a value of the
// representation that BSON cannot carry: a map key with a NUL byte, a
// string or document longer than BSON's int32 lengths, nesting deeper than
// MaxDepth.
var ErrNotRepresentable = errors.New("BSON cannot carry it")

// Marshal appends the BSON document of v to dst: a list as the document of
// its elements under "0", "1", …, anything else wrapped as {"value": v}. On
// error it returns dst unchanged and an error naming the offending value,
// e.g. `bson: marshal: list element 2: map key "a\x00": …`.
func (codec) Marshal(dst []byte, v any) ([]byte, error) {
	b := dst
	if cap(b) == len(b) { // no room (a nil buffer): allocate once, usually
		b = append(make([]byte, 0, len(b)+estimate(v, 2)), b...)
	}
	out, err := appendTop(b, v)
	if err != nil {
		return dst, fmt.Errorf("bson: marshal: %w", err)
	}
	return out, nil
}

func appendTop(b []byte, v any) ([]byte, error) {
	if !known(v) {
		var err error
		if v, err = canonical(v, 0); err != nil {
			return b, err
		}
	}
	// A top-level list (a WAMP message) is the document of its elements.
	if l, ok := v.([]any); ok {
		return appendList(b, l, 0)
	}
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	b, err := appendElement(b, wrapKey, v, 1)
	if err != nil {
		return b, err
	}
	return endDocument(b, start)
}

// estimate guesses the length of the encoding of v, looking depth levels of
// lists deep: exact for strings and bytes (the payload of a message), a
// generous allowance for everything else, and none of the cost of walking
// maps.
func estimate(v any, depth int) int {
	const elem = 16 // type, a short key, a scalar
	switch x := v.(type) {
	case string:
		return elem + len(x)
	case []byte:
		return elem + len(x)
	case []any:
		n := elem
		for _, e := range x {
			if depth > 0 {
				n += estimate(e, depth-1)
			} else {
				n += elem
			}
		}
		return n
	case map[string]any:
		return elem + 2*elem*len(x)
	}
	return elem
}

// endDocument writes the terminating NUL of the document that starts at
// start and patches its length.
func endDocument(b []byte, start int) ([]byte, error) {
	b = append(b, 0)
	n := len(b) - start
	if n > math.MaxInt32 {
		return b, fmt.Errorf("document of %d bytes: %w (int32 length)", n, ErrNotRepresentable)
	}
	binary.LittleEndian.PutUint32(b[start:], uint32(n))
	return b, nil
}

// appendList writes l as an array document: depth counts the documents
// around it.
func appendList(b []byte, l []any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return b, errTooDeep()
	}
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	var err error
	for i, e := range l {
		if b, err = appendElement(b, indexKey(i), e, depth+1); err != nil {
			return b, fmt.Errorf("list element %d: %w", i, err)
		}
	}
	return endDocument(b, start)
}

// appendMap writes m as a document with its keys in byte order, so that
// equal maps give equal bytes.
func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return b, errTooDeep()
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if strings.IndexByte(k, 0) >= 0 {
			return b, fmt.Errorf("map key %q contains a NUL byte: %w (keys are C strings)", k, ErrNotRepresentable)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	start := len(b)
	b = append(b, 0, 0, 0, 0)
	var err error
	for _, k := range keys {
		if b, err = appendElement(b, k, m[k], depth+1); err != nil {
			return b, fmt.Errorf("map value %q: %w", k, err)
		}
	}
	return endDocument(b, start)
}

// indexKeys are the keys of the first elements of a list: every element of
// a WAMP message and of most payloads.
var indexKeys = [...]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"}

// indexKey is the key of list element i.
func indexKey(i int) string {
	if i < len(indexKeys) {
		return indexKeys[i]
	}
	return strconv.Itoa(i)
}

func appendKey(b []byte, k string) []byte {
	return append(append(b, k...), 0)
}

// appendString writes the int32 length (with the NUL), the bytes and a NUL.
func appendString(b []byte, s string) ([]byte, error) {
	if len(s) >= math.MaxInt32 {
		return b, fmt.Errorf("string of %d bytes: %w (int32 length)", len(s), ErrNotRepresentable)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s)+1))
	return append(append(b, s...), 0), nil
}

// appendElement writes one element: its type, its key k (which the caller
// has checked for NUL bytes) and v. depth counts the documents around the
// element.
func appendElement(b []byte, k string, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return appendKey(append(b, typeNull), k), nil
	case bool:
		b = appendKey(append(b, typeBool), k)
		if x {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case int64:
		return appendInt(b, k, x), nil
	case uint64:
		if x <= math.MaxInt64 {
			return appendInt(b, k, int64(x)), nil
		}
		b = binary.LittleEndian.AppendUint64(appendKey(append(b, typeDecimal128), k), x)
		return binary.LittleEndian.AppendUint64(b, decimalExponentZero), nil
	case float64:
		return binary.LittleEndian.AppendUint64(appendKey(append(b, typeDouble), k), math.Float64bits(x)), nil
	case string:
		return appendString(appendKey(append(b, typeString), k), x)
	case []byte:
		if len(x) > math.MaxInt32 {
			return b, fmt.Errorf("binary of %d bytes: %w (int32 length)", len(x), ErrNotRepresentable)
		}
		b = binary.LittleEndian.AppendUint32(appendKey(append(b, typeBinary), k), uint32(len(x)))
		return append(append(b, subtypeGeneric), x...), nil
	case []any:
		return appendList(appendKey(append(b, typeArray), k), x, depth)
	case map[string]any:
		return appendMap(appendKey(append(b, typeDocument), k), x, depth)
	case int:
		return appendInt(b, k, int64(x)), nil
	case int8:
		return appendInt(b, k, int64(x)), nil
	case int16:
		return appendInt(b, k, int64(x)), nil
	case int32:
		return appendInt(b, k, int64(x)), nil
	case uint8:
		return appendInt(b, k, int64(x)), nil
	case uint16:
		return appendInt(b, k, int64(x)), nil
	case uint32:
		return appendInt(b, k, int64(x)), nil
	case uint:
		return appendElement(b, k, uint64(x), depth)
	case float32:
		return appendElement(b, k, float64(x), depth)
	}
	c, err := canonical(v, depth)
	if err != nil {
		return b, err
	}
	return appendElement(b, k, c, depth)
}

// appendInt writes i as int32 when it fits, else as int64, as pymongo
// writes Python integers.
func appendInt(b []byte, k string, i int64) []byte {
	if i >= math.MinInt32 && i <= math.MaxInt32 {
		return binary.LittleEndian.AppendUint32(appendKey(append(b, typeInt32), k), uint32(int32(i)))
	}
	return binary.LittleEndian.AppendUint64(appendKey(append(b, typeInt64), k), uint64(i))
}
