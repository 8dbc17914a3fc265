package conformance

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Category 9: limits and big messages. MaxFramePayloadSize and
// MaxMessagePayloadSize (Autobahn maxFramePayloadSize,
// maxMessagePayloadSize) fail the connection with 1009 when a data frame
// header announces too much, before the payload arrives; control frames are
// not limited, as in Autobahn. Then messages of up to 4 MiB, whole and in
// many fragments, and AutoFragmentSize on the wire.

func maxFrame(n int64) func(*websocket.Options) {
	return func(o *websocket.Options) { o.MaxFramePayloadSize = n }
}

func maxMessage(n int64) func(*websocket.Options) {
	return func(o *websocket.Options) { o.MaxMessagePayloadSize = n }
}

// split cuts payload into parts of n bytes.
func split(payload []byte, n int) [][]byte {
	var parts [][]byte
	for len(payload) > n {
		parts = append(parts, payload[:n])
		payload = payload[n:]
	}
	return append(parts, payload)
}

func limitCases() []tcase {
	return []tcase{
		{id: "9.1.1", desc: "frame of exactly MaxFramePayloadSize", opts: maxFrame(1000), run: echo(opBinary, testpeer.BinaryPayload(1000))},
		{id: "9.1.2", desc: "binary frame one byte over MaxFramePayloadSize", opts: maxFrame(1000), violation: true,
			run: fails(1009, func(s *session) [][]byte { return [][]byte{s.binary(testpeer.BinaryPayload(1001))} })},
		{id: "9.1.3", desc: "text frame over MaxFramePayloadSize", opts: maxFrame(1000), violation: true,
			run: echoThenFails(1009, func(s *session) [][]byte { return [][]byte{s.text(string(testpeer.TextPayload(5000)))} })},
		{id: "9.1.4", desc: "MaxFramePayloadSize limits frames, not messages", opts: maxFrame(1000),
			run: func(s *session) {
				msg := testpeer.BinaryPayload(3000)
				s.send(fragments(s, opBinary, split(msg, 1000)...)...)
				s.expectBinary(msg)
				s.closeNormally()
			}},
		{id: "9.1.5", desc: "fail fast: only the header of a 1 MiB frame arrives", opts: maxFrame(1000), violation: true,
			run: func(s *session) {
				f := s.binary(testpeer.BinaryPayload(1 << 20))
				s.send(f[:14])
				s.expectFail(1009)
			}},
		{id: "9.1.6", desc: "control frames are not limited by MaxFramePayloadSize", opts: maxFrame(10),
			run: func(s *session) {
				s.send(s.ping(testpeer.BinaryPayload(125)))
				s.expectPong(testpeer.BinaryPayload(125))
				s.closeByPeer(closePayload(1000, "a reason longer than ten bytes"))
			}},
		{id: "9.2.1", desc: "message of exactly MaxMessagePayloadSize in 2 fragments", opts: maxMessage(1000),
			run: func(s *session) {
				msg := testpeer.TextPayload(1000)
				s.send(fragments(s, opText, msg[:500], msg[500:])...)
				s.expectText(string(msg))
				s.closeNormally()
			}},
		{id: "9.2.2", desc: "message over MaxMessagePayloadSize in 3 fragments of 400", opts: maxMessage(1000), violation: true,
			run: echoThenFails(1009, func(s *session) [][]byte { return fragments(s, opBinary, split(testpeer.BinaryPayload(1200), 400)...) })},
		{id: "9.2.3", desc: "single frame over MaxMessagePayloadSize", opts: maxMessage(1000), violation: true,
			run: fails(1009, func(s *session) [][]byte { return [][]byte{s.binary(testpeer.BinaryPayload(1001))} })},
		{id: "9.2.4", desc: "fail fast: the header of the fragment crossing MaxMessagePayloadSize", opts: maxMessage(1000), violation: true,
			run: func(s *session) {
				second := s.frame(true, 0, opCont, testpeer.BinaryPayload(600))
				s.send(s.frame(false, 0, opBinary, testpeer.BinaryPayload(600)), second[:8])
				s.expectFail(1009)
			}},
		{id: "9.2.5", desc: "MaxMessagePayloadSize applies to each message", opts: maxMessage(1000),
			run: func(s *session) {
				s.send(s.binary(testpeer.BinaryPayload(800)), s.binary(testpeer.BinaryPayload(800)))
				s.expectBinary(testpeer.BinaryPayload(800))
				s.expectBinary(testpeer.BinaryPayload(800))
				s.closeNormally()
			}},
		{id: "9.2.6", desc: "limits are checked on text messages of valid UTF-8 too", opts: maxMessage(100), violation: true,
			run: fails(1009, func(s *session) [][]byte {
				return fragments(s, opText, testpeer.TextPayload(80), testpeer.TextPayload(80))
			})},

		{id: "9.3.1", desc: "text message of 4 MiB in one frame", run: echo(opText, testpeer.TextPayload(4<<20))},
		{id: "9.3.2", desc: "binary message of 4 MiB in one frame", run: echo(opBinary, testpeer.BinaryPayload(4<<20))},
		{id: "9.3.3", desc: "binary message of 4 MiB in fragments of 64 KiB",
			run: func(s *session) {
				msg := testpeer.BinaryPayload(4 << 20)
				s.send(fragments(s, opBinary, split(msg, 64<<10)...)...)
				s.expectBinary(msg)
				s.closeNormally()
			}},
		{id: "9.3.4", desc: "text message of 1 MiB in fragments of 1 KiB, written in chops of 1500 bytes",
			run: func(s *session) {
				msg := testpeer.TextPayload(1 << 20)
				s.sendChopped(1500, fragments(s, opText, split(msg, 1024)...)...)
				s.expectText(string(msg))
				s.closeNormally()
			}},
		{id: "9.3.5", desc: "1000 binary messages of 1 KiB in one write",
			run: func(s *session) {
				frames := make([][]byte, 1000)
				for i := range frames {
					frames[i] = s.binary(append([]byte(fmt.Sprintf("%04d", i)), testpeer.BinaryPayload(1020)...))
				}
				s.send(frames...)
				for i := range frames {
					s.expectBinary(append([]byte(fmt.Sprintf("%04d", i)), testpeer.BinaryPayload(1020)...))
				}
				s.closeNormally()
			}},
		{id: "9.4.1", desc: "AutoFragmentSize: a 2500-byte echo comes in frames of 1000, 1000, 500",
			opts: func(o *websocket.Options) { o.AutoFragmentSize = 1000 },
			run: func(s *session) {
				msg := testpeer.TextPayload(2500)
				s.send(s.text(string(msg)))
				var got []byte
				var sizes []int
				for i := 0; ; i++ {
					f := s.next("a fragment")
					wantOp := opCont
					if i == 0 {
						wantOp = opText
					}
					if f.opcode != wantOp {
						s.t.Fatalf("fragment %d: %v", i, f)
					}
					sizes = append(sizes, len(f.payload))
					got = append(got, f.payload...)
					if f.fin {
						break
					}
				}
				if !bytes.Equal(got, msg) || fmt.Sprint(sizes) != "[1000 1000 500]" {
					s.t.Errorf("fragments of %v bytes, payload equal: %v", sizes, bytes.Equal(got, msg))
				}
				s.closeNormally()
			}},
		{id: "9.4.2", desc: "AutoFragmentSize: a message of at most the fragment size is one frame",
			opts: func(o *websocket.Options) { o.AutoFragmentSize = 1000 },
			run: func(s *session) {
				s.send(s.binary(testpeer.BinaryPayload(1000)))
				if f := s.next("the echo"); !f.fin || f.opcode != opBinary || !bytes.Equal(f.payload, testpeer.BinaryPayload(1000)) {
					s.t.Errorf("echo %v", f)
				}
				s.closeNormally()
			}},
	}
}

func TestLimits(t *testing.T) { runCases(t, limitCases()) }
