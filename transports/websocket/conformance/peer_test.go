package conformance

import (
	"bufio"
	"bytes"
	"compress/flate"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// This file is the raw-frame test peer: it speaks WebSocket byte by byte, to
// send what a well-behaved endpoint never would and to see exactly what the
// implementation sends back.

// Opcodes.
const (
	opCont   byte = 0
	opText   byte = 1
	opBinary byte = 2
	opClose  byte = 8
	opPing   byte = 9
	opPong   byte = 10
)

// Reserved bits as the 3-bit number Autobahn uses: 4 is RSV1 (the
// permessage-deflate "compressed" bit), 2 is RSV2, 1 is RSV3.
const rsvCompressed byte = 4

// ioTimeout bounds every read and write of the peer and every wait for an
// event: generous, for slow machines and the race detector; it only matters
// when a case fails.
const ioTimeout = 20 * time.Second

const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// frame is a frame as the peer read it, payload unmasked.
type frame struct {
	fin     bool
	rsv     byte
	opcode  byte
	masked  bool
	payload []byte
}

func (f frame) String() string {
	p := f.payload
	suffix := ""
	if len(p) > 16 {
		p, suffix = p[:16], "..."
	}
	return fmt.Sprintf("frame{fin=%v rsv=%d op=%d len=%d %q%s}", f.fin, f.rsv, f.opcode, len(f.payload), p, suffix)
}

// encodeFrame builds a frame with the minimal length encoding; with mask it
// is masked with a random key, as a client must.
func encodeFrame(fin bool, rsv, opcode byte, payload []byte, mask bool) []byte {
	b0 := rsv<<4 | opcode&0x0f
	if fin {
		b0 |= 0x80
	}
	var maskBit byte
	if mask {
		maskBit = 0x80
	}
	buf := make([]byte, 0, 14+len(payload))
	buf = append(buf, b0)
	switch n := len(payload); {
	case n < 126:
		buf = append(buf, maskBit|byte(n))
	case n < 1<<16:
		buf = append(buf, maskBit|126)
		buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	default:
		buf = append(buf, maskBit|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	if !mask {
		return append(buf, payload...)
	}
	var key [4]byte
	rand.Read(key[:])
	buf = append(buf, key[:]...)
	start := len(buf)
	buf = append(buf, payload...)
	for i := range payload {
		buf[start+i] ^= key[i&3]
	}
	return buf
}

// closePayload is the payload of a close frame with code and reason.
func closePayload(code int, reason string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
}

// deflateMessage compresses payload as permessage-deflate without context
// takeover: one raw DEFLATE stream, sync-flushed, without the final
// 00 00 ff ff.
func deflateMessage(payload []byte) []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestCompression)
	w.Write(payload)
	w.Flush()
	return bytes.TrimSuffix(buf.Bytes(), []byte{0, 0, 0xff, 0xff})
}

// inflateMessage decompresses a permessage-deflate message payload with a
// fresh decompressor: it only works if the sender did not take over its
// compression context from earlier messages.
func inflateMessage(payload []byte) ([]byte, error) {
	// The tail ends the sync-flushed stream with an empty final block, so
	// that the reader sees a proper end.
	in := append(append(payload[:len(payload):len(payload)], 0, 0, 0xff, 0xff), 1, 0, 0, 0xff, 0xff)
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(in)))
	if err != nil {
		return nil, fmt.Errorf("inflate message of %d bytes: %w", len(payload), err)
	}
	return out, nil
}

// peer is the raw-frame test peer on one connection, after the opening
// handshake.
type peer struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
	// client is true when the peer plays the client: it masks the frames it
	// sends and wants unmasked frames.
	client bool
}

// frame builds a frame to send, masked if the peer is the client.
func (p *peer) frame(fin bool, rsv, opcode byte, payload []byte) []byte {
	return encodeFrame(fin, rsv, opcode, payload, p.client)
}

// send writes frames in one write. A failed write is logged, not fatal:
// the other side may rightly have dropped the connection in the middle of
// bad input, which the following expectations check.
func (p *peer) send(frames ...[]byte) {
	p.t.Helper()
	p.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := p.conn.Write(bytes.Join(frames, nil)); err != nil {
		p.t.Logf("peer: write: %v", err)
	}
}

// sendQuietly writes frames and ignores errors: for the reply to a close
// frame, when the other side may already be gone.
func (p *peer) sendQuietly(frames ...[]byte) {
	p.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	p.conn.Write(bytes.Join(frames, nil))
}

