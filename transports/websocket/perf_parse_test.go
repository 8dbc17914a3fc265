package websocket

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
	"unicode/utf8"
)

// chunkConn serves data in reads of at most chunk bytes, then io.EOF.
type chunkConn struct {
	net.Conn
	data  []byte
	chunk int
}

func (c *chunkConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.chunk)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func (c *chunkConn) SetReadDeadline(time.Time) error { return nil }

type parsedMessage struct {
	payload []byte
	text    bool
	deflate bool
}

// readAll drives f the way Conn.readLoop does, over data arriving in reads
// of chunk bytes, and returns the messages it completes (their payloads as
// received, compressed ones not inflated).
func readAll(f *frameConn, data []byte, chunk int) []parsedMessage {
	f.Conn = &chunkConn{data: data, chunk: chunk}
	var msgs []parsedMessage
	take := func() {
		msgs = append(msgs, parsedMessage{append([]byte{}, f.msg...), f.msgText, f.msgDeflate})
		f.dropMessage()
	}
	for {
		if f.failure == nil && f.next() {
			take()
			continue
		}
		if f.failure != nil && !f.failByDrop {
			f.drain() // as Conn.failConnection does
		}
		if f.failure != nil || f.closeSeen {
			return msgs
		}
		if f.inMessage {
			complete, err := f.fillMessage()
			if complete {
				take()
			}
			if err != nil {
				return msgs
			}
		} else if f.fill() != nil {
			return msgs
		}
	}
}

// decodeFrames turns data frames, as feed passes them on, into messages.
func decodeFrames(t *testing.T, b []byte) (msgs []parsedMessage, partial bool) {
	var cur *parsedMessage
	for len(b) > 0 {
		if len(b) < 2 {
			return msgs, true
		}
		fin, rsv, op := b[0]&0x80 != 0, b[0]>>4&7, b[0]&0x0f
		masked, n, h := b[1]&0x80 != 0, uint64(b[1]&0x7f), 2
		switch n {
		case 126:
			if len(b) < 4 {
				return msgs, true
			}
			n, h = uint64(binary.BigEndian.Uint16(b[2:])), 4
		case 127:
			if len(b) < 10 {
				return msgs, true
			}
			n, h = binary.BigEndian.Uint64(b[2:]), 10
		}
		var key [4]byte
		if masked {
			if len(b) < h+4 {
				return msgs, true
			}
			copy(key[:], b[h:])
			h += 4
		}
		if uint64(len(b)-h) < n {
			return msgs, true
		}
		payload := append([]byte{}, b[h:h+int(n)]...)
		maskBytes(key, 0, payload)
		b = b[h+int(n):]
		if op != 0 {
			cur = &parsedMessage{text: op == 1, deflate: rsv == 4}
		}
		if cur == nil {
			t.Fatalf("feed passed on a continuation outside a message")
		}
		cur.payload = append(cur.payload, payload...)
		if fin {
			msgs = append(msgs, *cur)
			cur = nil
		}
	}
	return msgs, cur != nil
}

