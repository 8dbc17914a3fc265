package channelbinding

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/internal/testpeer"
)

// pyAsyncio is a TLS peer on asyncio: "client <cert.pem> <port>" connects,
// "server <cert.pem> <key.pem>" prints its port and accepts one connection.
// After the handshake it prints the negotiated version and Autobahn's channel
// id, then closes.
const pyAsyncio = `
import asyncio, ssl, sys
from autobahn.asyncio.util import transport_channel_id

role, cert, arg = sys.argv[1:4]

def out(*args):
    print(*args, flush=True)

def report(writer, is_server):
    out("VERSION", writer.get_extra_info("ssl_object").version())
    out("CID", transport_channel_id(writer.transport, is_server, "tls-unique").hex())

async def main():
    if role == "server":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, arg)
        done = asyncio.get_running_loop().create_future()
        async def handle(reader, writer):
            report(writer, True)
            writer.close()
            done.set_result(None)
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=ctx)
        out(server.sockets[0].getsockname()[1])
        await done
        server.close()
    else:
        ctx = ssl.create_default_context(cafile=cert)
        reader, writer = await asyncio.open_connection("127.0.0.1", int(arg), ssl=ctx, server_hostname="localhost")
        report(writer, False)
        writer.close()

asyncio.run(main())
`

// pyTwisted is the same peer on Twisted. It also prints the client's and the
// server's Finished messages as pyOpenSSL reports them.
const pyTwisted = `
import sys, txaio
txaio.use_twisted()
from zope.interface import implementer
from twisted.internet import reactor, ssl
from twisted.internet.endpoints import TCP4ClientEndpoint, connectProtocol, wrapClientTLS
from twisted.internet.interfaces import IHandshakeListener
from twisted.internet.protocol import Factory, Protocol
from autobahn.twisted.util import transport_channel_id

role, cert, arg = sys.argv[1], open(sys.argv[2]).read(), sys.argv[3]
is_server = role == "server"

def out(*args):
    print(*args, flush=True)

@implementer(IHandshakeListener)
class Peer(Protocol):
    def handshakeCompleted(self):
        conn = self.transport.getHandle()
        own, peer = conn.get_finished(), conn.get_peer_finished()
        client, server = (peer, own) if is_server else (own, peer)
        out("VERSION", conn.get_protocol_version_name())
        out("FINISHED", client.hex(), server.hex())
        out("CID", transport_channel_id(self.transport, is_server, "tls-unique").hex())
        self.transport.loseConnection()

    def connectionLost(self, reason):
        reactor.stop()

if is_server:
    options = ssl.PrivateCertificate.loadPEM(cert + open(arg).read()).options()
    port = reactor.listenSSL(0, Factory.forProtocol(Peer), options, interface="127.0.0.1")
    out(port.getHost().port)
else:
    options = ssl.optionsForClientTLS("localhost", trustRoot=ssl.Certificate.loadPEM(cert))
    endpoint = wrapClientTLS(options, TCP4ClientEndpoint(reactor, "127.0.0.1", int(arg)))
    connectProtocol(endpoint, Peer()).addErrback(lambda f: (out("ERROR", f.getErrorMessage()), reactor.stop()))
reactor.run()
`

// result is what one connection gave: Go's connection state and side, and
// the Python peer's report, keyed by the first word of each line.
type result struct {
	state    tls.ConnectionState
	isServer bool
	py       map[string]string
}

// goID is Go's tls-unique channel id.
func (r result) goID() []byte {
	return core.TransportDetails{TLS: &r.state, IsServer: r.isServer}.ChannelID(core.ChannelBindingTLSUnique)
}

