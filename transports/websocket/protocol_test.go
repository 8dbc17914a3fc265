package websocket

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func deflate(t testing.TB, payload []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(payload)
	w.Flush()
	b := buf.Bytes()
	if !bytes.HasSuffix(b, []byte{0, 0, 0xff, 0xff}) {
		t.Fatal("unexpected deflate tail")
	}
	return b[:len(b)-4]
}

// violationCase is something a client sends and how the server must fail.
type violationCase struct {
	name   string
	opts   Options
	ext    []string // extra handshake headers
	frames [][]byte
	code   int    // close code with FailByClose
	reason string // substring of the close reason
	// wantClose is the server's OnClose after the client answers the close
	// frame, if not a clean 1000.
	wantClose *closeEvent
}

func violationCases(t testing.TB) []violationCase {
	invalidUTF8 := []byte("hello \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited")
	bomb := deflate(t, bytes.Repeat([]byte{'a'}, 100000))
	return []violationCase{
		{name: "invalid utf8", frames: [][]byte{frame(true, 0, 1, invalidUTF8, false)},
			code: 1007, reason: "encountered invalid UTF-8 while processing text message at payload octet index 17"},
		{name: "invalid utf8 split across fragments",
			frames: [][]byte{frame(false, 0, 1, []byte("ab\xe2\x82"), false), frame(true, 0, 0, []byte("\x28cd"), false)},
			code:   1007, reason: "at payload octet index 2"},
		{name: "utf8 ends within code point",
			frames: [][]byte{frame(false, 0, 1, []byte("ab\xe2"), false), frame(true, 0, 0, []byte("\x82"), false)},
			code:   1007, reason: "UTF-8 text message payload ended within Unicode code point at payload octet index 2"},
		{name: "invalid close reason", frames: [][]byte{frame(true, 0, 8, append(closePayload(1000, ""), 0xff, 0xfe), false)},
			code: 1007, reason: "invalid close reason (non-UTF8 payload)"},
		{name: "invalid close code", frames: [][]byte{frame(true, 0, 8, closePayload(1004, ""), false)},
			code: 1002, reason: "invalid close code 1004"},
		{name: "close payload 1 byte", frames: [][]byte{frame(true, 0, 8, []byte{3}, false)},
			code: 1002, reason: "received close control frame with payload len 1",
			// As in Autobahn, the offending close frame itself then answers
			// the server's close frame.
			wantClose: &closeEvent{true, 1005, ""}},
		{name: "unmasked frame", frames: [][]byte{frame(true, 0, 1, []byte("x"), true)},
			code: 1002, reason: "unmasked client-to-server frame"},
		{name: "rsv without extension", frames: [][]byte{frame(true, 2, 1, []byte("x"), false)},
			code: 1002, reason: "RSV = 2 and no extension negotiated"},
		{name: "reserved opcode", frames: [][]byte{frame(true, 0, 3, nil, false)},
			code: 1002, reason: "data frame using reserved opcode 3"},
		{name: "reserved control opcode", frames: [][]byte{frame(true, 0, 11, nil, false)},
			code: 1002, reason: "control frame using reserved opcode 11"},
		{name: "fragmented ping", frames: [][]byte{frame(false, 0, 9, nil, false)},
			code: 1002, reason: "fragmented control frame"},
		{name: "long ping", frames: [][]byte{frame(true, 0, 9, make([]byte, 126), false)},
			code: 1002, reason: "control frame with payload length > 125 octets"},
		{name: "continuation outside message", frames: [][]byte{frame(true, 0, 0, []byte("x"), false)},
			code: 1002, reason: "received continuation data frame outside fragmented message"},
		{name: "new message inside fragmented", frames: [][]byte{frame(false, 0, 1, []byte("x"), false), frame(true, 0, 2, []byte("y"), false)},
			code: 1002, reason: "received non-continuation data frame while inside fragmented message"},
		{name: "frame too big", opts: Options{MaxFramePayloadSize: 100},
			frames: [][]byte{frame(true, 0, 2, make([]byte, 101), false)},
			code:   1009, reason: "received WebSocket frame size 101 exceeds payload limit of 100 octets"},
		{name: "message too big", opts: Options{MaxMessagePayloadSize: 100},
			frames: [][]byte{frame(false, 0, 2, make([]byte, 60), false), frame(true, 0, 0, make([]byte, 60), false)},
			code:   1009, reason: "received WebSocket message size 120 exceeds payload limit of 100 octets"},
		{name: "compressed bomb", opts: Options{MaxMessagePayloadSize: 1000, PerMessageCompressionAccept: AcceptDeflate},
			ext:    []string{"Sec-WebSocket-Extensions: permessage-deflate"},
			frames: [][]byte{frame(true, 4, 2, bomb, false)},
			code:   1009, reason: "exceeds payload limit of 1000 octets"},
		{name: "compressed control frame", opts: Options{PerMessageCompressionAccept: AcceptDeflate},
			ext:    []string{"Sec-WebSocket-Extensions: permessage-deflate"},
			frames: [][]byte{frame(true, 4, 9, nil, false)},
			code:   1002, reason: "received compressed control frame [permessage-deflate]"},
		{name: "corrupt compressed data", opts: Options{PerMessageCompressionAccept: AcceptDeflate},
			ext:    []string{"Sec-WebSocket-Extensions: permessage-deflate"},
			frames: [][]byte{frame(true, 4, 2, []byte{0xff, 0xff, 0xff, 0xff}, false)},
			code:   1007, reason: "invalid compressed message payload"},
		{name: "non-minimal length", frames: [][]byte{{0x82, 0x80 | 126, 0, 5, 1, 2, 3, 4, 'a', 'b', 'c', 'd', 'e'}},
			code: 1002, reason: "not using minimal length encoding"},
	}
}

