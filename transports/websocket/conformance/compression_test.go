package conformance

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// Categories 12 and 13: permessage-deflate (RFC 7692). 12: compressed
// messages once the extension is in use; 13: the negotiation. The peer
// compresses and decompresses each message on its own (no context
// takeover), the only mode this package negotiates.

// compressedEcho sends payload compressed in one frame and expects a
// compressed echo.
func compressedEcho(op byte, payload []byte) func(*session) {
	return func(s *session) {
		compressedEchoOnce(s, op, payload)
		s.closeNormally()
	}
}

func compressedEchoOnce(s *session, op byte, payload []byte) {
	s.t.Helper()
	s.send(s.compressedFrame(op, payload))
	s.expectMessage(op, payload)
	if s.lastRSV != rsvCompressed {
		s.t.Error("the echo is not compressed")
	}
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func compressionCases() []tcase {
	sizes := []int{16, 64, 256, 1024, 4096, 8192, 16384, 65536, 131072, 1 << 20}
	var cases []tcase
	for i, n := range sizes {
		cases = append(cases, tcase{id: fmt.Sprintf("12.1.%d", i+1), desc: fmt.Sprintf("compressed text message of %d bytes", n),
			deflate: true, run: compressedEcho(opText, testpeer.TextPayload(n))})
	}
	for i, n := range sizes {
		cases = append(cases, tcase{id: fmt.Sprintf("12.2.%d", i+1), desc: fmt.Sprintf("compressed binary message of %d bytes", n),
			deflate: true, run: compressedEcho(opBinary, testpeer.BinaryPayload(n))})
	}
	cases = append(cases,
		tcase{id: "12.3.1", desc: "compressed incompressible binary message of 64 KiB", deflate: true,
			run: compressedEcho(opBinary, randomBytes(64<<10))},
		tcase{id: "12.3.2", desc: "compressed message in 3 fragments, RSV1 on the first only", deflate: true,
			run: func(s *session) {
				msg := testpeer.TextPayload(10000)
				z := deflateMessage(msg)
				third := len(z) / 3
				s.send(s.frame(false, rsvCompressed, opText, z[:third]), s.frame(false, 0, opCont, z[third:2*third]), s.frame(true, 0, opCont, z[2*third:]))
				s.expectText(string(msg))
				s.closeNormally()
			}},
		tcase{id: "12.3.3", desc: "uncompressed message on a compressed connection", deflate: true,
			run: func(s *session) {
				s.send(s.text("not compressed"), s.binary(smallBinary))
				s.expectText("not compressed")
				s.expectBinary(smallBinary)
				s.closeNormally()
			}},
		tcase{id: "12.3.4", desc: "compressed empty message", deflate: true,
			run: func(s *session) {
				// An empty message compresses to a single 0x00 byte (RFC 7692
				// 7.2.3.6).
				if z := deflateMessage(nil); !bytes.Equal(z, []byte{0}) {
					s.t.Fatalf("test data: empty message compresses to %x", z)
				}
				s.send(s.frame(true, rsvCompressed, opText, []byte{0}), s.frame(true, rsvCompressed, opBinary, []byte{0}))
				s.expectText("")
				s.expectBinary(nil)
				s.closeNormally()
			}},
		tcase{id: "12.3.10", desc: "compressed message ending with a final block (BFINAL = 1)", deflate: true,
			run: func(s *session) {
				var buf bytes.Buffer
				w, _ := flate.NewWriter(&buf, flate.BestSpeed)
				w.Write(testpeer.TextPayload(3000))
				w.Close()
				s.send(s.frame(true, rsvCompressed, opText, buf.Bytes()))
				s.expectText(string(testpeer.TextPayload(3000)))
				s.closeNormally()
			}},
		tcase{id: "12.3.5", desc: "identical messages: each echo decompresses on its own (no context takeover)", deflate: true,
			run: func(s *session) {
				msg := testpeer.TextPayload(3000)
				for range 3 {
					s.send(s.compressedFrame(opText, msg))
				}
				for range 3 {
					s.expectText(string(msg))
				}
				s.closeNormally()
			}},
		tcase{id: "12.3.6", desc: "ping between the fragments of a compressed message", deflate: true,
			run: func(s *session) {
				z := deflateMessage(testpeer.TextPayload(5000))
				s.send(s.frame(false, rsvCompressed, opText, z[:10]), s.ping([]byte("inside")), s.frame(true, 0, opCont, z[10:]))
				s.expectPong([]byte("inside"))
				s.expectText(string(testpeer.TextPayload(5000)))
				s.closeNormally()
			}},
		tcase{id: "12.3.7", desc: "SendMessage of 1 MiB on a compressed connection", deflate: true,
			run: func(s *session) {
				msg := testpeer.BinaryPayload(1 << 20)
				if err := s.ws.SendMessage(msg, true); err != nil {
					s.t.Fatalf("SendMessage: %v", err)
				}
				s.expectBinary(msg)
				if s.lastRSV != rsvCompressed {
					s.t.Error("message not compressed")
				}
				s.closeNormally()
			}},
		tcase{id: "12.3.8", desc: "compressed echo with AutoFragmentSize: frames of that many compressed bytes (client role; a server only round-trips)", deflate: true,
			opts: func(o *websocket.Options) { o.AutoFragmentSize = 100 },
			run: func(s *session) {
				msg := randomBytes(1000) // does not compress: about 1000 bytes on the wire
				s.send(s.compressedFrame(opBinary, msg))
				var z []byte
				var sizes []int
				for i := 0; ; i++ {
					f := s.next("a fragment")
					wantOp, wantRSV := opCont, byte(0)
					if i == 0 {
						wantOp, wantRSV = opBinary, rsvCompressed
					}
					if f.opcode != wantOp || f.rsv != wantRSV {
						s.t.Fatalf("fragment %d: %v", i, f)
					}
					sizes = append(sizes, len(f.payload))
					z = append(z, f.payload...)
					if f.fin {
						break
					}
				}
				if got, err := inflateMessage(z); err != nil || !bytes.Equal(got, msg) {
					s.t.Fatalf("echo does not inflate to the message: %v", err)
				}
				if s.role == ourServer {
					// Documented limitation (Options): gorilla writes big
					// pieces of a server's compressor output as frames of
					// their own, so only the client fragments exactly.
					s.closeNormally()
					return
				}
				for i, n := range sizes[:len(sizes)-1] {
					if n != 100 {
						s.t.Errorf("AutoFragmentSize 100: fragment %d of %d has %d bytes (fragment sizes %v)", i, len(sizes), n, sizes)
						break
					}
				}
				s.closeNormally()
			}},
		tcase{id: "12.3.9", desc: "MaxFramePayloadSize counts compressed bytes", deflate: true,
			opts: maxFrame(1000), run: compressedEcho(opText, bytes.Repeat([]byte("a"), 100000))},

		tcase{id: "12.4.1", desc: "RSV1 on a continuation frame", deflate: true, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				z := deflateMessage([]byte("Hello, compressed world!"))
				return [][]byte{s.frame(false, rsvCompressed, opText, z[:5]), s.frame(true, rsvCompressed, opCont, z[5:])}
			})},
		tcase{id: "12.4.2", desc: "RSV1 on a ping", deflate: true, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte { return [][]byte{s.frame(true, rsvCompressed, opPing, nil)} })},
		tcase{id: "12.4.3", desc: "RSV1 on a close frame", deflate: true, violation: true,
			run: echoThenFails(1002, func(s *session) [][]byte {
				return [][]byte{s.frame(true, rsvCompressed, opClose, closePayload(1000, ""))}
			})},
		tcase{id: "12.4.4", desc: "corrupt compressed data", deflate: true, violation: true,
			run: echoThenFails(1007, func(s *session) [][]byte {
				return [][]byte{s.frame(true, rsvCompressed, opBinary, []byte{0xff, 0xff, 0xff, 0xff, 0xff})}
			})},
		tcase{id: "12.4.5", desc: "compressed message inflating beyond MaxMessagePayloadSize", deflate: true, violation: true,
			opts: maxMessage(64 << 10),
			run: echoThenFails(1009, func(s *session) [][]byte {
				return [][]byte{s.compressedFrame(opBinary, make([]byte, 1<<20))}
			})},
		tcase{id: "12.4.6", desc: "compressed fragmented message inflating beyond MaxMessagePayloadSize", deflate: true, violation: true,
			opts: maxMessage(64 << 10),
			run: echoThenFails(1009, func(s *session) [][]byte {
				z := deflateMessage(make([]byte, 1<<20))
				return [][]byte{s.frame(false, rsvCompressed, opBinary, z[:len(z)/2]), s.frame(true, 0, opCont, z[len(z)/2:])}
			})},
		tcase{id: "12.4.7", desc: "compressed text with invalid UTF-8", deflate: true, violation: true,
			run: echoThenFails(1007, func(s *session) [][]byte {
				return [][]byte{s.compressedFrame(opText, []byte("κόσμε\xed\xa0\x80edited"))}
			})},
	)
	return cases
}

