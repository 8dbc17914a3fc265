package wire

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/autobahn-go/autobahn/serializers/cbor"
)

// The requests and answers that every payload makes, Encode and Decode,
// are coded by hand instead of as CBOR arrays: a request is its
// operation's byte (OpEncode or OpDecode; a CBOR array never starts with
// one), the codec id (uvarint), the originating flag (a byte), the URI
// and, for Decode, the payload's bytes and strings, each a uvarint length
// and the bytes; an Encode request ends with args and kwargs, each a
// value (a 4-byte big-endian length and CBOR). An answer is a status
// byte, AnsError (then the message), AnsClear (Encode: no payload, sent
// in the clear) or AnsPayload (Encode: the payload's bytes and its four
// strings; Decode: the URI, then args and kwargs as values). Reading
// that needs no value decoder but for args and kwargs, and allocates
// nothing but the strings and what those hold.

// Statuses of a hand-coded Encode answer.
const (
	AnsError   = 0
	AnsClear   = 1
	AnsPayload = 2
)

// AppendBytes appends b with its length.
func AppendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendString appends s with its length.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendBool appends b as a byte.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// AppendValue appends the CBOR of v with its length.
func AppendValue(dst []byte, v any) ([]byte, error) {
	at := len(dst)
	dst, err := cbor.Object.Marshal(append(dst, 0, 0, 0, 0), v)
	if err != nil {
		return dst[:at], err
	}
	binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst, nil
}

// errShort is the error of a hand-coded body that ends too soon.
var errShort = errors.New("the body ends too soon")

// Cursor reads a hand-coded body from the front, remembering the first
// error, so that a body of the wrong shape is one error, not a panic.
type Cursor struct {
	b   []byte
	err error
}

// NewCursor reads b.
func NewCursor(b []byte) Cursor { return Cursor{b: b} }

// Err is the first error, or nil.
func (c *Cursor) Err() error { return c.err }

// Byte reads one byte.
func (c *Cursor) Byte() byte {
	if c.err != nil {
		return 0
	}
	if len(c.b) == 0 {
		c.err = errShort
		return 0
	}
	v := c.b[0]
	c.b = c.b[1:]
	return v
}

// Bool reads a byte that is 0 or 1.
func (c *Cursor) Bool() bool {
	switch c.Byte() {
	case 0:
		return false
	case 1:
		return true
	}
	if c.err == nil {
		c.err = errors.New("want a boolean")
	}
	return false
}

// Uvarint reads a uvarint.
func (c *Cursor) Uvarint() uint64 {
	if c.err != nil {
		return 0
	}
	v, n := binary.Uvarint(c.b)
	if n <= 0 {
		c.err = errors.New("want a uvarint")
		return 0
	}
	c.b = c.b[n:]
	return v
}

// Bytes reads bytes with their length; they alias the body.
func (c *Cursor) Bytes() []byte {
	n := c.Uvarint()
	if c.err != nil {
		return nil
	}
	if n > uint64(len(c.b)) {
		c.err = fmt.Errorf("%w: %d bytes announced, %d left", errShort, n, len(c.b))
		return nil
	}
	v := c.b[:n:n]
	c.b = c.b[n:]
	return v
}

// Str reads a string with its length.
func (c *Cursor) Str() string { return string(c.Bytes()) }

// StrLike reads a string with its length, and returns prev when the
// string is the same, instead of a copy.
func (c *Cursor) StrLike(prev string) string {
	b := c.Bytes()
	if string(b) == prev {
		return prev
	}
	return string(b)
}

// Value reads a value with its length (AppendValue); bytes in it alias
// the body, which must not be reused.
func (c *Cursor) Value() any {
	if c.err != nil {
		return nil
	}
	if len(c.b) < 4 {
		c.err = errShort
		return nil
	}
	n := binary.BigEndian.Uint32(c.b)
	if uint64(n) > uint64(len(c.b)-4) {
		c.err = fmt.Errorf("%w: a value of %d bytes announced, %d left", errShort, n, len(c.b)-4)
		return nil
	}
	v, err := cbor.UnmarshalAliasing(c.b[4 : 4+n])
	if err != nil {
		c.err = err
		return nil
	}
	c.b = c.b[4+n:]
	return v
}

// List reads a value that is a list or nil.
func (c *Cursor) List() []any {
	switch v := c.Value().(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	if c.err == nil {
		c.err = errors.New("want a list")
	}
	return nil
}

// Map reads a value that is a map or nil.
func (c *Cursor) Map() map[string]any {
	switch v := c.Value().(type) {
	case nil:
		return nil
	case map[string]any:
		return v
	}
	if c.err == nil {
		c.err = errors.New("want a map")
	}
	return nil
}

// Rest is what remains unread.
func (c *Cursor) Rest() []byte {
	if c.err != nil {
		return nil
	}
	r := c.b
	c.b = nil
	return r
}

// End checks that nothing remains unread.
func (c *Cursor) End() {
	if c.err == nil && len(c.b) != 0 {
		c.err = fmt.Errorf("%d bytes too many", len(c.b))
	}
}