// TestViolationsFailByClose: with FailByClose the server sends a close frame
// with Autobahn's code and reason, and reports a clean close once the client
// answers.
func TestViolationsFailByClose(t *testing.T) {
	for _, tt := range violationCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.FailByClose = true
			url, handlers := startServer(t, &Server{Options: opts})
			rc := rawDial(t, url, tt.ext...)
			rec := recv(t, handlers, "handler")
			rc.send(tt.frames...)
			code, reason := rc.expectClose()
			if code != tt.code || !strings.Contains(reason, tt.reason) {
				t.Fatalf("close %d %q, want %d %q", code, reason, tt.code, tt.reason)
			}
			// Complete the closing handshake; the server then drops TCP.
			rc.send(frame(true, 0, 8, closePayload(1000, ""), false))
			rc.expectDrop()
			want := closeEvent{true, 1000, ""}
			if tt.wantClose != nil {
				want = *tt.wantClose
			}
			if ev := recv(t, rec.closed, "OnClose"); ev != want {
				t.Errorf("OnClose %+v, want %+v", ev, want)
			}
		})
	}
}

// TestViolationsFailByDrop: by default (failByDrop) the server drops the
// connection without a close frame and reports why.
func TestViolationsFailByDrop(t *testing.T) {
	for _, tt := range violationCases(t) {
		t.Run(tt.name, func(t *testing.T) {
			url, handlers := startServer(t, &Server{Options: tt.opts})
			rc := rawDial(t, url, tt.ext...)
			rec := recv(t, handlers, "handler")
			rc.send(tt.frames...)
			rc.expectDrop()
			ev := recv(t, rec.closed, "OnClose")
			if ev.wasClean || ev.code != 1006 || !strings.Contains(ev.reason, "I dropped the WebSocket TCP connection: ") || !strings.Contains(ev.reason, tt.reason) {
				t.Errorf("OnClose %+v, want unclean with %q", ev, tt.reason)
			}
		})
	}
}

// TestFailFastUTF8: invalid UTF-8 fails the connection as soon as it
// arrives, without waiting for the rest of the frame.
func TestFailFastUTF8(t *testing.T) {
	url, _ := startServer(t, &Server{Options: Options{FailByClose: true}})
	rc := rawDial(t, url)
	f := frame(true, 0, 1, append([]byte("ok\xf4\x90"), make([]byte, 100)...), false)
	rc.send(f[:len(f)-100]) // header, "ok" and the invalid bytes; the rest never comes
	code, reason := rc.expectClose()
	if code != 1007 || !strings.Contains(reason, "index 2") {
		t.Errorf("close %d %q", code, reason)
	}
}

