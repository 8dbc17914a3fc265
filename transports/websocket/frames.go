package websocket

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// gorilla/websocket hides frames: it hands out whole messages and checks only
// part of what RFC 6455 and Autobahn require, answering violations with a
// close frame of its own. frameConn sits between gorilla and the network
// connection and parses every frame before gorilla reads it, so that this
// package sees and decides what gorilla would not:
//
//   - the length of each frame (maxFramePayloadSize) and the wire length of
//     each message (maxMessagePayloadSize), before the payload arrives;
//   - every protocol violation Autobahn checks (reserved bits and opcodes,
//     masking, control frame rules, fragmentation order, minimal length
//     encoding, close codes and close reasons), before gorilla sees the
//     offending frame, so that failByDrop and close codes follow Autobahn and
//     gorilla never writes a close frame on its own;
//   - control frames: pings, pongs and close frames are handled here and
//     taken out of the byte stream, so gorilla only ever reads data frames.
//     An idle connection therefore never waits inside gorilla's frame reader
//     after a ping, which keeps its goroutine stack small;
//   - the peer's close frame while this package drains the connection after
//     failing it, when gorilla's reader can no longer be used;
//   - the end of each incoming data frame (autoPingRestartOnAnyTraffic).
//
// After a violation or a close frame gorilla gets the bytes before it and
// then the error errProtocolViolation or errCloseReceived. Parsing costs a few
// comparisons per frame header; payload bytes of data frames are passed on
// (moved only when a control frame was taken out before them).
type frameConn struct {
	net.Conn

	// pending is served, and parsed, before reading from Conn: bytes the
	// HTTP server had buffered past the request, or that a client read past
	// the response. parsed holds data bytes parsed already (waitReadable).
	pending []byte
	parsed  []byte
	fake    *fakeHandshake // a client while gorilla "dials"
	// extLine, if set, replaces the extension line of the 101 response
	// gorilla writes (a server whose answer gorilla cannot phrase).
	extLine string

	isServer   bool
	failByDrop bool
	compressed bool
	drainMode  bool // after a failure: skip data, look for a close frame
	done       bool // close frame seen or fatal failure: stop parsing
	maxFrame   uint64
	maxMessage uint64
	onData     func()                        // end of each data frame, if set
	onControl  func(op byte, payload []byte) // pings and pongs

	hdr       [14]byte
	hdrLen    uint8
	hdrNeed   uint8
	control   bool   // the current frame is a control frame
	left      uint64 // payload bytes left in the current frame
	opcode    byte
	fin       bool
	inMessage bool
	msgLen    uint64
	msgs      uint64 // complete data messages passed to gorilla
	maskKey   [4]byte
	maskPos   int
	ctl       []byte // payload of the control frame being read

	// Read deadlines: the closing handshake's (set from any goroutine) and
	// the reader's idle probe (see Conn.readLoop).
	dlMu          sync.Mutex
	closeDeadline time.Time
	probeDeadline time.Time
	waiting       bool // the reader waits in Conn.wait: report timeouts

	// Outcome.
	failure     *failure // first violation
	closeSeen   bool
	closeCode   int // 1005 if the close frame had no code
	closeReason string
	readErr     error // returned to gorilla once parsing has stopped
}

// failure is why this package fails a connection: a close code and a reason.
type failure struct {
	code   int
	reason string
}

var (
	// errProtocolViolation is what gorilla reads once frameConn has found
	// a violation; the connection then acts on frameConn.failure.
	errProtocolViolation = errors.New("websocket: protocol violation")
	// errCloseReceived is what gorilla reads after the peer's close frame.
	errCloseReceived = errors.New("websocket: close frame received")
)

// Close codes.
const (
	CloseNormal          = 1000
	CloseGoingAway       = 1001
	CloseProtocolError   = 1002
	CloseUnsupportedData = 1003
	CloseNoStatus        = 1005
	CloseAbnormal        = 1006
	CloseInvalidPayload  = 1007
	ClosePolicyViolation = 1008
	CloseMessageTooBig   = 1009
	CloseMandatoryExt    = 1010
	CloseInternalError   = 1011
	CloseServiceRestart  = 1012
	CloseTryAgainLater   = 1013
)

