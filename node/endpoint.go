package node

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// endpoint reads a transport's listening "endpoint": tcp (with TLS) or
// unix.
func (l *loader) endpoint(t obj) (Endpoint, error) {
	e, ok, err := t.object("endpoint")
	if err != nil {
		return Endpoint{}, err
	}
	if !ok {
		return Endpoint{}, errorf(e.path, "missing: the transport needs an endpoint to listen on")
	}
	typ, err := e.mustStr("type")
	if err != nil {
		return Endpoint{}, err
	}
	switch typ {
	case "tcp":
		return l.tcpEndpoint(e)
	case "unix":
		return l.unixEndpoint(e)
	case "twisted", "onion":
		return Endpoint{}, errorf(child(e.path, "type"), "%q endpoints are not supported by autobahn serve (tcp or unix)", typ)
	}
	return Endpoint{}, errorf(child(e.path, "type"), "%q is not an endpoint type (tcp or unix)", typ)
}

// tcpEndpoint reads a TCP endpoint. "backlog" is accepted and has no
// effect: Go listens with the system's maximum backlog.
func (l *loader) tcpEndpoint(e obj) (Endpoint, error) {
	err := e.check(schema{known: []string{"type", "version", "port", "interface", "backlog", "tls", "shared"}, refused: map[string]string{
		"portrange":    "port ranges are not supported: give a port",
		"user_timeout": "TCP_USER_TIMEOUT is not supported",
	}})
	if err != nil {
		return Endpoint{}, err
	}
	if _, _, err := e.integer("backlog", 1, 65535); err != nil {
		return Endpoint{}, err
	}
	if shared, err := e.boolean("shared", false); err != nil {
		return Endpoint{}, err
	} else if shared {
		return Endpoint{}, errorf(child(e.path, "shared"), "true is not supported: one router process listens, there is nothing to share the port with")
	}
	port, err := l.port(e)
	if err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{Network: "tcp"}
	host, _, err := e.str("interface")
	if err != nil {
		return Endpoint{}, err
	}
	host = strings.TrimSpace(host)
	if v, ok, err := e.integer("version", 4, 6); err != nil {
		return Endpoint{}, err
	} else if ok {
		if v == 5 {
			return Endpoint{}, errorf(child(e.path, "version"), "want 4 or 6, got 5")
		}
		ep.Network += strconv.Itoa(int(v))
	}
	ep.Address = net.JoinHostPort(host, strconv.Itoa(port))
	if tc, ok, err := e.object("tls"); err != nil {
		return Endpoint{}, err
	} else if ok {
		if ep.TLS, err = l.tlsConfig(tc); err != nil {
			return Endpoint{}, err
		}
	}
	return ep, nil
}

// port reads a TCP port: a number (0 picks a free one, an addition to
// Crossbar.io's 1..65535), or "$NAME", an environment variable holding it.
func (l *loader) port(e obj) (int, error) {
	p := child(e.path, "port")
	v, ok := e.m["port"]
	if !ok {
		return 0, errorf(p, "missing: a TCP endpoint needs a port")
	}
	if s, isStr := v.(string); isStr {
		name, isVar := strings.CutPrefix(s, "$")
		if !isVar || name == "" {
			return 0, errorf(p, "want a port number or \"$NAME\" (an environment variable), got %s", describe(v))
		}
		val, set := l.env(name)
		if !set {
			return 0, errorf(p, "environment variable %s is not set", name)
		}
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil || n < 0 || n > 65535 {
			return 0, errorf(p, "environment variable %s is %q: want a port number (0..65535)", name, val)
		}
		return n, nil
	}
	n, err := asInt(p, v, 0, 65535)
	return int(n), err
}

// unixEndpoint reads a Unix socket endpoint; its path is relative to the
// configuration's directory.
func (l *loader) unixEndpoint(e obj) (Endpoint, error) {
	if err := e.check(schema{known: []string{"type", "path", "backlog"}}); err != nil {
		return Endpoint{}, err
	}
	if _, _, err := e.integer("backlog", 1, 65535); err != nil {
		return Endpoint{}, err
	}
	path, err := e.mustStr("path")
	if err != nil {
		return Endpoint{}, err
	}
	if path == "" {
		return Endpoint{}, errorf(child(e.path, "path"), "empty")
	}
	return Endpoint{Network: "unix", Address: l.abs(path)}, nil
}

// abs resolves a path of the configuration against its directory.
func (l *loader) abs(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(l.dir, path)
}

// tlsConfig reads a listening endpoint's "tls": PEM files for the key and
// certificate (and its chain), CA certificates that client certificates
// must be signed by, and the cipher suites of TLS 1.2. "dhparam" is
// accepted and has no effect: Go implements no DHE cipher suites.
func (l *loader) tlsConfig(t obj) (*tls.Config, error) {
	if err := t.check(schema{known: []string{"key", "certificate", "chain_certificates", "dhparam", "ciphers", "ca_certificates"}}); err != nil {
		return nil, err
	}
	if _, _, err := t.str("dhparam"); err != nil {
		return nil, err
	}
	cert, err := l.keyPair(t)
	if err != nil {
		return nil, err
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.CipherSuites, err = ciphers(t); err != nil {
		return nil, err
	}
	cas, err := t.strings("ca_certificates")
	if err != nil || len(cas) == 0 {
		return c, err
	}
	c.ClientCAs = x509.NewCertPool()
	c.ClientAuth = tls.RequireAndVerifyClientCert
	for i, f := range cas {
		pem, err := l.readFile(index(child(t.path, "ca_certificates"), i), f)
		if err != nil {
			return nil, err
		}
		if !c.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, errorf(index(child(t.path, "ca_certificates"), i), "%s holds no PEM certificate", f)
		}
	}
	return c, nil
}

