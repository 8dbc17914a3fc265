//go:build unix

package netutil

import (
	"syscall"
)

type rawConn = syscall.RawConn

func newTryWriter(c syscall.Conn) (TryWriter, bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return TryWriter{}, false
	}
	return TryWriter{rc: rc}, true
}

// write calls write(2) once (again only when a signal interrupted it)
// through RawConn.Write, whose callback reports done after that attempt:
// RawConn.Write then returns instead of parking the goroutine until the
// socket is writable. Go's sockets are non-blocking, so the system call
// itself does not wait either (EAGAIN when the buffer is full).
func (w TryWriter) write(p []byte) int {
	n := 0
	w.rc.Write(func(fd uintptr) bool {
		for {
			m, err := syscall.Write(int(fd), p)
			if err == syscall.EINTR {
				continue
			}
			if err == nil {
				n = m
			}
			return true
		}
	})
	return n
}
