package conformance

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// Category 6: UTF-8 handling. Invalid UTF-8 in a text message fails the
// connection with 1007, as soon as the first invalid byte arrives (fail
// fast), also when a code point is split across fragments.

// validSequences are valid UTF-8, including boundary code points and
// noncharacters (which are valid UTF-8).
var validSequences = []struct{ name, seq string }{
	{"κόσμε", "κόσμε"},
	{"U+0000", "\x00"},
	{"U+007F", "\x7f"},
	{"U+0080", "\xc2\x80"},
	{"U+07FF", "\xdf\xbf"},
	{"U+0800", "\xe0\xa0\x80"},
	{"U+D7FF", "\xed\x9f\xbf"},
	{"U+E000", "\xee\x80\x80"},
	{"U+FDD0 (noncharacter)", "\xef\xb7\x90"},
	{"U+FFFD", "\xef\xbf\xbd"},
	{"U+FFFE (noncharacter)", "\xef\xbf\xbe"},
	{"U+FFFF", "\xef\xbf\xbf"},
	{"U+10000", "\xf0\x90\x80\x80"},
	{"U+1FFFE (noncharacter)", "\xf0\x9f\xbf\xbe"},
	{"U+10FFFF", "\xf4\x8f\xbf\xbf"},
}

// invalidSequences are invalid UTF-8; atEnd sequences are incomplete code
// points, invalid only because the message ends.
var invalidSequences = []struct {
	name  string
	seq   string
	atEnd bool
}{
	{name: "lone continuation byte 0x80", seq: "\x80"},
	{name: "lone continuation byte 0xbf", seq: "\xbf"},
	{name: "4 continuation bytes", seq: "\x80\xbf\x80\xbf"},
	{name: "2-byte start followed by a space", seq: "\xc0 "},
	{name: "3-byte start followed by a space", seq: "\xe0 "},
	{name: "4-byte start followed by a space", seq: "\xf0 "},
	{name: "invalid second byte", seq: "\xe2\x28\xa1"},
	{name: "2-byte sequence without its last byte", seq: "\xc2", atEnd: true},
	{name: "3-byte sequence without its last byte", seq: "\xe2\x82", atEnd: true},
	{name: "4-byte sequence without its last byte", seq: "\xf0\x9f\x98", atEnd: true},
	{name: "impossible byte 0xfe", seq: "\xfe"},
	{name: "impossible byte 0xff", seq: "\xff"},
	{name: "impossible bytes fe fe ff ff", seq: "\xfe\xfe\xff\xff"},
	{name: "overlong / in 2 bytes", seq: "\xc0\xaf"},
	{name: "overlong / in 3 bytes", seq: "\xe0\x80\xaf"},
	{name: "overlong / in 4 bytes", seq: "\xf0\x80\x80\xaf"},
	{name: "overlong / in 5 bytes", seq: "\xf8\x80\x80\x80\xaf"},
	{name: "overlong / in 6 bytes", seq: "\xfc\x80\x80\x80\x80\xaf"},
	{name: "maximum overlong 2 bytes (U+007F)", seq: "\xc1\xbf"},
	{name: "maximum overlong 3 bytes (U+07FF)", seq: "\xe0\x9f\xbf"},
	{name: "maximum overlong 4 bytes (U+FFFF)", seq: "\xf0\x8f\xbf\xbf"},
	{name: "overlong NUL in 2 bytes", seq: "\xc0\x80"},
	{name: "overlong NUL in 3 bytes", seq: "\xe0\x80\x80"},
	{name: "surrogate U+D800", seq: "\xed\xa0\x80"},
	{name: "surrogate U+DB7F", seq: "\xed\xad\xbf"},
	{name: "surrogate U+DFFF", seq: "\xed\xbf\xbf"},
	{name: "surrogate pair U+D800 U+DC00 (CESU-8)", seq: "\xed\xa0\x80\xed\xb0\x80"},
	{name: "U+110000 (beyond U+10FFFF)", seq: "\xf4\x90\x80\x80"},
	{name: "U+1FFFFF in 4 bytes", seq: "\xf7\xbf\xbf\xbf"},
	{name: "start byte 0xf5", seq: "\xf5\x80\x80\x80"},
	{name: "5-byte sequence U+200000", seq: "\xf8\x88\x80\x80\x80"},
	{name: "6-byte sequence U+4000000", seq: "\xfc\x84\x80\x80\x80\x80"},
}

// bytewiseFragments splits payload into a text message of 1-byte fragments.
func bytewiseFragments(s *session, payload []byte) [][]byte {
	parts := make([][]byte, len(payload))
	for i := range payload {
		parts[i] = payload[i : i+1]
	}
	return fragments(s, opText, parts...)
}

