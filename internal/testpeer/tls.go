package testpeer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Cert is a self-signed CA certificate for "localhost" and 127.0.0.1, valid
// from an hour ago for a day, with its ECDSA P-256 key.
type Cert struct {
	// Certificate is the certificate chain and key for a server.
	Certificate tls.Certificate
	// Pool trusts the certificate, for a client.
	Pool *x509.CertPool
	// PEM is the certificate in PEM, for peers in other languages.
	PEM []byte
}

var (
	certOnce sync.Once
	cert     *Cert
	certErr  error
)

// NewCert returns the test certificate, made on first use.
func NewCert(t testing.TB) *Cert {
	t.Helper()
	certOnce.Do(func() { cert, certErr = makeCert() })
	if certErr != nil {
		t.Fatal(certErr)
	}
	return cert
}

func makeCert() (*Cert, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate test certificate key: %w", err)
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
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("create test certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse test certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &Cert{
		Certificate: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		Pool:        pool,
		PEM:         pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
	}, nil
}

// ServerConfig returns a fresh server TLS configuration with the certificate.
func (c *Cert) ServerConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{c.Certificate}}
}

// ClientConfig returns a fresh client TLS configuration trusting the
// certificate.
func (c *Cert) ClientConfig() *tls.Config {
	return &tls.Config{RootCAs: c.Pool}
}

// WritePEM writes the certificate in PEM to a file in the test's temporary
// directory and returns its path.
func (c *Cert) WritePEM(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(path, c.PEM, 0o600); err != nil {
		t.Fatalf("write test certificate: %v", err)
	}
	return path
}

// TLSConfigs returns a server and a client TLS configuration around the test
// certificate.
func TLSConfigs(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	c := NewCert(t)
	return c.ServerConfig(), c.ClientConfig()
}
