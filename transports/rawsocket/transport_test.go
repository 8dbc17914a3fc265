package rawsocket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/engine"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// endpoints returns a listen URL and the client configuration for each kind
// of socket: TCP, TLS over TCP, Unix.
func endpoints(t *testing.T) []struct {
	name, listen   string
	srvCfg, cliCfg core.TransportConfig
	peerPrefix     string
} {
	srvTLS, cliTLS := testpeer.TLSConfigs(t)
	return []struct {
		name, listen   string
		srvCfg, cliCfg core.TransportConfig
		peerPrefix     string
	}{
		{"tcp", "rs://127.0.0.1:0", core.TransportConfig{}, core.TransportConfig{}, "tcp4:127.0.0.1:"},
		{"tcp-scheme", "tcp://127.0.0.1:0", core.TransportConfig{}, core.TransportConfig{}, "tcp4:127.0.0.1:"},
		{"tls", "rss://127.0.0.1:0", core.TransportConfig{TLS: srvTLS}, core.TransportConfig{TLS: cliTLS}, "tcp4:127.0.0.1:"},
		{"unix", "rs://unix:" + socketPath(t), core.TransportConfig{}, core.TransportConfig{}, "unix:/"},
	}
}

func TestRoundTrip(t *testing.T) {
	for _, ep := range endpoints(t) {
		for _, ser := range fakeAll {
			t.Run(ep.name+"/"+ser.Name(), func(t *testing.T) {
				srvCfg := ep.srvCfg
				srvCfg.Serializers = fakeAll
				ts := startServer(t, ep.listen, srvCfg, true)
				cliCfg := ep.cliCfg
				cliCfg.Serializers = []core.Serializer{ser}
				cli := newRecorder(false)
				tr, err := dial(t, ts.url, cliCfg, cli)
				if err != nil {
					t.Fatal(err)
				}
				cli.WaitOpen(t)
				srv := ts.next(t)
				srvT := srv.WaitOpen(t).(*Transport)

				sizes := []int{0, 1, 100, 4096, 70000, 1 << 20}
				for _, n := range sizes {
					msg := bytes.Repeat([]byte{byte(n)}, n)
					if err := tr.Send(context.Background(), &testMsg{msg}); err != nil {
						t.Fatalf("send %d bytes: %v", n, err)
					}
				}
				for _, n := range sizes {
					got := cli.waitMsg(t)
					if len(got) != n || (n > 0 && got[0] != byte(n)) {
						t.Fatalf("echo: got %d bytes, want %d", len(got), n)
					}
				}

				cd, sd := tr.Details(), srvT.Details()
				if cd.Framing != core.FramingRawSocket || cd.IsServer || !sd.IsServer {
					t.Errorf("details: framing %q client IsServer %v server IsServer %v", cd.Framing, cd.IsServer, sd.IsServer)
				}
				if cd.Serializer != ser || sd.Serializer != ser {
					t.Errorf("serializer: client %v server %v, want %v", cd.Serializer.Name(), sd.Serializer.Name(), ser.Name())
				}
				if !strings.HasPrefix(cd.Peer, ep.peerPrefix) {
					t.Errorf("client peer %q, want prefix %q", cd.Peer, ep.peerPrefix)
				}
				if ep.name == "unix" {
					if sd.Peer != "unix" {
						t.Errorf("server peer %q, want unix (unnamed client socket)", sd.Peer)
					}
				} else if !strings.HasPrefix(sd.Peer, ep.peerPrefix) {
					t.Errorf("server peer %q, want prefix %q", sd.Peer, ep.peerPrefix)
				}
				if (cd.TLS != nil) != (ep.name == "tls") || (sd.TLS != nil) != (ep.name == "tls") {
					t.Errorf("TLS state: client %v server %v", cd.TLS != nil, sd.TLS != nil)
				}
				if ep.name == "tls" && len(cd.ChannelID(core.ChannelBindingTLSExporter)) != 32 {
					t.Errorf("no tls-exporter channel binding on the client")
				}
				if cd.Extra["max_message_size"] != MaxMessageSize || cd.Extra["peer_max_message_size"] != maxSendSize {
					t.Errorf("extra: %v", cd.Extra)
				}
				if cd.LocalAddr == nil || sd.PeerAddr == nil {
					t.Errorf("addresses missing: %v %v", cd.LocalAddr, sd.PeerAddr)
				}

				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := tr.Close(ctx); err != nil {
					t.Fatalf("close: %v", err)
				}
				if err := cli.WaitClose(t); err != nil {
					t.Errorf("client OnClose(%v), want nil after Close", err)
				}
				if err := srv.WaitClose(t); err != nil {
					t.Errorf("server OnClose(%v), want nil after the client's clean close", err)
				}
				err = tr.Send(context.Background(), &testMsg{[]byte("late")})
				if !errors.Is(err, core.ErrTransportLost) {
					t.Errorf("send after close: %v, want ErrTransportLost", err)
				}
			})
		}
	}
}

