package core_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"net"
	"testing"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// handshake runs a TLS handshake capped at version over an in-memory pipe and
// returns the client's and the server's connection states.
func handshake(t *testing.T, version uint16) (client, server tls.ConnectionState) {
	t.Helper()
	srvConf, cliConf := testpeer.TLSConfigs(t)
	srvConf.MaxVersion, cliConf.MaxVersion = version, version
	cliConf.ServerName = "localhost"

	c, s := net.Pipe()
	t.Cleanup(func() { c.Close(); s.Close() })
	cli, srv := tls.Client(c, cliConf), tls.Server(s, srvConf)

	errc := make(chan error, 1)
	go func() { errc <- srv.HandshakeContext(t.Context()) }()
	if err := cli.HandshakeContext(t.Context()); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	client, server = cli.ConnectionState(), srv.ConnectionState()
	if client.Version != version || server.Version != version {
		t.Fatalf("negotiated %x/%x, want %x", client.Version, server.Version, version)
	}
	return client, server
}

// both returns the channel binding of kind on the client's and the server's
// side.
func both(cs, ss *tls.ConnectionState, kind core.ChannelBinding) (client, server []byte) {
	return core.TransportDetails{TLS: cs}.ChannelID(kind),
		core.TransportDetails{TLS: ss, IsServer: true}.ChannelID(kind)
}

func TestChannelIDTLS12(t *testing.T) {
	cs, ss := handshake(t, tls.VersionTLS12)

	c, s := both(&cs, &ss, core.ChannelBindingTLSUnique)
	want := sha256.Sum256(cs.TLSUnique)
	if len(cs.TLSUnique) == 0 || !bytes.Equal(c, want[:]) {
		t.Errorf("client tls-unique = %x, want sha256(%x) = %x", c, cs.TLSUnique, want)
	}
	if !bytes.Equal(s, c) {
		t.Errorf("server tls-unique = %x, client %x", s, c)
	}

	// Go negotiates Extended Master Secret with itself, so the exporter works
	// on TLS 1.2 here too.
	c, s = both(&cs, &ss, core.ChannelBindingTLSExporter)
	if len(c) != 32 || !bytes.Equal(c, s) {
		t.Errorf("tls-exporter: client %x, server %x", c, s)
	}
}

func TestChannelIDTLS13(t *testing.T) {
	cs, ss := handshake(t, tls.VersionTLS13)

	if c, s := both(&cs, &ss, core.ChannelBindingTLSUnique); c != nil || s != nil {
		t.Errorf("tls-unique on TLS 1.3: client %x, server %x, want nil", c, s)
	}
	c, s := both(&cs, &ss, core.ChannelBindingTLSExporter)
	if len(c) != 32 || !bytes.Equal(c, s) {
		t.Errorf("tls-exporter: client %x, server %x", c, s)
	}
}

func TestChannelIDUnavailable(t *testing.T) {
	plain := core.TransportDetails{Framing: core.FramingRawSocket}
	for _, kind := range []core.ChannelBinding{core.ChannelBindingTLSUnique, core.ChannelBindingTLSExporter} {
		if b := plain.ChannelID(kind); b != nil {
			t.Errorf("%s without TLS = %x, want nil", kind, b)
		}
		// A state whose handshake has not completed has no binding.
		if b := (core.TransportDetails{TLS: &tls.ConnectionState{}}).ChannelID(kind); b != nil {
			t.Errorf("%s before the handshake = %x, want nil", kind, b)
		}
	}

	cs, _ := handshake(t, tls.VersionTLS12)
	for _, kind := range []core.ChannelBinding{"", "tls-server-end-point", "TLS-UNIQUE"} {
		if b := (core.TransportDetails{TLS: &cs}).ChannelID(kind); b != nil {
			t.Errorf("unknown kind %q = %x, want nil", kind, b)
		}
	}
}