// FuzzMessageParser checks the message mode of the frame parser (parse,
// with fill and fillMessage reading as Conn.readLoop does, directly into
// the message for long payloads) against its pass-through mode (feed): the
// same verdict, and the messages that the data frames feed passes on make
// up, however the bytes arrive. With UTF-8 validation on, a connection
// fails only for invalid text, and otherwise nothing changes.
func FuzzMessageParser(f *testing.F) {
	f.Add(frame(true, 0, 1, []byte("hello"), false), true, false, uint16(0), uint16(3))
	f.Add(frame(true, 0, 2, make([]byte, 3000), true), false, false, uint16(0), uint16(700))
	f.Add(append(append(frame(false, 0, 1, []byte("κό"), false), frame(true, 0, 9, []byte("ping"), false)...), frame(true, 0, 0, []byte("σμε"), false)...), true, false, uint16(0), uint16(1))
	f.Add(append(frame(false, 0, 2, make([]byte, 2000), false), frame(true, 0, 0, make([]byte, 70000), false)...), true, true, uint16(0), uint16(4096))
	f.Add(append(frame(true, 0, 1, []byte("a\xffb"), false), frame(true, 0, 8, closePayload(1000, "bye"), false)...), true, true, uint16(0), uint16(2))
	f.Add(frame(true, 4, 2, []byte{1, 2, 3}, true), false, false, uint16(1), uint16(5))
	f.Add(frame(true, 0, 1, []byte("\xe2\x82"), false), true, false, uint16(0), uint16(1))
	f.Fuzz(func(t *testing.T, data []byte, isServer, failByClose bool, limit, chunk uint16) {
		cfg := &config{isServer: isServer, failByDrop: !failByClose, maxFrame: int64(limit) * 10, maxMessage: 30 * int64(limit), readBuf: 512}
		newParser := func(validate bool) *frameConn {
			fc := newFrameConn(nil, cfg)
			fc.compressed = limit%2 == 1
			fc.validateUTF8 = validate
			return fc
		}
		ref := newParser(false)
		passed := append([]byte{}, data...)
		passed = passed[:ref.feed(passed)]
		want, _ := decodeFrames(t, passed)

		step := 1 + int(chunk)%5000
		got := newParser(false)
		msgs := readAll(got, data, step)
		if (ref.failure == nil) != (got.failure == nil) || ref.failure != nil && *ref.failure != *got.failure {
			t.Fatalf("failure: feed %v, parse %v", ref.failure, got.failure)
		}
		if ref.closeSeen != got.closeSeen || ref.closeCode != got.closeCode || ref.closeReason != got.closeReason {
			t.Fatalf("close: feed %v %d %q, parse %v %d %q", ref.closeSeen, ref.closeCode, ref.closeReason, got.closeSeen, got.closeCode, got.closeReason)
		}
		if len(msgs) != len(want) {
			t.Fatalf("%d messages, want %d", len(msgs), len(want))
		}
		for i := range msgs {
			if !bytes.Equal(msgs[i].payload, want[i].payload) || msgs[i].text != want[i].text || msgs[i].deflate != want[i].deflate {
				t.Fatalf("message %d: %+v, want %+v", i, msgs[i], want[i])
			}
		}

		checked := newParser(true)
		vmsgs := readAll(checked, data, step)
		if checked.failure != nil && checked.failure.code == CloseInvalidPayload && (got.failure == nil || *got.failure != *checked.failure) {
			// Failed for UTF-8: what came before was valid.
			for _, m := range vmsgs {
				if m.text && !m.deflate && !utf8.Valid(m.payload) {
					t.Fatalf("invalid text delivered before failing: %q", m.payload)
				}
			}
			return
		}
		if (checked.failure == nil) != (got.failure == nil) || checked.failure != nil && *checked.failure != *got.failure || len(vmsgs) != len(msgs) {
			t.Fatalf("with validation: failure %v, %d messages; without: %v, %d", checked.failure, len(vmsgs), got.failure, len(msgs))
		}
		for _, m := range vmsgs {
			if m.text && !m.deflate && !utf8.Valid(m.payload) {
				t.Fatalf("invalid text delivered: %q", m.payload)
			}
		}
	})
}

// FuzzMaskBytes checks the word-at-a-time masking against the definition,
// from any starting position and split anywhere.
func FuzzMaskBytes(f *testing.F) {
	f.Add([]byte("hello, world: a payload"), uint32(0x01020304), uint8(1), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, k uint32, pos, split uint8) {
		key := [4]byte(binary.BigEndian.AppendUint32(nil, k))
		want := append([]byte{}, data...)
		for i := range want {
			want[i] ^= key[(int(pos)+i)&3]
		}
		got := append([]byte{}, data...)
		s := min(int(split), len(got))
		p := maskBytes(key, int(pos), got[:s])
		if p = maskBytes(key, p, got[s:]); p != (int(pos)+len(data))&3 {
			t.Fatalf("position %d after %d bytes from %d", p, len(data), pos)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("masked %x, want %x", got, want)
		}
	})
}