func TestSerializerNegotiation(t *testing.T) {
	batchedCBOR := &fakeSerializer{name: "fcbor.batched", id: 3, batched: true}
	tests := []struct {
		name    string
		server  []core.Serializer
		client  []core.Serializer
		want    core.Serializer // nil: dial fails
		wantErr string
	}{
		{"first plain of the client's list", fakeAll, []core.Serializer{fakeMsgpack, fakeCBOR}, fakeMsgpack, ""},
		{"batched skipped", fakeAll, []core.Serializer{batchedCBOR, fakeJSON}, fakeJSON, ""},
		{"server lacks it", []core.Serializer{fakeJSON}, []core.Serializer{fakeCBOR}, nil, "serializer unsupported (error 1)"},
		{"server batched only for that id", []core.Serializer{batchedCBOR, fakeJSON}, []core.Serializer{fakeCBOR}, nil, "serializer unsupported"},
		{"client batched only", fakeAll, []core.Serializer{batchedCBOR}, nil, "can run over RawSocket"},
		{"id out of range", fakeAll, []core.Serializer{&fakeSerializer{name: "x", id: 16}}, nil, "can run over RawSocket"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: tc.server}, true)
			tr, err := dial(t, ts.url, core.TransportConfig{Serializers: tc.client}, newRecorder(false))
			if tc.want == nil {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("dial: %v, want error containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tr.Details().Serializer; got != tc.want {
				t.Errorf("serializer %s, want %s", got.Name(), tc.want.Name())
			}
			srv := ts.next(t).WaitOpen(t)
			if got := srv.Details().Serializer; got != tc.want {
				t.Errorf("server serializer %s, want %s", got.Name(), tc.want.Name())
			}
		})
	}
}

// TestServerHandshakeReplies sends raw handshakes and checks the server's
// answer: an error reply with the right code, or (bad magic) no reply at all.
// After each, the server must still serve a good client.
func TestServerHandshakeReplies(t *testing.T) {
	cfg := core.TransportConfig{
		Serializers: []core.Serializer{fakeJSON, fakeCBOR},
		Options:     Options{MinPeerMaxMessageSize: 1 << 16, MaxMessagePayloadSize: 1 << 20},
	}
	ts := startServer(t, "rs://127.0.0.1:0", cfg, true)
	tests := []struct {
		name  string
		req   []byte
		reply []byte // nil: connection closed without reply
	}{
		{"ok json", []byte{0x7F, 0xF1, 0, 0}, []byte{0x7F, 0xB1, 0, 0}},
		{"ok cbor, small exp accepted at limit", []byte{0x7F, 0x73, 0, 0}, []byte{0x7F, 0xB3, 0, 0}},
		{"bad magic", []byte{0x7E, 0xF1, 0, 0}, nil},
		{"http request", []byte("GET / HTTP/1.1\r\n\r\n"), nil},
		{"reserved byte 2", []byte{0x7F, 0xF1, 1, 0}, []byte{0x7F, 0x30, 0, 0}},
		{"reserved byte 3", []byte{0x7F, 0xF1, 0, 0x80}, []byte{0x7F, 0x30, 0, 0}},
		{"serializer 0", []byte{0x7F, 0xF0, 0, 0}, []byte{0x7F, 0x10, 0, 0}},
		{"serializer msgpack not offered", []byte{0x7F, 0xF2, 0, 0}, []byte{0x7F, 0x10, 0, 0}},
		{"serializer 15", []byte{0x7F, 0xFF, 0, 0}, []byte{0x7F, 0x10, 0, 0}},
		{"max length too small", []byte{0x7F, 0x61, 0, 0}, []byte{0x7F, 0x20, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := rawDial(t, ts)
			reply, err := c.handshake(t, tc.req...)
			if tc.reply == nil {
				if !isClosedErr(err) {
					t.Fatalf("got reply % X (err %v), want the connection closed without reply", reply, err)
				}
			} else {
				if err != nil {
					t.Fatalf("reading reply: %v", err)
				}
				if !bytes.Equal(reply[:], tc.reply) {
					t.Fatalf("reply % X, want % X", reply, tc.reply)
				}
				if tc.reply[1]&0x0F == 0 {
					// An error reply ends the connection.
					var b [1]byte
					if _, err := c.Read(b[:]); !isClosedErr(err) {
						t.Fatalf("after error reply: read %v, want connection closed", err)
					}
				} else {
					// Accepted: the echo server answers a message.
					ts.next(t)
					if _, err := c.Write(frame(frameMessage, "hi")); err != nil {
						t.Fatal(err)
					}
					var b [6]byte
					if _, err := readFull(c, b[:]); err != nil || string(b[4:]) != "hi" {
						t.Fatalf("echo: % X %v", b, err)
					}
				}
			}
			// The server keeps serving others.
			cli := newRecorder(false)
			tr, err := dial(t, ts.url, core.TransportConfig{Serializers: []core.Serializer{fakeJSON}}, cli)
			if err != nil {
				t.Fatalf("good client after bad one: %v", err)
			}
			ts.next(t)
			tr.Send(context.Background(), &testMsg{[]byte("x")})
			if got := cli.waitMsg(t); string(got) != "x" {
				t.Fatalf("echo %q", got)
			}
		})
	}
}

