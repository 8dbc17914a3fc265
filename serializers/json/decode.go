package json

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/serializers/internal/alloc"
)

// SyntaxError reports input that is not one valid JSON value, or that this
// package refuses (see the package documentation).
type SyntaxError struct {
	// Offset is the byte offset in the input where the problem was found.
	Offset int
	// Reason says what is wrong.
	Reason string
	// Err is the underlying error, if any (a base64 error for a bad binary
	// string).
	Err error

	kind errorKind
}

func (e *SyntaxError) Error() string {
	msg := fmt.Sprintf("json: %s at offset %d", e.Reason, e.Offset)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the underlying error.
func (e *SyntaxError) Unwrap() error { return e.Err }

// errorKind classifies rejections that valid JSON can also cause, for tests
// that compare with other decoders.
type errorKind uint8

const (
	kindGrammar errorKind = iota
	kindUTF8
	kindDepth
	kindBase64
	kindRange
)

// Unmarshal decodes the single JSON value that fills data (JSON whitespace
// around it is allowed) into the value representation of package core.
func Unmarshal(data []byte) (any, error) {
	d := decoderPool.Get().(*decoder)
	d.data = data
	d.pos = 0
	d.strs.Reset(data)
	v, err := d.document()
	clear(d.stack[:max(d.high, len(d.stack))]) // drop references to the decoded values
	d.data, d.stack, d.high = nil, d.stack[:0], 0
	d.strs.Reset(nil)
	if cap(d.stack) <= 1024 {
		decoderPool.Put(d)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

var decoderPool = sync.Pool{New: func() any { return &decoder{stack: make([]any, 0, 32)} }}

type decoder struct {
	data []byte
	pos  int
	// stack collects the elements of the lists being decoded; each list
	// copies its elements out when it ends, so that it gets a slice of the
	// exact length in one allocation.
	stack []any
	high  int // the most elements stack has held
	// strs makes the strings that need no unescaping.
	strs alloc.Strings
}

func (d *decoder) fail(offset int, kind errorKind, format string, args ...any) error {
	return &SyntaxError{Offset: offset, Reason: fmt.Sprintf(format, args...), kind: kind}
}

// unexpected reports the byte at d.pos (or the end of input) while looking
// for what is described by want.
func (d *decoder) unexpected(want string) error {
	if d.pos >= len(d.data) {
		return d.fail(d.pos, kindGrammar, "unexpected end of input, expecting %s", want)
	}
	c := d.data[d.pos]
	if c < utf8.RuneSelf {
		return d.fail(d.pos, kindGrammar, "unexpected character %q, expecting %s", c, want)
	}
	r, size := utf8.DecodeRune(d.data[d.pos:])
	if r == utf8.RuneError && size == 1 {
		return d.fail(d.pos, kindUTF8, "invalid UTF-8 byte %#02x, expecting %s", c, want)
	}
	return d.fail(d.pos, kindGrammar, "unexpected character %q, expecting %s", r, want)
}

func (d *decoder) document() (any, error) {
	d.skipSpace()
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.pos != len(d.data) {
		return nil, d.unexpected("the end of input after the value")
	}
	return v, nil
}

func (d *decoder) skipSpace() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, error) {
	if d.pos >= len(d.data) {
		return nil, d.unexpected("a value")
	}
	switch c := d.data[d.pos]; c {
	case '"':
		return d.stringValue()
	case '[':
		return d.list(depth)
	case '{':
		return d.object(depth)
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	default:
		if c == '-' || c >= '0' && c <= '9' {
			return d.number()
		}
		return nil, d.unexpected("a value")
	}
}

func (d *decoder) literal(word string) error {
	for i := 0; i < len(word); i++ {
		if d.pos >= len(d.data) || d.data[d.pos] != word[i] {
			return d.unexpected(fmt.Sprintf("%q (in the literal %s)", word[i], word))
		}
		d.pos++
	}
	return nil
}

func (d *decoder) list(depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.fail(d.pos, kindDepth, "nesting deeper than %d levels", MaxDepth)
	}
	d.pos++ // [
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return []any{}, nil
	}
	base := len(d.stack)
	for {
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		d.stack = append(d.stack, v)
		d.skipSpace()
		if d.pos < len(d.data) {
			c := d.data[d.pos]
			d.pos++
			if c == ',' {
				d.skipSpace()
				continue
			}
			if c == ']' {
				break
			}
			d.pos--
		}
		return nil, d.unexpected("',' or ']' in a list")
	}
	out := make([]any, len(d.stack)-base)
	copy(out, d.stack[base:])
	d.high = max(d.high, len(d.stack))
	d.stack = d.stack[:base] // Unmarshal clears the slots in the end
	return out, nil
}

