// Package alloc holds what the serializers share to allocate less per
// message: an estimate of the length of an encoding, so that Marshal
// allocates its output once, and a string arena, so that Unmarshal of a
// small input allocates its strings at once.
package alloc

// maxHintDepth is how many levels of lists the size estimates look into:
// enough for the payload of a WAMP message, [..., [Args...], {Kwargs}].
const maxHintDepth = 2

// GrowBinary returns dst, or when dst has no spare capacity (say a nil
// buffer), a copy of it with room for an estimate of the binary encoding of v
// (MessagePack, CBOR, UBJSON), so that encoding v usually allocates once.
// Estimating costs a little, so a buffer that already has room is trusted
// and left to grow by append if it must.
func GrowBinary(dst []byte, v any) []byte {
	if cap(dst) > len(dst) {
		return dst
	}
	return grow(dst, size(v, maxHintDepth, false))
}

// GrowJSON is [GrowBinary] for JSON, where []byte is written in base64.
func GrowJSON(dst []byte, v any) []byte {
	if cap(dst) > len(dst) {
		return dst
	}
	return grow(dst, size(v, maxHintDepth, true))
}

// grow returns a copy of dst with room for n more bytes.
func grow(dst []byte, n int) []byte {
	b := make([]byte, len(dst), len(dst)+n)
	copy(b, dst)
	return b
}

// size estimates the length of the encoding of v: exact for the lengths of
// strings and byte strings in the first depth levels of lists, generous for
// the headers and scalars around them. It does not iterate maps (that would
// cost about as much as the allocation it saves); their entries count for a
// fixed size.
func size(v any, depth int, json bool) int {
	switch v := v.(type) {
	case int64:
		if -32 <= v && v < 100 {
			return 3
		}
	case string:
		return len(v) + header(len(v))
	case []byte:
		if json {
			return (len(v)+2)/3*4 + 9
		}
		return len(v) + header(len(v)) + 4
	case []any:
		if depth == 0 {
			return 5 + 10*len(v)
		}
		n := 5
		for _, e := range v {
			n += 1 + size(e, depth-1, json)
		}
		return n
	case map[string]any:
		return 5 + 20*len(v)
	}
	return 10
}

// header is the most bytes a string or byte string header of length n
// takes, separators and quotes included.
func header(n int) int {
	if n < 256 {
		return 3
	}
	return 9
}

// MaxArenaInput is the largest input whose strings a [Strings] arena shares.
// A string decoded from a larger input gets its own memory, so that keeping
// a short string (say a URI) never keeps more than this many bytes alive.
const MaxArenaInput = 512

// Strings makes the strings that a decoder reads from its input. For an
// input of up to [MaxArenaInput] bytes, the input is copied into one string
// on the first call, and every string is a part of it: one allocation
// instead of one per string. The zero value is ready for use with Reset.
type Strings struct {
	data  []byte
	arena string
}

// Reset starts decoding data.
func (s *Strings) Reset(data []byte) {
	s.data, s.arena = data, ""
}

// String returns p as a string. p is normally a part of the input given to
// Reset; any other p is copied.
func (s *Strings) String(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	off := cap(s.data) - cap(p)
	if len(s.data) > MaxArenaInput || off < 0 || off+len(p) > len(s.data) || &s.data[off] != &p[0] {
		return string(p)
	}
	if s.arena == "" {
		s.arena = string(s.data)
	}
	return s.arena[off : off+len(p)]
}
