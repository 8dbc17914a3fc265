// Command server is a WebSocket echo server, the Go version of Autobahn's
// examples/twisted/websocket/echo/server.py: it sends every message back to
// its sender and prints what happens.
//
//	go run ./examples/websocket/echo/server -addr 127.0.0.1:9000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/autobahn-go/autobahn/transports/websocket"
)

// echoProtocol is the handler of one connection.
type echoProtocol struct {
	conn *websocket.Conn
}

func (p *echoProtocol) OnConnect(req *websocket.ConnectionRequest) (websocket.ConnectionAccept, error) {
	fmt.Printf("Client connecting: %s\n", req.Peer)
	return websocket.ConnectionAccept{}, nil
}

func (p *echoProtocol) OnOpen(c *websocket.Conn) {
	p.conn = c
	fmt.Println("WebSocket connection open.")
}

func (p *echoProtocol) OnMessage(payload []byte, isBinary bool) {
	if isBinary {
		fmt.Printf("Binary message received: %d bytes\n", len(payload))
	} else {
		fmt.Printf("Text message received: %s\n", payload)
	}
	// Echo the message back verbatim.
	if err := p.conn.SendMessage(payload, isBinary); err != nil {
		fmt.Printf("Sending failed: %v\n", err)
	}
}

func (p *echoProtocol) OnClose(wasClean bool, code int, reason string) {
	fmt.Printf("WebSocket connection closed: %s\n", reason)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9000", "TCP address to listen on")
	maxSize := flag.Int64("max-message-size", 1<<20, "largest message accepted, in bytes (after permessage-deflate inflation)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	fmt.Printf("Listening on ws://%s\n", *addr)
	err := websocket.ListenAndServe(ctx, *addr,
		func() websocket.ServerHandler { return &echoProtocol{} },
		// Autobahn's defaults accept messages of any size; a server open to
		// the network sets a limit, so that one peer cannot make it buffer
		// gigabytes. A larger message fails its connection with 1009.
		websocket.Options{MaxMessagePayloadSize: *maxSize})
	if err != nil {
		log.Fatal(err)
	}
}
