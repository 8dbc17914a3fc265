package websocket

import (
	"compress/flate"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
)

// This file holds the reading and message assembly of frameConn: one read
// buffer per connection, payloads unmasked straight into the message, large
// payloads read from the network directly into the message, and
// permessage-deflate decompression. Every received byte is parsed once.

// fill reads more bytes into the read buffer, whose bytes have all been
// parsed. A timeout of the idle probe is no concern of a reader that is not
// waiting between messages (Conn.wait): it clears the probe and reads on.
func (f *frameConn) fill() error {
	if f.readErr != nil {
		return f.readErr
	}
	if cap(f.rbuf) != f.rbufSize {
		// First use, or the buffer held more bytes read past the opening
		// handshake than a read buffer holds.
		f.rbuf = make([]byte, f.rbufSize)
	}
	for {
		n, err := f.Conn.Read(f.rbuf[:cap(f.rbuf)])
		if n > 0 {
			f.rpos, f.rend = 0, n
			f.readErr = err
			return nil
		}
		if err == nil {
			continue
		}
		if !f.waiting && f.probeExpired(err) {
			f.clearProbe()
			continue
		}
		return err
	}
}

// idleWait is the first wait of a fresh reader (an idle connection, see
// Conn.readLoop): on a plain TCP or Unix socket it drops the read buffer,
// every byte of which is parsed, and waits for data without one; fill then
// takes a new buffer. An idle connection thus holds no read buffer
// (ReadBufferSize, 512 bytes by default), at the cost of an allocation and
// a peek when it wakes up.
func (f *frameConn) idleWait() {
	if f.rpos != f.rend || f.readErr != nil {
		return
	}
	rc := socketOf(f.Conn)
	if rc == nil {
		return
	}
	f.rbuf, f.rpos, f.rend = nil, 0, 0
	waitReadable(rc)
}

// fillMessage reads more of a message that is under way. When the rest of a
// data frame's payload is at least a read buffer long, it is read directly
// into the message: one read for what would take many buffer loads, and no
// copy. It reports in complete whether that completed the message.
func (f *frameConn) fillMessage() (complete bool, err error) {
	if f.control || !f.delivering() || f.hdrLen > 0 || f.left < uint64(f.rbufSize) || f.readErr != nil {
		return false, f.fill()
	}
	if spare := cap(f.msg) - len(f.msg); uint64(spare) < f.left && spare < f.rbufSize {
		// Grow with what arrives (doubling), not with what the header
		// claims: a peer may announce far more than it sends.
		f.msg = slices.Grow(f.msg, int(min(f.left, uint64(max(len(f.msg), 4096)))))
	}
	start := len(f.msg)
	end := start + int(min(f.left, uint64(cap(f.msg)-start)))
	for {
		n, err := f.Conn.Read(f.msg[start:end])
		if n > 0 {
			f.msg = f.msg[:start+n]
			f.readErr = err
			f.payloadAdded(start)
			return f.advance(n), nil
		}
		if err == nil {
			continue
		}
		if f.probeExpired(err) {
			f.clearProbe()
			continue
		}
		return false, err
	}
}

// next parses the buffered bytes up to the end of the next message and
// reports whether one is complete (takeMessage hands it out). Otherwise
// everything buffered is parsed, or a failure or close frame was found.
func (f *frameConn) next() bool {
	for f.rpos < f.rend && !f.done {
		n, complete := f.parse(f.rbuf[f.rpos:f.rend])
		f.rpos += n
		if complete {
			return true
		}
		if f.failure != nil {
			return false
		}
	}
	return false
}

// scratchPool holds buffers messages are assembled in when their size is
// not known up front; a message is then copied out at its exact size.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooledScratch is the largest buffer kept in scratchPool, and the
// largest message allocated at its exact size when its only frame begins.
const maxPooledScratch = 64 << 10