func TestHandshakeTimeout(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{OpenHandshakeTimeout: 100 * time.Millisecond}}, true)
	c := rawDial(t, ts)
	c.Write([]byte{0x7F, 0xF1}) // half a handshake, then silence
	start := time.Now()
	var b [4]byte
	if _, err := readFull(c, b[:]); !isClosedErr(err) {
		t.Fatalf("read: %v, want the server to drop the connection", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("server waited %v", d)
	}
	if n := ts.l.ActiveConnections(); n != 0 {
		t.Errorf("%d active connections after the timeout", n)
	}
}

func TestMaxConnections(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: map[string]any{"maxConnections": 1}}, true)
	first, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	srv := ts.next(t)
	srv.WaitOpen(t)
	_, err = dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, newRecorder(false))
	var herr *HandshakeError
	if !errors.As(err, &herr) || herr.Code != CodeMaxConnectionsReached {
		t.Fatalf("second dial: %v, want handshake error 4", err)
	}
	// Once the first is gone, there is room again.
	first.Abort()
	srv.WaitClose(t)
	deadline := time.Now().Add(5 * time.Second)
	for ts.l.ActiveConnections() != 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, newRecorder(false)); err != nil {
		t.Fatalf("dial after the first closed: %v", err)
	}
}

// fakeRawServer accepts one connection, reads the 4-byte handshake and
// answers with reply (nothing when nil), then keeps the connection open.
func fakeRawServer(t *testing.T, reply []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var req [4]byte
		if _, err := readFull(c, req[:]); err != nil {
			return
		}
		if reply != nil {
			c.Write(reply)
		}
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c)
	}()
	return "rs://" + ln.Addr().String()
}

func TestClientHandshakeErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   []byte
		code    ErrorCode
		wantErr string
	}{
		{"error 1", []byte{0x7F, 0x10, 0, 0}, CodeSerializerUnsupported, "serializer unsupported"},
		{"error 2", []byte{0x7F, 0x20, 0, 0}, CodeMaxLengthUnacceptable, "maximum message length unacceptable"},
		{"error 3", []byte{0x7F, 0x30, 0, 0}, CodeReservedBitsUsed, "reserved bits"},
		{"error 4", []byte{0x7F, 0x40, 0, 0}, CodeMaxConnectionsReached, "maximum connection count"},
		{"error 0", []byte{0x7F, 0x00, 0, 0}, 0, "illegal error code 0"},
		{"bad magic", []byte{0x7E, 0xF3, 0, 0}, 0, "magic"},
		{"HTTP answer", []byte("HTTP/1.1 400 Bad Request\r\n"), 0, "magic"},
		{"other serializer", []byte{0x7F, 0xF1, 0, 0}, 0, "serializer id 1, but 3 was requested"},
		{"reserved bytes", []byte{0x7F, 0xF3, 0, 1}, 0, "reserved bytes"},
		{"limit below minimum", []byte{0x7F, 0x03, 0, 0}, 0, "at least 1024 required"},
		{"closed", []byte{}, 0, "EOF"},
		{"silent", nil, 0, "deadline exceeded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := fakeRawServer(t, tc.reply)
			if tc.reply != nil && len(tc.reply) == 0 {
				// A server that closes right after reading the request.
				u = fakeClosingServer(t)
			}
			cfg := core.TransportConfig{Serializers: []core.Serializer{fakeCBOR}, Options: Options{OpenHandshakeTimeout: 200 * time.Millisecond, MinPeerMaxMessageSize: 1024}}
			_, err := dial(t, u, cfg, newRecorder(false))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("dial: %v, want error containing %q", err, tc.wantErr)
			}
			var herr *HandshakeError
			if errors.As(err, &herr) != (tc.code != 0 || tc.name == "error 0") {
				t.Fatalf("dial: %v: HandshakeError %v", err, herr)
			}
			if herr != nil && herr.Code != tc.code {
				t.Fatalf("code %d, want %d", herr.Code, tc.code)
			}
		})
	}
}

func fakeClosingServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		var req [4]byte
		readFull(c, req[:])
		c.Close()
	}()
	return "rs://" + ln.Addr().String()
}

func TestDialContextCancel(t *testing.T) {
	u := fakeRawServer(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := (&Factory{}).Dial(ctx, mustURL(t, u), core.TransportConfig{Serializers: fakeAll, Options: Options{OpenHandshakeTimeout: -1}}, newRecorder(false))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("dial: %v, want context.Canceled", err)
	}
}

func TestMaxMessageSize(t *testing.T) {
	// The server accepts 1 KiB, the client 512 bytes.
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{MaxMessagePayloadSize: 1000}}, false)
	cli := newRecorder(false)
	tr, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll, Options: map[string]any{"max_message_payload_size": 512}}, cli)
	if err != nil {
		t.Fatal(err)
	}
	srv := ts.next(t)
	srvT := srv.WaitOpen(t).(*Transport)
	if tr.MaxMessageSize() != 512 || tr.PeerMaxMessageSize() != 1024 || srvT.MaxMessageSize() != 1024 || srvT.PeerMaxMessageSize() != 512 {
		t.Fatalf("limits: client %d/%d server %d/%d", tr.MaxMessageSize(), tr.PeerMaxMessageSize(), srvT.MaxMessageSize(), srvT.PeerMaxMessageSize())
	}
	ctx := context.Background()
	if err := tr.Send(ctx, &testMsg{make([]byte, 1024)}); err != nil {
		t.Fatalf("send at the limit: %v", err)
	}
	err = tr.Send(ctx, &testMsg{make([]byte, 1025)})
	if !errors.Is(err, ErrMessageTooLarge) || !strings.Contains(err.Error(), "1025 bytes") || !strings.Contains(err.Error(), "1024") {
		t.Fatalf("send over the limit: %v", err)
	}
	if err := srvT.Send(ctx, &testMsg{make([]byte, 512)}); err != nil {
		t.Fatalf("server send at the client's limit: %v", err)
	}
	if err := srvT.Send(ctx, &testMsg{make([]byte, 513)}); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("server send over the client's limit: %v", err)
	}
	// A refused send leaves the transport usable.
	if got := srv.waitMsg(t); len(got) != 1024 {
		t.Fatalf("server got %d bytes", len(got))
	}
	if got := cli.waitMsg(t); len(got) != 512 {
		t.Fatalf("client got %d bytes", len(got))
	}
	if err := tr.Send(ctx, &testMsg{[]byte("still")}); err != nil {
		t.Fatal(err)
	}
	if got := srv.waitMsg(t); string(got) != "still" {
		t.Fatalf("got %q", got)
	}
}

