package conformance

import (
	"bytes"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// Category 5: fragmentation.

// fragments builds a message of op split into the given payloads.
func fragments(s *session, op byte, parts ...[]byte) [][]byte {
	frames := make([][]byte, len(parts))
	for i, p := range parts {
		o := opCont
		if i == 0 {
			o = op
		}
		frames[i] = s.frame(i == len(parts)-1, 0, o, p)
	}
	return frames
}

func fragmentationCases() []tcase {
	frag := func(s string) []byte { return []byte(s) }
	return []tcase{
		{id: "5.1", desc: "ping in 2 fragments", violation: true,
			run: fails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opPing, frag("fragment1")), s.frame(true, 0, opCont, frag("fragment2"))}
			})},
		{id: "5.2", desc: "pong in 2 fragments", violation: true,
			run: fails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opPong, frag("fragment1")), s.frame(true, 0, opCont, frag("fragment2"))}
			})},
		{id: "5.3", desc: "text in 2 fragments",
			run: func(s *session) {
				s.send(fragments(s, opText, frag("fragment1"), frag("fragment2"))...)
				s.expectText("fragment1fragment2")
				s.closeNormally()
			}},
		{id: "5.4", desc: "text in 2 fragments, byte by byte",
			run: func(s *session) {
				s.sendChopped(1, fragments(s, opText, frag("fragment1"), frag("fragment2"))...)
				s.expectText("fragment1fragment2")
				s.closeNormally()
			}},
		{id: "5.5", desc: "binary in 2 fragments",
			run: func(s *session) {
				s.send(fragments(s, opBinary, smallBinary, testpeer.BinaryPayload(300))...)
				s.expectBinary(append(bytes.Clone(smallBinary), testpeer.BinaryPayload(300)...))
				s.closeNormally()
			}},
		{id: "5.6", desc: "text in 2 fragments with a ping between them",
			run: func(s *session) {
				s.send(s.frame(false, 0, opText, frag("fragment1")), s.ping(frag("ping payload")), s.frame(true, 0, opCont, frag("fragment2")))
				s.expectPong(frag("ping payload"))
				s.expectText("fragment1fragment2")
				s.closeNormally()
			}},
		{id: "5.7", desc: "text in 2 fragments with a ping between them, byte by byte",
			run: func(s *session) {
				s.sendChopped(1, s.frame(false, 0, opText, frag("fragment1")), s.ping(frag("ping payload")), s.frame(true, 0, opCont, frag("fragment2")))
				s.expectPong(frag("ping payload"))
				s.expectText("fragment1fragment2")
				s.closeNormally()
			}},
		{id: "5.8", desc: "binary in 2 fragments with a pong and a ping between them",
			run: func(s *session) {
				s.send(s.frame(false, 0, opBinary, smallBinary), s.pong(frag("unsolicited")), s.ping(frag("ping")), s.frame(true, 0, opCont, smallBinary))
				s.expectPong(frag("ping"))
				s.expectBinary(append(bytes.Clone(smallBinary), smallBinary...))
				s.closeNormally()
			}},
		{id: "5.9", desc: "continuation frame with FIN = true, nothing to continue", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 0, opCont, frag("non-continuation payload")), s.text("Hello, world!")}
			})},
		{id: "5.10", desc: "continuation frame with FIN = true, nothing to continue, byte by byte", violation: true,
			run: func(s *session) {
				s.sendChopped(1, s.frame(true, 0, opCont, frag("non-continuation payload")), s.text("Hello, world!"))
				s.expectFail(1002)
			}},
		{id: "5.11", desc: "continuation frame with FIN = false, nothing to continue", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opCont, frag("non-continuation payload")), s.text("Hello, world!")}
			})},
		{id: "5.12", desc: "text in 2 fragments, then a continuation frame with FIN = false, nothing to continue", violation: true,
			run: func(s *session) {
				s.send(fragments(s, opText, frag("fragment1"), frag("fragment2"))...)
				s.expectText("fragment1fragment2")
				s.send(s.frame(false, 0, opCont, frag("fragment3")), s.text("Hello, world!"))
				s.expectFail(1002)
			}},
		{id: "5.13", desc: "continuation frame with FIN = true, then text in 2 fragments", violation: true,
			run: fails(1002, func(s *session) [][]byte {
				return append([][]byte{s.frame(true, 0, opCont, frag("fragment0"))}, fragments(s, opText, frag("fragment1"), frag("fragment2"))...)
			})},
		{id: "5.14", desc: "text in 2 fragments, both with the text opcode", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, frag("fragment1")), s.frame(true, 0, opText, frag("fragment2"))}
			})},
		{id: "5.15", desc: "binary message started inside a fragmented text message", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, frag("fragment1")), s.frame(true, 0, opBinary, smallBinary)}
			})},
		{id: "5.16", desc: "unfragmented text inside a fragmented text message", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, frag("fragment1")), s.text("whole"), s.frame(true, 0, opCont, frag("fragment2"))}
			})},
		{id: "5.17", desc: "text in 5 fragments with pings between them",
			run: func(s *session) {
				s.send(s.frame(false, 0, opText, frag("fragment1")), s.ping(frag("1")),
					s.frame(false, 0, opCont, frag("fragment2")), s.ping(frag("2")),
					s.frame(false, 0, opCont, frag("fragment3")), s.ping(frag("3")),
					s.frame(false, 0, opCont, frag("fragment4")), s.ping(frag("4")),
					s.frame(true, 0, opCont, frag("fragment5")))
				for _, p := range []string{"1", "2", "3", "4"} {
					s.expectPong(frag(p))
				}
				s.expectText("fragment1fragment2fragment3fragment4fragment5")
				s.closeNormally()
			}},
		{id: "5.18", desc: "fragments with empty payloads",
			run: func(s *session) {
				s.send(fragments(s, opText, nil, frag("data"), nil)...)
				s.expectText("data")
				s.send(fragments(s, opBinary, nil, nil, nil)...)
				s.expectBinary(nil)
				s.closeNormally()
			}},
		{id: "5.19", desc: "binary message of 64 KiB in 1024 fragments of 64 bytes",
			run: func(s *session) {
				msg := testpeer.BinaryPayload(64 << 10)
				var parts [][]byte
				for i := 0; i < len(msg); i += 64 {
					parts = append(parts, msg[i:i+64])
				}
				s.send(fragments(s, opBinary, parts...)...)
				s.expectBinary(msg)
				s.closeNormally()
			}},
		{id: "5.20", desc: "close frame inside a fragmented message",
			run: func(s *session) {
				s.send(s.frame(false, 0, opText, frag("fragment1")), s.close(1000, "mid-message"))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, "mid-message"})
				select {
				case m := <-s.h.messages:
					s.t.Errorf("OnMessage %s for an unfinished message", describe(m.payload))
				default:
				}
			}},
		{id: "5.21", desc: "continuation of a finished message", violation: true,
			run: func(s *session) {
				s.send(s.text("done"), s.frame(true, 0, opCont, frag("more")))
				s.expectText("done")
				s.expectFail(1002)
			}},
	}
}

func TestFragmentation(t *testing.T) { runCases(t, fragmentationCases()) }