// startPayload prepares for the payload of a data frame whose header is
// complete. The payload of a message in one uncompressed frame of up to
// maxPooledScratch bytes goes straight into a buffer of its exact size,
// which is handed to the handler; other messages are assembled in a pooled
// buffer.
func (f *frameConn) startPayload() {
	if f.opcode == 0 {
		return // a continuation: the message is under way
	}
	f.dropMessage()
	f.msgText = f.opcode == 1
	f.msgDeflate = f.rsv == 4
	f.checked = 0
	if f.fin && !f.msgDeflate && f.left <= maxPooledScratch {
		f.msg = make([]byte, 0, f.left)
		return
	}
	f.msgScratch = scratchPool.Get().(*[]byte)
	f.msg = (*f.msgScratch)[:0]
}

// addPayload appends payload bytes of the current data frame to the message.
func (f *frameConn) addPayload(b []byte) {
	start := len(f.msg)
	f.msg = append(f.msg, b...)
	f.payloadAdded(start)
}

// payloadAdded unmasks the payload bytes msg[start:] and checks them as
// UTF-8 when that is due, failing the connection (1007) at the first byte
// that cannot be part of valid UTF-8.
func (f *frameConn) payloadAdded(start int) {
	if f.isServer {
		f.maskPos = maskBytes(f.maskKey, f.maskPos, f.msg[start:])
	}
	if !f.checkingUTF8() {
		return
	}
	k, ok := validUTF8Prefix(f.msg[f.checked:])
	if !ok {
		f.fail(CloseInvalidPayload, "encountered invalid UTF-8 while processing text message at payload octet index %d", f.checked+k)
		return
	}
	f.checked += k
}

// checkingUTF8 tells whether the message's payload is checked as it arrives:
// uncompressed text, unless validation is off. Compressed text is checked
// once inflated.
func (f *frameConn) checkingUTF8() bool {
	return f.msgText && f.validateUTF8 && !f.msgDeflate
}

// dropMessage forgets the message under way, if any.
func (f *frameConn) dropMessage() {
	if f.msgScratch != nil {
		putScratch(f.msgScratch, f.msg)
		f.msgScratch = nil
	}
	f.msg = nil
}

// putScratch returns a scratch buffer, last used as buf, to the pool unless
// it has grown too big to keep.
func putScratch(bp *[]byte, buf []byte) {
	if cap(buf) > maxPooledScratch {
		return
	}
	*bp = buf[:0]
	scratchPool.Put(bp)
}

// takeMessage hands out the message that next completed: its payload, which
// belongs to the caller, and whether it is binary. A compressed message is
// inflated; that can fail the connection (invalid data, or more than
// maxMessage bytes inflated), and then payload is nil and f.failure set.
func (f *frameConn) takeMessage() (payload []byte, isBinary bool) {
	msg, bp := f.msg, f.msgScratch
	f.msg, f.msgScratch = nil, nil
	isBinary = !f.msgText
	if f.msgDeflate {
		var fl *failure
		payload, fl = inflate(msg, f.maxMessage, f.msgText && f.validateUTF8)
		if bp != nil {
			putScratch(bp, msg)
		}
		if fl != nil {
			f.fail(fl.code, "%s", fl.reason)
		}
		return payload, isBinary
	}
	switch {
	case bp == nil:
		return msg, isBinary // allocated at its exact size
	case cap(msg) > maxPooledScratch:
		// Too big to keep pooled: hand it over instead of copying.
		return msg[:len(msg):len(msg)], isBinary
	}
	payload = make([]byte, len(msg))
	copy(payload, msg)
	putScratch(bp, msg)
	return payload, isBinary
}

// deflateTail ends the deflated data of a message: RFC 7692 removes the
// empty stored block ("\x00\x00\xff\xff") that ends each message; it is put
// back, followed by a final empty stored block so that the decompressor
// reports the end of the data rather than an unexpected EOF.
const deflateTail = "\x00\x00\xff\xff\x01\x00\x00\xff\xff"

