package conformance

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/transports/websocket"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	if code == 0 {
		// Every connection the cases opened must be gone.
		deadline := time.Now().Add(5 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d goroutines before, %d after\n%s\n", before, n, buf)
			code = 1
		}
	}
	os.Exit(code)
}

// role is the side of the implementation under test.
type role string

const (
	ourServer role = "server" // a websocket.Server; the peer is the client
	ourClient role = "client" // a websocket client; the peer is the server
)

var bothRoles = []role{ourServer, ourClient}

// tcase is one conformance case.
type tcase struct {
	// id is the case number, "category.section.n" as in the Autobahn
	// testsuite where there is an equivalent case.
	id   string
	desc string
	// roles the case runs in; nil means both.
	roles []role
	// violation: the case ends with expectFail, and runs both with
	// FailByClose and with the default failByDrop.
	violation bool
	// opts adjusts the options of the implementation.
	opts func(*websocket.Options)
	// deflate negotiates permessage-deflate.
	deflate bool
	// offer is the Sec-WebSocket-Extensions offer of the peer as a client
	// (deflate cases); "" means "permessage-deflate; client_max_window_bits".
	offer string
	// respond gives extra response header lines of the peer as a server; nil
	// means answering a permessage-deflate offer if deflate is set.
	respond func(*http.Request) []string
	// run is the case, on an open session.
	run func(s *session)
	// raw replaces run for cases that do their own connection setup.
	raw func(t *testing.T, r role)
}

func (c tcase) category() string {
	cat, _, _ := strings.Cut(c.id, ".")
	return cat
}

// runCases runs cases in all their roles and, for violations, both failure
// modes.
func runCases(t *testing.T, cases []tcase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.id+" "+c.desc, func(t *testing.T) {
			roles := c.roles
			if roles == nil {
				roles = bothRoles
			}
			for _, r := range roles {
				t.Run(string(r), func(t *testing.T) {
					if c.raw != nil {
						c.raw(t, r)
						return
					}
					if !c.violation {
						openSession(t, r, c, true).run(c.run)
						return
					}
					t.Run("failByClose", func(t *testing.T) { openSession(t, r, c, true).run(c.run) })
					t.Run("failByDrop", func(t *testing.T) { openSession(t, r, c, false).run(c.run) })
				})
			}
		})
	}
}

type message struct {
	payload []byte
	binary  bool
}

type closeEvent struct {
	wasClean bool
	code     int
	reason   string
}

// handler is the application on the implementation's side: an echo
// handler that records what happens.
type handler struct {
	opened   chan *websocket.Conn
	messages chan message
	pings    chan []byte
	pongs    chan []byte
	closed   chan closeEvent
	conn     *websocket.Conn
}

func newHandler() *handler {
	return &handler{
		opened:   make(chan *websocket.Conn, 1),
		messages: make(chan message, 4096),
		pings:    make(chan []byte, 64),
		pongs:    make(chan []byte, 64),
		closed:   make(chan closeEvent, 1),
	}
}

func (h *handler) OnOpen(c *websocket.Conn) {
	h.conn = c
	h.opened <- c
}

func (h *handler) OnMessage(payload []byte, isBinary bool) {
	h.conn.SendMessage(payload, isBinary)
	select {
	case h.messages <- message{payload, isBinary}:
	default:
	}
}

func (h *handler) OnClose(wasClean bool, code int, reason string) {
	h.closed <- closeEvent{wasClean, code, reason}
}

func (h *handler) OnPing(p []byte) {
	select {
	case h.pings <- p:
	default:
	}
}

func (h *handler) OnPong(p []byte) {
	select {
	case h.pongs <- p:
	default:
	}
}

type serverHandler struct{ *handler }

func (serverHandler) OnConnect(*websocket.ConnectionRequest) (websocket.ConnectionAccept, error) {
	return websocket.ConnectionAccept{}, nil
}

type clientHandler struct{ *handler }

func (clientHandler) OnConnect(*websocket.ConnectionResponse) error { return nil }

func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(ioTimeout):
		t.Fatalf("timeout waiting for %s", what)
		panic("unreachable")
	}
}

// session is one connection between the peer and the implementation.
type session struct {
	*peer
	t           *testing.T
	role        role
	h           *handler
	ws          *websocket.Conn // the implementation's side
	failByClose bool
	echoClose   bool
	compressed  bool
	// handshake is what the peer got from the implementation: the response
	// headers of our server, the request headers of our client.
	handshake http.Header
	lastRSV   byte // RSV bits of the first frame of the last message read
}