// TestProtocolErrors sends bad frames from a raw client: each closes that
// connection with an error wrapping ErrProtocolViolation, and the server keeps
// serving another client meanwhile.
func TestProtocolErrors(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{MaxMessagePayloadSize: 1024}}, true)
	other := newRecorder(false)
	otherT, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, other)
	if err != nil {
		t.Fatal(err)
	}
	ts.next(t)
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"unknown frame type 3", []byte{0x03, 0, 0, 1, 'x'}, "unknown frame type 3"},
		{"unknown frame type 7", []byte{0x07, 0, 0, 0}, "unknown frame type 7"},
		{"reserved bits", []byte{0x10, 0, 0, 1, 'x'}, "reserved bits"},
		{"25th bit with length", []byte{0x08, 0, 0, 1}, "25th length bit"},
		{"oversized message", []byte{0x00, 0, 0x04, 0x01}, "1025 bytes exceeds the announced maximum of 1024"},
		{"oversized 16 MiB", []byte{0x08, 0, 0, 0}, "16777216 bytes exceeds"},
		{"oversized ping", []byte{0x01, 0, 0x08, 0x00}, "PING frame of 2048 bytes"},
		{"garbage message", frame(frameMessage, "bad stuff"), "undecodable message of 9 bytes"},
		{"truncated frame", []byte{0x00, 0, 0, 10, 'a'}, "unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := rawDial(t, ts)
			if _, err := c.handshake(t, 0x7F, 0x13, 0, 0); err != nil {
				t.Fatal(err)
			}
			srv := ts.next(t)
			srv.WaitOpen(t)
			c.Write(frame(frameMessage, "ok"))
			var b [6]byte
			if _, err := readFull(c, b[:]); err != nil || string(b[4:]) != "ok" {
				t.Fatalf("echo before the bad frame: %q %v", b, err)
			}
			c.Write(tc.data)
			if tc.name == "truncated frame" {
				c.Conn.(*net.TCPConn).CloseWrite()
			}
			err := srv.WaitClose(t)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, core.ErrTransportLost) {
				t.Fatalf("OnClose(%v), want error containing %q", err, tc.wantErr)
			}
			if tc.name != "truncated frame" && !errors.Is(err, ErrProtocolViolation) {
				t.Fatalf("OnClose(%v) does not wrap ErrProtocolViolation", err)
			}
			if _, err := c.Read(b[:]); !isClosedErr(err) {
				t.Fatalf("read after the bad frame: %v, want connection closed", err)
			}
			// The other client is unaffected.
			otherT.Send(context.Background(), &testMsg{[]byte(tc.name)})
			if got := other.waitMsg(t); string(got) != tc.name {
				t.Fatalf("other client got %q", got)
			}
		})
	}
}

func TestPingPong(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, true)
	cli := newRecorder(false)
	tr, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, cli)
	if err != nil {
		t.Fatal(err)
	}
	ts.next(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, p := range []string{"", "hello", strings.Repeat("p", 70000)} {
		if err := tr.Ping(ctx, []byte(p)); err != nil {
			t.Fatalf("ping %d bytes: %v", len(p), err)
		}
	}
	// Concurrent pings with different payloads all complete.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() { errs <- tr.Ping(ctx, []byte(fmt.Sprint(i%5))) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// A raw client's PING is answered with a PONG echoing the payload, and a
	// stray PONG is ignored.
	c := rawDial(t, ts)
	c.handshake(t, 0x7F, 0xF3, 0, 0)
	ts.next(t)
	c.Write(append(frame(framePong, "stray"), frame(framePing, "abc")...))
	var b [7]byte
	if _, err := readFull(c, b[:]); err != nil {
		t.Fatal(err)
	}
	if want := frame(framePong, "abc"); !bytes.Equal(b[:], want) {
		t.Fatalf("got % X, want % X", b, want)
	}
}

