package conformance

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Category 7: close handling.
//
// Close codes a peer may send: 1000-1003, 1007-1011 (RFC 6455), 1012 and
// 1013 (IANA registry; accepted by Autobahn|Python), 3000-4999. Invalid:
// 0-999, 1004-1006, 1014 (IANA "Bad Gateway", rejected by Autobahn|Python,
// whose behaviour this package follows), 1015, 1016-2999, 5000 and above.
// The Autobahn testsuite itself checks 1000-1003, 1007-1011, 3000, 3999,
// 4000, 4999 as valid and 0, 999, 1004-1006, 1016, 1100, 2000, 2999 as
// invalid.

var validCloseCodes = []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 3999, 4000, 4999}

var invalidCloseCodes = []int{0, 999, 1004, 1005, 1006, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535}

func closeCases() []tcase {
	echoing := func(o *websocket.Options) { o.EchoCloseCodeReason = true }
	cases := []tcase{
		{id: "7.1.1", desc: "text message, then close",
			run: func(s *session) {
				s.send(s.text("Hello World!"))
				s.expectText("Hello World!")
				s.closeNormally()
			}},
		{id: "7.1.2", desc: "two close frames",
			run: func(s *session) {
				s.send(s.close(1000, ""), s.close(1000, "again"))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, ""})
			}},
		{id: "7.1.3", desc: "close, then ping: no pong",
			run: func(s *session) {
				s.send(s.close(1000, ""), s.ping([]byte("no pong")))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, ""})
			}},
		{id: "7.1.4", desc: "close, then text: no echo",
			run: func(s *session) {
				s.send(s.close(1000, ""), s.text("no echo"))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, ""})
				select {
				case m := <-s.h.messages:
					s.t.Errorf("OnMessage %s after close", describe(m.payload))
				default:
				}
			}},
		{id: "7.1.5", desc: "first fragment, close, last fragment",
			run: func(s *session) {
				s.send(s.frame(false, 0, opText, []byte("fragment1")), s.close(1000, ""), s.frame(true, 0, opCont, []byte("fragment2")))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, ""})
			}},
		{id: "7.1.6", desc: "256 KiB text, close, ping, written in chops of 1 KiB",
			run: func(s *session) {
				big := testpeer.TextPayload(256 << 10)
				s.sendChopped(1024, s.text(string(big)), s.close(1000, ""), s.ping([]byte("no pong")))
				s.expectText(string(big))
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close reply %d", code)
				}
				s.endTCP()
				s.expectOnClose(closeEvent{true, 1000, ""})
			}},

		// Closing handshakes started by the implementation.
		{id: "7.2.1", desc: "SendClose(1000, \"\")", run: closeByUs(1000, "", "")},
		{id: "7.2.2", desc: "SendClose(3000, reason)", run: closeByUs(3000, "bye ü", "bye ü")},
		{id: "7.2.3", desc: "SendClose(4999, 200-byte reason): reason cut to 123 bytes of UTF-8",
			run: closeByUs(4999, strings.Repeat("é", 100), strings.Repeat("é", 61))},
		{id: "7.2.4", desc: "SendClose(0, \"\"): close frame without payload", run: closeByUs(0, "", "")},
		{id: "7.2.5", desc: "SendClose refuses codes and reasons an application may not send",
			run: func(s *session) {
				for _, tt := range []struct {
					code   int
					reason string
				}{{1001, ""}, {1002, ""}, {1011, ""}, {2999, ""}, {5000, ""}, {0, "reason without code"}, {1000, "\xff"}} {
					if err := s.ws.SendClose(tt.code, tt.reason); err == nil {
						s.t.Errorf("SendClose(%d, %q) succeeded", tt.code, tt.reason)
					}
				}
				s.closeNormally()
			}},
		{id: "7.2.6", desc: "Close(ctx) completes the closing handshake",
			run: func(s *session) {
				done := make(chan error, 1)
				go func() { done <- s.ws.Close(context.Background()) }()
				if code, _ := s.expectCloseFrame(); code != 1000 {
					s.t.Errorf("close code %d", code)
				}
				s.send(s.close(1000, ""))
				s.endTCP()
				if err := recv(s.t, done, "Close"); err != nil {
					s.t.Errorf("Close: %v", err)
				}
				s.expectOnClose(closeEvent{true, 1000, ""})
			}},
		{id: "7.2.7", desc: "peer never answers our close: unclean after the close handshake timeout",
			opts: func(o *websocket.Options) { o.CloseHandshakeTimeout = 200 * time.Millisecond },
			run: func(s *session) {
				s.ws.SendClose(1000, "")
				s.expectCloseFrame()
				ev := recv(s.t, s.h.closed, "OnClose")
				if ev.wasClean || ev.code != 1006 || !strings.Contains(ev.reason, "WebSocket closing handshake timeout") {
					s.t.Errorf("OnClose %+v", ev)
				}
			}},
		{id: "7.2.8", desc: "peer drops the TCP connection without closing handshake",
			run: func(s *session) {
				s.peer.conn.Close()
				want := `connection was closed uncleanly ("peer dropped the TCP connection without previous WebSocket closing handshake")`
				s.expectOnClose(closeEvent{false, 1006, want})
			}},

		// Close frame payloads.
		{id: "7.3.1", desc: "close with empty payload", run: func(s *session) { s.closeByPeer(nil) }},
		{id: "7.3.2", desc: "close with 1-byte payload", violation: true,
			run: fails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, 0, opClose, []byte{0x03})} })},
		{id: "7.3.3", desc: "close with code 1000 and no reason", run: func(s *session) { s.closeByPeer(closePayload(1000, "")) }},
		{id: "7.3.4", desc: "close with code 1000 and a reason", run: func(s *session) { s.closeByPeer(closePayload(1000, "Hello World!")) }},
		{id: "7.3.5", desc: "close with a 123-byte reason (payload 125)",
			run: func(s *session) { s.closeByPeer(closePayload(1000, strings.Repeat("*", 123))) }},
		{id: "7.3.6", desc: "close with a 124-byte reason (payload 126)", violation: true,
			run: fails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 0, opClose, closePayload(1000, strings.Repeat("*", 124)))}
			})},

		// Echo behaviour (echoCloseCodeReason).
		{id: "7.4.1", desc: "default reply: 1000 without reason", run: func(s *session) { s.closeByPeer(closePayload(3001, "bye now")) }},
		{id: "7.4.2", desc: "EchoCloseCodeReason: the reply repeats code and reason", opts: echoing,
			run: func(s *session) { s.closeByPeer(closePayload(3001, "bye now")) }},
		{id: "7.4.3", desc: "EchoCloseCodeReason: an empty close gets an empty reply", opts: echoing,
			run: func(s *session) { s.closeByPeer(nil) }},
		{id: "7.4.4", desc: "EchoCloseCodeReason: our close, the peer's reply reaches OnClose", opts: echoing,
			run: closeByUs(3002, "ours", "ours")},

		// Close reasons.
		{id: "7.5.1", desc: "close reason with invalid UTF-8", violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 0, opClose, closePayload(1000, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80\x65\x64\x69\x74\x65\x64"))}
			})},
		{id: "7.5.2", desc: "close reason ending inside a code point", violation: true,
			run: fails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(true, 0, opClose, closePayload(1000, "ab\xce"))}
			})},
		{id: "7.5.3", desc: "close reason with a 4-byte code point", run: func(s *session) { s.closeByPeer(closePayload(1000, "bye 😀")) }},
	}
	for i, code := range validCloseCodes {
		cases = append(cases, tcase{id: fmt.Sprintf("7.7.%d", i+1), desc: fmt.Sprintf("valid close code %d", code),
			run: func(s *session) { s.closeByPeer(closePayload(code, "")) }})
	}
	for i, code := range invalidCloseCodes {
		cases = append(cases, tcase{id: fmt.Sprintf("7.9.%d", i+1), desc: fmt.Sprintf("invalid close code %d", code), violation: true,
			run: fails(1002, func(s *session) [][]byte { return [][]byte{s.close(code, "")} })})
	}
	return cases
}

// closeByUs starts the closing handshake with SendClose(code, reason), checks
// the close frame (wantReason on the wire) and answers it; OnClose then has
// the peer's reply.
func closeByUs(code int, reason, wantReason string) func(*session) {
	return func(s *session) {
		if err := s.ws.SendClose(code, reason); err != nil {
			s.t.Fatalf("SendClose: %v", err)
		}
		wantCode := code
		if code == 0 {
			wantCode = 1005
		}
		gotCode, gotReason := s.expectCloseFrame()
		if gotCode != wantCode || gotReason != wantReason {
			s.t.Errorf("close frame %d %q, want %d %q", gotCode, gotReason, wantCode, wantReason)
		}
		// Sending is over once the close frame is out.
		if err := s.ws.SendMessage([]byte("late"), false); err == nil {
			s.t.Error("SendMessage after SendClose succeeded")
		}
		if gotCode == 1005 {
			s.send(s.frame(true, 0, opClose, nil))
		} else {
			s.send(s.close(gotCode, gotReason))
		}
		s.endTCP()
		s.expectOnClose(closeEvent{true, gotCode, gotReason})
	}
}

func TestClose(t *testing.T) { runCases(t, closeCases()) }
