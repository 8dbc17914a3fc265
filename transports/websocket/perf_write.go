package websocket

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"time"

	"github.com/autobahn-go/autobahn/internal/netutil"
)

// This file holds frameWriter, the write side of a connection: it frames,
// masks (on a client) and compresses messages and control frames itself
// and writes each frame to the network connection with one write, from a
// pooled buffer (or, for a server's large payloads, one vectored write of
// header and payload).

// Opcodes.
const (
	opContinuation = 0
	opText         = 1
	opBinary       = 2
	opClose        = 8
	opPing         = 9
	opPong         = 10
)

// maxHeader is the longest frame header: 2 bytes, 8 of extended length and
// 4 of masking key. Write buffers keep this much room in front of the
// payload, so that the header goes right before it.
const maxHeader = 14

// errCloseSent is what writes return once a close frame has been sent.
var errCloseSent = errors.New("websocket: close sent")

// frameWriter writes the frames of one connection. Frames are written one at
// a time (the frame lock); SendMessage holds Conn.wmu for a whole message,
// so that control frames can go out between the frames of a long message.
type frameWriter struct {
	conn net.Conn
	// frameSize is the payload size of the frames a message is cut into: a
	// client's messages, compressed messages, and with AutoFragmentSize all
	// messages (0: a server sends uncompressed messages as one frame).
	frameSize int
	bufSize   int // write buffer payload capacity: frameSize, at least 125
	pool      *sync.Pool

	// lock is the frame lock, a channel so that control frames can give up
	// waiting for it at their deadline.
	lock chan struct{}

	// Guarded by lock.
	deadline time.Time // the write deadline set on conn
	err      error     // sticky: a failed write, or errCloseSent
	hdr      [maxHeader]byte

	// Fixed; here rather than first so that they fill hdr's padding.
	isServer bool // a client masks its frames
	compress bool

	// pending is the rest of a frame that tryWrite could write only in
	// part; every write sends it first.
	pending []byte

	// tw writes without waiting (tryWrite); unusable over TLS.
	tw netutil.TryWriter

	// deflate is the compressor's output while a message is compressed
	// (guarded by Conn.wmu), made on the first compressed message: most
	// connections compress nothing, and it is 56 bytes of each.
	deflate *deflateSink
}

func newFrameWriter(c net.Conn, cfg *config, compress bool) *frameWriter {
	w := &frameWriter{
		conn:     c,
		isServer: cfg.isServer,
		compress: compress,
		bufSize:  max(cfg.writeBuf, 125),
		pool:     cfg.writePool,
		lock:     make(chan struct{}, 1),
	}
	w.tw, _ = netutil.NewTryWriter(c)
	if !w.isServer || compress || cfg.autoFragment > 0 {
		w.frameSize = max(cfg.writeBuf, 1)
	}
	if w.pool == nil {
		w.pool = writePool(w.bufSize)
	}
	return w
}

// getBuf returns a write buffer: maxHeader bytes of room for the header,
// bufSize for the payload and 4 more for deflateSink.
func (w *frameWriter) getBuf() *[]byte {
	if bp, ok := w.pool.Get().(*[]byte); ok && cap(*bp) == maxHeader+w.bufSize+4 {
		return bp
	}
	b := make([]byte, maxHeader+w.bufSize+4)
	return &b
}

// acquire takes the frame lock. Data frames wait as long as it takes;
// control frames wait until deadline at most.
func (w *frameWriter) acquire(deadline time.Time, control bool) error {
	select {
	case w.lock <- struct{}{}:
		return nil
	default:
	}
	if !control {
		w.lock <- struct{}{}
		return nil
	}
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case w.lock <- struct{}{}:
		return nil
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}

func (w *frameWriter) release() { <-w.lock }

// setDeadline sets the write deadline unless it is set already: most
// connections have no WriteTimeout and never need to touch it.
func (w *frameWriter) setDeadline(t time.Time) {
	if !t.Equal(w.deadline) {
		w.conn.SetWriteDeadline(t)
		w.deadline = t
	}
}

// writeMessage writes a text or binary message, cut into frames of
// frameSize if that is set, compressed if permessage-deflate is in use.
func (w *frameWriter) writeMessage(op byte, p []byte, deadline time.Time) error {
	if w.compress {
		return w.writeCompressed(op, p, deadline)
	}
	if w.frameSize == 0 || len(p) <= w.frameSize {
		return w.writeFrame(op, true, p, deadline, false)
	}
	for {
		n := min(w.frameSize, len(p))
		fin := n == len(p)
		if err := w.writeFrame(op, fin, p[:n], deadline, false); err != nil {
			return err
		}
		if fin {
			return nil
		}
		op, p = opContinuation, p[n:]
	}
}

