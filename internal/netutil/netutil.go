// Package netutil holds the socket helpers that every transport shares:
// Autobahn's peer strings, TCP_NODELAY and writes that never wait
// (TryWriter), so that each exists once.
package netutil

import (
	"crypto/tls"
	"net"
	"net/netip"
	"strconv"
)

// PeerString formats a network address as an Autobahn peer descriptor
// (Autobahn's peer2str): "tcp4:127.0.0.1:52914", "tcp6:::1:52914",
// "unix:/tmp/server.sock" (or "unix" for unnamed sockets), "unknown" for
// anything else.
func PeerString(addr net.Addr) string {
	switch a := addr.(type) {
	case *net.TCPAddr:
		if ap := a.AddrPort(); ap.IsValid() {
			return PeerFromAddrPort(ap)
		}
	case *net.UnixAddr:
		if a.Name == "" || a.Name == "@" {
			return "unix"
		}
		return "unix:" + a.Name
	case nil:
		return "unknown"
	}
	if ap, err := netip.ParseAddrPort(addr.String()); err == nil {
		return PeerFromAddrPort(ap)
	}
	return "unknown"
}

// PeerFromAddrPort formats an IP address and port as a peer descriptor.
func PeerFromAddrPort(ap netip.AddrPort) string {
	ip := ap.Addr().Unmap()
	kind := "tcp6:"
	if ip.Is4() {
		kind = "tcp4:"
	}
	return kind + ip.String() + ":" + strconv.Itoa(int(ap.Port()))
}

// TLSConn is a TLS connection: a *tls.Conn, or a wrapper of one that
// gives its state and the socket below (a connection whose first bytes a
// server has peeked at, to tell protocols apart on one port).
type TLSConn interface {
	net.Conn
	ConnectionState() tls.ConnectionState
	NetConn() net.Conn
}

var _ TLSConn = (*tls.Conn)(nil)

// SetNoDelay sets TCP_NODELAY on c (or the TCP connection below a TLS one);
// other connections are left alone.
func SetNoDelay(c net.Conn, noDelay bool) {
	if tc, ok := c.(TLSConn); ok {
		c = tc.NetConn()
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetNoDelay(noDelay)
	}
}