func newFrameConn(c net.Conn, cfg *config) *frameConn {
	f := &frameConn{Conn: c, isServer: cfg.isServer, failByDrop: cfg.failByDrop}
	if cfg.maxFrame > 0 {
		f.maxFrame = uint64(cfg.maxFrame)
	}
	if cfg.maxMessage > 0 {
		f.maxMessage = uint64(cfg.maxMessage)
	}
	return f
}

// readRaw reads what comes next, pending bytes first, without parsing.
func (f *frameConn) readRaw(p []byte) (int, error) {
	if len(f.pending) > 0 {
		n := copy(p, f.pending)
		f.pending = f.pending[n:]
		if len(f.pending) == 0 {
			f.pending = nil
		}
		return n, nil
	}
	return f.Conn.Read(p)
}

// Read is what gorilla reads through: the data frames of the stream. It is
// kept small: a connection may wait in it, and the reader goroutine's stack
// should stay small.
func (f *frameConn) Read(p []byte) (int, error) {
	if f.readErr != nil || f.parsed != nil || f.fake != nil || f.pending != nil {
		return f.readSlow(p)
	}
	for {
		n, err := f.Conn.Read(p)
		if n == 0 {
			if err != nil && !f.waiting && f.probeExpired(err) {
				// The idle probe's deadline is no concern of gorilla's.
				f.clearProbe()
				continue
			}
			return 0, err
		}
		if k := f.feed(p[:n]); k > 0 || err != nil || f.done || f.failure != nil {
			return f.result(k, err)
		}
		// Only control frames: wait for data.
	}
}

// armProbe makes reads time out about idleProbe from now, unless the
// closing handshake's deadline comes first. To save timer updates, a probe
// deadline still more than half of idleProbe away is left as it is.
func (f *frameConn) armProbe() {
	now := time.Now()
	f.dlMu.Lock()
	if f.probeDeadline.IsZero() || f.probeDeadline.Sub(now) < idleProbe/2 {
		f.probeDeadline = now.Add(idleProbe)
		f.applyDeadline()
	}
	f.dlMu.Unlock()
}

// clearProbe removes the probe deadline.
func (f *frameConn) clearProbe() {
	f.dlMu.Lock()
	if !f.probeDeadline.IsZero() {
		f.probeDeadline = time.Time{}
		f.applyDeadline()
	}
	f.dlMu.Unlock()
}

// setCloseDeadline sets the closing handshake's read deadline (zero: none).
func (f *frameConn) setCloseDeadline(t time.Time) {
	f.dlMu.Lock()
	f.closeDeadline = t
	f.applyDeadline()
	f.dlMu.Unlock()
}

// applyDeadline sets the earlier of the two deadlines. f.dlMu is held.
func (f *frameConn) applyDeadline() {
	dl := f.closeDeadline
	if p := f.probeDeadline; !p.IsZero() && (dl.IsZero() || p.Before(dl)) {
		dl = p
	}
	f.Conn.SetReadDeadline(dl)
}

// probeExpired tells whether err is a timeout of the idle probe rather than
// of the closing handshake.
func (f *frameConn) probeExpired(err error) bool {
	if !isTimeout(err) {
		return false
	}
	f.dlMu.Lock()
	defer f.dlMu.Unlock()
	return f.closeDeadline.IsZero() || time.Now().Before(f.closeDeadline)
}

func (f *frameConn) readSlow(p []byte) (int, error) {
	if f.parsed != nil {
		n := copy(p, f.parsed)
		f.parsed = f.parsed[n:]
		if len(f.parsed) == 0 {
			f.parsed = nil
		}
		return n, nil
	}
	if f.readErr != nil {
		return 0, f.readErr
	}
	if f.fake != nil && len(f.fake.response) > 0 {
		n := copy(p, f.fake.response)
		f.fake.response = f.fake.response[n:]
		return n, nil
	}
	for {
		n, err := f.readRaw(p)
		if n == 0 {
			if err != nil && !f.waiting && f.probeExpired(err) {
				f.clearProbe()
				continue
			}
			return 0, err
		}
		if k := f.feed(p[:n]); k > 0 || err != nil || f.done || f.failure != nil {
			return f.result(k, err)
		}
	}
}