// writeControl writes a ping, pong or close frame, waiting for the frame
// lock until deadline at most.
func (w *frameWriter) writeControl(op byte, p []byte, deadline time.Time) error {
	return w.writeFrame(op, true, p, deadline, true)
}

// writeFrame writes one uncompressed frame with payload p: copied (and
// masked) behind its header into a write buffer when it fits, else (a
// server's large payload) written with the header in one vectored write.
func (w *frameWriter) writeFrame(op byte, fin bool, p []byte, deadline time.Time, control bool) error {
	if err := w.acquire(deadline, control); err != nil {
		return err
	}
	defer w.release()
	if w.err != nil {
		return w.err
	}
	if len(p) > w.bufSize {
		return w.writeVectored(op, fin, p, deadline)
	}
	bp := w.getBuf()
	b := *bp
	copy(b[maxHeader:], p)
	err := w.send(b, len(p), op, fin, false, deadline)
	w.pool.Put(bp)
	return err
}

// send writes the frame whose payload is b[maxHeader:maxHeader+n]: it puts
// the header right before the payload, masks the payload in place on a
// client, and writes both at once. The frame lock is held.
func (w *frameWriter) send(b []byte, n int, op byte, fin, rsv1 bool, deadline time.Time) error {
	f := w.frame(b, n, op, fin, rsv1)
	w.setDeadline(deadline)
	return w.wrote(op, w.write(f))
}

// frame puts the header of the frame whose payload is
// b[maxHeader:maxHeader+n] right before the payload, masks the payload in
// place on a client, and returns the frame.
func (w *frameWriter) frame(b []byte, n int, op byte, fin, rsv1 bool) []byte {
	h := w.header(op, fin, rsv1, n)
	start := maxHeader - len(h)
	copy(b[start:], h)
	if !w.isServer {
		maskBytes([4]byte(h[len(h)-4:]), 0, b[maxHeader:maxHeader+n])
	}
	return b[start : maxHeader+n]
}

// write writes p to the connection, after the rest of a frame that
// tryWrite wrote in part, if any (both with one writev). The frame lock is
// held.
func (w *frameWriter) write(p []byte) error {
	if len(w.pending) == 0 {
		_, err := w.conn.Write(p)
		return err
	}
	bufs := net.Buffers{w.pending, p}
	_, err := bufs.WriteTo(w.conn)
	if err == nil {
		w.pending = nil
	}
	return err
}

// writePending writes the rest of a frame that tryWrite wrote in part, if
// any, waiting for the frame lock and then until deadline at most.
func (w *frameWriter) writePending(deadline time.Time) error {
	if err := w.acquire(deadline, false); err != nil {
		return err
	}
	defer w.release()
	if w.err != nil || len(w.pending) == 0 {
		return w.err
	}
	w.setDeadline(deadline)
	return w.wrote(opContinuation, w.write(nil))
}

// tryWrite writes p as a single-frame message if that needs no waiting: it
// reports false, having written nothing, when the frame lock is taken, an
// earlier frame is not fully written, p needs compressing or fragmenting or
// does not fit a write buffer, or the socket takes nothing now (full, or
// not a plain socket). When the socket takes part of the frame, the rest is
// kept in pending (pending true) for the next write. See
// engine.TryWriter; Conn.wmu is held.
func (w *frameWriter) tryWrite(op byte, p []byte) (taken, pending bool) {
	if w.compress || len(p) > w.bufSize || (w.frameSize > 0 && len(p) > w.frameSize) {
		return false, false
	}
	select {
	case w.lock <- struct{}{}:
	default:
		return false, false
	}
	defer w.release()
	if w.err != nil || len(w.pending) > 0 {
		return false, false
	}
	bp := w.getBuf()
	b := *bp
	copy(b[maxHeader:], p)
	f := w.frame(b, len(p), op, true, false)
	n := w.tw.Write(f)
	if n > 0 && n < len(f) {
		w.pending = bytes.Clone(f[n:])
	}
	w.pool.Put(bp)
	return n > 0, n > 0 && n < len(f)
}

// writeVectored writes a server's frame whose payload does not fit a write
// buffer: header and payload in one vectored write, without copying. The
// frame lock is held.
func (w *frameWriter) writeVectored(op byte, fin bool, p []byte, deadline time.Time) error {
	v := vectors.Get().(*vectorScratch)
	v.iov = [2][]byte{w.header(op, fin, false, len(p)), p}
	v.bufs = v.iov[:]
	if len(w.pending) > 0 {
		v.bufs = net.Buffers{w.pending, v.iov[0], v.iov[1]}
	}
	w.setDeadline(deadline)
	_, err := v.bufs.WriteTo(w.conn)
	if err == nil {
		w.pending = nil
	}
	v.iov, v.bufs = [2][]byte{}, nil
	vectors.Put(v)
	return w.wrote(op, err)
}

