package rawsocket

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"testing/iotest"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

type frameResult struct {
	typ     byte
	payload []byte
}

// readFrames reads frames until an error, at most 10000.
func readFrames(r io.Reader, max int) ([]frameResult, error) {
	fr := frameReader{r: r, max: max}
	var out []frameResult
	for range 10000 {
		t, p, err := fr.next(false)
		if err != nil {
			return out, err
		}
		out = append(out, frameResult{t, p})
	}
	return out, nil
}

func frameSeeds() [][]byte {
	return [][]byte{
		{},
		frame(frameMessage, "hello"),
		append(frame(framePing, "abc"), frame(framePong, "abc")...),
		append(frame(frameMessage, ""), frame(frameMessage, "x")...),
		{0x00, 0x00, 0x04, 0x01}, // longer than 1 KiB
		{0x08, 0x00, 0x00, 0x00}, // 16 MiB via the 25th bit
		{0x08, 0x00, 0x00, 0x01}, // 25th bit with a length
		{0x10, 0x00, 0x00, 0x00}, // reserved bit
		{0x03, 0x00, 0x00, 0x00}, // unknown type
		{0x00, 0x00, 0x00, 0x05, 'a', 'b'},
		{0x00, 0x00},
		bytes.Repeat(frame(frameMessage, "ab"), 20),
	}
}

// FuzzFrameReader reads frames from arbitrary bytes: it must never panic or
// hang, never return a frame longer than the limit or of an unknown type, and
// every frame it returns must re-encode to exactly the bytes it consumed. A
// reader that hands out one byte at a time (exercising the read-ahead of the
// next header) must see the same frames.
func FuzzFrameReader(f *testing.F) {
	for _, s := range frameSeeds() {
		f.Add(s, byte(1))
		f.Add(s, byte(15))
	}
	f.Fuzz(func(t *testing.T, data []byte, exp byte) {
		max := 1 << (9 + exp%16)
		frames, err := readFrames(bytes.NewReader(data), max)
		consumed := 0
		for _, fr := range frames {
			if fr.typ > framePong {
				t.Fatalf("frame type %d returned", fr.typ)
			}
			if len(fr.payload) > max {
				t.Fatalf("frame of %d bytes returned with limit %d", len(fr.payload), max)
			}
			enc := make([]byte, headerLen, headerLen+len(fr.payload))
			putHeader(enc, fr.typ, len(fr.payload))
			enc = append(enc, fr.payload...)
			if !bytes.HasPrefix(data[consumed:], enc) {
				t.Fatalf("frame %v does not re-encode to the consumed bytes", fr)
			}
			consumed += len(enc)
		}
		switch {
		case err == nil:
			// 10000 frames read.
		case err == io.EOF:
			if consumed != len(data) {
				t.Fatalf("EOF after %d of %d bytes", consumed, len(data))
			}
		case err == io.ErrUnexpectedEOF:
			if consumed == len(data) {
				t.Fatalf("unexpected EOF at a frame boundary")
			}
		case errors.Is(err, ErrProtocolViolation):
			if len(data)-consumed < headerLen {
				t.Fatalf("protocol error %v without a full header", err)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}

		slow, slowErr := readFrames(iotest.OneByteReader(bytes.NewReader(data)), max)
		if len(slow) != len(frames) || (slowErr == nil) != (err == nil) || (err != nil && slowErr.Error() != err.Error()) {
			t.Fatalf("one-byte reader: %d frames, %v; full reader: %d frames, %v", len(slow), slowErr, len(frames), err)
		}
		for i := range slow {
			if slow[i].typ != frames[i].typ || !bytes.Equal(slow[i].payload, frames[i].payload) {
				t.Fatalf("frame %d differs with a one-byte reader", i)
			}
		}
	})
}

// FuzzHandshake checks the handshake codec on arbitrary 4-byte messages and
// runs the server's handshake on them over a pipe: the server replies with a
// success that echoes the request, an error reply with the code the parser
// chose, or (bad magic) nothing.
func FuzzHandshake(f *testing.F) {
	for _, s := range [][]byte{
		{0x7F, 0xF1, 0, 0}, {0x7F, 0x03, 0, 0}, {0x7F, 0xF0, 0, 0}, {0x7F, 0xF9, 0, 0},
		{0x7F, 0xF1, 0, 1}, {0x7E, 0xF1, 0, 0}, {'G', 'E', 'T', ' '}, {0x7F, 0x10, 0, 0},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	sers := map[byte]core.Serializer{1: fakeJSON, 2: fakeMsgpack, 3: fakeCBOR}
	opts, err := Options{MinPeerMaxMessageSize: 1024, MaxMessagePayloadSize: 65536, OpenHandshakeTimeout: 5 * time.Second}.resolved()
	if err != nil {
		f.Fatal(err)
	}
	s := &server{opts: opts, es: settings(&opts), sers: sers}
	f.Fuzz(func(t *testing.T, b0, b1, b2, b3 byte) {
		b := [4]byte{b0, b1, b2, b3}
		req, err := parseRequest(b, func(id byte) bool { return sers[id] != nil }, 1024)
		var herr *HandshakeError
		switch {
		case err == nil:
			if b0 != magic || b2 != 0 || b3 != 0 || sers[req.serializerID] == nil || req.maxSize < 1024 || req.maxSize > MaxMessageSize {
				t.Fatalf("accepted % X as %+v", b, req)
			}
			if handshake(req.maxSize, req.serializerID) != b {
				t.Fatalf("request % X does not round-trip", b)
			}
		case errors.As(err, &herr):
			if herr.Code < 1 || herr.Code > 3 {
				t.Fatalf("code %d for % X", herr.Code, b)
			}
			reply := errorReply(herr.Code)
			if _, err := parseReply(reply, 3, 0); !errors.As(err, &herr) || herr.Code != ErrorCode(reply[1]>>4) {
				t.Fatalf("error reply % X parsed as %v", reply, err)
			}
		case errors.Is(err, ErrBadMagic):
			if b0 == magic {
				t.Fatalf("bad magic reported for % X", b)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if size, err := parseReply(b, 3, 0); err == nil && handshake(size, 3) != b {
			t.Fatalf("reply % X does not round-trip", b)
		}

		// The live server handshake answers accordingly.
		cli, srv := net.Pipe()
		defer cli.Close()
		done := make(chan *Transport, 1)
		go func() {
			tr, _ := s.handshake(srv, 1)
			if tr == nil {
				srv.Close()
			}
			done <- tr
		}()
		cli.SetDeadline(time.Now().Add(5 * time.Second))
		cli.Write(b[:])
		var reply [4]byte
		_, rerr := io.ReadFull(cli, reply[:])
		tr := <-done
		switch {
		case err == nil:
			if rerr != nil || reply != handshake(65536, req.serializerID) || tr == nil || tr.PeerMaxMessageSize() != min(req.maxSize, maxSendSize) {
				t.Fatalf("request % X: reply % X (%v)", b, reply, rerr)
			}
			srv.Close()
		case herr != nil:
			if rerr != nil || reply != errorReply(herr.Code) || tr != nil {
				t.Fatalf("request % X: reply % X (%v), want error %d", b, reply, rerr, herr.Code)
			}
		default:
			if rerr == nil || tr != nil {
				t.Fatalf("request % X with bad magic got reply % X", b, reply)
			}
		}
	})
}
