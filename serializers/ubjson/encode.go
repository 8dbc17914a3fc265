package ubjson

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
	"github.com/autobahn-go/autobahn/serializers/internal/canonical"
)

// ErrUnsupportedType is wrapped by the error Marshal returns for a Go value
// outside the representation documented in package core.
var ErrUnsupportedType = errors.New("unsupported type")

// ErrTooDeep is wrapped by the error Marshal returns for containers nested
// deeper than [MaxDepth] levels (or cyclic).
var ErrTooDeep = errors.New("containers nested too deeply")

// maxPathShown is how many levels of the path to a failing element an error
// message shows.
const maxPathShown = 16

// encodeError carries the position of a Marshal failure, collected while the
// recursion unwinds (innermost element first).
type encodeError struct {
	path []string
	err  error
}

func (e *encodeError) Error() string { return e.err.Error() }

// at records that the failure happened inside element elem.
func at(err error, elem string) error {
	if e, ok := err.(*encodeError); ok {
		e.path = append(e.path, elem)
		return e
	}
	return &encodeError{path: []string{elem}, err: err}
}

// Marshal appends the UBJSON encoding of v to dst. On error it returns dst
// unchanged and an error naming the offending element, e.g.
// `ubjson: marshal value at [4]["mode"]: unsupported type chan int`.
func (codec) Marshal(dst []byte, v any) ([]byte, error) {
	dst = alloc.GrowBinary(dst, v)
	out, err := appendValue(dst, v, 0)
	if err != nil {
		var where string
		if e, ok := err.(*encodeError); ok {
			var sb strings.Builder
			for i := len(e.path) - 1; i >= 0; i-- {
				if len(e.path)-i > maxPathShown {
					sb.WriteString("…")
					break
				}
				sb.WriteString(e.path[i])
			}
			where, err = " value at "+sb.String(), e.err
		}
		return dst, fmt.Errorf("ubjson: marshal%s: %w", where, err)
	}
	return out, nil
}