// negotiated opens a server session with a permessage-deflate offer and
// checks the response header and the round trip of a compressed message.
func negotiated(wantResponse string) func(*session) {
	return func(s *session) {
		if got := s.handshake.Get("Sec-WebSocket-Extensions"); got != wantResponse {
			s.t.Errorf("Sec-WebSocket-Extensions %q, want %q", got, wantResponse)
		}
		compressedEcho(opText, testpeer.TextPayload(2000))(s)
	}
}

// declined checks that compression is not in use: no extension in the
// response, and a compressed frame is a protocol error.
func declined(s *session) {
	if got := s.handshake.Get("Sec-WebSocket-Extensions"); got != "" {
		s.t.Errorf("Sec-WebSocket-Extensions %q, want none", got)
	}
	if s.ws.Compressed() {
		s.t.Error("Compressed() = true")
	}
	s.send(s.compressedFrame(opText, []byte("compressed")))
	s.expectFail(1002)
}

const acceptedResponse = "permessage-deflate; server_no_context_takeover; client_no_context_takeover"

func negotiationCases() []tcase {
	server := []role{ourServer}
	client := []role{ourClient}
	accept := func(o *websocket.Options) { o.PerMessageCompressionAccept = websocket.AcceptDeflate }
	return []tcase{
		{id: "13.1.1", desc: "offer permessage-deflate", roles: server, deflate: true, offer: "permessage-deflate",
			run: negotiated(acceptedResponse)},
		{id: "13.1.2", desc: "offer with client_max_window_bits", roles: server, deflate: true, offer: "permessage-deflate; client_max_window_bits",
			run: negotiated(acceptedResponse)},
		{id: "13.1.3", desc: "offer with both no_context_takeover parameters", roles: server, deflate: true,
			offer: "permessage-deflate; client_no_context_takeover; server_no_context_takeover", run: negotiated(acceptedResponse)},
		{id: "13.1.4", desc: "offer with client_max_window_bits=15 and server_no_context_takeover", roles: server, deflate: true,
			offer: "permessage-deflate; server_no_context_takeover; client_max_window_bits=15", run: negotiated(acceptedResponse)},
		{id: "13.1.5", desc: "unknown extension before permessage-deflate", roles: server, deflate: true,
			offer: "x-webkit-deflate-frame, permessage-deflate", run: negotiated(acceptedResponse)},
		{id: "13.1.6", desc: "first offer not servable (server_max_window_bits=10), second accepted", roles: server, deflate: true,
			offer: "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits", run: negotiated(acceptedResponse)},
		{id: "13.1.7", desc: "accepting server_max_window_bits=15 answers with it (RFC 7692 7.1.2.1)", roles: server, deflate: true,
			offer: "permessage-deflate; server_max_window_bits=15",
			run: func(s *session) {
				if got := s.handshake.Get("Sec-WebSocket-Extensions"); !strings.Contains(got, "server_max_window_bits=15") {
					s.t.Errorf("offer with server_max_window_bits=15 accepted with %q: RFC 7692 section 7.1.2.1: "+
						"a server accepts an offer with this parameter by including server_max_window_bits in the response", got)
				}
				compressedEcho(opText, testpeer.TextPayload(2000))(s)
			}},
		{id: "13.2.1", desc: "offer with server_max_window_bits=10 is declined", roles: server, violation: true, opts: accept,
			offer: "permessage-deflate; server_max_window_bits=10", run: declined},
		{id: "13.2.2", desc: "no PerMessageCompressionAccept: offers are declined", roles: server, violation: true,
			offer: "permessage-deflate", run: declined},
		{id: "13.2.3", desc: "PerMessageCompressionAccept declines: no compression", roles: server, violation: true,
			opts: func(o *websocket.Options) {
				o.PerMessageCompressionAccept = func([]websocket.DeflateOffer) *websocket.DeflateOffer { return nil }
			},
			offer: "permessage-deflate", run: declined},
		{id: "13.2.4", desc: "PerMessageCompressionAccept gets the offers parsed, in order", roles: server, raw: acceptSeesOffers},
		{id: "13.2.5", desc: "invalid offers fail the handshake with 400", roles: server, raw: invalidOffers},

		{id: "13.3.1", desc: "our client's offer, accepted: compressed both ways", roles: client, deflate: true,
			run: func(s *session) {
				offer := s.handshake.Get("Sec-WebSocket-Extensions")
				if !strings.HasPrefix(offer, "permessage-deflate") || !strings.Contains(offer, "client_no_context_takeover") || !strings.Contains(offer, "server_no_context_takeover") {
					s.t.Errorf("offer %q", offer)
				}
				if ext := s.ws.Response().Extensions; len(ext) != 1 || ext[0].Name != "permessage-deflate" {
					s.t.Errorf("ConnectionResponse.Extensions %v", ext)
				}
				compressedEcho(opBinary, testpeer.BinaryPayload(5000))(s)
			}},
		{id: "13.3.2", desc: "no offers: no Sec-WebSocket-Extensions header", roles: client,
			run: func(s *session) {
				if got := s.handshake.Values("Sec-WebSocket-Extensions"); len(got) != 0 {
					s.t.Errorf("Sec-WebSocket-Extensions %q", got)
				}
				s.closeNormally()
			}},
		{id: "13.3.3", desc: "response with server_max_window_bits=10: accepted (a smaller window inflates fine)", roles: client, deflate: true,
			respond: func(*http.Request) []string {
				return []string{"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10"}
			},
			run: func(s *session) { compressedEcho(opText, testpeer.TextPayload(3000))(s) }},
		{id: "13.3.4", desc: "bad permessage-deflate responses fail the handshake", roles: client, raw: badResponses},
		{id: "13.3.5", desc: "response without client_no_context_takeover (Autobahn's default accept): accepted", roles: client, deflate: true,
			respond: func(*http.Request) []string {
				return []string{"Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover"}
			},
			run: func(s *session) {
				// The peer decompresses each message on its own: the client
				// may always compress without context takeover.
				for range 3 {
					compressedEchoOnce(s, opText, testpeer.TextPayload(3000))
				}
				s.closeNormally()
			}},
	}
}

