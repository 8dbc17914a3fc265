package conformance

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// Category 1: framing. Text and binary messages of the sizes around the
// length encodings (7-bit, 16-bit, 64-bit), up to 1 MiB, in one frame and
// written in chops; masking and length encoding violations.

func framingCases() []tcase {
	sizes := []int{0, 125, 126, 127, 128, 65535, 65536}
	var cases []tcase
	for i, n := range sizes {
		cases = append(cases, tcase{id: fmt.Sprintf("1.1.%d", i+1), desc: fmt.Sprintf("text message of %d bytes", n),
			run: echo(opText, testpeer.TextPayload(n))})
	}
	cases = append(cases,
		tcase{id: "1.1.8", desc: "text message of 65536 bytes written in chops of 997 bytes",
			run: echoChopped(opText, testpeer.TextPayload(65536), 997)},
		tcase{id: "1.1.9", desc: "text message of 1 MiB", run: echo(opText, testpeer.TextPayload(1<<20))},
	)
	for i, n := range sizes {
		cases = append(cases, tcase{id: fmt.Sprintf("1.2.%d", i+1), desc: fmt.Sprintf("binary message of %d bytes", n),
			run: echo(opBinary, testpeer.BinaryPayload(n))})
	}
	cases = append(cases,
		tcase{id: "1.2.8", desc: "binary message of 65536 bytes written in chops of 997 bytes",
			run: echoChopped(opBinary, testpeer.BinaryPayload(65536), 997)},
		tcase{id: "1.2.9", desc: "binary message of 1 MiB", run: echo(opBinary, testpeer.BinaryPayload(1<<20))},
		tcase{id: "1.2.10", desc: "frame headers written byte by byte",
			run: func(s *session) {
				s.sendChopped(1, s.binary(testpeer.BinaryPayload(300)), s.text("abc"))
				s.expectBinary(testpeer.BinaryPayload(300))
				s.expectText("abc")
				s.closeNormally()
			}},
		tcase{id: "1.2.11", desc: "many small messages in one write",
			run: func(s *session) {
				var frames [][]byte
				for i := range 100 {
					frames = append(frames, s.text(fmt.Sprint("message ", i)))
				}
				s.send(frames...)
				for i := range 100 {
					s.expectText(fmt.Sprint("message ", i))
				}
				s.closeNormally()
			}},

		// Masking and length encoding.
		tcase{id: "1.3.1", desc: "unmasked client frame", roles: []role{ourServer}, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{encodeFrame(true, 0, opText, []byte("unmasked"), false)}
			})},
		tcase{id: "1.3.2", desc: "masked server frame", roles: []role{ourClient}, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{encodeFrame(true, 0, opText, []byte("masked"), true)}
			})},
		tcase{id: "1.3.3", desc: "16-bit length for a 5-byte payload (not minimal)", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{withLength(s, opBinary, []byte("abcde"), 126)}
			})},
		tcase{id: "1.3.4", desc: "64-bit length for a 200-byte payload (not minimal)", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{withLength(s, opBinary, make([]byte, 200), 127)}
			})},
		tcase{id: "1.3.5", desc: "64-bit length with the most significant bit set", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				h := []byte{0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 5}
				if s.client {
					h[1] |= 0x80
					h = append(h, 1, 2, 3, 4)
				}
				return [][]byte{append(h, "abcde"...)}
			})},
	)
	return cases
}

// withLength builds a data frame whose length uses the 16-bit (126) or
// 64-bit (127) encoding whatever the payload size.
func withLength(s *session, op byte, payload []byte, enc byte) []byte {
	var h []byte
	maskBit := byte(0)
	if s.client {
		maskBit = 0x80
	}
	h = append(h, 0x80|op, maskBit|enc)
	if enc == 126 {
		h = binary.BigEndian.AppendUint16(h, uint16(len(payload)))
	} else {
		h = binary.BigEndian.AppendUint64(h, uint64(len(payload)))
	}
	if !s.client {
		return append(h, payload...)
	}
	key := []byte{0x11, 0x22, 0x33, 0x44}
	h = append(h, key...)
	masked := bytes.Clone(payload)
	for i := range masked {
		masked[i] ^= key[i&3]
	}
	return append(h, masked...)
}

func TestFraming(t *testing.T) { runCases(t, framingCases()) }
