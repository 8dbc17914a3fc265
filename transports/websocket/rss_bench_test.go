package websocket

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/json"
)

// The server child of BenchmarkIdleRSS runs from init, before TestMain, so
// that it runs no test and no leak check.
func init() {
	testpeer.RSSChild("websocket", testpeer.RSSServer{Listen: func(accept core.Acceptor) (string, error) {
		l, err := (&WAMPFactory{}).Listen(context.Background(), &url.URL{Scheme: "ws", Host: "127.0.0.1:0", Path: "/ws"},
			core.TransportConfig{Serializers: []core.Serializer{json.Serializer}}, accept)
		if err != nil {
			return "", err
		}
		return l.Addr().String(), nil
	}})
}

// BenchmarkIdleRSS reports what an idle server connection costs the server
// process over 2,000 WAMP-over-WebSocket connections with the default
// options: the growth of its RSS (rss-B/conn, the target is 6 KiB),
// of its Go heap and stacks (heap-B/conn as is, live-B/conn after a
// collection) and its goroutines (goroutines/conn: the reader only). The
// server is a child process; the clients, in this process, do the opening
// handshake by hand so that they stay cheap. The measurement runs once
// whatever -benchtime.
func BenchmarkIdleRSS(b *testing.B) {
	testpeer.BenchIdleRSS(b, "websocket", dialIdleWAMP)
}

// dialIdleWAMP opens a WebSocket connection to addr with the subprotocol
// wamp.2.json, and leaves it idle.
func dialIdleWAMP(addr string) (io.Closer, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	_, err = fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n", addr)
	if err == nil {
		var resp *http.Response
		resp, err = http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil && (resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Protocol") != "wamp.2.json") {
			err = fmt.Errorf("handshake refused: %s, subprotocol %q", resp.Status, resp.Header.Get("Sec-WebSocket-Protocol"))
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