// result is what Read returns after k data bytes were parsed: after a
// violation or a close frame, the error that ends gorilla's reading.
func (f *frameConn) result(k int, err error) (int, error) {
	switch {
	case f.failure != nil:
		f.readErr = errProtocolViolation
	case f.closeSeen:
		f.readErr = errCloseReceived
	default:
		return k, err
	}
	return k, f.readErr
}

// drained tells whether gorilla has consumed everything passed to it, given
// that it has read consumed complete messages.
func (f *frameConn) drained(consumed uint64) bool {
	return f.msgs == consumed && !f.inMessage && !(f.hdrLen > 0 && !f.control) &&
		f.parsed == nil && f.pending == nil && f.readErr == nil
}

// waitReadable waits, without gorilla on the stack, until data frame bytes
// (or a close frame, or a violation) arrive; control frames before them are
// handled here. The data bytes read are kept for gorilla.
func (f *frameConn) waitReadable() error {
	var buf [128]byte
	for {
		n, err := f.readRaw(buf[:])
		if n > 0 && !f.done {
			k := f.feed(buf[:n])
			if k > 0 {
				f.parsed = append([]byte(nil), buf[:k]...)
			}
			if k > 0 || f.done || f.failure != nil {
				f.result(k, nil)
				return nil
			}
		}
		if err != nil {
			return err
		}
	}
}

// Write is what gorilla writes through.
func (f *frameConn) Write(p []byte) (int, error) {
	if f.fake != nil {
		return f.fake.write(p)
	}
	if f.extLine != "" {
		return f.writeResponse(p)
	}
	return f.Conn.Write(p)
}

// gorillaExtLine is the extension line of gorilla's 101 responses.
const gorillaExtLine = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"

// writeResponse writes gorilla's 101 response with extLine in place of its
// extension line.
func (f *frameConn) writeResponse(p []byte) (int, error) {
	line := f.extLine
	f.extLine = ""
	q := bytes.Replace(p, []byte(gorillaExtLine), []byte(line), 1)
	if _, err := f.Conn.Write(q); err != nil {
		return 0, err
	}
	return len(p), nil
}

// fakeHandshake lets a gorilla client "dial" over a connection whose opening
// handshake this package has already done (gorilla cannot be handed an
// established client connection, and rejects some valid handshakes): it
// swallows gorilla's request and answers it with a response gorilla accepts,
// for the subprotocol and compression actually negotiated.
type fakeHandshake struct {
	protocol   string
	compressed bool
	request    []byte
	response   []byte
}

func (h *fakeHandshake) write(p []byte) (int, error) {
	h.request = append(h.request, p...)
	end := bytes.Index(h.request, []byte("\r\n\r\n"))
	if end < 0 || h.response != nil {
		return len(p), nil
	}
	key := ""
	for _, line := range strings.Split(string(h.request[:end]), "\r\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.EqualFold(name, "Sec-WebSocket-Key") {
			key = strings.TrimSpace(value)
		}
	}
	r := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n"
	if h.protocol != "" {
		r += "Sec-WebSocket-Protocol: " + h.protocol + "\r\n"
	}
	if h.compressed {
		r += "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n"
	}
	h.response = []byte(r + "\r\n")
	return len(p), nil
}

// fail records a violation; the first one makes later reads by gorilla fail.
// With failByDrop, or in drain mode, parsing stops; otherwise (failByClose)
// it goes on in drain mode, looking for the peer's close frame.
func (f *frameConn) fail(code int, format string, args ...any) {
	if f.failure == nil {
		f.failure = &failure{code: code, reason: fmt.Sprintf(format, args...)}
	}
	if f.failByDrop || f.drainMode {
		f.done = true
		return
	}
	f.drainMode = true
}

// startDrain switches to drain mode: data frames are skipped, the next
// violation stops parsing, and a close frame ends it.
func (f *frameConn) startDrain() {
	f.drainMode = true
	if f.readErr == nil {
		f.readErr = errProtocolViolation
	}
}

