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
	"strings"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/registry"

	_ "github.com/autobahn-go/autobahn/transports/rawsocket"
	_ "github.com/autobahn-go/autobahn/transports/websocket"
)

// The server children of BenchmarkIdleSessionRSS: a router serving realm1
// over WebSocket or RawSocket, anonymous with everything allowed, or
// ("-auth") with WAMP-Ticket and a role whose permissions are checked on
// every action. They run from init, before any test.
func init() {
	for _, mode := range []string{"ws", "rs", "ws-auth", "rs-auth"} {
		testpeer.RSSChild("router-"+mode, testpeer.RSSServer{Listen: func(count core.Acceptor) (string, error) {
			opts := Options{Realms: []string{"realm1"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if strings.HasSuffix(mode, "-auth") {
				opts.Auth = []AuthMethod{Ticket{Principals: map[string]Principal{"bench": {Role: "user", Secret: "s3cret"}}}}
				opts.Roles = map[string]map[string]Role{"realm1": {"user": {Permissions: []Permission{
					{URI: "com.example.", Match: core.MatchPrefix, Call: true, Register: true, Publish: true, Subscribe: true}}}}}
			}
			r, err := New(opts)
			if err != nil {
				return "", err
			}
			accept := func(t core.Transport) core.TransportHandler {
				count(t).OnOpen(t) // the harness's handler counts opened connections
				return r.Accept(t)
			}
			url := "rs://127.0.0.1:0"
			if strings.HasPrefix(mode, "ws") {
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
// WAMP-over-WebSocket and RawSocket with JSON, anonymous and authenticated
// (WAMP-Ticket, with authorization): the growth of its RSS (rss-B/conn;
// the target is 10 KiB), of its heap and stacks, and its
// goroutines per session. The router is a child process; the clients
// speak the handshakes by hand so that they stay cheap. It runs once
// whatever -benchtime.
func BenchmarkIdleSessionRSS(b *testing.B) {
	b.Run("websocket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-ws", joinIdleWebSocket(false)) })
	b.Run("rawsocket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-rs", joinIdleRawSocket(false)) })
	b.Run("websocket-ticket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-ws-auth", joinIdleWebSocket(true)) })
	b.Run("rawsocket-ticket", func(b *testing.B) { testpeer.BenchIdleRSS(b, "router-rs-auth", joinIdleRawSocket(true)) })
}

// The ticket variant's HELLO and AUTHENTICATE.
const (
	helloTicketJSON    = `[1,"realm1",{"roles":{"caller":{},"callee":{},"publisher":{},"subscriber":{}},"authmethods":["ticket"],"authid":"bench"}]`
	authenticateJSON   = `[5,"s3cret",{}]`
	wsHeader, rsHeader = 2, 4
)

// joinIdleWebSocket returns a dialer that opens a WebSocket connection
// (wamp.2.json) to addr and joins realm1 over it, with WAMP-Ticket if
// ticket is set.
func joinIdleWebSocket(ticket bool) func(addr string) (io.Closer, error) {
	return func(addr string) (io.Closer, error) {
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
			// Masked text frames (mask key 0: the payload is unchanged),
			// each below 126 bytes.
			err = rawJoin(c, br, wsHeader, ticket, func(p string) []byte {
				return append([]byte{0x81, 0x80 | byte(len(p)), 0, 0, 0, 0}, p...)
			})
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
}

// joinIdleRawSocket returns a dialer that opens a RawSocket connection
// (JSON) to addr and joins realm1 over it, with WAMP-Ticket if ticket is
// set.
func joinIdleRawSocket(ticket bool) func(addr string) (io.Closer, error) {
	return func(addr string) (io.Closer, error) {
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
			err = rawJoin(c, br, rsHeader, ticket, func(p string) []byte {
				return append([]byte{0, 0, 0, byte(len(p))}, p...)
			})
		}
		if err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	}
}

// rawJoin says HELLO (and answers the ticket CHALLENGE) in frames made by
// frame, and expects WELCOME in frames with a header of hdr bytes.
func rawJoin(w io.Writer, br *bufio.Reader, hdr int, ticket bool, frame func(string) []byte) error {
	hello := helloJSON
	if ticket {
		hello = helloTicketJSON
	}
	if _, err := w.Write(frame(hello)); err != nil {
		return err
	}
	if ticket {
		if err := expectFrame(br, hdr, "[4,", "CHALLENGE"); err != nil {
			return err
		}
		if _, err := w.Write(frame(authenticateJSON)); err != nil {
			return err
		}
	}
	return expectFrame(br, hdr, "[2,", "WELCOME")
}

// expectFrame reads one frame with a header of hdr bytes (the payload length
// below 64 KiB) and checks that it is the message named, which starts
// with prefix.
func expectFrame(br *bufio.Reader, hdr int, prefix, name string) error {
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
	if !bytes.HasPrefix(p, []byte(prefix)) {
		return fmt.Errorf("got %q, want %s", p, name)
	}
	return nil
}