func TestPingTimeout(t *testing.T) {
	// A peer that never answers PING: Ping returns with the context's error.
	u := fakeRawServer(t, []byte{0x7F, 0xF3, 0, 0})
	tr, err := dial(t, u, core.TransportConfig{Serializers: fakeAll}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := tr.Ping(ctx, []byte("x")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ping: %v, want deadline exceeded", err)
	}
	tr.w.pmu.Lock()
	n := len(tr.w.pings)
	tr.w.pmu.Unlock()
	if n != 0 {
		t.Errorf("%d pings still registered", n)
	}
}

func TestCloseAndAbort(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, false)
	t.Run("abort", func(t *testing.T) {
		cli := newRecorder(false)
		tr, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, cli)
		if err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		srv.WaitOpen(t)
		tr.Abort()
		if err := cli.WaitClose(t); !errors.Is(err, ErrAborted) || !errors.Is(err, core.ErrTransportLost) {
			t.Errorf("client OnClose(%v), want ErrAborted", err)
		}
		// The server sees the connection end; a TCP abort looks like the
		// end of the stream.
		srv.WaitClose(t)
		if err := tr.Abort(); err != nil {
			t.Errorf("second abort: %v", err)
		}
		if err := tr.Close(context.Background()); err != nil {
			t.Errorf("close after abort: %v", err)
		}
	})
	t.Run("server closes", func(t *testing.T) {
		cli := newRecorder(false)
		_, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, cli)
		if err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		st := srv.WaitOpen(t)
		st.Send(context.Background(), &testMsg{[]byte("bye")})
		if err := st.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := cli.waitMsg(t); string(got) != "bye" {
			t.Fatalf("got %q before close", got)
		}
		if err := cli.WaitClose(t); err != nil {
			t.Errorf("client OnClose(%v), want nil", err)
		}
		if err := srv.WaitClose(t); err != nil {
			t.Errorf("server OnClose(%v), want nil", err)
		}
	})
	t.Run("close from handler", func(t *testing.T) {
		cli := newRecorder(false)
		cli.React = func(tr core.Transport, m core.Message) {
			if err := tr.Close(context.Background()); err != nil {
				t.Errorf("close in OnMessage: %v", err)
			}
		}
		_, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, cli)
		if err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		srv.WaitOpen(t).Send(context.Background(), &testMsg{[]byte("x")})
		if err := cli.WaitClose(t); err != nil {
			t.Errorf("client OnClose(%v), want nil", err)
		}
		if err := srv.WaitClose(t); err != nil {
			t.Errorf("server OnClose(%v), want nil", err)
		}
	})
	t.Run("peer never closes", func(t *testing.T) {
		u := fakeRawServer(t, []byte{0x7F, 0xF3, 0, 0})
		cli := newRecorder(false)
		tr, err := dial(t, u, core.TransportConfig{Serializers: fakeAll, Options: Options{CloseHandshakeTimeout: 50 * time.Millisecond}}, cli)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := tr.Close(context.Background()); err != nil {
			t.Fatalf("close: %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("close took %v with a 50ms close timeout", d)
		}
		if err := cli.WaitClose(t); err != nil {
			t.Errorf("OnClose(%v), want nil after Close", err)
		}
	})
}

func TestAcceptorRefuses(t *testing.T) {
	u := mustURL(t, "rs://127.0.0.1:0")
	l, err := (&Factory{}).Listen(context.Background(), u, core.TransportConfig{Serializers: fakeAll}, func(core.Transport) core.TransportHandler { return nil })
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cli := newRecorder(false)
	_, err = dial(t, "rs://"+l.Addr().String(), core.TransportConfig{Serializers: fakeAll}, cli)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.WaitClose(t); err != nil {
		t.Errorf("OnClose(%v), want nil (server ended the stream)", err)
	}
}

