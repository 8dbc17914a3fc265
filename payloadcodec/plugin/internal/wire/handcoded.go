package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The requests and answers that every payload makes, Encode and Decode,
// are coded by hand instead of as CBOR arrays: a request is its
// operation's byte (OpEncode or OpDecode; a CBOR array never starts with
// one), the codec id (uvarint), the originating flag (a byte), the URI
// and, for Decode, the payload's bytes and strings, each a uvarint length
// and the bytes; an Encode request ends with the CBOR array [args,
// kwargs]. An Encode answer is a status byte, AnsError (then the message),
// AnsClear (no payload: sent in the clear) or AnsPayload (then the
// payload's bytes and its four strings). Decoding that needs no value
// decoder and allocates nothing but the strings.

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
