// Command client is a WebSocket echo client, the Go version of Autobahn's
// examples/twisted/websocket/echo/client.py: once connected it sends a text
// and a binary message every second and prints the echoes.
//
//	go run ./examples/websocket/echo/client -url ws://127.0.0.1:9000 -n 3
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/autobahn-go/autobahn/transports/websocket"
)

// echoClient is the handler of the connection.
type echoClient struct {
	rounds   int
	interval time.Duration
	closed   chan struct{}
}

func (p *echoClient) OnConnect(resp *websocket.ConnectionResponse) error {
	fmt.Printf("Server connected: %s\n", resp.Peer)
	return nil
}

func (p *echoClient) OnOpen(c *websocket.Conn) {
	fmt.Println("WebSocket connection open.")
	// Send messages every interval, on a goroutine of our own: handler
	// methods should return promptly.
	go func() {
		for i := 0; p.rounds == 0 || i < p.rounds; i++ {
			if i > 0 {
				select {
				case <-time.After(p.interval):
				case <-p.closed:
					return
				}
			}
			if c.SendMessage([]byte("Hello, world!"), false) != nil ||
				c.SendMessage([]byte{0x00, 0x01, 0x03, 0x04}, true) != nil {
				return
			}
		}
		// Give the last echoes time to arrive, then close.
		select {
		case <-time.After(p.interval):
		case <-p.closed:
			return
		}
		c.SendClose(websocket.CloseNormal, "")
	}()
}

func (p *echoClient) OnMessage(payload []byte, isBinary bool) {
	if isBinary {
		fmt.Printf("Binary message received: %d bytes\n", len(payload))
	} else {
		fmt.Printf("Text message received: %s\n", payload)
	}
}

func (p *echoClient) OnClose(wasClean bool, code int, reason string) {
	fmt.Printf("WebSocket connection closed: %s\n", reason)
	close(p.closed)
}

func main() {
	url := flag.String("url", "ws://127.0.0.1:9000", "WebSocket URL of the echo server")
	rounds := flag.Int("n", 0, "number of rounds to send, 0 for ever")
	interval := flag.Duration("interval", time.Second, "time between rounds")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	h := &echoClient{rounds: *rounds, interval: *interval, closed: make(chan struct{})}
	conn, err := websocket.Dial(ctx, *url, h, websocket.Options{})
	if err != nil {
		log.Fatal(err)
	}
	select {
	case <-conn.Done():
	case <-ctx.Done():
		conn.Close(context.Background())
	}
}