const defaultOffer = "permessage-deflate; client_max_window_bits"

// deflateResponse is what the peer as a server answers to a
// permessage-deflate offer: the only answer gorilla's client accepts.
const deflateResponse = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover"

// options are the implementation's options for case c.
func options(c tcase, r role, failByClose bool) websocket.Options {
	var o websocket.Options
	o.FailByClose = failByClose
	o.CloseHandshakeTimeout = 2 * time.Second
	if c.deflate {
		if r == ourServer {
			o.PerMessageCompressionAccept = websocket.AcceptDeflate
		} else {
			o.PerMessageCompressionOffers = []websocket.DeflateOffer{websocket.ClientDeflateOffer}
		}
	}
	if c.opts != nil {
		c.opts(&o)
	}
	return o
}

// openSession starts the implementation in role r and connects the peer to
// it.
func openSession(t *testing.T, r role, c tcase, failByClose bool) *session {
	t.Helper()
	opts := options(c, r, failByClose)
	s := &session{t: t, role: r, h: newHandler(), failByClose: opts.FailByClose, echoClose: opts.EchoCloseCodeReason}
	switch r {
	case ourServer:
		srv := websocket.NewServer(func() websocket.ServerHandler { return serverHandler{s.h} }, opts)
		srv.Logger = quietLog
		ln, err := srv.Listen(context.Background(), "tcp", "127.0.0.1:0", nil)
		if err != nil {
			t.Fatalf("Listen: %v", err)
		}
		t.Cleanup(func() {
			ln.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			srv.CloseAll(ctx)
		})
		var extra []string
		if c.deflate || c.offer != "" {
			offer := c.offer
			if offer == "" {
				offer = defaultOffer
			}
			extra = append(extra, "Sec-WebSocket-Extensions: "+offer)
		}
		p, resp := dialRaw(t, ln.Addr().String(), extra...)
		if p == nil {
			t.Fatalf("opening handshake: %s", resp.Status)
		}
		s.peer, s.handshake = p, resp.Header
		s.ws = recv(t, s.h.opened, "OnOpen")
	case ourClient:
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		type dialed struct {
			c   *websocket.Conn
			err error
		}
		ch := make(chan dialed, 1)
		go func() {
			d := &websocket.Dialer{Options: opts, Logger: quietLog}
			c, err := d.Dial(context.Background(), "ws://"+ln.Addr().String()+"/conformance", clientHandler{s.h})
			ch <- dialed{c, err}
		}()
		respond := c.respond
		if respond == nil {
			respond = func(req *http.Request) []string {
				if c.deflate && strings.Contains(req.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
					return []string{deflateResponse}
				}
				return nil
			}
		}
		p, req := acceptRaw(t, ln, respond)
		d := recv(t, ch, "Dial")
		if d.err != nil {
			t.Fatalf("Dial: %v", d.err)
		}
		s.peer, s.handshake, s.ws = p, req.Header, d.c
	}
	s.compressed = s.ws.Compressed()
	if c.deflate && !s.compressed {
		t.Fatalf("permessage-deflate not in use; handshake headers %v", s.handshake)
	}
	t.Cleanup(func() {
		s.ws.Abort()
		select {
		case <-s.ws.Done():
		case <-time.After(ioTimeout):
			t.Error("connection not done after Abort")
		}
	})
	return s
}

// run runs a case body.
func (s *session) run(body func(*session)) { body(s) }

// frames of the peer's role.
func (s *session) text(p string) []byte   { return s.frame(true, 0, opText, []byte(p)) }
func (s *session) binary(p []byte) []byte { return s.frame(true, 0, opBinary, p) }
func (s *session) ping(p []byte) []byte   { return s.frame(true, 0, opPing, p) }
func (s *session) pong(p []byte) []byte   { return s.frame(true, 0, opPong, p) }
func (s *session) close(code int, reason string) []byte {
	return s.frame(true, 0, opClose, closePayload(code, reason))
}

// compressedFrame is a frame carrying a whole message compressed.
func (s *session) compressedFrame(op byte, payload []byte) []byte {
	return s.frame(true, rsvCompressed, op, deflateMessage(payload))
}

// next reads a frame; a read error fails the case.
func (s *session) next(what string) frame {
	s.t.Helper()
	f, err := s.readFrame()
	if err != nil {
		s.t.Fatalf("waiting for %s: %v", what, err)
	}
	return f
}

