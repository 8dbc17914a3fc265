package cbor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// decoder reads one data item from data, starting at off.
type decoder struct {
	data []byte
	off  int
	strs alloc.Strings
	// alias: byte strings are slices of data instead of copies.
	alias bool
}

func decode(data []byte, alias bool) (any, error) {
	if len(data) == 0 {
		return nil, errors.New("no data")
	}
	d := decoder{data: data, alias: alias}
	d.strs.Reset(data)
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(data) {
		return nil, fmt.Errorf("offset %d: %d bytes follow the data item", d.off, len(data)-d.off)
	}
	return v, nil
}

func (d *decoder) errorf(off int, format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{off}, args...)...)
}

// majorNames names the major types for errors.
var majorNames = [8]string{
	"unsigned integer", "negative integer", "byte string", "text string",
	"array", "map", "tag", "simple value, float or break",
}

// head reads the head of the item at d.off: its major type, additional
// information and argument. Indefinite lengths (additional information 31)
// have argument 0.
func (d *decoder) head() (major, ai byte, arg uint64, err error) {
	if d.off >= len(d.data) {
		return 0, 0, 0, d.errorf(d.off, "data item expected, data ends")
	}
	start := d.off
	ib := d.data[d.off]
	d.off++
	major, ai = ib>>5, ib&0x1f
	var size int
	switch {
	case ai < 24:
		return major, ai, uint64(ai), nil
	case ai <= 27:
		size = 1 << (ai - 24)
	case ai == 31:
		return major, ai, 0, nil
	default:
		return 0, 0, 0, d.errorf(start, "reserved additional information %d in %s head", ai, majorNames[major])
	}
	if len(d.data)-d.off < size {
		return 0, 0, 0, d.errorf(start, "%s head is truncated", majorNames[major])
	}
	p := d.data[d.off : d.off+size]
	d.off += size
	switch size {
	case 1:
		arg = uint64(p[0])
	case 2:
		arg = uint64(binary.BigEndian.Uint16(p))
	case 4:
		arg = uint64(binary.BigEndian.Uint32(p))
	default:
		arg = binary.BigEndian.Uint64(p)
	}
	return major, ai, arg, nil
}

func (d *decoder) value(depth int) (any, error) {
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return nil, err
	}
	switch major {
	case 0:
		if ai == 31 {
			break
		}
		if arg > math.MaxInt64 {
			return arg, nil
		}
		return int64(arg), nil
	case 1:
		if ai == 31 {
			break
		}
		if arg > math.MaxInt64 {
			return nil, d.errorf(start, "negative integer -1-%d is below the smallest int64", arg)
		}
		return -1 - int64(arg), nil
	case 2:
		p, err := d.stringBytes(start, major, ai, arg)
		if err != nil {
			return nil, err
		}
		if ai == 31 || d.alias {
			return p, nil // already a copy, or meant to alias
		}
		return append(make([]byte, 0, len(p)), p...), nil
	case 3:
		p, err := d.stringBytes(start, major, ai, arg)
		if err != nil {
			return nil, err
		}
		return d.strs.String(p), nil
	case 4:
		return d.array(start, ai, arg, depth)
	case 5:
		return d.mapOf(start, ai, arg, depth)
	case 6:
		if ai == 31 {
			break
		}
		return d.tag(start, arg, depth)
	default:
		return d.simple(start, ai, arg)
	}
	return nil, d.errorf(start, "indefinite length is not allowed for a %s", majorNames[major])
}

// stringBytes returns the content of a byte or text string whose head has
// been read: a slice of the input if it has a definite length, else the
// concatenation of its chunks, which must be definite-length strings of the
// same major type.
func (d *decoder) stringBytes(start int, major, ai byte, arg uint64) ([]byte, error) {
	if ai != 31 {
		return d.take(start, arg, majorNames[major])
	}
	buf := []byte{}
	for {
		if d.off < len(d.data) && d.data[d.off] == breakByte {
			d.off++
			return buf, nil
		}
		chunk := d.off
		m, cai, n, err := d.head()
		if err != nil {
			return nil, fmt.Errorf("indefinite-length %s at offset %d: %w", majorNames[major], start, err)
		}
		if m != major || cai == 31 {
			return nil, d.errorf(chunk, "chunk of an indefinite-length %s is not a definite-length %s", majorNames[major], majorNames[major])
		}
		p, err := d.take(chunk, n, "chunk")
		if err != nil {
			return nil, err
		}
		buf = append(buf, p...)
	}
}

// take returns the next n bytes, n being the length of the item at start.
func (d *decoder) take(start int, n uint64, what string) ([]byte, error) {
	if n > uint64(len(d.data)-d.off) {
		return nil, d.errorf(start, "%s of %d bytes, but only %d bytes follow", what, n, len(d.data)-d.off)
	}
	p := d.data[d.off : d.off+int(n)]
	d.off += int(n)
	return p, nil
}