// TestFailFastLimits: a frame or message over the limit fails the
// connection when its header arrives, before the payload.
func TestFailFastLimits(t *testing.T) {
	for _, tt := range []struct {
		opts   Options
		frames [][]byte
		reason string
	}{
		{Options{MaxFramePayloadSize: 100}, [][]byte{frame(true, 0, 2, make([]byte, 1000), false)[:8]}, "frame size 1000 exceeds"},
		{Options{MaxMessagePayloadSize: 100}, [][]byte{frame(false, 0, 2, make([]byte, 60), false), frame(true, 0, 0, make([]byte, 60), false)[:6]}, "message size 120 exceeds"},
	} {
		tt.opts.FailByClose = true
		url, _ := startServer(t, &Server{Options: tt.opts})
		rc := rawDial(t, url)
		rc.send(tt.frames...)
		if code, reason := rc.expectClose(); code != 1009 || !strings.Contains(reason, tt.reason) {
			t.Errorf("close %d %q, want 1009 %q", code, reason, tt.reason)
		}
	}
}

func TestValidMessages(t *testing.T) {
	url, handlers := startServer(t, &Server{Options: Options{MaxMessagePayloadSize: 100000, PerMessageCompressionAccept: AcceptDeflate}})
	rc := rawDial(t, url, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
	if ext := rc.resp.Header.Get("Sec-WebSocket-Extensions"); ext != "permessage-deflate; server_no_context_takeover; client_no_context_takeover" {
		t.Fatalf("extension response %q", ext)
	}
	rec := recv(t, handlers, "handler")
	sc := recv(t, rec.opened, "open")
	if !sc.Compressed() {
		t.Error("Compressed() = false")
	}
	text := "κόσμε – \U0001F600 ok"
	// UTF-8 split inside code points across fragments, a ping between them.
	rc.send(frame(false, 0, 1, []byte(text[:3]), false), frame(true, 0, 9, []byte("p"), false),
		frame(false, 0, 0, []byte(text[3:13]), false), frame(true, 0, 0, []byte(text[13:]), false))
	if m := recv(t, rec.messages, "message"); string(m.payload) != text {
		t.Errorf("got %q", m.payload)
	}
	if p := recv(t, rec.pings, "ping"); string(p) != "p" {
		t.Errorf("ping %q", p)
	}
	big := bytes.Repeat([]byte("0123456789"), 9000)
	rc.send(frame(true, 4, 2, deflate(t, big), false))
	if m := recv(t, rec.messages, "message"); !bytes.Equal(m.payload, big) || !m.isBinary {
		t.Errorf("compressed message: %d bytes", len(m.payload))
	}
	// The pong and the two echoes come back.
	var got []byte
	for len(got) < 3 {
		f, err := rc.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, f.opcode)
		if f.opcode == 10 && string(f.payload) != "p" {
			t.Errorf("pong %q", f.payload)
		}
		if f.opcode != 10 && f.rsv != 4 {
			t.Errorf("echo not compressed: rsv %d", f.rsv)
		}
	}
}

func TestCloseCodeReason(t *testing.T) {
	for _, echo := range []bool{false, true} {
		url, handlers := startServer(t, &Server{Options: Options{EchoCloseCodeReason: echo}})
		c, crec := dialTest(t, &Dialer{}, url)
		rec := recv(t, handlers, "handler")
		if err := c.SendClose(3001, "bye now"); err != nil {
			t.Fatal(err)
		}
		want := closeEvent{true, 1000, ""}
		if echo {
			want = closeEvent{true, 3001, "bye now"}
		}
		if ev := recv(t, crec.closed, "client OnClose"); ev != want {
			t.Errorf("echo %v: client OnClose %+v, want %+v", echo, ev, want)
		}
		if ev := recv(t, rec.closed, "server OnClose"); ev != (closeEvent{true, 3001, "bye now"}) {
			t.Errorf("echo %v: server OnClose %+v", echo, ev)
		}
	}
}

func TestSendCloseValidation(t *testing.T) {
	url, _ := startServer(t, &Server{})
	c, _ := dialTest(t, &Dialer{}, url)
	for _, tt := range []struct {
		code   int
		reason string
	}{{1001, ""}, {2999, ""}, {5000, ""}, {0, "reason"}, {1000, "\xff"}} {
		if err := c.SendClose(tt.code, tt.reason); err == nil {
			t.Errorf("SendClose(%d, %q) succeeded", tt.code, tt.reason)
		}
	}
	if err := c.SendPing(make([]byte, 126)); err == nil {
		t.Error("SendPing with 126 bytes succeeded")
	}
}

