package websocket

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
	"unicode/utf8"
)

// frameConn is the read side of a connection: it reads from the network
// connection into a buffer of its own and parses every frame exactly once,
// checking what RFC 6455 and Autobahn require:
//
//   - the length of each frame (maxFramePayloadSize) and the wire length of
//     each message (maxMessagePayloadSize), before the payload arrives;
//   - every protocol violation Autobahn checks (reserved bits and opcodes,
//     masking, control frame rules, fragmentation order, minimal length
//     encoding, close codes and close reasons), so that failByDrop and close
//     codes follow Autobahn;
//   - UTF-8 in text messages, as each piece of payload arrives;
//   - control frames: pings, pongs and close frames are handled as they are
//     read (onControl, closeSeen);
//   - the peer's close frame while the connection drains after failing;
//   - the end of each incoming data frame (autoPingRestartOnAnyTraffic).
//
// Data frames are assembled into messages (parse; see perf_read.go for the
// reading and the message buffers): payload bytes are unmasked straight into
// the message, and large payloads are read from the network directly into
// it. feed is the same parser in pass-through mode, which hands on the data
// frames as they are; the fuzz test uses it to check that the parser reaches
// the same verdicts however the bytes arrive.
//
// gorilla/websocket only writes a server's opening handshake response
// through Write (see extLine); it neither reads nor writes frames.
type frameConn struct {
	net.Conn

	// rbuf[rpos:rend] has been read but not parsed yet. It starts with the
	// bytes the HTTP server had buffered past the request, or that a client
	// read past the response.
	rbuf       []byte
	rpos, rend int
	rbufSize   int   // size of rbuf once those are parsed
	readErr    error // an error that came with data, returned by the next read

	// extLine, if set, replaces the extension line of the 101 response
	// gorilla writes (a server whose answer gorilla cannot phrase).
	extLine string

	isServer     bool
	failByDrop   bool
	compressed   bool
	validateUTF8 bool
	drainMode    bool // after a failure: skip data, look for a close frame
	done         bool // close frame seen or fatal failure: stop parsing
	control      bool // the current frame is a control frame
	waiting      bool // the reader waits in Conn.wait: report timeouts
	maxFrame     uint64
	maxMessage   uint64
	onData       func()                        // end of each data frame, if set
	onControl    func(op byte, payload []byte) // pings and pongs

	// The small fields of this struct are grouped so that it takes 352
	// bytes rather than 384 (one per connection).
	hdr       [14]byte
	hdrLen    uint8
	hdrNeed   uint8
	left      uint64 // payload bytes left in the current frame
	opcode    byte
	rsv       byte
	fin       bool
	inMessage bool
	maskKey   [4]byte
	msgLen    uint64
	maskPos   int
	ctl       []byte // payload of the control frame being read

	// The message being assembled by parse (perf_read.go).
	msg        []byte  // payload so far, unmasked
	msgScratch *[]byte // the pooled buffer msg came from, or nil
	msgText    bool
	msgDeflate bool // compressed: msg holds the deflated bytes
	checked    int  // msg[:checked] is valid UTF-8 (text messages)

	// Read deadlines: the closing handshake's (set from any goroutine) and
	// the reader's idle probe (see Conn.readLoop).
	dlMu          sync.Mutex
	closeDeadline time.Time
	probeDeadline time.Time

	// Outcome.
	failure     *failure // first violation
	closeSeen   bool
	closeCode   int // 1005 if the close frame had no code
	closeReason string
}

// failure is why this package fails a connection: a close code and a reason.
type failure struct {
	code   int
	reason string
}

// errProtocolViolation is what drain returns when it finds a violation
// instead of the peer's close frame.
var errProtocolViolation = errors.New("websocket: protocol violation")

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
	f := &frameConn{
		Conn:         c,
		isServer:     cfg.isServer,
		failByDrop:   cfg.failByDrop,
		validateUTF8: cfg.validateUTF8,
		rbufSize:     max(cfg.readBuf, 512),
	}
	if cfg.maxFrame > 0 {
		f.maxFrame = uint64(cfg.maxFrame)
	}
	if cfg.maxMessage > 0 {
		f.maxMessage = uint64(cfg.maxMessage)
	}
	return f
}

// setPending makes b, read past the opening handshake, the first bytes to
// parse.
func (f *frameConn) setPending(b []byte) {
	if len(b) == 0 {
		return
	}
	f.rbuf = make([]byte, max(len(b), f.rbufSize))
	f.rpos, f.rend = 0, copy(f.rbuf, b)
}

