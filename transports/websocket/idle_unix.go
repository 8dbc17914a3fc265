//go:build unix

package websocket

import (
	"net"
	"syscall"
)

// socketOf returns the raw socket of c if c is a plain TCP or Unix
// connection, whose reads are the socket's own: no layer above it (TLS, a
// wrapper with a buffer) could hold bytes that the socket no longer shows.
func socketOf(c net.Conn) syscall.RawConn {
	var rc syscall.RawConn
	switch c := c.(type) {
	case *net.TCPConn:
		rc, _ = c.SyscallConn()
	case *net.UnixConn:
		rc, _ = c.SyscallConn()
	}
	return rc
}

// waitReadable waits until rc has data to read, the peer ended the stream
// or the socket failed, or its read deadline passes, or it is closed: the
// read that follows then returns at once. It holds no buffer meanwhile: a
// one-byte peek tells whether to wait (like a read, it waits through the
// runtime's network poller, which is edge-triggered, and so must first see
// EAGAIN).
func waitReadable(rc syscall.RawConn) {
	rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		return err != syscall.EAGAIN
	})
}