func (d *decoder) object(depth int) (any, error) {
	if depth >= MaxDepth {
		return nil, d.fail(d.pos, kindDepth, "nesting deeper than %d levels", MaxDepth)
	}
	d.pos++ // {
	m := make(map[string]any)
	d.skipSpace()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return m, nil
	}
	for {
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, d.unexpected("a string key in a map")
		}
		k, err := d.key()
		if err != nil {
			return nil, err
		}
		d.skipSpace()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, d.unexpected("':' after a map key")
		}
		d.pos++
		d.skipSpace()
		v, err := d.value(depth + 1)
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.skipSpace()
		if d.pos < len(d.data) {
			c := d.data[d.pos]
			d.pos++
			if c == ',' {
				d.skipSpace()
				continue
			}
			if c == '}' {
				return m, nil
			}
			d.pos--
		}
		return nil, d.unexpected("',' or '}' in a map")
	}
}

// scanPlain advances from i over string content without escapes, checking it,
// and returns the index of the first '"' or '\'.
func (d *decoder) scanPlain(i int) (int, error) {
	data := d.data
	for i < len(data) {
		c := data[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			if c < 0x20 {
				return i, d.fail(i, kindGrammar, "control character %#02x in a string (must be escaped)", c)
			}
			return i, nil
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i, d.fail(i, kindUTF8, "invalid UTF-8 byte %#02x in a string", c)
		}
		i += size
	}
	return i, d.fail(i, kindGrammar, "unexpected end of input in a string")
}

// key decodes a string at d.pos as a map key: never binary.
func (d *decoder) key() (string, error) {
	start := d.pos + 1
	end, err := d.scanPlain(start)
	if err != nil {
		return "", err
	}
	if d.data[end] == '"' {
		d.pos = end + 1
		return d.strs.String(d.data[start:end]), nil
	}
	b, err := d.unescape(start, end)
	return string(b), err
}

// nulEscape starts a binary string in the Autobahn convention.
const nulEscape = `\u0000`

// stringValue decodes a string at d.pos as a value: binary if it starts with
// U+0000.
func (d *decoder) stringValue() (any, error) {
	start := d.pos + 1
	if len(d.data)-start >= len(nulEscape) && string(d.data[start:start+len(nulEscape)]) == nulEscape {
		if b, ok := d.quickBase64(start + len(nulEscape)); ok {
			return b, nil
		}
	}
	end, err := d.scanPlain(start)
	if err != nil {
		return nil, err
	}
	if d.data[end] == '"' {
		d.pos = end + 1
		return d.strs.String(d.data[start:end]), nil
	}
	b, err := d.unescape(start, end)
	if err != nil {
		return nil, err
	}
	if len(b) > 0 && b[0] == 0 {
		return d.decodeBase64(b[1:], start-1)
	}
	return string(b), nil
}

// quickBase64 decodes the usual binary string, whose base64 text from i to
// the closing quote needs no escapes, and leaves d.pos after the quote. It
// reports false, leaving d.pos alone, for anything else, which the general
// path then decodes or rejects with a precise error.
func (d *decoder) quickBase64(i int) ([]byte, bool) {
	n := bytes.IndexByte(d.data[i:], '"')
	if n < 0 || n%4 != 0 {
		return nil, false
	}
	src := d.data[i : i+n]
	out := make([]byte, n/4*3)
	m, err := base64.StdEncoding.Decode(out, src)
	// Decode rejects every byte outside the base64 alphabet (so escapes,
	// control characters and non-ASCII text) except CR and LF, which it
	// skips; skipped bytes make the decoded length come out short.
	pad := 0
	if n > 0 && src[n-1] == '=' {
		pad++
		if src[n-2] == '=' {
			pad++
		}
	}
	if err != nil || m != len(out)-pad {
		return nil, false
	}
	d.pos = i + n + 1
	return out[:m], true
}

