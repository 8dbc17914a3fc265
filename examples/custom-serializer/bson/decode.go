package bson

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// SyntaxError is the error of Unmarshal for bytes that are not a BSON
// document of WAMP values: Offset is where the offending element, length or
// byte starts.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "bson: unmarshal: offset " + strconv.Itoa(e.Offset) + ": " + e.Msg
}

// decoder reads one input; it is made anew by each Unmarshal.
type decoder struct {
	data  []byte
	arena string // data as one string, for the strings of a small input
}

// maxArenaInput is the largest input whose strings share one allocation:
// keeping a short string (a URI) then keeps at most this many bytes alive.
const maxArenaInput = 512

// str returns data[from:to] as a string: for a small input a part of one
// copy of the whole input, made on first use, instead of an allocation per
// string.
func (d *decoder) str(from, to int) string {
	if len(d.data) > maxArenaInput || from == to {
		return string(d.data[from:to])
	}
	if d.arena == "" {
		d.arena = string(d.data)
	}
	return d.arena[from:to]
}

func (d *decoder) fail(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Unmarshal decodes the one top-level document that fills data: a document
// with the keys "0", "1", … becomes a list, a document with the one key
// "value" that value.
func (codec) Unmarshal(data []byte) (any, error) {
	d := decoder{data: data}
	if len(data) == 0 {
		return nil, d.fail(0, "no data")
	}
	end, err := d.document(0, len(data))
	if err != nil {
		return nil, err
	}
	if end != len(data) {
		return nil, d.fail(end, "%d bytes follow the document", len(data)-end)
	}
	list := make([]any, 0, 8) // room for the longest WAMP message
	for off, i := 4, 0; off < end-1; i++ {
		key, valOff, err := d.key(off+1, end-1)
		if err != nil {
			return nil, err
		}
		if i == 0 && string(key) == wrapKey {
			v, next, err := d.value(off, valOff, end-1, 1)
			if err != nil {
				return nil, err
			}
			if next != end-1 {
				return nil, d.fail(next, "a document with the key %q must hold only that element", wrapKey)
			}
			return v, nil
		}
		if !isIndex(key, i) {
			return nil, d.fail(off, "top-level element %d has the key %q: a WAMP message is a document with the keys \"0\", \"1\", …, any other value a document with the one key %q", i, key, wrapKey)
		}
		v, next, err := d.value(off, valOff, end-1, 1)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		off = next
	}
	return list, nil
}

// document checks the frame of the document at off (its int32 length, the
// room for it before limit, its terminating NUL) and returns where it ends.
func (d *decoder) document(off, limit int) (end int, err error) {
	if limit-off < 5 {
		return 0, d.fail(off, "document needs at least 5 bytes, %d remain", limit-off)
	}
	n := int(int32(binary.LittleEndian.Uint32(d.data[off:])))
	if n < 5 || n > limit-off {
		return 0, d.fail(off, "document length %d, but %d bytes remain", n, limit-off)
	}
	end = off + n
	if d.data[end-1] != 0 {
		return 0, d.fail(end-1, "document does not end with a NUL byte")
	}
	return end, nil
}

// key reads the C string at off, which must end before limit, and returns
// its bytes (a string is made only for map keys: list keys are just
// checked) and the offset after its NUL.
func (d *decoder) key(off, limit int) ([]byte, int, error) {
	if i := bytes.IndexByte(d.data[off:limit], 0); i >= 0 {
		return d.data[off : off+i], off + i + 1, nil
	}
	return nil, 0, d.fail(off, "element key has no terminating NUL byte within its document")
}

// isIndex reports whether key is the decimal form of i, as the keys of a
// list are.
func isIndex(key []byte, i int) bool {
	var buf [20]byte
	return bytes.Equal(key, strconv.AppendInt(buf[:0], int64(i), 10))
}

// elements decodes the elements of the document at off, which must end by
// limit, calling add for each; depth counts the documents around it.
func (d *decoder) elements(off, limit, depth int, add func(i int, key []byte, keyOff int, v any) error) (int, error) {
	if depth >= MaxDepth {
		return 0, d.fail(off, "documents nested deeper than %d", MaxDepth)
	}
	end, err := d.document(off, limit)
	if err != nil {
		return 0, err
	}
	for p, i := off+4, 0; p < end-1; i++ {
		key, valOff, err := d.key(p+1, end-1)
		if err != nil {
			return 0, err
		}
		v, next, err := d.value(p, valOff, end-1, depth+1)
		if err != nil {
			return 0, err
		}
		if err := add(i, key, p, v); err != nil {
			return 0, err
		}
		p = next
	}
	return end, nil
}

// value decodes the value of the element whose type byte is at typeOff and
// whose value starts at off; the element must end by limit (the document's
// terminating NUL). It returns the value and where the next element starts.
func (d *decoder) value(typeOff, off, limit, depth int) (any, int, error) {
	t := d.data[typeOff]
	need := func(n int) error {
		if limit-off < n {
			return d.fail(off, "%s needs %d bytes, %d remain in its document", typeName(t), n, limit-off)
		}
		return nil
	}
	switch t {
	case typeNull:
		return nil, off, nil
	case typeBool:
		if err := need(1); err != nil {
			return nil, 0, err
		}
		switch d.data[off] {
		case 0:
			return false, off + 1, nil
		case 1:
			return true, off + 1, nil
		}
		return nil, 0, d.fail(off, "boolean byte 0x%02x, want 0x00 or 0x01", d.data[off])
	case typeInt32:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		return int64(int32(binary.LittleEndian.Uint32(d.data[off:]))), off + 4, nil
	case typeInt64:
		if err := need(8); err != nil {
			return nil, 0, err
		}
		return int64(binary.LittleEndian.Uint64(d.data[off:])), off + 8, nil
	case typeDouble:
		if err := need(8); err != nil {
			return nil, 0, err
		}
		return math.Float64frombits(binary.LittleEndian.Uint64(d.data[off:])), off + 8, nil
	case typeDecimal128:
		if err := need(16); err != nil {
			return nil, 0, err
		}
		v, err := decimalInteger(binary.LittleEndian.Uint64(d.data[off:]), binary.LittleEndian.Uint64(d.data[off+8:]))
		if err != nil {
			return nil, 0, d.fail(off, "%v", err)
		}
		return v, off + 16, nil
	case typeString:
		if err := need(4); err != nil {
			return nil, 0, err
		}
		n := int(int32(binary.LittleEndian.Uint32(d.data[off:])))
		if n < 1 || n > limit-off-4 {
			return nil, 0, d.fail(off, "string length %d, but %d bytes remain in its document", n, limit-off-4)
		}
		s := off + 4
		if d.data[s+n-1] != 0 {
			return nil, 0, d.fail(s+n-1, "string does not end with a NUL byte")
		}
		return d.str(s, s+n-1), s + n, nil
	case typeBinary:
		if err := need(5); err != nil {
			return nil, 0, err
		}
		n := int(int32(binary.LittleEndian.Uint32(d.data[off:])))
		if n < 0 || n > limit-off-5 {
			return nil, 0, d.fail(off, "binary length %d, but %d bytes remain in its document", n, limit-off-5)
		}
		p := d.data[off+5 : off+5+n]
		if d.data[off+4] == subtypeBinaryOld {
			if n < 4 || int(int32(binary.LittleEndian.Uint32(p))) != n-4 {
				return nil, 0, d.fail(off, "binary subtype 0x02 of %d bytes without an inner length of %d", n, n-4)
			}
			p = p[4:]
		}
		return append([]byte{}, p...), off + 5 + n, nil
	case typeArray:
		var l []any
		end, err := d.elements(off, limit, depth, func(i int, key []byte, keyOff int, v any) error {
			if !isIndex(key, i) {
				return d.fail(keyOff, "array element %d has the key %q, want %q", i, key, strconv.Itoa(i))
			}
			l = append(l, v)
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		if l == nil {
			l = []any{}
		}
		return l, end, nil
	case typeDocument:
		m := map[string]any{}
		end, err := d.elements(off, limit, depth, func(_ int, key []byte, keyOff int, v any) error {
			m[d.str(keyOff+1, keyOff+1+len(key))] = v
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		return m, end, nil
	}
	return nil, 0, d.fail(typeOff, "element type 0x%02x (%s) has no WAMP value", t, typeName(t))
}

// typeName names an element type for errors.
func typeName(t byte) string {
	switch t {
	case typeDouble:
		return "double"
	case typeString:
		return "string"
	case typeDocument:
		return "document"
	case typeArray:
		return "array"
	case typeBinary:
		return "binary"
	case typeUndefined:
		return "undefined, deprecated"
	case typeObjectID:
		return "ObjectId"
	case typeBool:
		return "boolean"
	case typeDatetime:
		return "UTC datetime"
	case typeNull:
		return "null"
	case typeRegex:
		return "regular expression"
	case typeDBPointer:
		return "DBPointer, deprecated"
	case typeJavaScript:
		return "JavaScript code"
	case typeSymbol:
		return "symbol, deprecated"
	case typeCodeScope:
		return "JavaScript code with scope, deprecated"
	case typeInt32:
		return "int32"
	case typeTimestamp:
		return "timestamp"
	case typeInt64:
		return "int64"
	case typeDecimal128:
		return "decimal128"
	case typeMinKey:
		return "min key"
	case typeMaxKey:
		return "max key"
	}
	return "unknown"
}

// decimalInteger returns the IEEE 754-2008 decimal128 (binary integer
// decimal encoding, as BSON stores it: lo and hi are the little-endian
// halves) as an int64, or a uint64 above MaxInt64, when it is an integer in
// those ranges; any other decimal128 is an error saying why.
func decimalInteger(lo, hi uint64) (any, error) {
	negative := hi>>63 == 1
	if hi>>61&3 == 3 { // combination field 11…: infinity, NaN or a non-canonical coefficient
		switch {
		case hi>>58&0x1f == 0x1e:
			return nil, fmt.Errorf("decimal128 infinity is not an integer")
		case hi>>58&0x1f == 0x1f:
			return nil, fmt.Errorf("decimal128 NaN is not an integer")
		}
		return nil, fmt.Errorf("decimal128 with a non-canonical coefficient (above 10^34-1)")
	}
	exp := int(hi>>49&0x3fff) - 6176
	coef := new(big.Int).Lsh(new(big.Int).SetUint64(hi&(1<<49-1)), 64)
	coef.Or(coef, new(big.Int).SetUint64(lo))
	if coef.Cmp(maxCoefficient) > 0 {
		return nil, fmt.Errorf("decimal128 with a non-canonical coefficient (above 10^34-1)")
	}
	if coef.Sign() != 0 {
		ten := big.NewInt(10)
		switch {
		case exp > 20: // a non-zero coefficient times 10^21 is beyond uint64
			return nil, fmt.Errorf("decimal128 %sE%d is beyond the range of uint64", coef, exp)
		case exp > 0:
			coef.Mul(coef, new(big.Int).Exp(ten, big.NewInt(int64(exp)), nil))
		case exp < 0:
			q, r := new(big.Int), new(big.Int)
			q.QuoRem(coef, new(big.Int).Exp(ten, big.NewInt(int64(-exp)), nil), r)
			if r.Sign() != 0 {
				return nil, fmt.Errorf("decimal128 %sE%d is not an integer", coef, exp)
			}
			coef = q
		}
	}
	if negative {
		coef.Neg(coef)
	}
	switch {
	case coef.IsInt64():
		return coef.Int64(), nil
	case coef.Sign() > 0 && coef.IsUint64():
		return coef.Uint64(), nil
	}
	return nil, fmt.Errorf("decimal128 %s is beyond the range of int64 and uint64", coef)
}

// maxCoefficient is the largest coefficient of a canonical decimal128.
var maxCoefficient, _ = new(big.Int).SetString("9999999999999999999999999999999999", 10)