// armProbe makes reads time out about idleProbe from now, unless the
// closing handshake's deadline comes first. To save timer updates, a probe
// deadline still more than half of idleProbe away is left as it is.
func (f *frameConn) armProbe(now time.Time) {
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

// closeNow closes the connection at once. Below TLS it closes the socket
// itself: tls.Conn.Close would first try to send close_notify, for up to
// 5 s, to a peer that may not be reading (the reader's final Close then
// fails to send it at once).
func (f *frameConn) closeNow() error {
	if tc, ok := f.Conn.(*tls.Conn); ok {
		return tc.NetConn().Close()
	}
	return f.Conn.Close()
}

// Write is what gorilla writes a server's opening handshake response
// through; frames are written to the network connection directly.
func (f *frameConn) Write(p []byte) (int, error) {
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

// fail records a violation; the first one is what the connection fails
// with. With failByDrop, or in drain mode, parsing stops; otherwise
// (failByClose) it goes on in drain mode, looking for the peer's close
// frame.
func (f *frameConn) fail(code int, format string, args ...any) {
	if f.failure == nil {
		f.failure = &failure{code: code, reason: fmt.Sprintf(format, args...)}
	}
	f.dropMessage()
	if f.failByDrop || f.drainMode {
		f.done = true
		return
	}
	f.drainMode = true
}

// delivering tells whether data bytes are still wanted.
func (f *frameConn) delivering() bool {
	return f.failure == nil && !f.drainMode
}

// headerByte takes the next byte of a frame header and reports whether it
// completed the header (which beginFrame has then handled).
func (f *frameConn) headerByte(c byte) bool {
	if f.hdrLen == 0 {
		f.control = c&0x0f >= 8
	}
	f.hdr[f.hdrLen] = c
	f.hdrLen++
	if f.hdrLen == 2 {
		f.checkHead()
	}
	if f.hdrLen >= 2 && f.hdrLen == f.hdrNeed {
		f.hdrLen = 0
		f.beginFrame()
		return true
	}
	return false
}

// feed is the parser in pass-through mode: it parses b and compacts it in
// place: it returns k, and b[:k] are the bytes of data frames, headers
// included and payloads still masked, up to the first violation or close
// frame. Control frames are handled and left out.
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
		complete := f.headerByte(c)
		// A violation found in this byte keeps it from the output.
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

// parse is the parser in message mode: it parses b, assembling data frames
// into f.msg, and returns how many bytes it consumed. It stops after the
// final frame of a message (complete is then true: the message is in f.msg),
// after a new violation, and after a close frame.
func (f *frameConn) parse(b []byte) (n int, complete bool) {
	failed := f.failure != nil
	i := 0
	for i < len(b) && !f.done {
		if f.left > 0 {
			m := int(min(uint64(len(b)-i), f.left))
			switch {
			case f.control:
				f.collect(b[i : i+m])
			case f.delivering():
				f.addPayload(b[i : i+m])
			}
			i += m
			if f.advance(m) {
				return i, true
			}
		} else {
			complete := f.headerByte(b[i])
			i++
			if complete && !f.control && f.delivering() {
				f.startPayload()
			}
			if complete && f.left == 0 && !f.done && f.finishFrame() {
				return i, true
			}
		}
		if !failed && f.failure != nil {
			break
		}
	}
	return i, false
}

// advance accounts for m payload bytes of the current frame and ends the
// frame after its last one; it reports whether that completed a message.
func (f *frameConn) advance(m int) bool {
	f.left -= uint64(m)
	return f.left == 0 && f.finishFrame()
}

// finishFrame ends the current frame and reports whether that completed a
// data message to deliver.
func (f *frameConn) finishFrame() bool {
	data := !f.control && f.delivering()
	f.endFrame()
	if !data || !f.fin || f.failure != nil {
		return false
	}
	if f.checkingUTF8() && f.checked != len(f.msg) {
		f.fail(CloseInvalidPayload, "UTF-8 text message payload ended within Unicode code point at payload octet index %d", f.checked)
		return false
	}
	return true
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
	f.opcode, f.fin, f.rsv = op, fin, rsv

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
		f.maskPos = maskBytes(f.maskKey, f.maskPos, f.ctl[start:])
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
		f.dropMessage()
		return
	}
	if f.drainMode {
		return
	}
	if f.fin {
		f.inMessage = false
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

// drain parses in drain mode, the buffered bytes first, until the peer's
// close frame, a violation or a read error (such as the close handshake
// deadline).
func (f *frameConn) drain() error {
	f.drainMode = true
	f.dropMessage()
	for !f.done {
		if f.rpos < f.rend {
			n, _ := f.parse(f.rbuf[f.rpos:f.rend])
			f.rpos += n
			continue
		}
		if err := f.fill(); err != nil {
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
	for {
		if err := f.fill(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		f.rpos = f.rend
	}
}