// atBreak reports whether an indefinite-length item ends at d.off, consuming
// the break byte.
func (d *decoder) atBreak(start int, what string) (bool, error) {
	if d.off >= len(d.data) {
		return false, d.errorf(start, "indefinite-length %s has no break byte", what)
	}
	if d.data[d.off] == breakByte {
		d.off++
		return true, nil
	}
	return false, nil
}

func (d *decoder) array(start int, ai byte, n uint64, depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf(start, "array nested deeper than %d arrays, maps and tags", MaxDepth)
	}
	if ai == 31 {
		list := []any{}
		for i := 0; ; i++ {
			end, err := d.atBreak(start, "array")
			if err != nil || end {
				return list, err
			}
			v, err := d.value(depth + 1)
			if err != nil {
				return nil, fmt.Errorf("array element %d: %w", i, err)
			}
			list = append(list, v)
		}
	}
	// Every element takes at least one byte.
	if n > uint64(len(d.data)-d.off) {
		return nil, d.errorf(start, "array of %d elements, but only %d bytes follow", n, len(d.data)-d.off)
	}
	list := make([]any, n)
	for i := range list {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, fmt.Errorf("array element %d: %w", i, err)
		}
		list[i] = v
	}
	return list, nil
}

func (d *decoder) mapOf(start int, ai byte, n uint64, depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf(start, "map nested deeper than %d arrays, maps and tags", MaxDepth)
	}
	if ai == 31 {
		m := make(map[string]any)
		for {
			end, err := d.atBreak(start, "map")
			if err != nil || end {
				return m, err
			}
			if err := d.pair(m, depth); err != nil {
				return nil, err
			}
		}
	}
	// Every key and every value takes at least one byte.
	if n > uint64(len(d.data)-d.off)/2 {
		return nil, d.errorf(start, "map of %d pairs, but only %d bytes follow", n, len(d.data)-d.off)
	}
	m := make(map[string]any, n)
	for range n {
		if err := d.pair(m, depth); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// pair reads a key, which must be a text string, and its value into m.
func (d *decoder) pair(m map[string]any, depth int) error {
	start := d.off
	major, ai, arg, err := d.head()
	if err != nil {
		return fmt.Errorf("map key: %w", err)
	}
	if major != 3 {
		return d.errorf(start, "map key is a %s, but WAMP maps have string keys", majorNames[major])
	}
	p, err := d.stringBytes(start, major, ai, arg)
	if err != nil {
		return fmt.Errorf("map key: %w", err)
	}
	k := d.strs.String(p)
	v, err := d.value(depth + 1)
	if err != nil {
		return fmt.Errorf("map value %q: %w", k, err)
	}
	m[k] = v
	return nil
}

// tag decodes the content of a tag: bignums to integers, every other tag to
// its content.
func (d *decoder) tag(start int, num uint64, depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf(start, "tag nested deeper than %d arrays, maps and tags", MaxDepth)
	}
	v, err := d.value(depth + 1)
	if err != nil {
		return nil, fmt.Errorf("tag %d: %w", num, err)
	}
	if num != 2 && num != 3 {
		return v, nil
	}
	p, ok := v.([]byte)
	if !ok {
		return nil, d.errorf(start, "bignum (tag %d) content is %T, not a byte string", num, v)
	}
	for len(p) > 0 && p[0] == 0 {
		p = p[1:]
	}
	if len(p) > 8 {
		return nil, d.errorf(start, "bignum (tag %d) of %d bytes does not fit in 64 bits", num, len(p))
	}
	var n uint64
	for _, c := range p {
		n = n<<8 | uint64(c)
	}
	switch {
	case num == 3 && n > math.MaxInt64:
		return nil, d.errorf(start, "negative bignum -1-%d is below the smallest int64", n)
	case num == 3:
		return -1 - int64(n), nil
	case n > math.MaxInt64:
		return n, nil
	}
	return int64(n), nil
}

// simple decodes major type 7: false, true, null, undefined and floats.
func (d *decoder) simple(start int, ai byte, arg uint64) (any, error) {
	switch ai {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23: // null, undefined
		return nil, nil
	case 24:
		if arg < 32 {
			return nil, d.errorf(start, "simple value %d in two bytes is not well-formed", arg)
		}
	case 25:
		return halfToFloat64(uint16(arg)), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	case 31:
		return nil, d.errorf(start, "break byte outside an indefinite-length item")
	}
	return nil, d.errorf(start, "simple value %d is not supported", arg)
}

// halfToFloat64 converts an IEEE 754 half-precision float, keeping the sign
// and payload of NaNs.
func halfToFloat64(h uint16) float64 {
	sign := uint64(h>>15) << 63
	exp := int(h>>10) & 0x1f
	frac := uint64(h & 0x3ff)
	switch exp {
	case 0: // zero and subnormals: frac × 2^-24
		f := math.Ldexp(float64(frac), -24)
		return math.Float64frombits(math.Float64bits(f) | sign)
	case 0x1f: // infinities and NaNs
		return math.Float64frombits(sign | 0x7ff<<52 | frac<<42)
	}
	return math.Float64frombits(sign | uint64(exp-15+1023)<<52 | frac<<42)
}
