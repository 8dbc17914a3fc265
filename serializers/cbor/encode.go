package cbor

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/serializers/internal/canonical"
)

// The major types, in the top three bits of an item's first byte.
const (
	majorUint   byte = 0 << 5
	majorNeg    byte = 1 << 5
	majorBytes  byte = 2 << 5
	majorText   byte = 3 << 5
	majorArray  byte = 4 << 5
	majorMap    byte = 5 << 5
	majorTag    byte = 6 << 5
	majorSimple byte = 7 << 5
)

const (
	simpleFalse     = 0xf4
	simpleTrue      = 0xf5
	simpleNull      = 0xf6
	simpleUndefined = 0xf7
	float16Byte     = 0xf9
	float32Byte     = 0xfa
	float64Byte     = 0xfb
	breakByte       = 0xff
)

var errTooDeep = fmt.Errorf("nesting deeper than %d arrays and maps", MaxDepth)

// normalizer converts the values appendValue does not know, with the same
// depth limit and error wording.
var normalizer = canonical.Walker{MaxDepth: MaxDepth, TooDeep: errTooDeep, List: "array"}

// appendValue appends the encoding of v. depth counts the arrays and maps
// that enclose v.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, simpleNull), nil
	case bool:
		if v {
			return append(b, simpleTrue), nil
		}
		return append(b, simpleFalse), nil
	case int64:
		return appendInt(b, v), nil
	case string:
		return append(appendHead(b, majorText, uint64(len(v))), v...), nil
	case []any:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		b = appendHead(b, majorArray, uint64(len(v)))
		for i, e := range v {
			var err error
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, fmt.Errorf("array element %d: %w", i, err)
			}
		}
		return b, nil
	case map[string]any:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		return appendMap(b, v, depth)
	case float64:
		return appendFloat(b, v), nil
	case uint64:
		return appendHead(b, majorUint, v), nil
	case []byte:
		return append(appendHead(b, majorBytes, uint64(len(v))), v...), nil
	case int:
		return appendInt(b, int64(v)), nil
	case int32:
		return appendInt(b, int64(v)), nil
	case int16:
		return appendInt(b, int64(v)), nil
	case int8:
		return appendInt(b, int64(v)), nil
	case uint:
		return appendHead(b, majorUint, uint64(v)), nil
	case uint32:
		return appendHead(b, majorUint, uint64(v)), nil
	case uint16:
		return appendHead(b, majorUint, uint64(v)), nil
	case uint8:
		return appendHead(b, majorUint, uint64(v)), nil
	case float32:
		return appendFloat(b, float64(v)), nil
	case []string:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		b = appendHead(b, majorArray, uint64(len(v)))
		for _, s := range v {
			b = append(appendHead(b, majorText, uint64(len(s))), s...)
		}
		return b, nil
	case map[string]string:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		return appendMap(b, v, depth)
	}
	// Slow path: convert other kinds to the core representation first.
	n, err := normalizer.Value(v, depth)
	if err != nil {
		return b, err
	}
	return appendValue(b, n, depth)
}

// appendMap appends a map with its keys sorted, for a deterministic encoding.
func appendMap[V any](b []byte, m map[string]V, depth int) ([]byte, error) {
	b = appendHead(b, majorMap, uint64(len(m)))
	if len(m) == 0 {
		return b, nil
	}
	// Sort the pairs, not the keys, to save looking each key up again.
	var buf [16]entry[V]
	pairs := buf[:0]
	for k, v := range m {
		pairs = append(pairs, entry[V]{k, v})
	}
	slices.SortFunc(pairs, func(x, y entry[V]) int { return strings.Compare(x.k, y.k) })
	for _, e := range pairs {
		b = append(appendHead(b, majorText, uint64(len(e.k))), e.k...)
		var err error
		if b, err = appendValue(b, e.v, depth+1); err != nil {
			return b, fmt.Errorf("map value %q: %w", e.k, err)
		}
	}
	return b, nil
}

// entry is one pair of a map.
type entry[V any] struct {
	k string
	v V
}

// appendHead appends the head of an item: its major type and its argument
// (a value, a length or a tag number) in the smallest form.
func appendHead(b []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(b, major|byte(n))
	case n <= math.MaxUint8:
		return append(b, major|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, major|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, major|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return append(b, major|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
		byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
}

func appendInt(b []byte, i int64) []byte {
	if i >= 0 {
		return appendHead(b, majorUint, uint64(i))
	}
	return appendHead(b, majorNeg, uint64(^i)) // -1 - i
}

// appendFloat writes floats like cbor2 does: NaN and the infinities as half
// floats, everything else as float64.
func appendFloat(b []byte, f float64) []byte {
	switch {
	case f != f:
		return append(b, float16Byte, 0x7e, 0x00)
	case math.IsInf(f, 1):
		return append(b, float16Byte, 0x7c, 0x00)
	case math.IsInf(f, -1):
		return append(b, float16Byte, 0xfc, 0x00)
	}
	u := math.Float64bits(f)
	return append(b, float64Byte, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
		byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}
