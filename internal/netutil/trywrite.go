package netutil

import "net"

// TryWriter writes to a plain TCP or Unix stream socket without ever
// waiting for room in its send buffer: it lets a transport write a message
// on the goroutine that sends it, instead of handing it to a writer
// goroutine (a wake-up and a context switch per message), without that
// goroutine ever blocking on a peer that does not read.
//
// The zero value is unusable; get one from NewTryWriter.
type TryWriter struct {
	rc rawConn
}

// NewTryWriter returns a TryWriter for c, and false when c cannot be written
// without waiting: anything that is not a *net.TCPConn or *net.UnixConn
// (TLS, which has records to finish, or a wrapped connection), or a platform
// without non-blocking socket writes.
func NewTryWriter(c net.Conn) (TryWriter, bool) {
	switch c := c.(type) {
	case *net.TCPConn:
		return newTryWriter(c)
	case *net.UnixConn:
		return newTryWriter(c)
	}
	return TryWriter{}, false
}

// Write makes one attempt to write p and returns how many bytes the socket
// took: all of p, part of it (its send buffer is full now), or none. It
// never waits and never fails: an error, a closed connection or a write
// deadline that has passed all report 0, and leave it to the caller's
// ordinary (blocking) write path to meet the same condition again and
// report it.
//
// The caller must hold its own write lock, as for any write to the
// connection: Write takes the connection's write lock too, and would wait
// for a concurrent write.
func (w TryWriter) Write(p []byte) int {
	if w.rc == nil || len(p) == 0 {
		return 0
	}
	return w.write(p)
}

// Usable tells whether w came from a successful NewTryWriter.
func (w TryWriter) Usable() bool { return w.rc != nil }