func utf8Cases() []tcase {
	const hello = "Hello-µ@ßöäüàá-UTF-8!!"
	kosmeSurrogate := "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"
	cases := []tcase{
		{id: "6.1.1", desc: "empty text message", run: echo(opText, nil)},
		{id: "6.1.2", desc: "empty text message in 3 empty fragments",
			run: func(s *session) {
				s.send(fragments(s, opText, nil, nil, nil)...)
				s.expectText("")
				s.closeNormally()
			}},
		{id: "6.1.3", desc: "text in 3 fragments, first and last empty",
			run: func(s *session) {
				s.send(fragments(s, opText, nil, []byte("middle frame payload"), nil)...)
				s.expectText("middle frame payload")
				s.closeNormally()
			}},
		{id: "6.2.1", desc: "valid UTF-8 in one frame", run: echo(opText, []byte(hello))},
		{id: "6.2.2", desc: "valid UTF-8 in 2 fragments split inside a code point",
			run: func(s *session) {
				i := len("Hello-") + 1 // after the first byte of µ
				s.send(fragments(s, opText, []byte(hello[:i]), []byte(hello[i:]))...)
				s.expectText(hello)
				s.closeNormally()
			}},
		{id: "6.2.3", desc: "valid UTF-8 in one frame, written byte by byte", run: echoChopped(opText, []byte(hello), 1)},
		{id: "6.2.4", desc: "valid UTF-8 in fragments of one byte each",
			run: func(s *session) {
				s.send(bytewiseFragments(s, []byte(hello))...)
				s.expectText(hello)
				s.closeNormally()
			}},
		{id: "6.3.1", desc: "invalid UTF-8 (κόσμε, surrogate) in one frame", violation: true,
			run: fails(1007, func(s *session) [][]byte { return [][]byte{s.text(kosmeSurrogate)} })},
		{id: "6.3.2", desc: "invalid UTF-8 (κόσμε, surrogate) in fragments of one byte each", violation: true,
			run: fails(1007, func(s *session) [][]byte { return bytewiseFragments(s, []byte(kosmeSurrogate)) })},
		{id: "6.3.3", desc: "invalid UTF-8 (κόσμε, surrogate) in one frame, written byte by byte", violation: true,
			run: func(s *session) {
				s.sendChopped(1, s.text(kosmeSurrogate))
				s.expectFail(1007)
			}},
		// Fail fast: the rest of the message is never sent.
		{id: "6.4.1", desc: "fail fast: valid first fragment, second fragment with U+110000", violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("κόσμε")), s.frame(false, 0, opCont, []byte("\xf4\x90\x80\x80"))}
			})},
		{id: "6.4.2", desc: "fail fast: valid first fragment, second fragment with the first 2 bytes of U+110000", violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("κόσμε")), s.frame(false, 0, opCont, []byte("\xf4\x90"))}
			})},
		{id: "6.4.3", desc: "fail fast: a frame's invalid bytes arrive, its rest never does", violation: true,
			run: func(s *session) {
				f := s.frame(true, 0, opText, append([]byte("κόσμε\xf4\x90\x80\x80"), testpeer.TextPayload(100)...))
				s.send(f[:len(f)-100])
				s.expectFail(1007)
			}},
		{id: "6.4.4", desc: "fail fast: invalid byte in an unfinished first fragment", violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("ab\xff"))}
			})},
	}
	for i, v := range validSequences {
		cases = append(cases, tcase{id: fmt.Sprintf("6.5.%d", i+1), desc: "valid " + v.name + ", in one frame and in 1-byte fragments",
			run: func(s *session) {
				msg := "ab" + v.seq + "cd"
				if !utf8.ValidString(msg) {
					s.t.Fatalf("test data: %q is not valid UTF-8", msg)
				}
				s.send(s.text(msg))
				s.expectText(msg)
				s.send(bytewiseFragments(s, []byte(msg))...)
				s.expectText(msg)
				s.closeNormally()
			}})
	}
	for i, v := range invalidSequences {
		msg := "ab" + v.seq
		if !v.atEnd {
			msg += "cd"
		}
		cases = append(cases, tcase{id: fmt.Sprintf("6.6.%d", i+1), desc: "invalid: " + v.name, violation: true,
			run: func(s *session) {
				if utf8.ValidString(msg) {
					s.t.Fatalf("test data: %q is valid UTF-8", msg)
				}
				s.send(s.text(msg))
				s.expectFail(1007)
			}})
	}
	// Invalid sequences split across two fragments, inside the sequence.
	n := 0
	for _, v := range invalidSequences {
		if len(v.seq) < 2 {
			continue
		}
		n++
		msg := "ab" + v.seq
		if !v.atEnd {
			msg += "cd"
		}
		cut := len("ab") + 1
		cases = append(cases, tcase{id: fmt.Sprintf("6.7.%d", n), desc: "invalid, split across fragments: " + v.name, violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return fragments(s, opText, []byte(msg[:cut]), []byte(msg[cut:]))
			})})
	}
	return cases
}

func TestUTF8(t *testing.T) { runCases(t, utf8Cases()) }
