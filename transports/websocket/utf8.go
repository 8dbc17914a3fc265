package websocket

import "unicode/utf8"

// validUTF8Prefix checks b, which may end inside a code point, for use while a
// text message is still arriving. It returns the length n of the prefix that
// is complete, valid UTF-8 and ok; the rest (at most 3 bytes) is the start of
// a code point that may still be completed. If b holds invalid UTF-8, ok is
// false and n is the index of the first invalid byte: a sequence that cannot
// be completed validly is reported as soon as it is seen.
func validUTF8Prefix(b []byte) (n int, ok bool) {
	end := len(b)
	// Leave an incomplete (but so far valid) last code point for later.
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax+1; i-- {
		if b[i] < utf8.RuneSelf {
			break
		}
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				end = i
			}
			break
		}
	}
	if utf8.Valid(b[:end]) {
		return end, true
	}
	for i := 0; i < end; {
		r, size := utf8.DecodeRune(b[i:end])
		if r == utf8.RuneError && size == 1 {
			return i, false
		}
		i += size
	}
	return end, true
}
