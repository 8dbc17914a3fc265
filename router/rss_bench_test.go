package router

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"

	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// The server children of BenchmarkIdleSessionRSS: a router serving realm1
// over WebSocket or RawSocket. They run from init, before any test.
func init() {
	for _, scheme := range []string{"ws", "rs"} {
		testpeer.RSSChild("router-"+scheme, testpeer.RSSServer{Listen: func(count core.Acceptor) (string, error) {
			r, err := New(Options{Realms: []string{"realm1"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				return "", err
			}
			accept := func(t core.Transport) core.TransportHandler {
				count(t).OnOpen(t) // the harness's handler counts opened connections
				return r.Accept(t)
			}
			url := "rs://127.0.0.1:0"
			if scheme == "ws" {
				url = "ws://127.0.0.1:0/ws"
			}
			l, err := registry.Listen(context.Background(), url, core.TransportConfig{}, accept)
			if err != nil {
				return "", err
			}
			return l.Addr().String(), nil
		}})
	}
}

// BenchmarkIdleSessionRSS reports what an idle joined session costs the
// router process, over 2,000 sessions that said HELLO and got WELCOME, over
// WAMP-over-WebSocket and RawSocket with JSON: the growth of its RSS
// (rss-B/conn; the target is 10 KiB), of its heap and stacks, and
// its goroutines per session. The router is a child process; the clients
// speak the handshakes by hand so that they stay cheap. It runs once
// whatever -benchtime.
func BenchmarkIdleSessionRSS(b *testing.B) {
	b.Run("websocket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-ws", joinIdleWebSocket) })
	b.Run("rawsocket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-rs", joinIdleRawSocket) })
}

// joinIdleWebSocket opens a WebSocket connection (wamp.2.json) to addr
// and joins realm1 over it.
func joinIdleWebSocket(addr string) (io.Closer, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(c)
	_, err = fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"+
		"Sec-WebSocket-Protocol: wamp.2.json\r\n\r\n", addr)
	if err == nil {
		var resp *http.Response
		if resp, err = http.ReadResponse(br, nil); err == nil && resp.StatusCode != http.StatusSwitchingProtocols {
			err = fmt.Errorf("handshake refused: %s", resp.Status)
		}
	}
	if err == nil {
		// One masked text frame (mask key 0: the payload is unchanged).
		frame := append([]byte{0x81, 0x80 | byte(len(helloJSON)), 0, 0, 0, 0}, helloJSON...)
		if _, err = c.Write(frame); err == nil {
			err = expectWelcome(br, 2)
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// joinIdleRawSocket opens a RawSocket connection (JSON) to addr and joins
// realm1 over it.
func joinIdleRawSocket(addr string) (io.Closer, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReader(c)
	var reply [4]byte
	if _, err = c.Write([]byte{0x7F, 0xF1, 0, 0}); err == nil {
		_, err = io.ReadFull(br, reply[:])
	}
	if err == nil {
		frame := append([]byte{0, 0, 0, byte(len(helloJSON))}, helloJSON...)
		if _, err = c.Write(frame); err == nil {
			err = expectWelcome(br, 4)
		}
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// expectWelcome reads one frame with a header of hdr bytes (the payload
// length below 64 KiB) and checks that it is WELCOME.
func expectWelcome(br *bufio.Reader, hdr int) error {
	h := make([]byte, hdr)
	if _, err := io.ReadFull(br, h); err != nil {
		return err
	}
	n := int(h[hdr-1]) | int(h[hdr-2])<<8
	if hdr == 2 { // WebSocket: 7-bit length or 126 + 16-bit length
		n = int(h[1] & 0x7F)
		if n == 126 {
			var ext [2]byte
			if _, err := io.ReadFull(br, ext[:]); err != nil {
				return err
			}
			n = int(ext[0])<<8 | int(ext[1])
		}
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(br, p); err != nil {
		return err
	}
	if !bytes.HasPrefix(p, []byte("[2,")) {
		return fmt.Errorf("got %q, want WELCOME", p)
	}
	return nil
}