// readMessage reads the frames of the next data message and returns its
// opcode and payload, decompressed. Any control frame fails the case.
func (s *session) readMessage() (byte, []byte) {
	s.t.Helper()
	first := s.next("a message")
	if first.opcode != opText && first.opcode != opBinary {
		s.t.Fatalf("want a message, got %v", first)
	}
	if first.rsv != 0 && !(s.compressed && first.rsv == rsvCompressed) {
		s.t.Fatalf("message frame with RSV %d (compressed: %v)", first.rsv, s.compressed)
	}
	s.lastRSV = first.rsv
	payload := first.payload
	for f := first; !f.fin; {
		f = s.next("a continuation frame")
		if f.opcode != opCont || f.rsv != 0 {
			s.t.Fatalf("want a continuation frame, got %v", f)
		}
		payload = append(payload, f.payload...)
	}
	if first.rsv == rsvCompressed {
		var err error
		if payload, err = inflateMessage(payload); err != nil {
			s.t.Fatal(err)
		}
	}
	return first.opcode, payload
}

func describe(b []byte) string {
	if len(b) > 40 {
		return fmt.Sprintf("%d bytes %q...", len(b), b[:40])
	}
	return fmt.Sprintf("%q", b)
}

// expectMessage reads the next message and checks it.
func (s *session) expectMessage(op byte, want []byte) {
	s.t.Helper()
	gotOp, got := s.readMessage()
	if gotOp != op || !bytes.Equal(got, want) {
		s.t.Fatalf("got message op %d %s, want op %d %s", gotOp, describe(got), op, describe(want))
	}
}

func (s *session) expectText(want string)   { s.t.Helper(); s.expectMessage(opText, []byte(want)) }
func (s *session) expectBinary(want []byte) { s.t.Helper(); s.expectMessage(opBinary, want) }

// expectPong reads the next frame, which must be a pong with payload.
func (s *session) expectPong(payload []byte) {
	s.t.Helper()
	f := s.next("a pong")
	if f.opcode != opPong || !f.fin || f.rsv != 0 || !bytes.Equal(f.payload, payload) {
		s.t.Fatalf("got %v, want a pong with %s", f, describe(payload))
	}
}

// expectCloseFrame reads the next frame, which must be a close frame; it
// returns its code (1005 for none) and reason.
func (s *session) expectCloseFrame() (int, string) {
	s.t.Helper()
	f := s.next("a close frame")
	if f.opcode != opClose {
		s.t.Fatalf("got %v, want a close frame", f)
	}
	switch len(f.payload) {
	case 0:
		return 1005, ""
	case 1:
		s.t.Fatalf("close frame with a 1-byte payload")
	}
	return int(binary.BigEndian.Uint16(f.payload)), string(f.payload[2:])
}

// expectDropped reads until the implementation has closed the TCP
// connection; any frame fails the case.
func (s *session) expectDropped() {
	s.t.Helper()
	for {
		f, err := s.readFrame()
		if err != nil {
			if !isDrop(err) {
				s.t.Fatalf("want the TCP connection closed, got %v", err)
			}
			return
		}
		s.t.Fatalf("want the TCP connection closed, got %v", f)
	}
}

// endTCP ends the TCP connection after a closing handshake: the server
// closes it. Our server must do so; as the server, the peer does.
func (s *session) endTCP() {
	s.t.Helper()
	if s.role == ourServer {
		s.expectDropped()
		return
	}
	s.peer.conn.Close()
}

// expectOnClose waits for OnClose and checks it.
func (s *session) expectOnClose(want closeEvent) {
	s.t.Helper()
	if ev := recv(s.t, s.h.closed, "OnClose"); ev != want {
		s.t.Errorf("OnClose %+v, want %+v", ev, want)
	}
}

// expectFail checks that the implementation fails the connection with code:
// with FailByClose a close frame with code and a reason, after which the peer
// completes the closing handshake; with failByDrop a dropped TCP connection
// without a close frame. The next frame must be the close frame: no pong, no
// echo after the violation. As in the Autobahn testsuite, the close need not
// be clean after a failure (the implementation may still be waiting for the
// rest of a bad frame when the peer's close frame comes).
func (s *session) expectFail(code int) {
	s.t.Helper()
	if !s.failByClose {
		s.expectDropped()
		ev := recv(s.t, s.h.closed, "OnClose")
		if ev.wasClean || ev.code != 1006 || !strings.Contains(ev.reason, "I dropped the WebSocket TCP connection: ") {
			s.t.Errorf("OnClose %+v, want unclean 1006 with \"I dropped the WebSocket TCP connection\"", ev)
		}
		return
	}
	got, reason := s.expectCloseFrame()
	if got != code {
		s.t.Errorf("close code %d (%q), want %d", got, reason, code)
	}
	if reason == "" {
		s.t.Errorf("close %d without a reason", got)
	}
	s.sendQuietly(s.close(1000, ""))
	if s.role == ourServer {
		// The implementation may still be reading the rest of the bad
		// input; it drops the connection once it has our close frame.
		for {
			if _, err := s.readFrame(); err != nil {
				break
			}
		}
	} else {
		s.peer.conn.Close()
	}
	ev := recv(s.t, s.h.closed, "OnClose")
	if ev.wasClean && ev.code != 1000 && ev.code != 1005 || !ev.wasClean && ev.code != 1006 {
		s.t.Errorf("OnClose %+v after the peer's close 1000", ev)
	}
}

