//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package node

import "net"

// peekSocket has no MSG_PEEK here: the caller reads the byte and replays
// it.
func peekSocket(net.Conn) (byte, bool, error) { return 0, false, nil }