// delivering tells whether data bytes still go to gorilla.
func (f *frameConn) delivering() bool {
	return f.failure == nil && !f.drainMode
}

// feed parses b and compacts it in place: it returns k, and b[:k] are the
// bytes gorilla may have: those of data frames, up to the first violation
// or close frame. Control frames are handled and left out.
func (f *frameConn) feed(b []byte) int {
	w := 0
	for i := 0; i < len(b) && !f.done; {
		if f.left > 0 {
			m := int(min(uint64(len(b)-i), f.left))
			switch {
			case f.control:
				f.collect(b[i : i+m])
			case f.delivering():
				w += copy(b[w:], b[i:i+m])
			}
			i += m
			f.left -= uint64(m)
			if f.left == 0 {
				f.endFrame()
			}
			continue
		}
		c := b[i]
		i++
		if f.hdrLen == 0 {
			f.control = c&0x0f >= 8
		}
		f.hdr[f.hdrLen] = c
		f.hdrLen++
		if f.hdrLen == 2 {
			f.checkHead()
		}
		complete := f.hdrLen >= 2 && f.hdrLen == f.hdrNeed
		if complete {
			f.hdrLen = 0
			f.beginFrame()
		}
		// A violation found in this byte keeps it from gorilla.
		if !f.control && f.delivering() {
			b[w] = c
			w++
		}
		if complete && f.left == 0 && !f.done {
			f.endFrame()
		}
	}
	return w
}

// checkHead checks the first two header bytes, as Autobahn's processData.
func (f *frameConn) checkHead() {
	b0, b1 := f.hdr[0], f.hdr[1]
	fin := b0&0x80 != 0
	rsv := (b0 >> 4) & 7
	op := b0 & 0x0f
	masked := b1&0x80 != 0
	len1 := b1 & 0x7f

	f.hdrNeed = 2
	if masked {
		f.hdrNeed += 4
	}
	switch len1 {
	case 126:
		f.hdrNeed += 2
	case 127:
		f.hdrNeed += 8
	}
	f.opcode, f.fin = op, fin

	bad := f.fail
	if f.drainMode {
		// Only what keeps the frame structure readable matters now.
		if op > 7 && len1 > 125 {
			bad(CloseProtocolError, "control frame with payload length > 125 octets")
		}
		return
	}
	switch {
	case rsv != 0 && !(f.compressed && rsv == 4):
		bad(CloseProtocolError, "RSV = %d and no extension negotiated", rsv)
	case f.isServer && !masked:
		bad(CloseProtocolError, "unmasked client-to-server frame")
	case !f.isServer && masked:
		bad(CloseProtocolError, "masked server-to-client frame")
	case op > 7 && !fin:
		bad(CloseProtocolError, "fragmented control frame")
	case op > 7 && len1 > 125:
		bad(CloseProtocolError, "control frame with payload length > 125 octets")
	case op > 10:
		bad(CloseProtocolError, "control frame using reserved opcode %d", op)
	case op == 8 && len1 == 1:
		bad(CloseProtocolError, "received close control frame with payload len 1")
	case op > 7 && rsv == 4:
		bad(CloseProtocolError, "received compressed control frame [permessage-deflate]")
	case op > 2 && op < 8:
		bad(CloseProtocolError, "data frame using reserved opcode %d", op)
	case !f.inMessage && op == 0:
		bad(CloseProtocolError, "received continuation data frame outside fragmented message")
	case f.inMessage && op != 0 && op < 8:
		bad(CloseProtocolError, "received non-continuation data frame while inside fragmented message")
	case f.inMessage && op == 0 && rsv == 4:
		bad(CloseProtocolError, "received continuation data frame with compress bit set [permessage-deflate]")
	}
}

