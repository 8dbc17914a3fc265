package rawsocket

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/autobahn-go/autobahn/core"
)

// Frame types: the low 3 bits of the first header byte.
const (
	frameMessage byte = 0
	framePing    byte = 1
	framePong    byte = 2
)

const (
	headerLen = 4
	// bitLength25 is the spec's 25th length bit ("X" in RRRR XTTT), set only
	// for a payload of exactly 16 MiB with the other length bits clear.
	bitLength25 = 0x08
	// reservedBits are the high 4 bits of the first header byte.
	reservedBits = 0xF0
	// maxSendSize is the largest payload this package sends: 16 MiB would
	// need bitLength25, which Autobahn|Python does not read.
	maxSendSize = MaxMessageSize - 1
	// initialPayloadBuf is the most allocated for a payload before its bytes
	// arrive.
	initialPayloadBuf = 64 << 10
	// readBufSize is the size of a connection's read buffer: a header and a
	// small message.
	readBufSize = 128
)

// Errors wrapped by the errors of this package, for errors.Is.
var (
	// ErrProtocolViolation is wrapped by every error about a peer breaking
	// the RawSocket protocol (bad frame header, oversized frame, undecodable
	// message).
	ErrProtocolViolation = errors.New("rawsocket protocol violation")
	// ErrMessageTooLarge is wrapped when a message exceeds the maximum
	// length announced by its receiver, in either direction; it is
	// [core.ErrMessageTooLarge].
	ErrMessageTooLarge = core.ErrMessageTooLarge
)

func frameTypeName(t byte) string {
	switch t {
	case frameMessage:
		return "message"
	case framePing:
		return "PING"
	case framePong:
		return "PONG"
	}
	return fmt.Sprintf("type %d", t)
}

// putHeader writes the header of a frame of type t with an n-byte payload,
// 0 <= n <= MaxMessageSize.
func putHeader(h []byte, t byte, n int) {
	_ = h[3]
	if n == MaxMessageSize {
		h[0], h[1], h[2], h[3] = t|bitLength25, 0, 0, 0
		return
	}
	h[0], h[1], h[2], h[3] = t, byte(n>>16), byte(n>>8), byte(n)
}

// parseHeader decodes a frame header and checks it against max, the
// receiver's announced limit.
func parseHeader(h [4]byte, max int) (t byte, n int, err error) {
	if h[0]&reservedBits != 0 {
		return 0, 0, fmt.Errorf("%w: frame header 0x%02X%02X%02X%02X uses reserved bits", ErrProtocolViolation, h[0], h[1], h[2], h[3])
	}
	t = h[0] & 0x07
	if t > framePong {
		return 0, 0, fmt.Errorf("%w: unknown frame type %d", ErrProtocolViolation, t)
	}
	n = int(h[1])<<16 | int(h[2])<<8 | int(h[3])
	if h[0]&bitLength25 != 0 {
		if n != 0 {
			return 0, 0, fmt.Errorf("%w: frame header sets the 25th length bit with a non-zero length 0x%06X", ErrProtocolViolation, n)
		}
		n = MaxMessageSize
	}
	if n > max {
		return 0, 0, fmt.Errorf("%w: %w: %s frame of %d bytes exceeds the announced maximum of %d bytes", ErrProtocolViolation, ErrMessageTooLarge, frameTypeName(t), n, max)
	}
	return t, n, nil
}

// frameReader reads frames from a stream with a small buffer of its own (a
// whole small frame, the common case in WAMP, then takes one read call);
// every payload gets its own allocation, which becomes the caller's.
//
// With a conn and a timeout, a frame must arrive whole within the timeout of
// its first byte (Options.FrameTimeout): the read deadline is set only while
// a frame is incomplete.
//
// With probing, a wait between frames also has the idle probe's deadline,
// about idleProbe away: when it passes with nothing read, next returns
// errIdle and the reader continues on a fresh goroutine (see
// wire.readLoop). The probe's deadline is left in place across frames
// while it is more than half of idleProbe away, and a probe that passes in
// the middle of a frame (no FrameTimeout) is cleared and the read goes on.
type frameReader struct {
	r          io.Reader
	max        int
	conn       net.Conn      // for the frame deadline; nil: none
	timeout    time.Duration // FrameTimeout; <= 0: none
	cs         *closeState   // Close's deadline, which the frame deadline must not undo
	armed      bool          // the frame deadline is set
	probing    bool          // waits between frames have the idle probe
	probeAt    int64         // the idle probe's deadline (unix ns) set on conn; 0: none
	start, end int           // the unread bytes are buf[start:end]
	buf        [readBufSize]byte
}

// idleProbe is how long the reader waits between frames on its current
// goroutine before it moves the wait to a fresh one: a goroutine's stack
// grows with the handler's work (the router's HELLO alone takes it to
// 4 KiB) and is never shrunk back while the goroutine sits in a read, so
// a connection that has gone quiet waits on a new goroutine with the
// smallest stack. It is the WebSocket transport's value.
const idleProbe = 50 * time.Millisecond

// errIdle is what next returns when the idle probe passed between frames:
// the caller continues reading on a fresh goroutine.
var errIdle = errors.New("rawsocket: idle")

// closeState is what Close tells the reader: that it ended our side, and the
// read deadline it set for the peer to end its side.
type closeState struct {
	closing  atomic.Bool
	deadline atomic.Int64 // unix nanoseconds; 0: none
}