// closeByPeer runs a closing handshake started by the peer with payload
// (nil for an empty close frame) and checks the reply and OnClose.
func (s *session) closeByPeer(payload []byte) {
	s.t.Helper()
	s.send(s.frame(true, 0, opClose, payload))
	code, reason := 1005, ""
	if len(payload) >= 2 {
		code, reason = int(binary.BigEndian.Uint16(payload)), string(payload[2:])
	}
	wantCode, wantReason := 1000, ""
	if s.echoClose {
		wantCode, wantReason = code, reason
	}
	if gotCode, gotReason := s.expectCloseFrame(); gotCode != wantCode || gotReason != wantReason {
		s.t.Errorf("close reply %d %q, want %d %q", gotCode, gotReason, wantCode, wantReason)
	}
	s.endTCP()
	s.expectOnClose(closeEvent{true, code, reason})
}

// closeNormally ends a case that kept the connection healthy.
func (s *session) closeNormally() {
	s.t.Helper()
	s.closeByPeer(closePayload(1000, ""))
}

// echo sends a message in one frame, expects it back and closes.
func echo(op byte, payload []byte) func(*session) {
	return func(s *session) {
		s.send(s.frame(true, 0, op, payload))
		s.expectMessage(op, payload)
		s.closeNormally()
	}
}

// echoChopped is echo with the frame written in chops of chop bytes.
func echoChopped(op byte, payload []byte, chop int) func(*session) {
	return func(s *session) {
		s.sendChopped(chop, s.frame(true, 0, op, payload))
		s.expectMessage(op, payload)
		s.closeNormally()
	}
}

// fails sends frames and expects the implementation to fail with code.
func fails(code int, build func(s *session) [][]byte) func(*session) {
	return func(s *session) {
		s.send(build(s)...)
		s.expectFail(code)
	}
}

// echoThenFails sends a valid text message, waits for its echo, then sends
// frames that must fail the connection with code.
func echoThenFails(code int, build func(s *session) [][]byte) func(*session) {
	return func(s *session) {
		s.send(s.text("Hello, world!"))
		s.expectText("Hello, world!")
		s.send(build(s)...)
		s.expectFail(code)
	}
}

// allCases is the whole catalogue, by category.
func allCases() map[string][]tcase {
	return map[string][]tcase{
		"1":  framingCases(),
		"2":  pingCases(),
		"3":  reservedBitsCases(),
		"4":  opcodeCases(),
		"5":  fragmentationCases(),
		"6":  utf8Cases(),
		"7":  closeCases(),
		"9":  limitCases(),
		"12": compressionCases(),
		"13": negotiationCases(),
	}
}

// TestCatalogue checks the case numbering and logs the number of cases per
// category (go test -v -run Catalogue).
func TestCatalogue(t *testing.T) {
	all := allCases()
	cats := make([]string, 0, len(all))
	for c := range all {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		return len(cats[i]) < len(cats[j]) || len(cats[i]) == len(cats[j]) && cats[i] < cats[j]
	})
	seen := map[string]bool{}
	total, runs := 0, 0
	for _, cat := range cats {
		n, r := 0, 0
		for _, c := range all[cat] {
			if c.category() != cat {
				t.Errorf("case %s in category %s", c.id, cat)
			}
			if seen[c.id] {
				t.Errorf("duplicate case id %s", c.id)
			}
			seen[c.id] = true
			if (c.run == nil) == (c.raw == nil) {
				t.Errorf("case %s: want exactly one of run and raw", c.id)
			}
			n++
			roles := len(c.roles)
			if c.roles == nil {
				roles = 2
			}
			if c.violation {
				roles *= 2
			}
			r += roles
		}
		t.Logf("category %-2s: %3d cases, %3d runs", cat, n, r)
		total += n
		runs += r
	}
	t.Logf("total      : %3d cases, %3d runs", total, runs)
}
