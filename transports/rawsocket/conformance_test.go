package rawsocket_test

import (
	"crypto/tls"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
	"github.com/autobahn-go/autobahn/serializers/json"
	"github.com/autobahn-go/autobahn/transports/rawsocket"
	"github.com/autobahn-go/autobahn/transports/transporttest"
)

// conformance runs the transport conformance suite over RawSocket at a
// listening URL (TCP, TLS or a Unix socket).
func conformance(t *testing.T, listenURL func() string, dialURL func(l core.Listener) string, serverTLS, clientTLS *tls.Config) {
	const limit = 64 << 10 // a power of two: RawSocket announces powers of two
	ep := transporttest.Endpoint{
		Factory:   &rawsocket.Factory{},
		ListenURL: listenURL,
		DialURL:   dialURL,
		Config: func(o transporttest.Options, server bool) core.TransportConfig {
			cfg := core.TransportConfig{Serializers: []core.Serializer{json.Serializer}, TLS: clientTLS}
			opts := rawsocket.Options{MaxMessagePayloadSize: limit}
			if server {
				cfg.TLS = serverTLS
			} else {
				opts.Queue = o.ClientQueue
			}
			cfg.Options = opts
			return cfg
		},
	}
	transporttest.Run(t, transporttest.Harness{Connect: ep.Connect, MaxMessageSize: limit, Serializer: json.Serializer})
}

func TestConformanceTCP(t *testing.T) {
	conformance(t, fixed("rs://127.0.0.1:0"), func(l core.Listener) string { return "rs://" + l.Addr().String() }, nil, nil)
}

func TestConformanceTLS(t *testing.T) {
	srv, cli := testpeer.TLSConfigs(t)
	conformance(t, fixed("rss://127.0.0.1:0"), func(l core.Listener) string { return "rss://" + l.Addr().String() }, srv, cli)
}

func TestConformanceUnix(t *testing.T) {
	dir := t.TempDir()
	n := 0
	// Each connection gets a socket of its own.
	listen := func() string { n++; return "unix://" + filepath.Join(dir, fmt.Sprintf("s%d.sock", n)) }
	conformance(t, listen, func(l core.Listener) string { return "unix://" + l.Addr().String() }, nil, nil)
}

func fixed(u string) func() string { return func() string { return u } }