func TestCloseReasonTruncated(t *testing.T) {
	url, handlers := startServer(t, &Server{})
	c, _ := dialTest(t, &Dialer{}, url)
	rec := recv(t, handlers, "handler")
	long := strings.Repeat("é", 100) // 200 bytes
	c.SendClose(1000, long)
	ev := recv(t, rec.closed, "server OnClose")
	if ev.reason != strings.Repeat("é", 61) {
		t.Errorf("reason of %d bytes", len(ev.reason))
	}
}

func TestCloseHandshakeTimeout(t *testing.T) {
	url, handlers := startServer(t, &Server{Options: Options{CloseHandshakeTimeout: 100 * time.Millisecond}})
	rc := rawDial(t, url)
	rec := recv(t, handlers, "handler")
	sc := recv(t, rec.opened, "open")
	sc.SendClose(1000, "")
	if code, _ := rc.expectClose(); code != 1000 {
		t.Errorf("close code %d", code)
	}
	// Never answer.
	ev := recv(t, rec.closed, "OnClose")
	if ev.wasClean || ev.code != 1006 || !strings.Contains(ev.reason, "WebSocket closing handshake timeout (peer did not finish the closing handshake in time)") {
		t.Errorf("OnClose %+v", ev)
	}
}

func TestPeerDrop(t *testing.T) {
	url, handlers := startServer(t, &Server{})
	rc := rawDial(t, url)
	rec := recv(t, handlers, "handler")
	recv(t, rec.opened, "open")
	rc.conn.Close()
	ev := recv(t, rec.closed, "OnClose")
	want := `connection was closed uncleanly ("peer dropped the TCP connection without previous WebSocket closing handshake")`
	if ev.wasClean || ev.code != 1006 || ev.reason != want {
		t.Errorf("OnClose %+v", ev)
	}
}

// rawServer accepts one connection, completes the opening handshake with
// extra response header lines and then writes after, in the same write.
func rawServer(t *testing.T, extra string, after []byte, hold time.Duration) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		req, err := http.ReadRequest(bufio.NewReader(conn))
		if err != nil {
			return
		}
		h := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n" + extra + "\r\n"
		conn.Write(append([]byte(resp), after...))
		conn.SetReadDeadline(time.Now().Add(hold))
		io.Copy(io.Discard, conn)
	}()
	return "ws://" + ln.Addr().String() + "/"
}

// TestClientFramesWithResponse: frames that arrive in the same read as the
// 101 response are parsed as frames.
func TestClientFramesWithResponse(t *testing.T) {
	url := rawServer(t, "", append(frame(true, 0, 1, []byte("first"), true), frame(true, 0, 2, []byte{1, 2}, true)...), time.Second)
	_, rec := dialTest(t, &Dialer{}, url)
	if m := recv(t, rec.messages, "message"); string(m.payload) != "first" || m.isBinary {
		t.Errorf("first message %+v", m)
	}
	if m := recv(t, rec.messages, "message"); !bytes.Equal(m.payload, []byte{1, 2}) || !m.isBinary {
		t.Errorf("second message %+v", m)
	}
}

