package websocket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/autobahn-go/autobahn/internal/testpeer"
)

func startTLSServer(t *testing.T) (addr string, handlers chan *recorder, pool *x509.CertPool) {
	t.Helper()
	cert := testpeer.NewCert(t)
	handlers = make(chan *recorder, 8)
	s := &Server{Logger: quietLog, NewHandler: func() ServerHandler {
		r := newRecorder()
		r.echo = true
		handlers <- r
		return r
	}}
	l, err := s.Listen(context.Background(), "tcp", "127.0.0.1:0", cert.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		l.Close()
		s.CloseAll(context.Background())
	})
	return l.Addr().String(), handlers, cert.Pool
}

func TestTLS(t *testing.T) {
	addr, handlers, pool := startTLSServer(t)
	c, crec := dialTest(t, &Dialer{TLSConfig: &tls.Config{RootCAs: pool}}, "wss://"+addr+"/tls")
	rec := recv(t, handlers, "handler")
	req := recv(t, rec.requests, "request")
	sc := recv(t, rec.opened, "open")
	if c.TLS() == nil || sc.TLS() == nil || req.TLS == nil || c.Response().TLS == nil {
		t.Fatal("TLS state missing")
	}
	// Channel binding material (tls-exporter) is the same on both sides.
	ck, err1 := c.TLS().ExportKeyingMaterial("EXPORTER-Channel-Binding", nil, 32)
	sk, err2 := sc.TLS().ExportKeyingMaterial("EXPORTER-Channel-Binding", nil, 32)
	if err1 != nil || err2 != nil || !bytes.Equal(ck, sk) {
		t.Errorf("exporter: %x %v / %x %v", ck, err1, sk, err2)
	}
	if c.TLS().NegotiatedProtocol == "h2" {
		t.Error("h2 negotiated")
	}
	c.SendMessage([]byte("secure"), false)
	if m := recv(t, crec.messages, "echo"); string(m.payload) != "secure" {
		t.Errorf("echo %q", m.payload)
	}
	// After a quiet spell both readers wait on fresh goroutines (a read
	// deadline has expired on the TLS connections meanwhile).
	time.Sleep(3 * idleProbe)
	c.SendMessage([]byte("still secure"), false)
	if m := recv(t, crec.messages, "echo"); string(m.payload) != "still secure" {
		t.Errorf("echo %q", m.payload)
	}

	// An untrusted certificate fails the dial.
	_, err := (&Dialer{Logger: quietLog}).Dial(context.Background(), "wss://"+addr+"/", clientRecorder{newRecorder()})
	var ve *tls.CertificateVerificationError
	if !errors.As(err, &ve) {
		t.Errorf("Dial with unknown CA: %v", err)
	}
}

// connectProxy is an HTTP CONNECT proxy that wants user:secret.
func connectProxy(t *testing.T) (*url.URL, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var tunnels atomic.Int64
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				br := bufio.NewReader(conn)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				want := "Basic " + base64.StdEncoding.EncodeToString([]byte("user:secret"))
				if req.Method != http.MethodConnect || req.Header.Get("Proxy-Authorization") != want {
					io.WriteString(conn, "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
					return
				}
				target, err := net.Dial("tcp", req.Host)
				if err != nil {
					io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\n\r\n")
					return
				}
				defer target.Close()
				tunnels.Add(1)
				io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
				pipe(conn, br, target)
			}()
		}
	}()
	return &url.URL{Scheme: "http", User: url.UserPassword("user", "secret"), Host: ln.Addr().String()}, &tunnels
}

func pipe(client net.Conn, fromClient io.Reader, target net.Conn) {
	done := make(chan struct{})
	go func() {
		io.Copy(target, fromClient)
		target.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(client, target)
	client.Close()
	<-done
}

// socksProxy is a SOCKS5 proxy that wants user:secret.
func socksProxy(t *testing.T) (*url.URL, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var tunnels atomic.Int64
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				target := socksHandshake(conn)
				if target == "" {
					return
				}
				tc, err := net.Dial("tcp", target)
				if err != nil {
					conn.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
					return
				}
				defer tc.Close()
				tunnels.Add(1)
				conn.Write([]byte{5, 0, 0, 1, 127, 0, 0, 1, 0, 0})
				pipe(conn, conn, tc)
			}()
		}
	}()
	return &url.URL{Scheme: "socks5", User: url.UserPassword("user", "secret"), Host: ln.Addr().String()}, &tunnels
}

func socksHandshake(conn net.Conn) string {
	var b [262]byte
	if _, err := io.ReadFull(conn, b[:2]); err != nil || b[0] != 5 {
		return ""
	}
	if _, err := io.ReadFull(conn, b[:b[1]]); err != nil || bytes.IndexByte(b[:b[1]], 2) < 0 {
		conn.Write([]byte{5, 0xff})
		return ""
	}
	conn.Write([]byte{5, 2})
	io.ReadFull(conn, b[:2])
	user := make([]byte, b[1])
	io.ReadFull(conn, user)
	io.ReadFull(conn, b[:1])
	pw := make([]byte, b[0])
	io.ReadFull(conn, pw)
	if string(user) != "user" || string(pw) != "secret" {
		conn.Write([]byte{1, 1})
		return ""
	}
	conn.Write([]byte{1, 0})
	if _, err := io.ReadFull(conn, b[:4]); err != nil || b[1] != 1 {
		return ""
	}
	var host string
	switch b[3] {
	case 1:
		io.ReadFull(conn, b[:4])
		host = net.IP(b[:4]).String()
	case 3:
		io.ReadFull(conn, b[:1])
		name := make([]byte, b[0])
		io.ReadFull(conn, name)
		host = string(name)
	default:
		return ""
	}
	io.ReadFull(conn, b[:2])
	return net.JoinHostPort(host, strconv.Itoa(int(binary.BigEndian.Uint16(b[:2]))))
}

func TestProxy(t *testing.T) {
	httpProxy, httpTunnels := connectProxy(t)
	socks, socksTunnels := socksProxy(t)
	wsURL, _ := startServer(t, &Server{})
	tlsAddr, _, pool := startTLSServer(t)
	tests := []struct {
		name    string
		proxy   *url.URL
		url     string
		tunnels *atomic.Int64
	}{
		{"http connect ws", httpProxy, wsURL, httpTunnels},
		{"http connect wss", httpProxy, "wss://" + tlsAddr + "/", httpTunnels},
		{"socks5 ws", socks, wsURL, socksTunnels},
		{"socks5 wss by name", socks, "wss://localhost:" + strings.Split(tlsAddr, ":")[1] + "/", socksTunnels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.tunnels.Load()
			c, rec := dialTest(t, &Dialer{Proxy: tt.proxy, TLSConfig: &tls.Config{RootCAs: pool}}, tt.url)
			c.SendMessage([]byte("via proxy"), false)
			if m := recv(t, rec.messages, "echo"); string(m.payload) != "via proxy" {
				t.Errorf("echo %q", m.payload)
			}
			if tt.tunnels.Load() != before+1 {
				t.Error("no tunnel through the proxy")
			}
		})
	}
	t.Run("bad credentials", func(t *testing.T) {
		for _, p := range []*url.URL{httpProxy, socks} {
			bad := *p
			bad.User = url.UserPassword("user", "wrong")
			_, err := (&Dialer{Proxy: &bad, Logger: quietLog}).Dial(context.Background(), wsURL, clientRecorder{newRecorder()})
			if err == nil || strings.Contains(err.Error(), "wrong") {
				t.Errorf("proxy %s: %v", p.Scheme, err)
			}
		}
	})
}
