package core

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"net"
)

// Transport is a reliable, ordered, message-based channel that carries WAMP
// messages between two peers (Autobahn's ITransport). It is safe for
// concurrent use: any goroutine may Send while the transport's reader delivers
// incoming messages to its [TransportHandler].
type Transport interface {
	// Send queues msg for sending. It returns when the message is queued (or
	// written), not when the peer received it; ctx bounds the wait for room in
	// the send queue. Sending on a closed transport returns an error wrapping
	// [ErrTransportLost].
	Send(ctx context.Context, msg Message) error
	// Close closes the transport cleanly (WebSocket close handshake with code
	// 1000, or the end of a RawSocket stream) and waits, bounded by ctx, for the
	// peer to finish.
	Close(ctx context.Context) error
	// Abort drops the underlying connection at once.
	Abort() error
	// Details describes the connection; it does not change after OnOpen.
	Details() TransportDetails
}

// TransportHandler is what runs over a transport: a client session, or a
// session inside a router (Autobahn's ITransportHandler). A transport calls
// its methods one at a time and in order: OnOpen once, then OnMessage for
// every message received, then OnClose once. Each call happens before the
// next, but they need not all come from the same goroutine (an idle
// connection may hand its reader to a fresh goroutine to keep its stack small).
type TransportHandler interface {
	// OnOpen is called when the transport is established and ready to Send.
	OnOpen(t Transport)
	// OnMessage is called for every message received, in order.
	OnMessage(msg Message)
	// OnClose is called once when the transport is gone. err is nil after a
	// clean close; otherwise it describes why the transport was lost.
	OnClose(err error)
}

// Framing names how WAMP messages are carried.
type Framing string

// The framings of the transports of this project.
const (
	FramingWebSocket Framing = "websocket"
	FramingRawSocket Framing = "rawsocket"
	FramingLongPoll  Framing = "longpoll"
)

// ChannelBinding names a TLS channel binding type used by WAMP-cryptosign.
type ChannelBinding string

// Channel binding types.
const (
	ChannelBindingTLSUnique   ChannelBinding = "tls-unique"
	ChannelBindingTLSExporter ChannelBinding = "tls-exporter"
)

// TransportDetails describes an established transport (Autobahn's
// TransportDetails).
type TransportDetails struct {
	// Framing is how messages are carried: websocket, rawsocket, longpoll.
	Framing Framing
	// Serializer encodes the messages of this transport.
	Serializer Serializer
	// IsServer is true on the side that accepted the connection.
	IsServer bool
	// LocalAddr and PeerAddr are the socket addresses (PeerAddr honours
	// X-Forwarded-For where the server is configured to trust it).
	LocalAddr, PeerAddr net.Addr
	// Peer is Autobahn's peer string: "tcp4:127.0.0.1:52314", "unix:/path".
	Peer string
	// TLS is the TLS connection state, nil for plain connections.
	TLS *tls.ConnectionState
	// HTTPHeaders holds the WebSocket opening handshake's headers (request on
	// the server side, response on the client side), if any.
	HTTPHeaders map[string][]string
	// Extra carries transport-specific details (e.g. the WebSocket
	// subprotocol, RawSocket max message length).
	Extra map[string]any
}

// ChannelID returns the 32-byte channel binding value of the given type that
// WAMP-cryptosign XORs into its challenge, or nil when the transport is not
// TLS, the binding is unavailable, or kind is unknown.
//
// For tls-unique it is the SHA-256 of the TLS Finished message (RFC 5929's
// tls-unique, [tls.ConnectionState.TLSUnique]: the client's on a full
// handshake), not the raw 12-byte message: Autobahn|Python's
// transport_channel_id hashes the Finished message, and both peers must
// arrive at the same 32 bytes. This equals Autobahn's value on asyncio; its
// Twisted variant (22.7.1) hashes the server's Finished message instead,
// which crypto/tls does not expose. tls-unique needs TLS 1.2 or earlier; it
// is nil on TLS 1.3.
//
// For tls-exporter (RFC 9266) it is the keying material exported with label
// "EXPORTER-Channel-Binding", no context, 32 bytes. It works on TLS 1.3; on
// earlier versions Go exports only with Extended Master Secret, and it is nil
// otherwise.
func (d TransportDetails) ChannelID(kind ChannelBinding) []byte {
	if d.TLS == nil {
		return nil
	}
	switch kind {
	case ChannelBindingTLSUnique:
		if len(d.TLS.TLSUnique) == 0 {
			return nil
		}
		sum := sha256.Sum256(d.TLS.TLSUnique)
		return sum[:]
	case ChannelBindingTLSExporter:
		if !d.TLS.HandshakeComplete {
			// Also spares a hand-made ConnectionState, whose exporter is nil.
			return nil
		}
		b, err := d.TLS.ExportKeyingMaterial("EXPORTER-Channel-Binding", nil, 32)
		if err != nil {
			return nil
		}
		return b
	}
	return nil
}