// sendChopped writes frames in writes of chop bytes each; it stops at the
// first failed write, like send.
func (p *peer) sendChopped(chop int, frames ...[]byte) {
	p.t.Helper()
	b := bytes.Join(frames, nil)
	p.conn.SetWriteDeadline(time.Now().Add(ioTimeout))
	for len(b) > 0 {
		n := min(chop, len(b))
		if _, err := p.conn.Write(b[:n]); err != nil {
			p.t.Logf("peer: write: %v", err)
			return
		}
		b = b[n:]
	}
}

// readFrame reads one frame. A frame masked the wrong way is an error.
func (p *peer) readFrame() (frame, error) {
	p.conn.SetReadDeadline(time.Now().Add(ioTimeout))
	var h [2]byte
	if _, err := io.ReadFull(p.br, h[:]); err != nil {
		return frame{}, err
	}
	f := frame{fin: h[0]&0x80 != 0, rsv: h[0] >> 4 & 7, opcode: h[0] & 0x0f, masked: h[1]&0x80 != 0}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(p.br, b[:]); err != nil {
			return f, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(p.br, b[:]); err != nil {
			return f, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 64<<20 {
		return f, fmt.Errorf("frame length %d too big for the test peer", n)
	}
	var key [4]byte
	if f.masked {
		if _, err := io.ReadFull(p.br, key[:]); err != nil {
			return f, err
		}
	}
	f.payload = make([]byte, n)
	if _, err := io.ReadFull(p.br, f.payload); err != nil {
		return f, err
	}
	if f.masked {
		for i := range f.payload {
			f.payload[i] ^= key[i&3]
		}
	}
	switch {
	case p.client && f.masked:
		return f, errors.New("server sent a masked frame")
	case !p.client && !f.masked:
		return f, errors.New("client sent an unmasked frame")
	}
	return f, nil
}

// isDrop tells whether err means the other side closed the TCP connection.
func isDrop(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return false
	}
	var oe *net.OpError
	return errors.As(err, &oe) // connection reset
}

// acceptKey is the Sec-WebSocket-Accept value for key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + websocketGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// newKey returns a fresh Sec-WebSocket-Key.
func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// dialRaw connects to a server at addr and sends an opening handshake
// request with the extra header lines. It returns the peer and the response;
// the peer is nil unless the response is a valid 101.
func dialRaw(t testing.TB, addr string, extra ...string) (*peer, *http.Response) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, ioTimeout)
	if err != nil {
		t.Fatalf("peer: dial %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	key := newKey()
	lines := append([]string{
		"GET /conformance HTTP/1.1",
		"Host: " + addr,
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Key: " + key,
		"Sec-WebSocket-Version: 13",
	}, extra...)
	conn.SetDeadline(time.Now().Add(ioTimeout))
	if _, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n\r\n"); err != nil {
		t.Fatalf("peer: write handshake: %v", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("peer: read handshake response: %v", err)
	}
	conn.SetDeadline(time.Time{})
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return nil, resp
	}
	if got, want := resp.Header.Get("Sec-WebSocket-Accept"), acceptKey(key); got != want {
		t.Fatalf("peer: Sec-WebSocket-Accept %q, want %q", got, want)
	}
	return &peer{t: t, conn: conn, br: br, client: true}, resp
}

// acceptRaw accepts one connection on ln and completes the opening
// handshake as a server; respond gives extra response header lines for the
// request.
func acceptRaw(t testing.TB, ln net.Listener, respond func(*http.Request) []string) (*peer, *http.Request) {
	t.Helper()
	type accepted struct {
		conn net.Conn
		err  error
	}
	ch := make(chan accepted, 1)
	go func() {
		c, err := ln.Accept()
		ch <- accepted{c, err}
	}()
	var a accepted
	select {
	case a = <-ch:
	case <-time.After(ioTimeout):
		ln.Close()
		t.Fatal("peer: no connection from the client")
	}
	if a.err != nil {
		t.Fatalf("peer: accept: %v", a.err)
	}
	conn := a.conn
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(ioTimeout))
	br := bufio.NewReader(conn)
	req, err := http.ReadRequest(br)
	if err != nil {
		t.Fatalf("peer: read handshake request: %v", err)
	}
	lines := []string{
		"HTTP/1.1 101 Switching Protocols",
		"Upgrade: websocket",
		"Connection: Upgrade",
		"Sec-WebSocket-Accept: " + acceptKey(req.Header.Get("Sec-WebSocket-Key")),
	}
	if respond != nil {
		lines = append(lines, respond(req)...)
	}
	if _, err := io.WriteString(conn, strings.Join(lines, "\r\n")+"\r\n\r\n"); err != nil {
		t.Fatalf("peer: write handshake response: %v", err)
	}
	conn.SetDeadline(time.Time{})
	return &peer{t: t, conn: conn, br: br, client: false}, req
}