// decodeBase64 decodes the base64 text of the binary string whose opening
// quote is at offset.
func (d *decoder) decodeBase64(src []byte, offset int) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(out, src)
	if err != nil {
		return nil, &SyntaxError{Offset: offset, Reason: "invalid base64 in a binary string (a string value starting with U+0000)", Err: err, kind: kindBase64}
	}
	return out[:n], nil
}

// unescape decodes the string content from start, whose plain prefix ends at
// the backslash at i, and leaves d.pos after the closing quote.
func (d *decoder) unescape(start, i int) ([]byte, error) {
	data := d.data
	buf := make([]byte, i-start, i-start+16)
	copy(buf, data[start:i])
	for {
		// data[i] is '"' or '\'.
		if data[i] == '"' {
			d.pos = i + 1
			return buf, nil
		}
		esc := i
		i++
		if i >= len(data) {
			return nil, d.fail(i, kindGrammar, "unexpected end of input in a string escape")
		}
		switch c := data[i]; c {
		case '"', '\\', '/':
			buf = append(buf, c)
			i++
		case 'b':
			buf = append(buf, '\b')
			i++
		case 'f':
			buf = append(buf, '\f')
			i++
		case 'n':
			buf = append(buf, '\n')
			i++
		case 'r':
			buf = append(buf, '\r')
			i++
		case 't':
			buf = append(buf, '\t')
			i++
		case 'u':
			r, ok := hex4(data[i+1:])
			if !ok {
				return nil, d.fail(esc, kindGrammar, "invalid \\u escape in a string (needs 4 hex digits)")
			}
			i += 5
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if len(data)-i >= 6 && data[i] == '\\' && data[i+1] == 'u' {
					if lo, ok := hex4(data[i+2:]); ok {
						if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
							r2 = dec
							i += 6
						}
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return nil, d.unexpected2(i, "an escape character (one of \"\\/bfnrtu) after '\\'")
		}
		next, err := d.scanPlain(i)
		if err != nil {
			return nil, err
		}
		buf = append(buf, data[i:next]...)
		i = next
	}
}

// unexpected2 is unexpected at offset i.
func (d *decoder) unexpected2(i int, want string) error {
	d.pos = i
	return d.unexpected(want)
}

// hex4 decodes the four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number decodes a number at d.pos: an int64 or uint64 when it is an integer
// that fits, a float64 otherwise.
func (d *decoder) number() (any, error) {
	data := d.data
	start := d.pos
	i := start
	neg := data[i] == '-'
	if neg {
		i++
	}
	digits := i
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
	default:
		return nil, d.unexpected2(i, "a digit in a number")
	}
	intEnd := i
	isFloat := false
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return nil, d.unexpected2(i, "a digit after the decimal point")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		isFloat = true
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || data[i] < '0' || data[i] > '9' {
			return nil, d.unexpected2(i, "a digit in an exponent")
		}
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		isFloat = true
	}
	d.pos = i
	if !isFloat {
		if u, ok := parseUint(data[digits:intEnd]); ok {
			switch {
			case !neg && u <= math.MaxInt64:
				return int64(u), nil
			case !neg:
				return u, nil
			case u <= 1<<63:
				return int64(-u), nil
			}
		}
		// Beyond int64/uint64: the nearest float64 (below).
	}
	f, err := strconv.ParseFloat(string(data[start:i]), 64)
	if err != nil {
		return nil, d.fail(start, kindRange, "number %s is out of the float64 range", data[start:i])
	}
	return f, nil
}

// parseUint parses decimal digits, reporting false on overflow.
func parseUint(b []byte) (uint64, bool) {
	var u uint64
	if len(b) <= 19 {
		for _, c := range b {
			u = u*10 + uint64(c-'0')
		}
		return u, true
	}
	for _, c := range b {
		dgt := uint64(c - '0')
		if u > (math.MaxUint64-dgt)/10 {
			return 0, false
		}
		u = u*10 + dgt
	}
	return u, true
}
