package conformance

import (
	"fmt"
	"testing"
)

// Category 4: opcodes. Reserved non-control opcodes 3..7 and reserved
// control opcodes 11..15 fail the connection with 1002.

func opcodeCases() []tcase {
	var cases []tcase
	for i, op := range []byte{3, 4, 5, 6, 7} {
		cases = append(cases, reservedOpcodeCase(fmt.Sprintf("4.1.%d", i+1), op))
	}
	for i, op := range []byte{11, 12, 13, 14, 15} {
		cases = append(cases, reservedOpcodeCase(fmt.Sprintf("4.2.%d", i+1), op))
	}
	cases = append(cases,
		tcase{id: "4.3.1", desc: "reserved opcode 3 inside a fragmented message", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("frag")), s.frame(true, 0, 3, nil), s.frame(true, 0, opCont, []byte("ment"))}
			})},
		tcase{id: "4.3.2", desc: "reserved opcode 11 inside a fragmented message", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(false, 0, opText, []byte("frag")), s.frame(true, 0, 11, []byte("x")), s.frame(true, 0, opCont, []byte("ment"))}
			})},
	)
	return cases
}

// reservedOpcodeCase: a valid message, then a frame with the reserved
// opcode (with a payload for even opcodes), then a ping that must not be
// answered.
func reservedOpcodeCase(id string, op byte) tcase {
	var payload []byte
	if op%2 == 0 {
		payload = []byte("reserved")
	}
	return tcase{id: id, desc: fmt.Sprintf("reserved opcode %d, %d-byte payload", op, len(payload)), violation: true,
		run: echoThenFails(1002, func(s *session) [][]byte {
			return [][]byte{s.frame(true, 0, op, payload), s.ping([]byte("no pong"))}
		})}
}

func TestOpcodes(t *testing.T) { runCases(t, opcodeCases()) }
