package msgpack

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/autobahn-go/autobahn/serializers/internal/canonical"
)

var errTooDeep = fmt.Errorf("nesting deeper than %d lists and maps", MaxDepth)

// normalizer converts the values appendValue does not know, with the same
// depth limit and error wording.
var normalizer = canonical.Walker{MaxDepth: MaxDepth, TooDeep: errTooDeep, List: "list"}

// appendValue appends the encoding of v. depth counts the lists and maps
// that enclose v.
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, 0xc0), nil
	case bool:
		if v {
			return append(b, 0xc3), nil
		}
		return append(b, 0xc2), nil
	case int64:
		return appendInt(b, v), nil
	case string:
		return appendString(b, v)
	case []any:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		b, err := appendArrayHeader(b, len(v))
		if err != nil {
			return b, err
		}
		for i, e := range v {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, fmt.Errorf("list element %d: %w", i, err)
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
		return appendUint(b, v), nil
	case []byte:
		return appendBinary(b, v)
	case int:
		return appendInt(b, int64(v)), nil
	case int32:
		return appendInt(b, int64(v)), nil
	case int16:
		return appendInt(b, int64(v)), nil
	case int8:
		return appendInt(b, int64(v)), nil
	case uint:
		return appendUint(b, uint64(v)), nil
	case uint32:
		return appendUint(b, uint64(v)), nil
	case uint16:
		return appendUint(b, uint64(v)), nil
	case uint8:
		return appendUint(b, uint64(v)), nil
	case float32:
		return appendFloat(b, float64(v)), nil
	case []string:
		if depth >= MaxDepth {
			return b, errTooDeep
		}
		b, err := appendArrayHeader(b, len(v))
		if err != nil {
			return b, err
		}
		for i, s := range v {
			if b, err = appendString(b, s); err != nil {
				return b, fmt.Errorf("list element %d: %w", i, err)
			}
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
	b, err := appendMapHeader(b, len(m))
	if err != nil || len(m) == 0 {
		return b, err
	}
	// Sort the pairs, not the keys, to save looking each key up again.
	var buf [16]entry[V]
	pairs := buf[:0]
	for k, v := range m {
		pairs = append(pairs, entry[V]{k, v})
	}
	slices.SortFunc(pairs, func(x, y entry[V]) int { return strings.Compare(x.k, y.k) })
	for _, e := range pairs {
		if b, err = appendString(b, e.k); err != nil {
			return b, fmt.Errorf("map key: %w", err)
		}
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

func appendUint(b []byte, u uint64) []byte {
	switch {
	case u <= 0x7f:
		return append(b, byte(u))
	case u <= math.MaxUint8:
		return append(b, 0xcc, byte(u))
	case u <= math.MaxUint16:
		return append(b, 0xcd, byte(u>>8), byte(u))
	case u <= math.MaxUint32:
		return append(b, 0xce, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
	}
	return append(b, 0xcf, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
		byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// appendInt writes non-negative integers like Python's msgpack does: as
// unsigned, whatever their Go type.
func appendInt(b []byte, i int64) []byte {
	switch {
	case i >= 0:
		return appendUint(b, uint64(i))
	case i >= -32:
		return append(b, byte(i))
	case i >= math.MinInt8:
		return append(b, 0xd0, byte(i))
	case i >= math.MinInt16:
		return append(b, 0xd1, byte(i>>8), byte(i))
	case i >= math.MinInt32:
		return append(b, 0xd2, byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
	}
	return append(b, 0xd3, byte(i>>56), byte(i>>48), byte(i>>40), byte(i>>32),
		byte(i>>24), byte(i>>16), byte(i>>8), byte(i))
}

func appendFloat(b []byte, f float64) []byte {
	u := math.Float64bits(f)
	return append(b, 0xcb, byte(u>>56), byte(u>>48), byte(u>>40), byte(u>>32),
		byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
}

// appendHeader writes a length: fix marks the one-byte form for lengths up
// to fixMax, then come the 8 (if m8 is not 0), 16 and 32 bit forms.
func appendHeader(b []byte, n int, fix byte, fixMax int, m8, m16, m32 byte, what string) ([]byte, error) {
	switch {
	case n <= fixMax:
		return append(b, fix|byte(n)), nil
	case m8 != 0 && n <= math.MaxUint8:
		return append(b, m8, byte(n)), nil
	case n <= math.MaxUint16:
		return append(b, m16, byte(n>>8), byte(n)), nil
	case uint64(n) <= math.MaxUint32:
		return append(b, m32, byte(n>>24), byte(n>>16), byte(n>>8), byte(n)), nil
	}
	return b, fmt.Errorf("%s of length %d is too long for MessagePack (at most %d)", what, n, uint64(math.MaxUint32))
}

func appendString(b []byte, s string) ([]byte, error) {
	b, err := appendHeader(b, len(s), 0xa0, 31, 0xd9, 0xda, 0xdb, "string")
	if err != nil {
		return b, err
	}
	return append(b, s...), nil
}

func appendBinary(b []byte, p []byte) ([]byte, error) {
	// bin has no fix form: bin8 is used from length 0.
	b, err := appendHeader(b, len(p), 0, -1, 0xc4, 0xc5, 0xc6, "byte string")
	if err != nil {
		return b, err
	}
	return append(b, p...), nil
}

func appendArrayHeader(b []byte, n int) ([]byte, error) {
	return appendHeader(b, n, 0x90, 15, 0, 0xdc, 0xdd, "list")
}

func appendMapHeader(b []byte, n int) ([]byte, error) {
	return appendHeader(b, n, 0x80, 15, 0, 0xde, 0xdf, "map")
}
