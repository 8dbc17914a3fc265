package ubjson

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// SyntaxError reports input that is not one well-formed UBJSON value, or that
// exceeds a decoding limit.
type SyntaxError struct {
	Offset int    // byte offset in the input where the problem was found
	Msg    string // what is wrong
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ubjson: unmarshal: %s (at byte %d)", e.Msg, e.Offset)
}

// Unmarshal decodes the single UBJSON value that fills all of data. Errors are
// of type *SyntaxError. The result shares no memory with data.
func (codec) Unmarshal(data []byte) (any, error) {
	stack := stackPool.Get().(*[]any)
	d := decoder{data: data, implicit: maxImplicit, stack: (*stack)[:0]}
	d.strs.Reset(data)
	v, err := d.document()
	if cap(d.stack) <= maxPooledStack {
		clear(d.stack[:d.high]) // drop references to the decoded values
		*stack = d.stack[:0]
		stackPool.Put(stack)
	}
	return v, err
}

// maxPooledStack is the largest element stack kept for reuse.
const maxPooledStack = 4096

var stackPool = sync.Pool{New: func() any {
	s := make([]any, 0, 64)
	return &s
}}

func (d *decoder) document() (any, error) {
	m, err := d.valueMarker("a value")
	if err != nil {
		return nil, err
	}
	v, err := d.value(m, 0)
	if err != nil {
		return nil, err
	}
	if d.pos != len(d.data) {
		return nil, d.errorf(d.pos, "%d trailing bytes after the value", len(d.data)-d.pos)
	}
	return v, nil
}

type decoder struct {
	data     []byte
	pos      int
	implicit int // elements typed Z/T/F arrays may still produce
	// stack holds the elements of the [ … ] arrays being decoded, innermost
	// last, so that each array is allocated once with its final length.
	stack []any
	high  int // the most elements stack has held
	// strs makes the strings of string values and object keys.
	strs alloc.Strings
}

func (d *decoder) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) remaining() int { return len(d.data) - d.pos }

