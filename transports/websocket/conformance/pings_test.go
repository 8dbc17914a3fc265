package conformance

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// Category 2: pings and pongs.

var smallBinary = []byte{0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff}

// pingPong sends a ping with payload (written in chops of chop bytes if
// chop > 0) and expects the pong and OnPing.
func pingPong(payload []byte, chop int) func(*session) {
	return func(s *session) {
		if chop > 0 {
			s.sendChopped(chop, s.ping(payload))
		} else {
			s.send(s.ping(payload))
		}
		s.expectPong(payload)
		if got := recv(s.t, s.h.pings, "OnPing"); !bytes.Equal(got, payload) {
			s.t.Errorf("OnPing %s, want %s", describe(got), describe(payload))
		}
		s.closeNormally()
	}
}

func pingCases() []tcase {
	return []tcase{
		{id: "2.1", desc: "ping without payload", run: pingPong(nil, 0)},
		{id: "2.2", desc: "ping with a small text payload", run: pingPong([]byte("Hello, world!"), 0)},
		{id: "2.3", desc: "ping with a small binary payload", run: pingPong(smallBinary, 0)},
		{id: "2.4", desc: "ping with a 125-byte payload", run: pingPong(testpeer.BinaryPayload(125), 0)},
		{id: "2.5", desc: "ping with a 126-byte payload", violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.ping(testpeer.BinaryPayload(126))} })},
		{id: "2.6", desc: "ping with a 125-byte payload written byte by byte", run: pingPong(testpeer.BinaryPayload(125), 1)},
		{id: "2.7", desc: "unsolicited pong without payload is ignored",
			run: func(s *session) {
				s.send(s.pong(nil), s.ping([]byte("after")))
				s.expectPong([]byte("after"))
				if got := recv(s.t, s.h.pongs, "OnPong"); len(got) != 0 {
					s.t.Errorf("OnPong %q", got)
				}
				s.closeNormally()
			}},
		{id: "2.8", desc: "unsolicited pong with payload is ignored",
			run: func(s *session) {
				s.send(s.pong([]byte("unsolicited pong payload")), s.text("after"))
				s.expectText("after")
				if got := recv(s.t, s.h.pongs, "OnPong"); string(got) != "unsolicited pong payload" {
					s.t.Errorf("OnPong %q", got)
				}
				s.closeNormally()
			}},
		{id: "2.9", desc: "unsolicited pong, then ping",
			run: func(s *session) {
				s.send(s.pong([]byte("unsolicited pong payload")), s.ping([]byte("ping payload")))
				s.expectPong([]byte("ping payload"))
				s.closeNormally()
			}},
		{id: "2.10", desc: "10 pings in one write",
			run: func(s *session) {
				var frames [][]byte
				for i := range 10 {
					frames = append(frames, s.ping([]byte(fmt.Sprint("payload-", i))))
				}
				s.send(frames...)
				for i := range 10 {
					s.expectPong([]byte(fmt.Sprint("payload-", i)))
				}
				s.closeNormally()
			}},
		{id: "2.11", desc: "10 pings written byte by byte",
			run: func(s *session) {
				var frames [][]byte
				for i := range 10 {
					frames = append(frames, s.ping([]byte(fmt.Sprint("payload-", i))))
				}
				s.sendChopped(1, frames...)
				for i := range 10 {
					s.expectPong([]byte(fmt.Sprint("payload-", i)))
				}
				s.closeNormally()
			}},
		{id: "2.12", desc: "ping during a fragmented message",
			run: func(s *session) {
				s.send(s.frame(false, 0, opText, []byte("fragment1")), s.ping([]byte("inside")),
					s.frame(true, 0, opCont, []byte("fragment2")))
				s.expectPong([]byte("inside"))
				s.expectText("fragment1fragment2")
				s.closeNormally()
			}},
		{id: "2.13", desc: "SendPing: the peer gets the ping, OnPong its pong",
			run: func(s *session) {
				if err := s.ws.SendPing([]byte("from the implementation")); err != nil {
					s.t.Fatalf("SendPing: %v", err)
				}
				f := s.next("a ping")
				if f.opcode != opPing || string(f.payload) != "from the implementation" {
					s.t.Fatalf("got %v, want the ping", f)
				}
				s.send(s.pong(f.payload))
				if got := recv(s.t, s.h.pongs, "OnPong"); string(got) != "from the implementation" {
					s.t.Errorf("OnPong %q", got)
				}
				if err := s.ws.SendPing(make([]byte, 126)); err == nil {
					s.t.Error("SendPing with 126 bytes succeeded")
				}
				s.closeNormally()
			}},
		{id: "2.14", desc: "SendPong: an unsolicited pong",
			run: func(s *session) {
				if err := s.ws.SendPong([]byte("heartbeat")); err != nil {
					s.t.Fatalf("SendPong: %v", err)
				}
				if f := s.next("a pong"); f.opcode != opPong || string(f.payload) != "heartbeat" {
					s.t.Fatalf("got %v, want the pong", f)
				}
				s.closeNormally()
			}},
	}
}

func TestPings(t *testing.T) { runCases(t, pingCases()) }
