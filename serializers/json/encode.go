package json

import (
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
	"github.com/autobahn-go/autobahn/serializers/internal/canonical"
)

// MarshalError reports a value that cannot be encoded, and where it sits in
// the value being marshalled.
type MarshalError struct {
	// Path locates the value, e.g. `[4]["mode"]`; empty for the top level.
	Path string
	// Reason says what is wrong with it.
	Reason string

	// segments holds the path innermost first while the error travels up.
	segments []string
}

func (e *MarshalError) Error() string {
	if e.Path == "" {
		return "json: marshal: " + e.Reason
	}
	return "json: marshal " + e.Path + ": " + e.Reason
}

// Marshal appends the JSON encoding of v to dst and returns the extended
// slice. v must be in the value representation of package core (other Go
// integer and float kinds, []string and map[string]string are accepted too).
// On failure it returns dst as it was and a [*MarshalError].
func Marshal(dst []byte, v any) ([]byte, error) {
	dst = alloc.GrowJSON(dst, v)
	out, err := appendValue(dst, v, 0)
	if err != nil {
		if me, ok := err.(*MarshalError); ok && len(me.segments) > 0 {
			var b strings.Builder
			for _, s := range slices.Backward(me.segments) {
				b.WriteString(s)
			}
			me.Path = b.String()
			me.segments = nil
		}
		return dst, err
	}
	return out, nil
}

// at records that err happened inside the container element named by seg.
func at(err error, seg func() string) error {
	if me, ok := err.(*MarshalError); ok {
		me.segments = append(me.segments, seg())
	}
	return err
}

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		if v {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case string:
		return appendString(dst, v)
	case []any:
		if depth >= MaxDepth {
			return dst, tooDeep()
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, at(err, func() string { return "[" + strconv.Itoa(i) + "]" })
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		if depth >= MaxDepth {
			return dst, tooDeep()
		}
		return appendMap(dst, v, depth, appendValue)
	case []byte:
		dst = append(dst, `"\u0000`...)
		dst = base64.StdEncoding.AppendEncode(dst, v)
		return append(dst, '"'), nil
	case float64:
		return appendFloat(dst, v, 64)
	case uint64:
		return strconv.AppendUint(dst, v, 10), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10), nil
	case float32:
		return appendFloat(dst, float64(v), 32)
	case []string:
		dst = append(dst, '[')
		for i, s := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendString(dst, s); err != nil {
				return dst, at(err, func() string { return "[" + strconv.Itoa(i) + "]" })
			}
		}
		return append(dst, ']'), nil
	case map[string]string:
		return appendMap(dst, v, depth, appendStringElem)
	default:
		return dst, &MarshalError{Reason: fmt.Sprintf("unsupported type %T", v)}
	}
}

func tooDeep() error {
	return &MarshalError{Reason: "nesting deeper than " + strconv.Itoa(MaxDepth) + " levels (cyclic value?)"}
}

// appendMap writes m with its keys sorted, each value written by
// appendElem at depth+1.
func appendMap[V any](dst []byte, m map[string]V, depth int, appendElem func([]byte, V, int) ([]byte, error)) ([]byte, error) {
	if len(m) == 0 {
		return append(dst, "{}"...), nil
	}
	var buf [16]string
	keys := canonical.SortedKeys(m, buf[:])
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendString(dst, k); err != nil {
			return dst, at(err, func() string { return "[key " + strconv.Quote(k) + "]" })
		}
		dst = append(dst, ':')
		if dst, err = appendElem(dst, m[k], depth+1); err != nil {
			return dst, at(err, func() string { return "[" + strconv.Quote(k) + "]" })
		}
	}
	return append(dst, '}'), nil
}

// appendStringElem is appendString as an element writer for appendMap.
func appendStringElem(dst []byte, s string, _ int) ([]byte, error) {
	return appendString(dst, s)
}

// plain marks the ASCII bytes that are written into a string as they are.
var plain = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString writes s quoted, escaping like Python's json.dumps with
// ensure_ascii=False.
func appendString(dst []byte, s string) ([]byte, error) {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if plain[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"':
				dst = append(dst, '\\', '"')
			case '\\':
				dst = append(dst, '\\', '\\')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return dst, &MarshalError{Reason: fmt.Sprintf("string is not valid UTF-8 (byte %#02x at offset %d)", b, i)}
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"'), nil
}

// appendFloat writes f as Python's repr does: the shortest digits that read
// back as the same float, in positional notation with at least one decimal
// when the decimal exponent is in [-4, 16), in exponent notation otherwise.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, &MarshalError{Reason: fmt.Sprintf("%v cannot be represented in JSON", f)}
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'e', -1, bits)
	// dst[start:] is [-]d[.ddd]e±XX.
	num := dst[start:]
	e := len(num) - 4
	for num[e] != 'e' {
		e--
	}
	exp := 0
	for _, c := range num[e+2:] {
		exp = exp*10 + int(c-'0')
	}
	if num[e+1] == '-' {
		exp = -exp
	}
	if exp < -4 || exp >= 16 {
		return dst, nil
	}
	// Rewrite positionally: collect the sign and digits, then lay them out.
	var tmp [32]byte
	digits := tmp[:0]
	neg := num[0] == '-'
	for _, c := range num[:e] {
		if c >= '0' && c <= '9' {
			digits = append(digits, c)
		}
	}
	dst = dst[:start]
	if neg {
		dst = append(dst, '-')
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for range -exp - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits...), nil
	}
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for range exp + 1 - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0'), nil
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...), nil
}