// take returns the next n bytes, or an error naming what they were to hold.
func (d *decoder) take(n int, what string) ([]byte, error) {
	if n > d.remaining() {
		return nil, d.errorf(d.pos, "%s needs %d bytes, only %d left", what, n, d.remaining())
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// next returns the next byte, which must be there to hold what.
func (d *decoder) next(what string) (byte, error) {
	if d.pos >= len(d.data) {
		return 0, d.errorf(d.pos, "unexpected end of input, expected %s", what)
	}
	c := d.data[d.pos]
	d.pos++
	return c, nil
}

// valueMarker returns the next marker that is not a no-op.
func (d *decoder) valueMarker(what string) (byte, error) {
	for {
		c, err := d.next(what)
		if err != nil || c != markNoOp {
			return c, err
		}
	}
}

// markerName shows a marker byte in messages: 'Z' when printable, else 0x5a.
func markerName(c byte) string {
	if c > 0x20 && c < 0x7f {
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("0x%02x", c)
}

// fixedSize is the payload size of the integer and float markers, 0 for others.
func fixedSize(m byte) int {
	switch m {
	case markInt8, markUint8:
		return 1
	case markInt16:
		return 2
	case markInt32, markFloat32:
		return 4
	case markInt64, markFloat64:
		return 8
	}
	return 0
}

// integer reads the payload of integer marker m.
func (d *decoder) integer(m byte, what string) (int64, error) {
	b, err := d.take(fixedSize(m), what)
	if err != nil {
		return 0, err
	}
	switch m {
	case markInt8:
		return int64(int8(b[0])), nil
	case markUint8:
		return int64(b[0]), nil
	case markInt16:
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case markInt32:
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

func isInt(m byte) bool {
	return m == markInt8 || m == markUint8 || m == markInt16 || m == markInt32 || m == markInt64
}

// length reads a length or count: an integer with its marker, not negative.
func (d *decoder) length(what string) (int, error) {
	start := d.pos
	m, err := d.next(what)
	if err != nil {
		return 0, err
	}
	if !isInt(m) {
		return 0, d.errorf(start, "%s must be an integer, found marker %s", what, markerName(m))
	}
	n, err := d.integer(m, what)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, d.errorf(start, "negative %s %d", what, n)
	}
	if uint64(n) > math.MaxInt {
		return 0, d.errorf(start, "%s %d is too large", what, n)
	}
	return int(n), nil
}

// bytes reads a length-prefixed run of bytes (string, high-precision number);
// lengthWhat names the length in messages.
func (d *decoder) bytes(what, lengthWhat string) ([]byte, error) {
	n, err := d.length(lengthWhat)
	if err != nil {
		return nil, err
	}
	return d.take(n, what)
}

// value decodes the value whose marker m has been read. depth is the number
// of containers around it.
func (d *decoder) value(m byte, depth int) (any, error) {
	switch m {
	case markNull:
		return nil, nil
	case markTrue:
		return true, nil
	case markFalse:
		return false, nil
	case markInt8, markUint8, markInt16, markInt32, markInt64:
		return d.integer(m, "integer")
	case markFloat32:
		b, err := d.take(4, "float32")
		if err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case markFloat64:
		b, err := d.take(8, "float64")
		if err != nil {
			return nil, err
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case markHighPrec:
		start := d.pos
		b, err := d.bytes("high-precision number", "high-precision number length")
		if err != nil {
			return nil, err
		}
		v, msg := parseHighPrec(b)
		if msg != "" {
			return nil, d.errorf(start, "high-precision number %q %s", b, msg)
		}
		return v, nil
	case markChar:
		b, err := d.take(1, "char")
		if err != nil {
			return nil, err
		}
		if b[0] > 0x7f {
			return nil, d.errorf(d.pos-1, "char 0x%02x is not ASCII", b[0])
		}
		return string(b), nil
	case markString:
		b, err := d.bytes("string", "string length")
		if err != nil {
			return nil, err
		}
		return d.strs.String(b), nil
	case markArray:
		return d.array(depth + 1)
	case markObject:
		return d.object(depth + 1)
	}
	return nil, d.errorf(d.pos-1, "unexpected marker %s, expected a value", markerName(m))
}

// header reads the optional $type and #count after [ or {. typ is 0 for an
// untyped container and count is -1 when no count is given.
func (d *decoder) header() (typ byte, count int, err error) {
	if d.pos < len(d.data) && d.data[d.pos] == markType {
		d.pos++
		start := d.pos
		if typ, err = d.next("container type"); err != nil {
			return 0, 0, err
		}
		switch typ {
		case markNull, markTrue, markFalse, markInt8, markUint8, markInt16, markInt32, markInt64,
			markFloat32, markFloat64, markHighPrec, markChar, markString, markArray, markObject:
		case markNoOp:
			return 0, 0, d.errorf(start, "container type cannot be no-op 'N'")
		default:
			return 0, 0, d.errorf(start, "invalid container type %s", markerName(typ))
		}
		if d.pos >= len(d.data) || d.data[d.pos] != markCount {
			return 0, 0, d.errorf(d.pos, "container type %s without a count", markerName(typ))
		}
	}
	if d.pos < len(d.data) && d.data[d.pos] == markCount {
		d.pos++
		count, err = d.length("container count")
		return typ, count, err
	}
	return typ, -1, nil
}

// minSize is the fewest bytes a typed element of type typ can take.
func minSize(typ byte) int {
	switch typ {
	case markNull, markTrue, markFalse:
		return 0
	case markHighPrec, markString:
		return 2 // integer marker and at least one byte of length
	case markArray, markObject:
		return 1 // end marker or count
	}
	if n := fixedSize(typ); n > 0 {
		return n
	}
	return 1 // char
}

// checkCount rejects a count that the rest of the input cannot hold when each
// element takes at least size bytes.
func (d *decoder) checkCount(start, count, size int) error {
	if size > 0 && count > d.remaining()/size {
		return d.errorf(start, "container count %d exceeds what the remaining %d bytes can hold", count, d.remaining())
	}
	return nil
}

func (d *decoder) array(depth int) (any, error) {
	start := d.pos - 1
	if depth > MaxDepth {
		return nil, d.errorf(start, "containers nested deeper than %d levels", MaxDepth)
	}
	typ, count, err := d.header()
	if err != nil {
		return nil, err
	}
	if count < 0 { // [ … ]
		base := len(d.stack)
		for {
			m, err := d.valueMarker("array element or ']'")
			if err != nil {
				return nil, err
			}
			if m == markArrEnd {
				arr := make([]any, len(d.stack)-base)
				copy(arr, d.stack[base:])
				d.stack = d.stack[:base]
				return arr, nil
			}
			v, err := d.value(m, depth)
			if err != nil {
				return nil, err
			}
			d.stack = append(d.stack, v)
			d.high = max(d.high, len(d.stack))
		}
	}
	switch typ {
	case 0: // [# count values with markers
		if err := d.checkCount(start, count, 1); err != nil {
			return nil, err
		}
		arr := make([]any, 0, min(count, maxPrealloc))
		for range count {
			m, err := d.valueMarker("array element")
			if err != nil {
				return nil, err
			}
			v, err := d.value(m, depth)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	case markUint8: // [$U# bytes
		b, err := d.take(count, "uint8 array")
		if err != nil {
			return nil, err
		}
		return append([]byte{}, b...), nil
	case markNull, markTrue, markFalse:
		if count > d.implicit {
			return nil, d.errorf(start, "typed %s array of %d elements exceeds the limit of %d payload-less elements", markerName(typ), count, maxImplicit)
		}
		d.implicit -= count
		v, _ := d.value(typ, depth)
		arr := make([]any, count)
		for i := range arr {
			arr[i] = v
		}
		return arr, nil
	}
	size := minSize(typ)
	if err := d.checkCount(start, count, size); err != nil {
		return nil, err
	}
	capacity := count
	if typ == markArray || typ == markObject {
		capacity = min(count, maxPrealloc)
	}
	arr := make([]any, 0, capacity)
	for range count {
		v, err := d.value(typ, depth)
		if err != nil {
			return nil, err
		}
		arr = append(arr, v)
	}
	return arr, nil
}

// key reads an object key: a length with its integer marker, then the bytes.
// The marker has been read already.
func (d *decoder) key(m byte) (string, error) {
	start := d.pos - 1
	if !isInt(m) {
		return "", d.errorf(start, "object key length must be an integer, found marker %s", markerName(m))
	}
	n, err := d.integer(m, "object key length")
	if err != nil {
		return "", err
	}
	if n < 0 {
		return "", d.errorf(start, "negative object key length %d", n)
	}
	if n > int64(d.remaining()) {
		return "", d.errorf(d.pos, "object key needs %d bytes, only %d left", n, d.remaining())
	}
	k := d.strs.String(d.data[d.pos : d.pos+int(n)])
	d.pos += int(n)
	return k, nil
}

func (d *decoder) object(depth int) (any, error) {
	start := d.pos - 1
	if depth > MaxDepth {
		return nil, d.errorf(start, "containers nested deeper than %d levels", MaxDepth)
	}
	typ, count, err := d.header()
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	if count < 0 {
		obj = make(map[string]any)
	} else {
		// a key takes at least two bytes (marker and length), an untyped value one
		size := 2 + minSize(typ)
		if typ == 0 {
			size = 3
		}
		if err := d.checkCount(start, count, size); err != nil {
			return nil, err
		}
		obj = make(map[string]any, min(count, maxPrealloc))
	}
	for i := 0; count < 0 || i < count; i++ {
		what := "object key"
		if count < 0 {
			what = "object key or '}'"
		}
		m, err := d.valueMarker(what)
		if err != nil {
			return nil, err
		}
		if count < 0 && m == markObjEnd {
			break
		}
		k, err := d.key(m)
		if err != nil {
			return nil, err
		}
		var v any
		switch typ {
		case 0:
			m, err := d.valueMarker("object value")
			if err != nil {
				return nil, err
			}
			v, err = d.value(m, depth)
			if err != nil {
				return nil, err
			}
		default:
			if v, err = d.value(typ, depth); err != nil {
				return nil, err
			}
		}
		obj[k] = v
	}
	return obj, nil
}

// parseHighPrec converts the digits of an H value. It accepts the JSON number
// grammar only and returns a message on failure.
func parseHighPrec(b []byte) (any, string) {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return nil, "is not a JSON number"
	}
	integral := true
	if i < len(b) && b[i] == '.' {
		integral = false
		i++
		if !digits(b, &i) {
			return nil, "is not a JSON number"
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		integral = false
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if !digits(b, &i) {
			return nil, "is not a JSON number"
		}
	}
	if i != len(b) {
		return nil, "is not a JSON number"
	}
	s := string(b)
	if integral {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, ""
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u, ""
		}
		return nil, "is an integer outside the 64-bit ranges"
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, "is outside the float64 range"
	}
	return f, ""
}

// digits skips one or more decimal digits at b[*i].
func digits(b []byte, i *int) bool {
	start := *i
	for *i < len(b) && b[*i] >= '0' && b[*i] <= '9' {
		*i++
	}
	return *i > start
}