// connect makes one TLS 1.2 connection between Go and the Python peer script,
// Go being the server if goServer, and returns what both sides saw.
func connect(t *testing.T, script string, goServer bool) result {
	t.Helper()
	c := testpeer.NewCert(t)
	certPath := c.WritePEM(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	if goServer {
		conf := c.ServerConfig()
		conf.MaxVersion = tls.VersionTLS12
		ln, err := tls.Listen("tcp", "127.0.0.1:0", conf)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		states := make(chan tls.ConnectionState, 1)
		go func() {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			tc := conn.(*tls.Conn)
			tc.SetDeadline(time.Now().Add(30 * time.Second))
			if tc.HandshakeContext(ctx) == nil {
				states <- tc.ConnectionState()
			}
			drain(tc)
		}()
		port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
		lines := startPython(ctx, t, script, "client", certPath, port)
		py := collect(t, lines)
		select {
		case st := <-states:
			return result{state: st, isServer: true, py: py}
		case <-ctx.Done():
			t.Fatalf("Go server did not complete the handshake; Python reported %v", py)
		}
	}

	keyPath := writeKey(t, c)
	lines := startPython(ctx, t, script, "server", certPath, keyPath)
	port, ok := <-lines
	if !ok {
		t.Fatal("Python server did not start")
	}
	conf := c.ClientConfig()
	conf.MaxVersion = tls.VersionTLS12
	conf.ServerName = "localhost"
	d := tls.Dialer{Config: conf}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		t.Fatalf("dial Python server: %v", err)
	}
	tc := conn.(*tls.Conn)
	tc.SetDeadline(time.Now().Add(30 * time.Second))
	go drain(tc)
	return result{state: tc.ConnectionState(), py: collect(t, lines)}
}

// drain reads the connection until the peer closes it, then closes it.
func drain(c *tls.Conn) {
	io.Copy(io.Discard, c)
	c.Close()
}

// writeKey writes the test certificate's private key in PEM and returns its
// path.
func writeKey(t *testing.T, c *testpeer.Cert) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Certificate.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// startPython runs the script with args and returns its stdout lines; the
// channel closes when the script ends. The script's stderr is logged if the
// test fails.
func startPython(ctx context.Context, t *testing.T, script string, args ...string) <-chan string {
	t.Helper()
	cmd := exec.CommandContext(ctx, testpeer.Python, append([]string{"-c", script}, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Python: %v", err)
	}
	lines := make(chan string)
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		for range lines {
		}
		<-waited
		if t.Failed() {
			t.Logf("Python stderr:\n%s", stderr.String())
		}
	})
	return lines
}

// collect reads the script's report lines until it exits.
func collect(t *testing.T, lines <-chan string) map[string]string {
	t.Helper()
	py := map[string]string{}
	for line := range lines {
		key, value, _ := strings.Cut(line, " ")
		py[key] = value
	}
	if py["ERROR"] != "" {
		t.Fatalf("Python: %s", py["ERROR"])
	}
	if py["VERSION"] != "TLSv1.2" {
		t.Fatalf("Python negotiated %q, want TLSv1.2 (report %v)", py["VERSION"], py)
	}
	return py
}

// sides names the two directions of each test.
var sides = []struct {
	name     string
	goServer bool
}{{"go-server", true}, {"go-client", false}}

// TestTLSUniqueAsyncio checks that Go's tls-unique channel id equals
// Autobahn's on asyncio, on both ends.
func TestTLSUniqueAsyncio(t *testing.T) {
	// The probe selects Twisted, which autobahn.asyncio refuses: the script
	// fails on its own if asyncio support is missing.
	testpeer.RequirePython(t)
	for _, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			r := connect(t, pyAsyncio, side.goServer)
			got := r.goID()
			if len(got) != 32 || hex.EncodeToString(got) != r.py["CID"] {
				t.Errorf("Go channel id %x, Autobahn asyncio %s", got, r.py["CID"])
			}
		})
	}
}

// TestTLSUniqueTwisted pins how Autobahn's Twisted transport_channel_id
// differs from RFC 5929: it hashes the server's Finished message where Go
// (and Autobahn on asyncio) hash the client's.
func TestTLSUniqueTwisted(t *testing.T) {
	testpeer.RequirePython(t, "OpenSSL", "autobahn.twisted.util")
	for _, side := range sides {
		t.Run(side.name, func(t *testing.T) {
			r := connect(t, pyTwisted, side.goServer)
			client, server, _ := strings.Cut(r.py["FINISHED"], " ")
			if got := hex.EncodeToString(r.state.TLSUnique); got != client {
				t.Errorf("Go TLSUnique %s, want the client's Finished message %s (server's %s)", got, client, server)
			}
			if got, want := hex.EncodeToString(r.goID()), sha256Hex(client); got != want {
				t.Errorf("Go channel id %s, want sha256(client Finished) %s", got, want)
			}
			if want := sha256Hex(server); r.py["CID"] != want {
				t.Errorf("Autobahn Twisted channel id %s, no longer sha256(server Finished) %s: "+
					"compare it with Go's again (client Finished gives %s)", r.py["CID"], want, sha256Hex(client))
			}
		})
	}
}

// sha256Hex returns the SHA-256 of hex-encoded bytes, hex-encoded.
func sha256Hex(h string) string {
	b, _ := hex.DecodeString(h)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
