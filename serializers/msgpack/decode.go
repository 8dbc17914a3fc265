package msgpack

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// decoder reads one value from data, starting at off.
type decoder struct {
	data []byte
	off  int
	strs alloc.Strings
}

func decode(data []byte) (any, error) {
	if len(data) == 0 {
		return nil, errors.New("no data")
	}
	d := decoder{data: data}
	d.strs.Reset(data)
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if d.off != len(data) {
		return nil, fmt.Errorf("offset %d: %d bytes follow the value", d.off, len(data)-d.off)
	}
	return v, nil
}

func (d *decoder) errorf(off int, format string, args ...any) error {
	return fmt.Errorf("offset %d: "+format, append([]any{off}, args...)...)
}

// take returns the next n bytes, n being a length read from the input.
func (d *decoder) take(n uint64, what string) ([]byte, error) {
	if n > uint64(len(d.data)-d.off) {
		return nil, d.errorf(d.off, "%s of %d bytes, but only %d bytes follow", what, n, len(d.data)-d.off)
	}
	p := d.data[d.off : d.off+int(n)]
	d.off += int(n)
	return p, nil
}

// uintN reads a big-endian unsigned integer of size bytes.
func (d *decoder) uintN(size int, what string) (uint64, error) {
	if len(d.data)-d.off < size {
		return 0, d.errorf(d.off-1, "%s is truncated", what)
	}
	p := d.data[d.off : d.off+size]
	d.off += size
	switch size {
	case 1:
		return uint64(p[0]), nil
	case 2:
		return uint64(binary.BigEndian.Uint16(p)), nil
	case 4:
		return uint64(binary.BigEndian.Uint32(p)), nil
	}
	return binary.BigEndian.Uint64(p), nil
}

// sizes holds the size of the argument that follows a type byte from 0xc0
// on: the length of bin, str, array and map, the value of numbers.
var sizes = [32]int{
	0xc4 - 0xc0: 1, 0xc5 - 0xc0: 2, 0xc6 - 0xc0: 4, // bin
	0xca - 0xc0: 4, 0xcb - 0xc0: 8, // float
	0xcc - 0xc0: 1, 0xcd - 0xc0: 2, 0xce - 0xc0: 4, 0xcf - 0xc0: 8, // uint
	0xd0 - 0xc0: 1, 0xd1 - 0xc0: 2, 0xd2 - 0xc0: 4, 0xd3 - 0xc0: 8, // int
	0xd9 - 0xc0: 1, 0xda - 0xc0: 2, 0xdb - 0xc0: 4, // str
	0xdc - 0xc0: 2, 0xdd - 0xc0: 4, // array
	0xde - 0xc0: 2, 0xdf - 0xc0: 4, // map
}

// names holds the MessagePack type name of the bytes from 0xc0 on.
var names = [32]string{
	"nil", "never used byte 0xc1", "bool", "bool", "bin8", "bin16", "bin32",
	"ext8", "ext16", "ext32", "float32", "float64",
	"uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
	"fixext1", "fixext2", "fixext4", "fixext8", "fixext16",
	"str8", "str16", "str32", "array16", "array32", "map16", "map32",
}

