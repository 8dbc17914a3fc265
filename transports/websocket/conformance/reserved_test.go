package conformance

import "testing"

// Category 3: reserved bits. Without a negotiated extension, any RSV bit
// fails the connection with 1002; with permessage-deflate, only RSV1 on the
// first frame of a data message is allowed (see category 12).

func reservedBitsCases() []tcase {
	return []tcase{
		{id: "3.1", desc: "text with RSV = 1", violation: true,
			run: fails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 1, opText, []byte("Hello, world!"))} })},
		{id: "3.2", desc: "text, then text with RSV = 2, then ping", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 2, opText, []byte("Hello, world!")), s.ping([]byte("no pong"))}
			})},
		{id: "3.3", desc: "text, then text with RSV = 3, then ping, in one write", violation: true,
			run: func(s *session) {
				s.send(s.text("Hello, world!"), s.frame(true, 3, opText, []byte("Hello, world!")), s.ping([]byte("no pong")))
				s.expectText("Hello, world!")
				s.expectFail(1002)
			}},
		{id: "3.4", desc: "text, then text with RSV = 4, then ping, byte by byte", violation: true,
			run: func(s *session) {
				s.sendChopped(1, s.text("Hello, world!"), s.frame(true, 4, opText, []byte("Hello, world!")), s.ping([]byte("no pong")))
				s.expectText("Hello, world!")
				s.expectFail(1002)
			}},
		{id: "3.5", desc: "binary with RSV = 5", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 5, opBinary, smallBinary)} })},
		{id: "3.6", desc: "ping with RSV = 6", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 6, opPing, []byte("ping"))} })},
		{id: "3.7", desc: "close with RSV = 7", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 7, opClose, closePayload(1000, ""))} })},
		{id: "3.8", desc: "continuation frame with RSV = 2", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("frag")), s.frame(true, 2, opCont, []byte("ment"))}
			})},
		{id: "3.9", desc: "RSV = 2 with permessage-deflate negotiated", deflate: true, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 2, opText, []byte("Hello"))} })},
		{id: "3.10", desc: "RSV = 6 (RSV1 and RSV2) with permessage-deflate negotiated", deflate: true, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 6, opText, deflateMessage([]byte("Hello")))}
			})},
	}
}

func TestReservedBits(t *testing.T) { runCases(t, reservedBitsCases()) }
