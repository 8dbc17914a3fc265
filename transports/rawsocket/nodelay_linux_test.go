package rawsocket

import (
	"net"
	"syscall"
	"testing"

	"github.com/autobahn-go/autobahn/core"
)

func noDelay(t *testing.T, tr core.Transport) bool {
	t.Helper()
	rc, err := tr.(*Transport).w.conn.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var serr error
	rc.Control(func(fd uintptr) { v, serr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY) })
	if serr != nil {
		t.Fatal(serr)
	}
	return v != 0
}

func TestTCPNoDelay(t *testing.T) {
	for _, nagle := range []bool{false, true} {
		ts := startServer(t, "rs://127.0.0.1:0", core.TransportConfig{Serializers: fakeAll, Options: Options{DisableTCPNoDelay: nagle}}, false)
		cli, err := dial(t, ts.url, core.TransportConfig{Serializers: fakeAll, Options: map[string]any{"tcpNoDelay": !nagle}}, newRecorder(false))
		if err != nil {
			t.Fatal(err)
		}
		srv := ts.next(t).WaitOpen(t)
		if noDelay(t, srv) == nagle || noDelay(t, cli) == nagle {
			t.Errorf("Nagle %v: TCP_NODELAY server %v client %v", nagle, noDelay(t, srv), noDelay(t, cli))
		}
	}
}