func (d *decoder) value(depth int) (any, error) {
	if d.off >= len(d.data) {
		return nil, d.errorf(d.off, "value expected, data ends")
	}
	start := d.off
	c := d.data[d.off]
	d.off++
	switch {
	case c <= 0x7f:
		return int64(c), nil
	case c >= 0xe0:
		return int64(int8(c)), nil
	case c <= 0x8f:
		return d.mapOf(start, uint64(c&0x0f), depth)
	case c <= 0x9f:
		return d.array(start, uint64(c&0x0f), depth)
	case c <= 0xbf:
		p, err := d.take(uint64(c&0x1f), "fixstr")
		if err != nil {
			return nil, err
		}
		return d.strs.String(p), nil
	case c == 0xc0:
		return nil, nil
	case c == 0xc2:
		return false, nil
	case c == 0xc3:
		return true, nil
	}
	if c == 0xd4 && d.undefined() {
		return nil, nil
	}
	size := sizes[c-0xc0]
	if size == 0 {
		if c == 0xc1 {
			return nil, d.errorf(start, "the never used byte 0xc1")
		}
		return nil, d.errorf(start, "extension type (%s) is not supported", names[c-0xc0])
	}
	u, err := d.uintN(size, names[c-0xc0])
	if err != nil {
		return nil, err
	}
	switch c {
	case 0xc4, 0xc5, 0xc6:
		p, err := d.take(u, names[c-0xc0])
		if err != nil {
			return nil, err
		}
		return append(make([]byte, 0, len(p)), p...), nil
	case 0xca:
		return float64(math.Float32frombits(uint32(u))), nil
	case 0xcb:
		return math.Float64frombits(u), nil
	case 0xcc, 0xcd, 0xce:
		return int64(u), nil
	case 0xcf:
		if u > math.MaxInt64 {
			return u, nil
		}
		return int64(u), nil
	case 0xd0:
		return int64(int8(u)), nil
	case 0xd1:
		return int64(int16(u)), nil
	case 0xd2:
		return int64(int32(u)), nil
	case 0xd3:
		return int64(u), nil
	case 0xd9, 0xda, 0xdb:
		p, err := d.take(u, names[c-0xc0])
		if err != nil {
			return nil, err
		}
		return d.strs.String(p), nil
	case 0xdc, 0xdd:
		return d.array(start, u, depth)
	}
	return d.mapOf(start, u, depth)
}

func (d *decoder) array(start int, n uint64, depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf(start, "list nested deeper than %d lists and maps", MaxDepth)
	}
	// Every element takes at least one byte.
	if n > uint64(len(d.data)-d.off) {
		return nil, d.errorf(start, "list of %d elements, but only %d bytes follow", n, len(d.data)-d.off)
	}
	list := make([]any, n)
	for i := range list {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, fmt.Errorf("list element %d: %w", i, err)
		}
		list[i] = v
	}
	return list, nil
}

func (d *decoder) mapOf(start int, n uint64, depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.errorf(start, "map nested deeper than %d lists and maps", MaxDepth)
	}
	// Every key and every value takes at least one byte.
	if n > uint64(len(d.data)-d.off)/2 {
		return nil, d.errorf(start, "map of %d pairs, but only %d bytes follow", n, len(d.data)-d.off)
	}
	m := make(map[string]any, n)
	for range n {
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, fmt.Errorf("map value %q: %w", k, err)
		}
		m[k] = v
	}
	return m, nil
}

// key reads a map key, which must be a string.
func (d *decoder) key() (string, error) {
	if d.off >= len(d.data) {
		return "", d.errorf(d.off, "map key expected, data ends")
	}
	start := d.off
	c := d.data[d.off]
	d.off++
	var n uint64
	switch c {
	case 0xd9, 0xda, 0xdb:
		var err error
		if n, err = d.uintN(sizes[c-0xc0], names[c-0xc0]); err != nil {
			return "", err
		}
	default:
		if c < 0xa0 || c > 0xbf {
			return "", d.errorf(start, "map key is %s, but WAMP maps have string keys", typeName(c))
		}
		n = uint64(c & 0x1f)
	}
	p, err := d.take(n, "map key")
	if err != nil {
		return "", err
	}
	return d.strs.String(p), nil
}

// typeName names the MessagePack type that starts with c.
func typeName(c byte) string {
	switch {
	case c <= 0x7f:
		return "positive fixint"
	case c >= 0xe0:
		return "negative fixint"
	case c <= 0x8f:
		return "fixmap"
	case c <= 0x9f:
		return "fixarray"
	case c <= 0xbf:
		return "fixstr"
	}
	return names[c-0xc0]
}

// undefined consumes the two bytes after a fixext1 marker when they are
// JavaScript's undefined (extension type 0, data 0).
func (d *decoder) undefined() bool {
	if d.off+2 <= len(d.data) && d.data[d.off] == 0 && d.data[d.off+1] == 0 {
		d.off += 2
		return true
	}
	return false
}