// acceptSeesOffers: the accept function receives the client's offers in
// order, with their parameters.
func acceptSeesOffers(t *testing.T, _ role) {
	got := make(chan []websocket.DeflateOffer, 1)
	srv := websocket.NewServer(func() websocket.ServerHandler { return serverHandler{newHandler()} }, websocket.Options{
		PerMessageCompressionAccept: func(offers []websocket.DeflateOffer) *websocket.DeflateOffer {
			got <- offers
			return &offers[1]
		},
	})
	srv.Logger = quietLog
	ln, err := srv.Listen(context.Background(), "tcp", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.CloseAll(ctx)
	}()
	p, resp := dialRaw(t, ln.Addr().String(),
		"Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=12; client_max_window_bits, permessage-deflate; server_no_context_takeover; client_no_context_takeover")
	if p == nil {
		t.Fatalf("handshake: %s", resp.Status)
	}
	want := []websocket.DeflateOffer{
		{AcceptMaxWindowBits: true, RequestMaxWindowBits: 12},
		{AcceptNoContextTakeover: true, RequestNoContextTakeover: true},
	}
	if offers := recv(t, got, "PerMessageCompressionAccept"); fmt.Sprint(offers) != fmt.Sprint(want) {
		t.Errorf("offers %+v, want %+v", offers, want)
	}
	if ext := resp.Header.Get("Sec-WebSocket-Extensions"); ext != acceptedResponse {
		t.Errorf("Sec-WebSocket-Extensions %q", ext)
	}
	p.conn.Close()
}

