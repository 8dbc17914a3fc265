package rawsocket

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// The server child of BenchmarkIdleRSS runs from init, before TestMain, so
// that it runs no test and no leak check.
func init() {
	testpeer.RSSChild("rawsocket", testpeer.RSSServer{Listen: func(accept core.Acceptor) (string, error) {
		l, err := (&Factory{}).Listen(context.Background(), &url.URL{Scheme: "rs", Host: "127.0.0.1:0"},
			core.TransportConfig{Serializers: []core.Serializer{json.Serializer}}, accept)
		if err != nil {
			return "", err
		}
		return l.Addr().String(), nil
	}})
}

// BenchmarkIdleRSS reports what an idle server connection costs the server
// process over 2,000 connections: the growth of its RSS (rss-B/conn, the
// issue's target is 4 KiB), of its Go heap and stacks (heap-B/conn as is,
// live-B/conn after a collection) and its goroutines (goroutines/conn: the
// reader only). The server is a child process; the clients, in this
// process, do the RawSocket handshake by hand so that they stay cheap. The
// measurement runs once whatever -benchtime.
func BenchmarkIdleRSS(b *testing.B) {
	testpeer.BenchIdleRSS(b, "rawsocket", dialIdleRawSocket)
}

// dialIdleRawSocket opens a RawSocket connection to addr offering JSON
// (serializer id 1) and the largest messages, and leaves it idle.
func dialIdleRawSocket(addr string) (io.Closer, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	var reply [4]byte
	if _, err = c.Write([]byte{magic, 0xF1, 0, 0}); err == nil {
		_, err = io.ReadFull(c, reply[:])
	}
	if err == nil && (reply[0] != magic || reply[1]&0x0F != 1) {
		err = fmt.Errorf("handshake refused: % X", reply)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