// deflated reads a message's deflated data and then deflateTail. It is an
// io.ByteReader, so that the decompressor reads from it without a buffer
// of its own.
type deflated struct {
	data []byte
	tail int
}

func (d *deflated) Read(p []byte) (int, error) {
	if len(d.data) > 0 {
		n := copy(p, d.data)
		d.data = d.data[n:]
		return n, nil
	}
	if d.tail == len(deflateTail) {
		return 0, io.EOF
	}
	n := copy(p, deflateTail[d.tail:])
	d.tail += n
	return n, nil
}

func (d *deflated) ReadByte() (byte, error) {
	if len(d.data) > 0 {
		b := d.data[0]
		d.data = d.data[1:]
		return b, nil
	}
	if d.tail == len(deflateTail) {
		return 0, io.EOF
	}
	b := deflateTail[d.tail]
	d.tail++
	return b, nil
}

// inflater is a pooled decompressor with its source.
type inflater struct {
	src deflated
	fr  io.ReadCloser
}

var inflaters sync.Pool

// inflate decompresses a message's deflated data (no context takeover: each
// message on its own). It fails with 1009 once more than limit bytes (0: no
// limit) come out, and with 1007 for data that does not inflate or, if
// checkUTF8, text that is not valid UTF-8.
func inflate(z []byte, limit uint64, checkUTF8 bool) ([]byte, *failure) {
	in, _ := inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{}
		in.src = deflated{data: z}
		in.fr = flate.NewReader(&in.src)
	} else {
		in.src = deflated{data: z}
		in.fr.(flate.Resetter).Reset(&in.src, nil)
	}
	bp := scratchPool.Get().(*[]byte)
	buf := (*bp)[:0]
	var fl *failure
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf))
		}
		n, err := in.fr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if limit > 0 && uint64(len(buf)) > limit {
			fl = &failure{CloseMessageTooBig, fmt.Sprintf("received WebSocket message size %d exceeds payload limit of %d octets", len(buf), limit)}
			break
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fl = &failure{CloseInvalidPayload, "invalid compressed message payload: " + err.Error()}
			break
		}
	}
	in.src = deflated{}
	inflaters.Put(in)
	if fl == nil && checkUTF8 {
		if k, ok := validUTF8Prefix(buf); !ok {
			fl = &failure{CloseInvalidPayload, fmt.Sprintf("encountered invalid UTF-8 while processing text message at payload octet index %d", k)}
		} else if k != len(buf) {
			fl = &failure{CloseInvalidPayload, fmt.Sprintf("UTF-8 text message payload ended within Unicode code point at payload octet index %d", k)}
		}
	}
	if fl != nil {
		putScratch(bp, buf)
		return nil, fl
	}
	if cap(buf) > maxPooledScratch {
		return buf[:len(buf):len(buf)], nil
	}
	payload := make([]byte, len(buf))
	copy(payload, buf)
	putScratch(bp, buf)
	return payload, nil
}

// maskBytes applies (or removes) the masking key to b, whose first byte is at
// position pos of the payload, and returns the position after b. It works a
// machine word at a time.
func maskBytes(key [4]byte, pos int, b []byte) int {
	if key == [4]byte{} {
		return (pos + len(b)) & 3
	}
	i := 0
	// Byte by byte up to a multiple of 4 of the payload position, so that
	// the key lines up with the words that follow.
	for ; i < len(b) && (pos+i)&3 != 0; i++ {
		b[i] ^= key[(pos+i)&3]
	}
	if len(b)-i >= 8 {
		k32 := uint64(binary.LittleEndian.Uint32(key[:]))
		k := k32 | k32<<32
		for ; len(b)-i >= 8; i += 8 {
			binary.LittleEndian.PutUint64(b[i:], binary.LittleEndian.Uint64(b[i:])^k)
		}
	}
	for ; i < len(b); i++ {
		b[i] ^= key[(pos+i)&3]
	}
	return (pos + len(b)) & 3
}