// invalidOffers: malformed permessage-deflate offers are refused with 400,
// as Autobahn does.
func invalidOffers(t *testing.T, _ role) {
	srv := websocket.NewServer(func() websocket.ServerHandler { return serverHandler{newHandler()} },
		websocket.Options{PerMessageCompressionAccept: websocket.AcceptDeflate})
	srv.Logger = quietLog
	ln, err := srv.Listen(context.Background(), "tcp", "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	for _, offer := range []string{
		"permessage-deflate; foo",
		"permessage-deflate; client_max_window_bits=7",
		"permessage-deflate; server_max_window_bits=16",
		"permessage-deflate; server_max_window_bits",
		"permessage-deflate; client_no_context_takeover=1",
		"permessage-deflate; client_no_context_takeover; client_no_context_takeover",
	} {
		p, resp := dialRaw(t, ln.Addr().String(), "Sec-WebSocket-Extensions: "+offer)
		if p != nil || resp.StatusCode != http.StatusBadRequest {
			t.Errorf("offer %q: %s, want 400", offer, resp.Status)
		}
	}
}

// badResponses: a client fails the handshake on permessage-deflate
// responses it cannot or must not accept.
func badResponses(t *testing.T, _ role) {
	for _, tt := range []struct {
		offer    bool
		response string
	}{
		// The server would take over its compression context, which this
		// package cannot decompress.
		{true, "permessage-deflate"},
		{true, "permessage-deflate; client_no_context_takeover"},
		// Not offered.
		{false, acceptedResponse},
		// A client_max_window_bits the client did not offer (RFC 7692 7.1.2.2).
		{true, acceptedResponse + "; client_max_window_bits=10"},
		{true, acceptedResponse + "; foo"},
		{true, acceptedResponse + ", " + acceptedResponse},
	} {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var opts websocket.Options
		if tt.offer {
			opts.PerMessageCompressionOffers = []websocket.DeflateOffer{websocket.ClientDeflateOffer}
		}
		errc := make(chan error, 1)
		go func() {
			d := &websocket.Dialer{Options: opts, Logger: quietLog}
			c, err := d.Dial(context.Background(), "ws://"+ln.Addr().String()+"/", clientHandler{newHandler()})
			if err == nil {
				c.Abort()
				<-c.Done()
			}
			errc <- err
		}()
		p, _ := acceptRaw(t, ln, func(*http.Request) []string { return []string{"Sec-WebSocket-Extensions: " + tt.response} })
		if err := recv(t, errc, "Dial"); err == nil {
			t.Errorf("offer %v, response %q: Dial succeeded", tt.offer, tt.response)
		}
		p.conn.Close()
		ln.Close()
	}
}

func TestCompression(t *testing.T) { runCases(t, compressionCases()) }

func TestNegotiation(t *testing.T) { runCases(t, negotiationCases()) }
