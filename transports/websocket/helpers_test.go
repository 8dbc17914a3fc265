package websocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMain(m *testing.M) {
	if idleClientMain() {
		return
	}
	// Connections started by the tests must end.
	os.Exit(testpeer.RunWithLeakCheck(m, "autobahn/transports/websocket.", "gorilla/websocket."))
}

type message struct {
	payload  []byte
	isBinary bool
}

type closeEvent struct {
	wasClean bool
	code     int
	reason   string
}

// recorder is a Handler that records what happens, for servers and clients.
type recorder struct {
	connect  func(*ConnectionRequest) (ConnectionAccept, error)
	response func(*ConnectionResponse) error
	echo     bool

	requests chan *ConnectionRequest
	opened   chan *Conn
	messages chan message
	closed   chan closeEvent
	pings    chan []byte
	pongs    chan []byte
	conn     *Conn
}

func newRecorder() *recorder {
	return &recorder{
		requests: make(chan *ConnectionRequest, 16),
		opened:   make(chan *Conn, 16),
		messages: make(chan message, 1024),
		closed:   make(chan closeEvent, 16),
		pings:    make(chan []byte, 16),
		pongs:    make(chan []byte, 16),
	}
}

func (r *recorder) OnConnect(req *ConnectionRequest) (ConnectionAccept, error) {
	r.requests <- req
	if r.connect != nil {
		return r.connect(req)
	}
	return ConnectionAccept{}, nil
}

func (r *recorder) OnOpen(c *Conn) {
	r.conn = c
	r.opened <- c
}

func (r *recorder) OnMessage(payload []byte, isBinary bool) {
	if r.echo {
		r.conn.SendMessage(payload, isBinary)
	}
	select {
	case r.messages <- message{payload, isBinary}:
	default:
	}
}

func (r *recorder) OnClose(wasClean bool, code int, reason string) {
	r.closed <- closeEvent{wasClean, code, reason}
}

func (r *recorder) OnPing(p []byte) {
	select {
	case r.pings <- p:
	default:
	}
}

func (r *recorder) OnPong(p []byte) {
	select {
	case r.pongs <- p:
	default:
	}
}

// clientRecorder adapts recorder to ClientHandler.
type clientRecorder struct{ *recorder }

func (c clientRecorder) OnConnect(resp *ConnectionResponse) error {
	if c.response != nil {
		return c.response(resp)
	}
	return nil
}

func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("timeout waiting for %s", what)
		panic("unreachable")
	}
}

// startServer runs s (with one recorder per connection, sent on handlers)
// in an httptest server and returns its ws:// URL.
func startServer(t testing.TB, s *Server) (url string, handlers chan *recorder) {
	t.Helper()
	handlers = make(chan *recorder, 64)
	if s.NewHandler == nil {
		s.NewHandler = func() ServerHandler {
			r := newRecorder()
			r.echo = true
			handlers <- r
			return r
		}
	}
	if s.Logger == nil {
		s.Logger = quietLog
	}
	ts := httptest.NewServer(s)
	t.Cleanup(func() {
		s.CloseAll(context.Background())
		ts.Close()
	})
	return "ws" + strings.TrimPrefix(ts.URL, "http"), handlers
}

// dialTest dials url with a recording client handler.
func dialTest(t testing.TB, d *Dialer, url string) (*Conn, *recorder) {
	t.Helper()
	rec := newRecorder()
	if d.Logger == nil {
		d.Logger = quietLog
	}
	c, err := d.Dial(context.Background(), url, clientRecorder{rec})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		c.Abort()
		<-c.Done()
	})
	return c, rec
}

// rawClient speaks WebSocket byte by byte, to send what a real client would
// not.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
	resp *http.Response
}

const testKey = "dGhlIHNhbXBsZSBub25jZQ=="

// rawRequest sends a handshake request built from lines (request line and
// headers) and returns the response.
func rawRequest(t testing.TB, addr string, lines ...string) (*rawClient, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	rc := &rawClient{t: t, conn: conn, br: bufio.NewReader(conn)}
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		t.Fatalf("reading handshake response: %v", err)
	}
	rc.resp = resp
	return rc, resp
}

func wsAddr(url string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(url, "ws://"), "wss://")
	if i := strings.IndexByte(s, '/'); i >= 0 {
		s = s[:i]
	}
	return s
}

// rawDial opens a WebSocket connection with a raw client; extra are extra
// header lines.
func rawDial(t testing.TB, url string, extra ...string) *rawClient {
	t.Helper()
	lines := append([]string{
		"GET / HTTP/1.1",
		"Host: " + wsAddr(url),
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: " + testKey,
		"Sec-WebSocket-Version: 13",
	}, extra...)
	rc, resp := rawRequest(t, wsAddr(url), lines...)
	if resp.StatusCode != 101 {
		t.Fatalf("handshake: %s", resp.Status)
	}
	return rc
}

// frame builds a client frame (masked unless unmasked).
func frame(fin bool, rsv, opcode byte, payload []byte, unmasked bool) []byte {
	b0 := rsv<<4 | opcode
	if fin {
		b0 |= 0x80
	}
	var buf []byte
	buf = append(buf, b0)
	mask := byte(0x80)
	if unmasked {
		mask = 0
	}
	switch n := len(payload); {
	case n < 126:
		buf = append(buf, mask|byte(n))
	case n < 65536:
		buf = append(buf, mask|126)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, mask|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	if unmasked {
		return append(buf, payload...)
	}
	var key [4]byte
	rand.Read(key[:])
	buf = append(buf, key[:]...)
	for i, c := range payload {
		buf = append(buf, c^key[i&3])
	}
	return buf
}

func (rc *rawClient) send(b ...[]byte) {
	rc.t.Helper()
	if _, err := rc.conn.Write(bytes.Join(b, nil)); err != nil {
		rc.t.Fatalf("write: %v", err)
	}
}

type rawFrame struct {
	fin     bool
	rsv     byte
	opcode  byte
	payload []byte
}

// readFrame reads one unmasked server frame; err is io.EOF (or a reset)
// when the server dropped the connection.
func (rc *rawClient) readFrame() (rawFrame, error) {
	var h [2]byte
	if _, err := io.ReadFull(rc.br, h[:]); err != nil {
		return rawFrame{}, err
	}
	f := rawFrame{fin: h[0]&0x80 != 0, rsv: h[0] >> 4 & 7, opcode: h[0] & 15}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			return f, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(rc.br, b[:]); err != nil {
			return f, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if h[1]&0x80 != 0 {
		return f, fmt.Errorf("server sent a masked frame")
	}
	f.payload = make([]byte, n)
	_, err := io.ReadFull(rc.br, f.payload)
	return f, err
}

// expectClose reads frames until a close frame and returns its code and
// reason (1005 for none).
func (rc *rawClient) expectClose() (int, string) {
	rc.t.Helper()
	for {
		f, err := rc.readFrame()
		if err != nil {
			rc.t.Fatalf("expected a close frame, got %v", err)
		}
		if f.opcode == 8 {
			if len(f.payload) < 2 {
				return 1005, ""
			}
			return int(binary.BigEndian.Uint16(f.payload)), string(f.payload[2:])
		}
	}
}

// expectDrop checks that the server closes the connection without a close
// frame.
func (rc *rawClient) expectDrop() {
	rc.t.Helper()
	for {
		f, err := rc.readFrame()
		if err != nil {
			return
		}
		if f.opcode == 8 {
			rc.t.Fatalf("expected a dropped connection, got a close frame %x", f.payload)
		}
	}
}

func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}