// vectorScratch is what writeVectored hands to net.Buffers.WriteTo, which
// would otherwise escape to the heap on every call. It is pooled rather
// than kept in each frameWriter (72 bytes of every idle connection).
type vectorScratch struct {
	iov  [2][]byte
	bufs net.Buffers
}

var vectors = sync.Pool{New: func() any { return new(vectorScratch) }}

// wrote records the outcome of writing a frame: errors are sticky, and
// after a close frame nothing more is sent.
func (w *frameWriter) wrote(op byte, err error) error {
	switch {
	case err != nil:
		w.err = err
	case op == opClose:
		w.err = errCloseSent
	}
	return err
}

// header encodes a frame header into w.hdr, with a fresh masking key on a
// client.
func (w *frameWriter) header(op byte, fin, rsv1 bool, n int) []byte {
	h := w.hdr[:2]
	h[0] = op
	if fin {
		h[0] |= 0x80
	}
	if rsv1 {
		h[0] |= 0x40
	}
	switch {
	case n <= 125:
		h[1] = byte(n)
	case n <= 0xffff:
		h[1] = 126
		h = binary.BigEndian.AppendUint16(h, uint16(n))
	default:
		h[1] = 127
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	if !w.isServer {
		h[1] |= 0x80
		h = binary.LittleEndian.AppendUint32(h, rand.Uint32())
	}
	return h
}

// deflateSink takes the compressor's output for one message and sends it as
// frames of frameSize payload bytes. The last 4 bytes received are held
// back: the message ends with the empty stored block of the final flush
// ("\x00\x00\xff\xff"), which RFC 7692 leaves out.
type deflateSink struct {
	w        *frameWriter
	bp       *[]byte
	n        int // payload bytes in (*bp)[maxHeader:]
	op       byte
	first    bool
	deadline time.Time
}

// Write appends compressed bytes, sending each full frame's worth once more
// bytes follow it.
func (s *deflateSink) Write(p []byte) (int, error) {
	size := s.w.frameSize
	b := *s.bp
	total := len(p)
	for len(p) > 0 {
		if s.n == size+4 {
			if err := s.frame(size, false); err != nil {
				return 0, err
			}
		}
		c := copy(b[maxHeader+s.n:maxHeader+size+4], p)
		s.n += c
		p = p[c:]
	}
	return total, nil
}

// frame sends the first n buffered payload bytes as a frame and moves the
// rest to the front.
func (s *deflateSink) frame(n int, fin bool) error {
	w := s.w
	op := byte(opContinuation)
	if s.first {
		op = s.op
	}
	if err := w.acquire(s.deadline, false); err != nil {
		return err
	}
	err := w.err
	if err == nil {
		err = w.send(*s.bp, n, op, fin, s.first, s.deadline)
	}
	w.release()
	if err != nil {
		return err
	}
	s.first = false
	b := *s.bp
	s.n = copy(b[maxHeader:], b[maxHeader+n:maxHeader+s.n])
	return nil
}

// flateWriters holds compressors, whose state is large. They compress at
// the fastest level, favouring latency over ratio (gorilla/websocket's default).
var flateWriters sync.Pool

// writeCompressed compresses a message on its own (no context takeover) and
// sends it as frames of frameSize bytes, RSV1 on the first.
func (w *frameWriter) writeCompressed(op byte, p []byte, deadline time.Time) error {
	if w.deflate == nil {
		w.deflate = &deflateSink{}
	}
	s := w.deflate
	*s = deflateSink{w: w, bp: w.getBuf(), op: op, first: true, deadline: deadline}
	defer func() {
		w.pool.Put(s.bp)
		*s = deflateSink{}
	}()
	fw, _ := flateWriters.Get().(*flate.Writer)
	if fw == nil {
		fw, _ = flate.NewWriter(s, flate.BestSpeed)
	} else {
		fw.Reset(s)
	}
	_, err := fw.Write(p)
	if err == nil {
		err = fw.Flush()
	}
	fw.Reset(nil)
	flateWriters.Put(fw)
	if err != nil {
		return err
	}
	// Drop the flush's empty stored block and send the rest.
	s.n -= 4
	for s.n > w.frameSize {
		if err := s.frame(w.frameSize, false); err != nil {
			return err
		}
	}
	return s.frame(s.n, true)
}