// beginFrame handles a complete header: length, mask and limits.
func (f *frameConn) beginFrame() {
	h := f.hdr[:]
	masked := h[1]&0x80 != 0
	length := uint64(h[1] & 0x7f)
	i := 2
	bad := f.fail
	switch length {
	case 126:
		length = uint64(binary.BigEndian.Uint16(h[2:]))
		i += 2
		if length < 126 {
			bad(CloseProtocolError, "invalid data frame length (not using minimal length encoding)")
		}
	case 127:
		length = binary.BigEndian.Uint64(h[2:])
		i += 8
		if length > 1<<63-1 {
			// The frame structure is lost: stop even in drain mode.
			f.drainMode = true
			bad(CloseProtocolError, "invalid data frame length (>2^63)")
			return
		}
		if length < 65536 {
			bad(CloseProtocolError, "invalid data frame length (not using minimal length encoding)")
		}
	}
	if masked {
		copy(f.maskKey[:], h[i:i+4])
	} else {
		f.maskKey = [4]byte{}
	}
	f.maskPos = 0
	f.left = length
	if f.done {
		return
	}
	if f.control {
		// An oversized control frame (a violation already) is skipped.
		f.ctl = nil
		if length <= 125 {
			f.ctl = make([]byte, 0, length)
		}
		return
	}
	if f.drainMode {
		return
	}
	if !f.inMessage {
		f.inMessage = true
		f.msgLen = 0
	}
	f.msgLen += length
	switch {
	case f.maxMessage > 0 && f.msgLen > f.maxMessage:
		bad(CloseMessageTooBig, "received WebSocket message size %d exceeds payload limit of %d octets", f.msgLen, f.maxMessage)
	case f.maxFrame > 0 && length > f.maxFrame:
		bad(CloseMessageTooBig, "received WebSocket frame size %d exceeds payload limit of %d octets", length, f.maxFrame)
	}
}

func (f *frameConn) collect(b []byte) {
	if f.ctl == nil {
		return
	}
	start := len(f.ctl)
	f.ctl = append(f.ctl, b...)
	if f.isServer {
		for j := start; j < len(f.ctl); j++ {
			f.ctl[j] ^= f.maskKey[f.maskPos&3]
			f.maskPos++
		}
	}
}

// endFrame handles the end of a frame's payload.
func (f *frameConn) endFrame() {
	if f.control {
		payload := f.ctl
		f.ctl = nil
		if payload == nil {
			return // skipped
		}
		if f.opcode != 8 {
			if !f.drainMode && f.onControl != nil {
				f.onControl(f.opcode, payload)
			}
			return
		}
		code, reason := CloseNoStatus, ""
		if len(payload) >= 2 {
			code = int(binary.BigEndian.Uint16(payload))
			if !validCloseCode(code) {
				f.fail(CloseProtocolError, "invalid close code %d", code)
				return
			}
			if !utf8.Valid(payload[2:]) {
				f.fail(CloseInvalidPayload, "invalid close reason (non-UTF8 payload)")
				return
			}
			reason = string(payload[2:])
		}
		f.closeSeen, f.closeCode, f.closeReason = true, code, reason
		// Nothing after a close frame matters.
		f.done = true
		return
	}
	if f.drainMode {
		return
	}
	if f.fin {
		f.inMessage = false
		f.msgs++
	}
	if f.onData != nil {
		f.onData()
	}
}

// validCloseCode tells whether a peer may send code (Autobahn
// CLOSE_STATUS_CODES_ALLOWED, plus 3000..4999).
func validCloseCode(code int) bool {
	switch {
	case code >= 3000 && code <= 4999:
		return true
	case code == 1000, code == 1001, code == 1002, code == 1003,
		code >= 1007 && code <= 1013:
		return true
	}
	return false
}

// drain reads and parses in drain mode until the peer's close frame, a
// violation or a read error (such as the close handshake deadline).
func (f *frameConn) drain() error {
	f.startDrain()
	if f.closeSeen {
		return nil
	}
	buf := make([]byte, 512)
	for !f.done {
		n, err := f.readRaw(buf)
		if n > 0 {
			f.feed(buf[:n])
		}
		if err != nil && !f.done {
			return err
		}
	}
	if !f.closeSeen {
		return errProtocolViolation
	}
	return nil
}

// discard reads and ignores everything until the connection ends; it
// returns nil when the peer closed it.
func (f *frameConn) discard() error {
	buf := make([]byte, 512)
	for {
		if _, err := f.readRaw(buf); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}