func appendValue(b []byte, v any, depth int) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, markNull), nil
	case bool:
		if x {
			return append(b, markTrue), nil
		}
		return append(b, markFalse), nil
	case int64:
		return appendInt(b, x), nil
	case string:
		return appendString(b, x), nil
	case float64:
		return appendFloat(b, x), nil
	case []byte:
		b = append(b, markArray, markType, markUint8, markCount)
		b = appendInt(b, int64(len(x)))
		return append(b, x...), nil
	case []any:
		if depth >= MaxDepth {
			return b, ErrTooDeep
		}
		b = append(b, markArray)
		var err error
		for i, e := range x {
			if b, err = appendValue(b, e, depth+1); err != nil {
				return b, at(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return append(b, markArrEnd), nil
	case map[string]any:
		return appendMap(b, x, depth)
	case int:
		return appendInt(b, int64(x)), nil
	case int8:
		return appendInt(b, int64(x)), nil
	case int16:
		return appendInt(b, int64(x)), nil
	case int32:
		return appendInt(b, int64(x)), nil
	case uint:
		return appendUint(b, uint64(x)), nil
	case uint8:
		return appendInt(b, int64(x)), nil
	case uint16:
		return appendInt(b, int64(x)), nil
	case uint32:
		return appendInt(b, int64(x)), nil
	case uint64:
		return appendUint(b, x), nil
	case float32:
		return appendFloat(b, float64(x)), nil
	case []string:
		if depth >= MaxDepth {
			return b, ErrTooDeep
		}
		b = append(b, markArray)
		for _, s := range x {
			b = appendString(b, s)
		}
		return append(b, markArrEnd), nil
	case map[string]string:
		if depth >= MaxDepth {
			return b, ErrTooDeep
		}
		var buf [16]string
		b = append(b, markObject)
		for _, k := range canonical.SortedKeys(x, buf[:]) {
			b = appendInt(b, int64(len(k)))
			b = append(b, k...)
			b = appendString(b, x[k])
		}
		return append(b, markObjEnd), nil
	}
	return b, fmt.Errorf("%w %T", ErrUnsupportedType, v)
}

func appendMap(b []byte, m map[string]any, depth int) ([]byte, error) {
	if depth >= MaxDepth {
		return b, ErrTooDeep
	}
	var buf [16]string // small maps sort their keys without allocating
	b = append(b, markObject)
	var err error
	for _, k := range canonical.SortedKeys(m, buf[:]) {
		b = appendInt(b, int64(len(k)))
		b = append(b, k...)
		if b, err = appendValue(b, m[k], depth+1); err != nil {
			return b, at(err, "["+strconv.Quote(k)+"]")
		}
	}
	return append(b, markObjEnd), nil
}

// appendInt writes i with the smallest integer marker that holds it, preferring
// U over i for 0..127 as py-ubjson does.
func appendInt(b []byte, i int64) []byte {
	switch {
	case i >= 0 && i <= math.MaxUint8:
		return append(b, markUint8, byte(i))
	case i >= math.MinInt8 && i < 0:
		return append(b, markInt8, byte(i))
	case i >= math.MinInt16 && i <= math.MaxInt16:
		return binary.BigEndian.AppendUint16(append(b, markInt16), uint16(i))
	case i >= math.MinInt32 && i <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(append(b, markInt32), uint32(i))
	}
	return binary.BigEndian.AppendUint64(append(b, markInt64), uint64(i))
}

// appendUint writes u as an integer, or as a high-precision number when it is
// beyond int64.
func appendUint(b []byte, u uint64) []byte {
	if u <= math.MaxInt64 {
		return appendInt(b, int64(u))
	}
	var digits [20]byte
	d := strconv.AppendUint(digits[:0], u, 10)
	b = appendInt(append(b, markHighPrec), int64(len(d)))
	return append(b, d...)
}

// appendFloat follows py-ubjson with no_float32=True: zero as float32, NaN and
// infinities as null, normal numbers as float64 and subnormal numbers as a
// high-precision number holding the exact value (Python's str(Decimal(f))).
func appendFloat(b []byte, f float64) []byte {
	switch {
	case f == 0:
		return binary.BigEndian.AppendUint32(append(b, markFloat32), math.Float32bits(float32(f)))
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(b, markNull)
	case math.Abs(f) >= 0x1p-1022: // smallest normal float64
		return binary.BigEndian.AppendUint64(append(b, markFloat64), math.Float64bits(f))
	}
	s := exactDecimal(f)
	b = appendInt(append(b, markHighPrec), int64(len(s)))
	return append(b, s...)
}

// exactDecimal formats a non-zero subnormal f as Python formats
// Decimal.from_float(f): every digit of its exact value, in scientific
// notation ("4.940656458412465…E-324").
func exactDecimal(f float64) string {
	mant := math.Float64bits(f) & (1<<52 - 1) // subnormal: value = mant × 2^-1074
	k := 1074
	for mant&1 == 0 {
		mant >>= 1
		k--
	}
	// mant × 2^-k = mant × 5^k × 10^-k
	n := new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(k)), nil)
	n.Mul(n, new(big.Int).SetUint64(mant))
	digits := n.String()
	exp := len(digits) - k - 1 // exponent of the leading digit
	var sb strings.Builder
	sb.Grow(len(digits) + 8)
	if f < 0 {
		sb.WriteByte('-')
	}
	sb.WriteByte(digits[0])
	if len(digits) > 1 {
		sb.WriteByte('.')
		sb.WriteString(digits[1:])
	}
	sb.WriteString("E")
	sb.WriteString(strconv.Itoa(exp)) // always negative here, so it has its sign
	return sb.String()
}

// appendString writes s as a char when it is one ASCII byte, otherwise as a
// string with its length.
func appendString(b []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, markChar, s[0])
	}
	b = appendInt(append(b, markString), int64(len(s)))
	return append(b, s...)
}
