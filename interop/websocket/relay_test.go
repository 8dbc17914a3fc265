package wsinterop

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
)

// direction of traffic through a relay.
type direction int

const (
	clientToServer direction = 0
	serverToClient direction = 1
)

// wireFrame is a frame header seen by the relay.
type wireFrame struct {
	fin    bool
	rsv    byte
	opcode byte
	length uint64
}

// wireMessage is a data message (or a control frame) seen by the relay.
type wireMessage struct {
	opcode     byte
	compressed bool // RSV1 on the first frame
	frames     int
	wireSize   uint64 // payload bytes on the wire
}

func (m wireMessage) String() string {
	return fmt.Sprintf("{op=%d compressed=%v frames=%d wire=%d}", m.opcode, m.compressed, m.frames, m.wireSize)
}

// frameScanner follows one direction of a WebSocket connection: the HTTP
// head, then frame headers (payloads are skipped).
type frameScanner struct {
	head     bytes.Buffer
	headDone bool
	matched  int // how much of "\r\n\r\n" ends the head so far
	hdr      []byte
	skip     uint64
	frames   []wireFrame
}

func (s *frameScanner) scan(b []byte) {
	const end = "\r\n\r\n"
	for len(b) > 0 {
		if !s.headDone {
			c := b[0]
			b = b[1:]
			s.head.WriteByte(c)
			switch {
			case c == end[s.matched]:
				s.matched++
			case c == '\r':
				s.matched = 1
			default:
				s.matched = 0
			}
			s.headDone = s.matched == len(end)
			continue
		}
		if s.skip > 0 {
			n := min(s.skip, uint64(len(b)))
			b = b[n:]
			s.skip -= n
			continue
		}
		s.hdr = append(s.hdr, b[0])
		b = b[1:]
		if len(s.hdr) < 2 {
			continue
		}
		need := 2
		if s.hdr[1]&0x80 != 0 {
			need += 4
		}
		switch s.hdr[1] & 0x7f {
		case 126:
			need += 2
		case 127:
			need += 8
		}
		if len(s.hdr) < need {
			continue
		}
		f := wireFrame{fin: s.hdr[0]&0x80 != 0, rsv: s.hdr[0] >> 4 & 7, opcode: s.hdr[0] & 0x0f, length: uint64(s.hdr[1] & 0x7f)}
		switch f.length {
		case 126:
			f.length = uint64(binary.BigEndian.Uint16(s.hdr[2:]))
		case 127:
			f.length = binary.BigEndian.Uint64(s.hdr[2:])
		}
		s.frames = append(s.frames, f)
		s.skip = f.length
		s.hdr = s.hdr[:0]
	}
}

// relay forwards one TCP connection to a target and records what passes.
type relay struct {
	addr string
	mu   sync.Mutex
	dirs [2]frameScanner
}

// startRelay listens on a free port and forwards the first connection to
// target.
func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{addr: ln.Addr().String()}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		in, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer in.Close()
		out, err := net.Dial("tcp", target)
		if err != nil {
			return
		}
		defer out.Close()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); r.pump(clientToServer, out, in) }()
		go func() { defer wg.Done(); r.pump(serverToClient, in, out) }()
		wg.Wait()
	}()
	return r
}

// pump copies src to dst, recording; at the end of src it half-closes dst,
// so that TCP closes travel through.
func (r *relay) pump(dir direction, dst, src net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			r.mu.Lock()
			r.dirs[dir].scan(buf[:n])
			r.mu.Unlock()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				src.Close()
				return
			}
		}
		if err != nil {
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
			return
		}
	}
}

// head is the HTTP head that went in direction dir: the request or the
// response.
func (r *relay) head(dir direction) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dirs[dir].head.String()
}

// responseHeader parses the opening handshake response.
func (r *relay) responseHeader(t *testing.T) http.Header {
	t.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewBufferString(r.head(serverToClient))), nil)
	if err != nil {
		t.Fatalf("relay: parse response head: %v", err)
	}
	return resp.Header
}

// requestHeader parses the opening handshake request.
func (r *relay) requestHeader(t *testing.T) http.Header {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewBufferString(r.head(clientToServer))))
	if err != nil {
		t.Fatalf("relay: parse request head: %v", err)
	}
	return req.Header
}

// messages groups the frames seen in direction dir into data messages and
// control frames.
func (r *relay) messages(dir direction) []wireMessage {
	r.mu.Lock()
	defer r.mu.Unlock()
	var res []wireMessage
	cur := -1 // index of the unfinished data message
	for _, f := range r.dirs[dir].frames {
		if f.opcode >= 8 {
			res = append(res, wireMessage{opcode: f.opcode, frames: 1, wireSize: f.length})
			continue
		}
		if f.opcode != 0 || cur < 0 {
			res = append(res, wireMessage{opcode: f.opcode, compressed: f.rsv&4 != 0})
			cur = len(res) - 1
		}
		res[cur].frames++
		res[cur].wireSize += f.length
		if f.fin {
			cur = -1
		}
	}
	return res
}

// dataMessages is messages without the control frames.
func (r *relay) dataMessages(dir direction) []wireMessage {
	var res []wireMessage
	for _, m := range r.messages(dir) {
		if m.opcode < 8 {
			res = append(res, m)
		}
	}
	return res
}