func TestListenErrors(t *testing.T) {
	tests := []struct {
		url     string
		cfg     core.TransportConfig
		wantErr string
	}{
		{"rss://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, "TLS needs a certificate"},
		{"rs://127.0.0.1:0", core.TransportConfig{Serializers: []core.Serializer{&fakeSerializer{name: "b", id: 1, batched: true}}}, "no plain serializer"},
		{"rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: map[string]any{"bogus": 1}}, `unknown option "bogus"`},
		{"rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: 42}, "unsupported options type int"},
		{"rs://127.0.0.1:0?x=1", core.TransportConfig{Serializers: fakeAll}, "query"},
	}
	proxy := mustURL(t, "http://proxy:3128")
	if _, err := (&Factory{}).Dial(context.Background(), mustURL(t, "rs://127.0.0.1:1"), core.TransportConfig{Proxy: proxy}, newRecorder(false)); err == nil || !strings.Contains(err.Error(), "proxies are not supported") {
		t.Errorf("dial with a proxy: %v", err)
	}
	for _, tc := range tests {
		_, err := (&Factory{}).Listen(context.Background(), mustURL(t, tc.url), tc.cfg, func(core.Transport) core.TransportHandler { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("listen %s: %v, want error containing %q", tc.url, err, tc.wantErr)
		}
	}
}

// countingConn counts Write calls, to check that a frame (header and
// payload) goes out in one write.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
	bytes  int
}

func (c *countingConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.bytes += len(b)
	c.mu.Unlock()
	return c.Conn.Write(b)
}

func TestOneWritePerFrame(t *testing.T) {
	a, b := net.Pipe()
	cc := &countingConn{Conn: a}
	srvDone := make(chan error, 1)
	srv := newRecorder(false)
	go func() {
		srvDone <- ServeConn(b, nil, core.TransportConfig{Serializers: fakeAll}, func(core.Transport) core.TransportHandler { return srv })
	}()
	cli := newRecorder(false)
	tr, err := Client(context.Background(), cc, nil, core.TransportConfig{Serializers: fakeAll}, cli)
	if err != nil {
		t.Fatal(err)
	}
	srv.WaitOpen(t)
	cc.mu.Lock()
	cc.writes, cc.bytes = 0, 0
	cc.mu.Unlock()
	const n = 50
	for i := range n {
		if err := tr.Send(context.Background(), &testMsg{bytes.Repeat([]byte{'m'}, i*100)}); err != nil {
			t.Fatal(err)
		}
		srv.waitMsg(t)
	}
	cc.mu.Lock()
	writes, nbytes := cc.writes, cc.bytes
	cc.mu.Unlock()
	if writes != n {
		t.Errorf("%d writes for %d frames, want one write per frame", writes, n)
	}
	if want := n*4 + 100*n*(n-1)/2; nbytes != want {
		t.Errorf("%d bytes written, want %d", nbytes, want)
	}
	tr.Close(context.Background())
	if err := <-srvDone; err != nil {
		t.Errorf("ServeConn: %v", err)
	}
}

// TestConcurrentSend sends from many goroutines at once: every message
// arrives, each goroutine's messages in order, and queued frames are
// coalesced into fewer writes than frames.
func TestConcurrentSend(t *testing.T) {
	for _, name := range []string{"tcp", "pipe"} {
		t.Run(name, func(t *testing.T) {
			srv := newRecorder(false)
			var tr *Transport
			var cc *countingConn
			if name == "tcp" {
				ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, false)
				var err error
				if tr, err = dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, newRecorder(false)); err != nil {
					t.Fatal(err)
				}
				srv = ts.next(t)
			} else {
				a, b := net.Pipe()
				cc = &countingConn{Conn: a}
				go ServeConn(b, nil, core.TransportConfig{Serializers: fakeAll}, func(core.Transport) core.TransportHandler { return srv })
				var err error
				if tr, err = Client(context.Background(), cc, nil, core.TransportConfig{Serializers: fakeAll}, newRecorder(false)); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { tr.Abort(); <-tr.Done() })
			}
			srv.WaitOpen(t)
			const senders, each = 8, 200
			var wg sync.WaitGroup
			for s := range senders {
				wg.Go(func() {
					for i := range each {
						if err := tr.Send(context.Background(), &testMsg{[]byte(fmt.Sprintf("%d:%d", s, i))}); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			next := make([]int, senders)
			for range senders * each {
				var s, i int
				fmt.Sscanf(string(srv.waitMsg(t)), "%d:%d", &s, &i)
				if i != next[s] {
					t.Fatalf("sender %d: got message %d, want %d", s, i, next[s])
				}
				next[s]++
			}
			wg.Wait()
			if cc != nil {
				cc.mu.Lock()
				w := cc.writes
				cc.mu.Unlock()
				t.Logf("%d frames in %d writes", senders*each, w-1)
				if w-1 >= senders*each {
					t.Errorf("no coalescing: %d writes for %d frames", w-1, senders*each)
				}
			}
		})
	}
}

// TestSendQueueBound: while a write is stuck (the peer does not read), Send
// queues up to SendQueueSize bytes and then waits for room, bounded by ctx.
func TestSendQueueBound(t *testing.T) {
	a, b := net.Pipe()
	go func() {
		// Complete the handshake by hand, then stop reading.
		var req [4]byte
		readFull(b, req[:])
		b.Write([]byte{0x7F, 0xF3, 0, 0})
	}()
	tr, err := Client(context.Background(), a, nil, core.TransportConfig{Serializers: fakeAll, Options: Options{Queue: core.QueueOptions{MaxBytes: 100}}}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { tr.Abort(); <-tr.Done(); b.Close() }()
	if err := tr.Send(context.Background(), &testMsg{[]byte("first")}); err != nil {
		t.Fatal(err)
	}
	waitWriting(t, tr)
	ctx := context.Background()
	if err := tr.Send(ctx, &testMsg{make([]byte, 60)}); err != nil {
		t.Fatalf("queued send: %v", err)
	}
	if err := tr.Send(ctx, &testMsg{make([]byte, 30)}); err != nil {
		t.Fatalf("queued send within the bound: %v", err)
	}
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := tr.Send(tctx, &testMsg{make([]byte, 30)}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("send beyond the bound: %v, want deadline exceeded", err)
	}
}

// waitWriting waits until the writer has taken everything queued (and is
// stuck writing it to a peer that does not read).
func waitWriting(t *testing.T, tr *Transport) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); tr.Stats().QueuedMessages > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the writer did not take the queued message")
		}
	}
}

func TestSendSerializeError(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll}, false)
	tr, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll}, newRecorder(false))
	if err != nil {
		t.Fatal(err)
	}
	srv := ts.next(t)
	if err := tr.Send(context.Background(), &testMsg{[]byte("FAIL")}); err == nil || !strings.Contains(err.Error(), "refusing FAIL") {
		t.Fatalf("send: %v", err)
	}
	tr.Send(context.Background(), &testMsg{[]byte("fine")})
	if got := srv.waitMsg(t); string(got) != "fine" {
		t.Fatalf("got %q", got)
	}
}

