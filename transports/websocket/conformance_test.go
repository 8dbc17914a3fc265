package websocket_test

import (
	"crypto/tls"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/transporttest"
	"github.com/autobahn-go/autobahn/transports/websocket"
)

// wampConformance runs the transport conformance suite over WAMP over
// WebSocket (ws or wss).
func wampConformance(t *testing.T, scheme string, serverTLS, clientTLS *tls.Config, ser core.Serializer) {
	const limit = 64 << 10
	ep := transporttest.Endpoint{
		Factory:   &websocket.WAMPFactory{},
		ListenURL: func() string { return scheme + "://127.0.0.1:0/ws" },
		DialURL:   func(l core.Listener) string { return l.(*websocket.WAMPListener).URL() },
		Config: func(o transporttest.Options, server bool) core.TransportConfig {
			opts := websocket.WAMPOptions{WebSocket: websocket.Options{MaxMessagePayloadSize: limit}, Logger: wampQuietLog}
			cfg := core.TransportConfig{Serializers: []core.Serializer{ser}, TLS: serverTLS}
			if !server {
				opts.Queue = o.ClientQueue
				cfg.TLS = clientTLS
			}
			cfg.Options = opts
			return cfg
		},
	}
	transporttest.Run(t, transporttest.Harness{Connect: ep.Connect, MaxMessageSize: limit, Serializer: ser})
}

func TestWAMPConformance(t *testing.T) {
	t.Run("ws/json", func(t *testing.T) { wampConformance(t, "ws", nil, nil, json.Serializer) })
	t.Run("ws/json.batched", func(t *testing.T) { wampConformance(t, "ws", nil, nil, json.Batched) })
	srv, cli := testpeer.TLSConfigs(t)
	t.Run("wss/json", func(t *testing.T) { wampConformance(t, "wss", srv, cli, json.Serializer) })
}
