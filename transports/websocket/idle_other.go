//go:build !unix

package websocket

import (
	"net"
	"syscall"
)

// socketOf returns nil: idle readers keep their read buffer.
func socketOf(net.Conn) syscall.RawConn { return nil }

func waitReadable(syscall.RawConn) {}
