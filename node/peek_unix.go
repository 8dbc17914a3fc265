//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package node

import (
	"errors"
	"io"
	"net"
	"syscall"
)

// peekSocket reads the first byte of a TCP or Unix socket with MSG_PEEK,
// leaving it in the socket; ok is false for other connections. It waits
// for the byte through the runtime's poller, so the read deadline of c
// applies.
func peekSocket(c net.Conn) (b byte, ok bool, err error) {
	sc, isSys := c.(syscall.Conn)
	if !isSys {
		return 0, false, nil
	}
	switch c.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return 0, false, nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, true, err
	}
	var buf [1]byte
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, _, rerr = syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK)
			if !errors.Is(rerr, syscall.EINTR) {
				break
			}
		}
		// EAGAIN: nothing yet; wait until the socket is readable.
		return !errors.Is(rerr, syscall.EAGAIN)
	})
	switch {
	case err != nil:
		return 0, true, err
	case rerr != nil:
		return 0, true, rerr
	case n == 0:
		return 0, true, io.EOF
	}
	return buf[0], true, nil
}