// TestClientViolations: a client checks server frames and responses too.
func TestClientViolations(t *testing.T) {
	t.Run("masked server frame", func(t *testing.T) {
		url := rawServer(t, "", frame(true, 0, 1, []byte("x"), false), time.Second)
		_, rec := dialTest(t, &Dialer{}, url)
		ev := recv(t, rec.closed, "OnClose")
		if ev.wasClean || !strings.Contains(ev.reason, "masked server-to-client frame") {
			t.Errorf("OnClose %+v", ev)
		}
	})
	for _, tt := range []struct{ name, extra, reason string }{
		{"unrequested subprotocol", "Sec-WebSocket-Protocol: foo\r\n", `subprotocol selected by server "foo" not in subprotocol list requested by client`},
		{"unrequested extension", "Sec-WebSocket-Extensions: x-foo\r\n", `server wants to use extension "x-foo" we did not request`},
		{"unoffered deflate", "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n", "response from server denied by client"},
		{"bad accept", "Sec-WebSocket-Accept: x\r\n", "HTTP Sec-WebSocket-Accept header appears more than once"},
		{"upgrade", "Upgrade: h2c\r\n", `HTTP Upgrade header different from "websocket" (case-insensitive): "websocket, h2c"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url := rawServer(t, tt.extra, nil, time.Second)
			_, err := (&Dialer{Logger: quietLog}).Dial(context.Background(), url, clientRecorder{newRecorder()})
			var he *HandshakeError
			if !errors.As(err, &he) || !strings.Contains(he.Reason, tt.reason) {
				t.Errorf("Dial error %v, want %q", err, tt.reason)
			}
		})
	}
}

// TestClientDeflateResponses: which permessage-deflate responses a client
// can work with.
func TestClientDeflateResponses(t *testing.T) {
	for _, tt := range []struct {
		response string
		ok       bool
		reason   string
	}{
		{"permessage-deflate; server_no_context_takeover", true, ""},
		{"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10", true, ""},
		{"permessage-deflate", false, "without server_no_context_takeover"},
		{"permessage-deflate; server_no_context_takeover; client_max_window_bits=9", false, "client_max_window_bits=9"},
		{"permessage-deflate; server_no_context_takeover, permessage-deflate; server_no_context_takeover", false, "multiple occurrence"},
	} {
		payload := deflate(t, []byte("compressed hello"))
		url := rawServer(t, "Sec-WebSocket-Extensions: "+tt.response+"\r\n", frame(true, 4, 1, payload, true), time.Second)
		rec := newRecorder()
		c, err := (&Dialer{Logger: quietLog, Options: Options{PerMessageCompressionOffers: []DeflateOffer{{AcceptNoContextTakeover: true, AcceptMaxWindowBits: true, RequestNoContextTakeover: true}}}}).Dial(context.Background(), url, clientRecorder{rec})
		if !tt.ok {
			if err == nil || !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("%q: Dial error %v, want %q", tt.response, err, tt.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.response, err)
			continue
		}
		if m := recv(t, rec.messages, "message"); string(m.payload) != "compressed hello" {
			t.Errorf("%q: message %q", tt.response, m.payload)
		}
		c.Abort()
		<-c.Done()
	}
}

// TestServerConnectionDropTimeout: a server that completes the closing
// handshake but keeps the TCP connection open makes the client close
// uncleanly after ServerConnectionDropTimeout.
func TestServerConnectionDropTimeout(t *testing.T) {
	for _, hold := range []time.Duration{0, 2 * time.Second} {
		url := rawServer(t, "", []byte{0x88, 0x02, 0x03, 0xe8}, hold)
		_, rec := dialTest(t, &Dialer{Options: Options{ServerConnectionDropTimeout: 200 * time.Millisecond}}, url)
		ev := recv(t, rec.closed, "OnClose")
		if hold == 0 {
			if ev != (closeEvent{true, 1000, ""}) {
				t.Errorf("server drops at once: OnClose %+v", ev)
			}
			continue
		}
		if ev.wasClean || !strings.Contains(ev.reason, "WebSocket closing handshake timeout (server did not drop TCP connection in time)") {
			t.Errorf("server holds on: OnClose %+v", ev)
		}
	}
}

func TestAutoFragment(t *testing.T) {
	url, handlers := startServer(t, &Server{Options: Options{AutoFragmentSize: 10}})
	rc := rawDial(t, url)
	recv(t, handlers, "handler")
	msg := []byte("abcdefghijklmnopqrstuvwxy") // 25 bytes
	rc.send(frame(true, 0, 1, msg, false))
	var sizes []int
	var got []byte
	for {
		f, err := rc.readFrame()
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(f.payload))
		got = append(got, f.payload...)
		if f.fin {
			break
		}
	}
	if !bytes.Equal(got, msg) || fmt.Sprint(sizes) != "[10 10 5]" {
		t.Errorf("frames %v, payload %q", sizes, got)
	}
	// Short messages stay in one frame.
	rc.send(frame(true, 0, 1, []byte("short"), false))
	if f, err := rc.readFrame(); err != nil || !f.fin || string(f.payload) != "short" {
		t.Errorf("short message frame %+v %v", f, err)
	}
}

func TestAutoPing(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		url, handlers := startServer(t, &Server{Options: Options{AutoPingInterval: 50 * time.Millisecond, AutoPingTimeout: 100 * time.Millisecond, AutoPingSize: 20}})
		rc := rawDial(t, url)
		rec := recv(t, handlers, "handler")
		f, err := rc.readFrame()
		if err != nil || f.opcode != 9 || len(f.payload) != 20 {
			t.Fatalf("auto-ping %+v %v", f, err)
		}
		// No pong: the server drops the connection.
		rc.expectDrop()
		ev := recv(t, rec.closed, "OnClose")
		if ev.wasClean || !strings.Contains(ev.reason, "WebSocket ping timeout (peer did not respond with pong in time)") {
			t.Errorf("OnClose %+v", ev)
		}
	})
	t.Run("answered", func(t *testing.T) {
		url, handlers := startServer(t, &Server{Options: Options{AutoPingInterval: 30 * time.Millisecond, AutoPingTimeout: 200 * time.Millisecond}})
		_, crec := dialTest(t, &Dialer{}, url)
		rec := recv(t, handlers, "handler")
		// Our client answers pings; the server sees three pongs and stays.
		for range 3 {
			p := recv(t, rec.pongs, "pong")
			if len(p) != 12 {
				t.Errorf("pong payload %d bytes", len(p))
			}
		}
		select {
		case ev := <-rec.closed:
			t.Errorf("closed: %+v", ev)
		default:
		}
		_ = crec
	})
	t.Run("wrong pong", func(t *testing.T) {
		url, handlers := startServer(t, &Server{Options: Options{AutoPingInterval: 30 * time.Millisecond, AutoPingTimeout: 150 * time.Millisecond, DisableAutoPingRestartOnAnyTraffic: true}})
		rc := rawDial(t, url)
		rec := recv(t, handlers, "handler")
		if f, err := rc.readFrame(); err != nil || f.opcode != 9 {
			t.Fatalf("auto-ping %+v %v", f, err)
		}
		rc.send(frame(true, 0, 10, []byte("not the payload"), false), frame(true, 0, 2, []byte("data"), false))
		ev := recv(t, rec.closed, "OnClose")
		if ev.wasClean || !strings.Contains(ev.reason, "ping timeout") {
			t.Errorf("OnClose %+v", ev)
		}
	})
	t.Run("traffic counts", func(t *testing.T) {
		url, handlers := startServer(t, &Server{Options: Options{AutoPingInterval: 30 * time.Millisecond, AutoPingTimeout: 150 * time.Millisecond}})
		rc := rawDial(t, url)
		rec := recv(t, handlers, "handler")
		// Answer every ping with a data message instead of a pong.
		deadline := time.Now().Add(600 * time.Millisecond)
		pings := 0
		for time.Now().Before(deadline) {
			rc.conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
			f, err := rc.readFrame()
			if err != nil {
				t.Fatalf("read: %v (after %d pings)", err, pings)
			}
			if f.opcode == 9 {
				pings++
				rc.send(frame(true, 0, 2, []byte("traffic"), false))
			}
		}
		if pings < 2 {
			t.Errorf("only %d pings", pings)
		}
		select {
		case ev := <-rec.closed:
			t.Errorf("closed: %+v", ev)
		default:
		}
	})
}

// TestQuietSpells: messages, pings and a close after the reader has moved
// to a fresh goroutine, on both sides.
func TestQuietSpells(t *testing.T) {
	url, handlers := startServer(t, &Server{Options: Options{CloseHandshakeTimeout: 5 * time.Second}})
	c, crec := dialTest(t, &Dialer{}, url)
	rec := recv(t, handlers, "handler")
	sc := recv(t, rec.opened, "open")
	for i := range 3 {
		time.Sleep(2 * idleProbe)
		msg := fmt.Sprintf("message %d", i)
		c.SendMessage([]byte(msg), false)
		if m := recv(t, crec.messages, "echo"); string(m.payload) != msg {
			t.Fatalf("echo %q", m.payload)
		}
		time.Sleep(2 * idleProbe)
		sc.SendPing([]byte(msg))
		if p := recv(t, rec.pongs, "pong"); string(p) != msg {
			t.Fatalf("pong %q", p)
		}
	}
	time.Sleep(2 * idleProbe)
	c.SendClose(1000, "done")
	if ev := recv(t, rec.closed, "server close"); ev != (closeEvent{true, 1000, "done"}) {
		t.Errorf("server OnClose %+v", ev)
	}
	if ev := recv(t, crec.closed, "client close"); !ev.wasClean {
		t.Errorf("client OnClose %+v", ev)
	}
}

func TestConcurrentSend(t *testing.T) {
	url, handlers := startServer(t, &Server{})
	c, crec := dialTest(t, &Dialer{}, url)
	recv(t, handlers, "handler")
	const workers, each = 8, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := c.SendMessage([]byte(fmt.Sprintf("%d-%d-%s", w, i, strings.Repeat("x", 5000))), false); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for range workers * each {
		m := recv(t, crec.messages, "echo")
		if len(m.payload) < 5000 {
			t.Fatalf("short echo %d", len(m.payload))
		}
	}
}