// keyPair loads the endpoint's key and certificate, the chain certificates
// following the certificate.
func (l *loader) keyPair(t obj) (tls.Certificate, error) {
	var pems [2][]byte
	for i, k := range []string{"key", "certificate"} {
		f, err := t.mustStr(k)
		if err != nil {
			return tls.Certificate{}, err
		}
		if pems[i], err = l.readFile(child(t.path, k), f); err != nil {
			return tls.Certificate{}, err
		}
	}
	chain, err := t.strings("chain_certificates")
	if err != nil {
		return tls.Certificate{}, err
	}
	certs := pems[1]
	for i, f := range chain {
		pem, err := l.readFile(index(child(t.path, "chain_certificates"), i), f)
		if err != nil {
			return tls.Certificate{}, err
		}
		certs = append(append(certs, '\n'), pem...)
	}
	cert, err := tls.X509KeyPair(certs, pems[0])
	if err != nil {
		return tls.Certificate{}, wrapErr(t.path, err)
	}
	return cert, nil
}

// maxConfigFile bounds the files a configuration names (keys,
// certificates): PEM files are small.
const maxConfigFile = 1 << 20

// readFile reads a regular file the configuration names at path.
func (l *loader) readFile(path, name string) ([]byte, error) {
	// Stat first: opening a FIFO would wait for a writer.
	if fi, err := os.Stat(l.abs(name)); err != nil {
		return nil, wrapErr(path, err)
	} else if !fi.Mode().IsRegular() {
		return nil, errorf(path, "%s is not a regular file", name)
	}
	f, err := os.Open(l.abs(name))
	if err != nil {
		return nil, wrapErr(path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, wrapErr(path, err)
	}
	if len(b) > maxConfigFile {
		return nil, errorf(path, "%s is larger than %d bytes", name, maxConfigFile)
	}
	return b, nil
}

// openSSLCiphers maps OpenSSL's names of the TLS 1.2 cipher suites Go
// implements to Go's IDs. TLS 1.3 suites are not configurable in Go.
var openSSLCiphers = map[string]uint16{
	"ECDHE-ECDSA-AES128-GCM-SHA256": tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-RSA-AES128-GCM-SHA256":   tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	"ECDHE-ECDSA-AES256-GCM-SHA384": tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-RSA-AES256-GCM-SHA384":   tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	"ECDHE-ECDSA-CHACHA20-POLY1305": tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-RSA-CHACHA20-POLY1305":   tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	"ECDHE-ECDSA-AES128-SHA256":     tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-RSA-AES128-SHA256":       tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	"ECDHE-ECDSA-AES128-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
	"ECDHE-RSA-AES128-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	"ECDHE-ECDSA-AES256-SHA":        tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
	"ECDHE-RSA-AES256-SHA":          tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
	"AES128-GCM-SHA256":             tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
	"AES256-GCM-SHA384":             tls.TLS_RSA_WITH_AES_256_GCM_SHA384,
	"AES128-SHA256":                 tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	"AES128-SHA":                    tls.TLS_RSA_WITH_AES_128_CBC_SHA,
	"AES256-SHA":                    tls.TLS_RSA_WITH_AES_256_CBC_SHA,
}

// ciphers reads "ciphers", an OpenSSL cipher list of explicit suite names
// (OpenSSL's or IANA's, separated by colons). DHE suites, which Go does
// not implement, are skipped as long as another suite remains; keywords
// such as HIGH or !aNULL are refused.
func ciphers(t obj) ([]uint16, error) {
	s, ok, err := t.str("ciphers")
	if err != nil || !ok {
		return nil, err
	}
	iana := make(map[string]uint16)
	for _, c := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		iana[c.Name] = c.ID
	}
	var ids []uint16
	for name := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ':' || r == ',' || r == ' ' }) {
		id, ok := openSSLCiphers[name]
		if !ok {
			id, ok = iana[name]
		}
		switch {
		case ok:
			ids = append(ids, id)
		case strings.HasPrefix(name, "DHE-") || strings.HasPrefix(name, "EDH-"):
		default:
			return nil, errorf(child(t.path, "ciphers"), "%q is not a TLS 1.2 cipher suite Go implements (give explicit names such as ECDHE-RSA-AES128-GCM-SHA256; keywords like HIGH are not supported)", name)
		}
	}
	if len(ids) == 0 {
		return nil, errorf(child(t.path, "ciphers"), "no cipher suite that Go implements (it has no DHE suites)")
	}
	return ids, nil
}