func TestTransportSize(t *testing.T) {
	// The wire and the engine's connection are allocated once per
	// connection; keep them within the 384- and 512-byte size classes (idle
	// memory budget).
	if n := unsafe.Sizeof(wire{}); n > 384 {
		t.Errorf("wire is %d bytes", n)
	}
	if n := unsafe.Sizeof(engine.Transport{}); n > 512 {
		t.Errorf("engine.Transport is %d bytes", n)
	}
}

// TestPongStall: a peer that sends PINGs but reads neither the PONGs nor
// anything else is disconnected once a write has stalled for the stall
// timeout, and OnClose says why.
func TestPongStall(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	go func() {
		var req [4]byte
		readFull(b, req[:])
		b.Write([]byte{0x7F, 0xF3, 0, 0})
	}()
	cli := newRecorder(false)
	tr, err := Client(context.Background(), a, nil, core.TransportConfig{Serializers: fakeAll, Options: Options{Queue: core.QueueOptions{StallTimeout: 200 * time.Millisecond}}}, cli)
	if err != nil {
		t.Fatal(err)
	}
	// A write that blocks: the peer does not read.
	tr.Send(context.Background(), &testMsg{[]byte("stuck")})
	waitWriting(t, tr)
	go func() {
		for range 100 {
			if _, err := b.Write(frame(framePing, strings.Repeat("p", 50))); err != nil {
				return
			}
		}
	}()
	err = cli.WaitClose(t)
	if !errors.Is(err, core.ErrSlowPeer) || !errors.Is(err, core.ErrTransportLost) {
		t.Fatalf("OnClose(%v), want a core.TransportLost wrapping core.ErrSlowPeer", err)
	}
}

// TestFrameTimeout: a peer that sends part of a frame and then nothing
// (here a header announcing 100 bytes, and 10 of them; then 2 bytes of a
// header) is dropped after FrameTimeout, while a connection idle between
// frames is not.
func TestFrameTimeout(t *testing.T) {
	ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{FrameTimeout: 200 * time.Millisecond}}, false)
	for _, partial := range [][]byte{
		frame(frameMessage, strings.Repeat("x", 100))[:14:14],
		{0, 0},
		// A whole frame and part of the next header in one segment: the
		// leftover header bytes wait in the read buffer.
		append(frame(frameMessage, "whole"), 0, 0),
	} {
		c := rawDial(t, ts)
		if _, err := c.handshake(t, 0x7F, 0xF3, 0, 0); err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t)
		if _, err := c.Write(partial); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		err := srv.WaitClose(t)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("OnClose(%v), want the frame deadline exceeded", err)
		}
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("a 200 ms frame timeout dropped the connection after %v", took)
		}
	}
	// Idle between frames: not dropped.
	c := rawDial(t, ts)
	if _, err := c.handshake(t, 0x7F, 0xF3, 0, 0); err != nil {
		t.Fatal(err)
	}
	srv := ts.next(t)
	time.Sleep(500 * time.Millisecond)
	if _, err := c.Write(frame(frameMessage, "still here")); err != nil {
		t.Fatal(err)
	}
	if got := srv.waitMsg(t); string(got) != "still here" {
		t.Fatalf("got %q", got)
	}
}
