package websocket_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/core"
	"github.com/autobahn-go/autobahn/registry"
	"github.com/autobahn-go/autobahn/transports/websocket"

	// The serializers every WAMP test runs with.
	_ "github.com/autobahn-go/autobahn/serializers/cbor"
	_ "github.com/autobahn-go/autobahn/serializers/json"
	_ "github.com/autobahn-go/autobahn/serializers/msgpack"
	_ "github.com/autobahn-go/autobahn/serializers/ubjson"
)

var wampQuietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// wampWait bounds every wait of the WAMP tests.
const wampWait = 10 * time.Second

// wampRec is a core.TransportHandler that records what happens. react, if
// set, runs in OnMessage before the message is recorded.
type wampRec struct {
	react  func(t core.Transport, m core.Message)
	opened chan core.Transport
	msgs   chan core.Message
	closed chan error

	mu sync.Mutex
	t  core.Transport
}

func newWAMPRec() *wampRec {
	return &wampRec{
		opened: make(chan core.Transport, 1),
		msgs:   make(chan core.Message, 4096),
		closed: make(chan error, 1),
	}
}

func (r *wampRec) OnOpen(t core.Transport) {
	r.mu.Lock()
	r.t = t
	r.mu.Unlock()
	r.opened <- t
}

func (r *wampRec) OnMessage(m core.Message) {
	if r.react != nil {
		r.mu.Lock()
		t := r.t
		r.mu.Unlock()
		r.react(t, m)
	}
	r.msgs <- m
}

func (r *wampRec) OnClose(err error) { r.closed <- err }

func (r *wampRec) next(t testing.TB) core.Message {
	t.Helper()
	select {
	case m := <-r.msgs:
		return m
	default:
	}
	select {
	case m := <-r.msgs:
		return m
	case err := <-r.closed:
		// Messages delivered before OnClose come first.
		select {
		case m := <-r.msgs:
			r.closed <- err
			return m
		default:
		}
		t.Fatalf("transport closed (%v) while waiting for a message", err)
	case <-time.After(wampWait):
		t.Fatal("timeout waiting for a WAMP message")
	}
	return nil
}

func (r *wampRec) waitClose(t testing.TB) error {
	t.Helper()
	select {
	case err := <-r.closed:
		return err
	case <-time.After(wampWait):
		t.Fatal("timeout waiting for OnClose")
		return nil
	}
}

// wampServer listens at rawURL through the default registry with one
// wampRec per connection, sent on the returned channel.
func wampServer(t testing.TB, rawURL string, cfg core.TransportConfig, react func(core.Transport, core.Message)) (*websocket.WAMPListener, chan *wampRec) {
	t.Helper()
	recs := make(chan *wampRec, 64)
	l := wampListen(t, rawURL, cfg, func(core.Transport) core.TransportHandler {
		r := newWAMPRec()
		r.react = react
		recs <- r
		return r
	})
	return l, recs
}

// wampListen listens at rawURL through the default registry; the listener
// and its connections are closed when the test ends.
func wampListen(t testing.TB, rawURL string, cfg core.TransportConfig, accept core.Acceptor) *websocket.WAMPListener {
	t.Helper()
	if cfg.Options == nil {
		cfg.Options = websocket.WAMPOptions{Logger: wampQuietLog}
	}
	l, err := registry.Listen(context.Background(), rawURL, cfg, accept)
	if err != nil {
		t.Fatalf("Listen %s: %v", rawURL, err)
	}
	wl, ok := l.(*websocket.WAMPListener)
	if !ok {
		t.Fatalf("Listen returned %T, want *websocket.WAMPListener", l)
	}
	t.Cleanup(func() {
		wl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), wampWait)
		defer cancel()
		wl.Server().CloseAll(ctx)
	})
	return wl
}

// wampDial dials rawURL through the default registry.
func wampDial(t testing.TB, rawURL string, cfg core.TransportConfig) (*websocket.WAMPTransport, *wampRec) {
	t.Helper()
	r := newWAMPRec()
	if cfg.Options == nil {
		o := websocket.WAMPClientOptions()
		o.Logger = wampQuietLog
		cfg.Options = o
	}
	tr, err := registry.Dial(context.Background(), rawURL, cfg, r)
	if err != nil {
		t.Fatalf("Dial %s: %v", rawURL, err)
	}
	wt, ok := tr.(*websocket.WAMPTransport)
	if !ok {
		t.Fatalf("Dial returned %T, want *websocket.WAMPTransport", tr)
	}
	select {
	case <-r.opened:
	default:
		t.Fatal("OnOpen not called before Dial returned")
	}
	t.Cleanup(func() {
		wt.Abort()
		<-wt.Conn().Done()
	})
	return wt, r
}

func recvRec(t testing.TB, recs chan *wampRec) *wampRec {
	t.Helper()
	select {
	case r := <-recs:
		select {
		case <-r.opened:
		case <-time.After(wampWait):
			t.Fatal("server transport not opened")
		}
		return r
	case <-time.After(wampWait):
		t.Fatal("no server transport")
		return nil
	}
}

// testTLS is a self-signed certificate for 127.0.0.1 and localhost.
type testTLS struct {
	server  *tls.Config
	client  *tls.Config
	certPEM string // path of the certificate in PEM
}

var (
	tlsOnce sync.Once
	tlsCert tls.Certificate
	tlsDER  []byte
	tlsErr  error
)

func newTestTLS(t testing.TB) *testTLS {
	t.Helper()
	tlsOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			tlsErr = err
			return
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "localhost"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			DNSNames:              []string{"localhost"},
			IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			IsCA:                  true,
			BasicConstraintsValid: true,
		}
		tlsDER, tlsErr = x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		tlsCert = tls.Certificate{Certificate: [][]byte{tlsDER}, PrivateKey: key}
	})
	if tlsErr != nil {
		t.Fatal(tlsErr)
	}
	cert, err := x509.ParseCertificate(tlsDER)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	path := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tlsDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &testTLS{
		server:  &tls.Config{Certificates: []tls.Certificate{tlsCert}},
		client:  &tls.Config{RootCAs: pool},
		certPEM: path,
	}
}

func mustParseURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// allSerializers returns every registered serializer, in the default
// preference order; all four formats, plain and batched, must be there.
func allSerializers(t testing.TB) []core.Serializer {
	t.Helper()
	sers := registry.Default.Serializers()
	for _, name := range []string{"cbor", "cbor.batched", "json", "json.batched", "msgpack", "msgpack.batched", "ubjson", "ubjson.batched"} {
		if _, err := registry.Default.Serializer(name); err != nil {
			t.Fatalf("serializer %s missing: %v", name, err)
		}
	}
	return sers
}

func mustSerializer(t testing.TB, name string) core.Serializer {
	t.Helper()
	s, err := registry.Default.Serializer(name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