// arm sets the frame deadline once a frame has started to arrive (unless
// Close set its own).
func (fr *frameReader) arm() {
	if fr.armed || fr.timeout <= 0 || fr.conn == nil || (fr.cs != nil && fr.cs.closing.Load()) {
		return
	}
	fr.armed = true
	fr.probeAt = 0 // the frame deadline replaces the probe's
	fr.conn.SetReadDeadline(time.Now().Add(fr.timeout))
}

// disarm clears the frame deadline once the frame is complete, restoring
// Close's deadline if Close ran meanwhile.
func (fr *frameReader) disarm() {
	if !fr.armed {
		return
	}
	fr.armed = false
	fr.clearDeadline()
}

// clearDeadline removes the read deadline, restoring Close's if Close ran.
func (fr *frameReader) clearDeadline() {
	fr.conn.SetReadDeadline(time.Time{})
	if fr.cs != nil && fr.cs.closing.Load() {
		if d := fr.cs.deadline.Load(); d != 0 {
			fr.conn.SetReadDeadline(time.Unix(0, d))
		}
	}
}

// armProbe gives the wait between frames the idle probe's deadline, unless
// Close has set its own (the connection is ending: no need to move it),
// or a probe deadline more than half of idleProbe away is set already.
func (fr *frameReader) armProbe() {
	if !fr.probing || fr.cs.closing.Load() {
		return
	}
	now := time.Now().UnixNano()
	if fr.probeAt != 0 && fr.probeAt-now > int64(idleProbe/2) {
		return
	}
	fr.probeAt = now + int64(idleProbe)
	if fr.conn.SetReadDeadline(time.Unix(0, fr.probeAt)) != nil {
		fr.probing, fr.probeAt = false, 0 // no deadlines on this conn
		return
	}
	if fr.cs.closing.Load() {
		// Close ran meanwhile and its deadline may have been replaced.
		fr.clearProbe()
	}
}

// clearProbe removes the idle probe's deadline, restoring Close's.
func (fr *frameReader) clearProbe() {
	if fr.probeAt != 0 {
		fr.probeAt = 0
		fr.clearDeadline()
	}
}

// probeExpired tells whether err is the idle probe's deadline passing (not
// a frame's, whose arm cleared probeAt, nor Close's), and then clears the
// probe so that reading can go on.
func (fr *frameReader) probeExpired(err error) bool {
	if fr.probeAt == 0 || !errors.Is(err, os.ErrDeadlineExceeded) {
		return false
	}
	if fr.cs.closing.Load() {
		if d := fr.cs.deadline.Load(); d != 0 && time.Now().UnixNano() >= d {
			return false // Close's deadline passed too
		}
	}
	fr.clearProbe()
	return true
}

// next reads one frame. The payload is freshly allocated and owned by the
// caller. At a frame boundary, the end of the stream returns io.EOF; inside a
// frame, io.ErrUnexpectedEOF. With probing, a wait between frames that the
// idle probe ends returns errIdle, unless fresh: a fresh reader waits
// without the probe.
func (fr *frameReader) next(fresh bool) (t byte, payload []byte, err error) {
	if fr.end-fr.start < headerLen {
		if fr.start > 0 {
			fr.end = copy(fr.buf[:], fr.buf[fr.start:fr.end])
			fr.start = 0
		}
		switch {
		case fr.end > 0:
			fr.arm() // part of a header is in already
		case fresh:
			fr.clearProbe()
		default:
			fr.armProbe()
		}
		// The idle reader blocks here: the loop is inline rather than in a
		// helper (or io.ReadAtLeast) to keep the idle reader's stack
		// shallow, since that stack is most of what an idle connection
		// costs.
		for fr.end < headerLen {
			n, err := fr.r.Read(fr.buf[fr.end:])
			fr.end += n
			if fr.end > 0 && fr.end < headerLen {
				fr.arm()
			}
			if err != nil && fr.end < headerLen {
				if fr.probeExpired(err) {
					if fr.end == 0 {
						return 0, nil, errIdle
					}
					continue // the probe passed inside a header
				}
				if err == io.EOF && fr.end > 0 {
					err = io.ErrUnexpectedEOF
				}
				return 0, nil, err
			}
		}
	}
	t, n, err := parseHeader([headerLen]byte(fr.buf[fr.start:fr.start+headerLen]), fr.max)
	if err != nil {
		return 0, nil, err
	}
	fr.start += headerLen
	if n > 0 {
		payload, err = fr.payload(n)
	}
	fr.disarm()
	return t, payload, err
}

// payload returns the next n bytes: those already buffered, then the rest
// read straight into the payload. Memory is committed as the payload
// arrives, so that a peer cannot make us allocate its announced length up
// front.
func (fr *frameReader) payload(n int) ([]byte, error) {
	buf := make([]byte, 0, min(n, initialPayloadBuf))
	buf = append(buf, fr.buf[fr.start:min(fr.end, fr.start+n)]...)
	fr.start += len(buf)
	if fr.start == fr.end {
		fr.start, fr.end = 0, 0
	}
	if len(buf) < n {
		fr.arm()
	}
	for len(buf) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*cap(buf), n))
			copy(grown, buf)
			buf = grown
		}
		m, err := fr.r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil && len(buf) < n && fr.probeExpired(err) {
			continue // the probe passed inside a payload (no FrameTimeout)
		}
		if err != nil && len(buf) < n {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}
